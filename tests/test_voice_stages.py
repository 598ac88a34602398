"""Known-answer tests of each voice stage on signals whose right output is known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from capture.voice.agc import Agc, AgcSettings
from capture.voice.gate import Gate, GateSettings
from capture.voice.limiter import Limiter
from capture.voice.loudness import (
    TruePeakDetector,
    integrated_loudness,
    rms_dbfs,
    short_term_loudness,
    true_peak_dbtp,
)
from capture.voice.stage import HOP, RATE, DelayLine

RNG = np.random.default_rng(3)


def tone(freq: float, dbfs_peak: float, seconds: float, phase: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (10 ** (dbfs_peak / 20) * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)


def run(stage, x: np.ndarray) -> np.ndarray:
    n = x.size - x.size % HOP
    return np.concatenate([stage.process(x[i : i + HOP]) for i in range(0, n, HOP)])


def speechlike(seconds: float, dbfs: float) -> np.ndarray:
    """Noise bursts shaped like syllables (4 Hz on/off), at `dbfs` RMS over the whole signal."""
    n = int(seconds * RATE)
    env = (np.sin(2 * np.pi * 4 * np.arange(n) / RATE) > -0.3).astype(np.float64)
    x = np.convolve(RNG.standard_normal(n), np.ones(8) / 8, mode="same") * env
    return (x * 10 ** (dbfs / 20) / np.sqrt(np.mean(x**2))).astype(np.float32)


# -- loudness helpers --------------------------------------------------------------------------


def test_loudness_of_a_1k_tone_matches_bs1770() -> None:
    # BS.1770: a 0 dBFS-peak 1 kHz sine reads -3.01 LUFS; at -6 dBFS peak, -9.03.
    assert integrated_loudness(tone(1000, -6.0, 2.0)) == pytest.approx(-9.03, abs=0.05)


def test_true_peak_catches_peaks_between_samples() -> None:
    # fs/4 sine sampled at ±45°: samples read -3 dB below the real peak.
    x = tone(12000, 0.0, 0.5, phase=np.pi / 4) * np.float32(0.5)
    assert 20 * np.log10(np.abs(x).max()) == pytest.approx(-9.03, abs=0.05)
    assert true_peak_dbtp(x) == pytest.approx(-6.02, abs=0.15)
    detector = TruePeakDetector()
    readings = np.concatenate(
        [detector(x[i : i + HOP].astype(np.float64)) for i in range(0, x.size - HOP + 1, HOP)]
    )
    assert 20 * np.log10(readings[1000:].max()) == pytest.approx(-6.02, abs=0.3)


# -- gate ----------------------------------------------------------------------------------------


def test_tone_above_threshold_keeps_its_level_through_the_gate_bit_for_bit() -> None:
    x = tone(1000, -20.0, 1.0)
    y = run(Gate(GateSettings(enabled=True, threshold_db=-50.0)), x)
    assert np.array_equal(y, x[: y.size])


def test_gate_attenuates_quiet_noise_by_its_range_and_reopens_for_a_tone() -> None:
    quiet = (RNG.standard_normal(RATE) * 10 ** (-70 / 20)).astype(np.float32)
    loud = tone(1000, -20.0, 0.5)
    gate = Gate(GateSettings(enabled=True, threshold_db=-50.0, ratio=100.0, range_db=24.0))
    y = run(gate, np.concatenate((quiet, loud)))
    assert rms_dbfs(y[3 * RATE // 4 : RATE]) == pytest.approx(rms_dbfs(quiet) - 24.0, abs=0.5)
    assert rms_dbfs(y[RATE + 4800 :]) == pytest.approx(rms_dbfs(loud), abs=0.05)


# -- limiter -------------------------------------------------------------------------------------


def test_minus_6_dbfs_tone_is_untouched_by_the_limiter() -> None:
    lim = Limiter()
    x = tone(1000, -6.0, 1.0)
    y = run(lim, x)
    assert np.array_equal(y[lim.latency :], x[: y.size - lim.latency])


@pytest.mark.parametrize("freq", [1000.0, 997.0, 11025.0, 100.0])
def test_loud_tone_hits_the_true_peak_ceiling(freq: float) -> None:
    # +6 dB over full scale into a -1 dBTP ceiling: the output settles at the ceiling (minus
    # the 0.4 dB safety margin for the interpolator), never above.
    lim = Limiter()
    x = tone(freq, 0.0, 1.0) * np.float32(2.0)
    y = run(lim, x)
    assert true_peak_dbtp(y) <= -1.0
    steady = y[RATE // 2 :]
    assert 20 * np.log10(np.abs(steady).max()) == pytest.approx(-1.4, abs=0.25)


def test_minus_6_dbfs_tone_hits_a_minus_10_dbtp_ceiling() -> None:
    from capture.voice.limiter import LimiterSettings

    lim = Limiter(LimiterSettings(ceiling_dbtp=-10.0))
    y = run(lim, tone(1000, -6.0, 1.0))
    assert true_peak_dbtp(y) <= -10.0
    assert true_peak_dbtp(y[RATE // 2 :]) == pytest.approx(-10.4, abs=0.2)


def test_limiter_keeps_loud_noise_bursts_under_the_ceiling() -> None:
    # White noise peaking ~+8 dBFS, band-limited at 20 kHz as any ADC's anti-alias filter does
    # (the limiter's 16-tap interpolator reads full-band noise near 24 kHz a few tenths low).
    n = 2 * RATE
    bursts = RNG.standard_normal(n) * 0.5 * (np.arange(n) % 9600 < 2000)
    bursts = signal.sosfilt(signal.butter(10, 20000, fs=RATE, output="sos"), bursts)
    y = run(Limiter(), bursts.astype(np.float32))
    assert true_peak_dbtp(bursts) > 5.0
    assert true_peak_dbtp(y) <= -1.0


def test_limiter_lookahead_is_at_most_5_ms() -> None:
    assert Limiter.latency <= 5 * RATE // 1000


# -- AGC -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [-40.0, -30.0, -20.0, -10.0])
def test_agc_brings_speechlike_input_to_the_target_within_3_s(level: float) -> None:
    agc = Agc()
    y = run(agc, speechlike(9.0, level))
    after = short_term_loudness(y[3 * RATE :])  # 3 s windows starting after 3 s
    assert np.median(after) == pytest.approx(-16.0, abs=2.0)
    assert after.min() > -18.5 and after.max() < -13.5


def test_agc_gain_converges_and_stays() -> None:
    agc = Agc()
    x = speechlike(8.0, -30.0)
    gains = []
    for i in range(0, x.size, HOP):
        agc.process(x[i : i + HOP])
        gains.append(agc.gain_db)
    late = np.array(gains[400:])  # after 4 s
    assert late.max() - late.min() < 1.5
    assert 8.0 < late.mean() < 20.0


def test_agc_does_not_amplify_silence_or_room_tone() -> None:
    agc = Agc()
    run(agc, np.zeros(3 * RATE, dtype=np.float32))
    assert agc.gain_db == 0.0
    hiss = (RNG.standard_normal(5 * RATE) * 10 ** (-65 / 20)).astype(np.float32)
    run(agc, hiss)
    assert agc.gain_db == 0.0


def test_agc_holds_its_gain_through_a_pause() -> None:
    agc = Agc()
    run(agc, speechlike(5.0, -36.0))
    held = agc.gain_db
    assert held > 10.0
    room = (RNG.standard_normal(4 * RATE) * 10 ** (-75 / 20)).astype(np.float32)
    run(agc, room)
    assert agc.gain_db == pytest.approx(held, abs=0.01)


def test_agc_respects_max_gain() -> None:
    agc = Agc(AgcSettings(max_gain_db=10.0))
    run(agc, speechlike(6.0, -45.0))
    assert agc.gain_db <= 10.0 + 1e-9
    assert agc.gain_db > 9.0


def test_agc_removes_dc_offset() -> None:
    x = speechlike(4.0, -30.0) + np.float32(0.3)
    y = run(Agc(), x)
    assert abs(float(np.mean(y[2 * RATE :]))) < 0.01


def test_agc_recovers_from_non_finite_input() -> None:
    agc = Agc()
    run(agc, speechlike(3.0, -30.0))
    bad = np.full(HOP, np.nan, dtype=np.float32)
    assert np.all(np.isfinite(agc.process(bad)))
    y = run(agc, speechlike(5.0, -30.0))
    assert np.all(np.isfinite(y)) and np.isfinite(agc.gain_db)
    assert agc.gain_db > 5.0


def test_delay_line_delays_exactly() -> None:
    x = RNG.standard_normal(10 * HOP).astype(np.float32)
    for delay in (0, 7, HOP, 2 * HOP + 3):
        y = run(DelayLine(delay), x)
        assert np.array_equal(y[delay:], x[: x.size - delay])
