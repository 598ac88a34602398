"""Noise suppression: both methods remove stationary noise, keep the voice, report latency."""

from __future__ import annotations

import numpy as np
import pytest

from capture.voice.denoise import Denoiser
from capture.voice.denoise_rnnoise import RnnoiseDenoiser, rnnoise_available
from capture.voice.denoise_settings import DenoiseSettings
from capture.voice.denoise_spectral import BINS, NoiseProfile, SpectralDenoiser
from capture.voice.stage import HOP, RATE

RNG = np.random.default_rng(5)


def run(stage, x: np.ndarray) -> np.ndarray:
    n = x.size - x.size % HOP
    return np.concatenate([stage.process(x[i : i + HOP]) for i in range(0, n, HOP)])


def pink(seconds: float, dbfs: float, seed: int = 2) -> np.ndarray:
    n = int(seconds * RATE)
    spec = np.fft.rfft(np.random.default_rng(seed).standard_normal(n))
    f = np.arange(spec.size, dtype=np.float64)
    f[0] = 1.0
    x = np.fft.irfft(spec / np.sqrt(f), n)
    return (x * 10 ** (dbfs / 20) / np.std(x)).astype(np.float32)


def vowel(seconds: float, dbfs: float) -> np.ndarray:
    """A harmonic voice-like tone (150 Hz, formant-ish roll-off) switched on and off at 2 Hz."""
    t = np.arange(int(seconds * RATE)) / RATE
    x = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 25))
    x = x * (np.sin(2 * np.pi * 2 * t) > 0)
    return (x * 10 ** (dbfs / 20) / np.sqrt(np.mean(x**2))).astype(np.float32)


def lag_of(y: np.ndarray, x: np.ndarray, max_lag: int = 2000) -> int:
    seg = slice(max_lag, x.size - max_lag)
    scores = [float(np.dot(y[seg], x[seg.start - k : seg.stop - k])) for k in range(max_lag)]
    return int(np.argmax(scores))


def band_level(x: np.ndarray, voiced: bool) -> float:
    """RMS (dB) over the voiced or the silent halves of the 2 Hz on/off pattern."""
    t = np.arange(x.size) / RATE
    on = np.sin(2 * np.pi * 2 * t) > 0
    # stay clear of the switching edges
    edge = np.abs(np.sin(2 * np.pi * 2 * t)) > 0.5
    sel = (on == voiced) & edge
    return float(10 * np.log10(np.mean(x[sel].astype(np.float64) ** 2)))


def learned(stage: SpectralDenoiser, room: np.ndarray) -> SpectralDenoiser:
    stage.learn(room.size // HOP - 1)
    run(stage, room)
    assert stage.profile is not None and stage.learn_progress is None
    stage.reset()
    return stage


def test_spectral_latency_is_measured_10_ms() -> None:
    x = pink(2.0, -20.0, seed=9)
    stage = SpectralDenoiser(DenoiseSettings(strength_db=0.0))  # floor 0 dB: pure analysis
    y = run(stage, x)
    assert lag_of(y, x) == stage.latency == HOP
    assert np.allclose(y[stage.latency :], x[: y.size - stage.latency], atol=1e-5)


def test_spectral_removes_learned_stationary_noise_and_keeps_the_voice() -> None:
    noise, voice = pink(6.0, -35.0), vowel(6.0, -25.0)
    stage = learned(SpectralDenoiser(), pink(2.0, -35.0, seed=8))
    y = run(stage, noise + voice)[HOP:]
    clean = voice[: y.size]
    # In the pauses the noise drops by >= 16 dB; in speech the voice keeps its level within
    # 3 dB (its weak upper harmonics sit under the noise and are gated with it).
    assert band_level(y, voiced=False) < band_level(noise, voiced=False) - 16.0
    assert band_level(y, voiced=True) == pytest.approx(band_level(clean, voiced=True), abs=3.0)


def test_strength_sets_the_most_reduction() -> None:
    noise = pink(4.0, -35.0)
    for strength in (6.0, 12.0):
        stage = learned(
            SpectralDenoiser(DenoiseSettings(strength_db=strength)), pink(2.0, -35.0, seed=8)
        )
        y = run(stage, noise)[RATE:]
        reduction = 10 * np.log10(np.mean(noise[RATE : RATE + y.size] ** 2) / np.mean(y**2))
        assert reduction == pytest.approx(strength, abs=1.0)


def test_spectral_without_a_profile_finds_the_noise_itself() -> None:
    noise, voice = pink(6.0, -35.0), vowel(6.0, -25.0)
    y = run(SpectralDenoiser(), noise + voice)[HOP:]
    late = slice(3 * RATE, y.size)
    assert band_level(y[late], False) < band_level(noise[late], False) - 12.0


def test_profile_adapts_when_the_room_gets_louder() -> None:
    stage = learned(SpectralDenoiser(), pink(2.0, -50.0, seed=8))
    before = float(stage._noise.sum())
    louder = pink(8.0, -35.0) + vowel(8.0, -25.0)
    y = run(stage, louder)
    assert float(stage._noise.sum()) > 10 * before
    assert band_level(y[5 * RATE :], False) < band_level(louder[5 * RATE :], False) - 12.0


def test_noise_profile_round_trips_and_rejects_damage() -> None:
    stage = learned(SpectralDenoiser(), pink(1.0, -40.0))
    assert stage.profile is not None
    data = stage.profile.to_lists()
    again = NoiseProfile.from_lists(data)
    assert again is not None and np.array_equal(again.power, stage.profile.power)
    assert again.level_std_db == stage.profile.level_std_db
    older = {k: v for k, v in data.items() if k != "level_std_db"}  # saved by an older version
    assert (old := NoiseProfile.from_lists(older)) is not None and old.level_std_db == 0.0
    assert NoiseProfile.from_lists({"power": [1.0] * 3}) is None
    assert (
        NoiseProfile.from_lists(
            {"power": [float("nan")] * BINS, "mean_db": [0.0] * BINS, "std_db": [0.0] * BINS}
        )
        is None
    )
    assert NoiseProfile.from_lists(None) is None


def test_profile_tells_a_clicky_room_from_a_steady_one() -> None:
    # Keys clicking over a quiet hiss move the room's level by several dB from frame to frame (the
    # threshold then comes down so the voice is not gated with them); pink noise, whose lowest
    # bins swing most, still reads as steady.
    steady = learned(SpectralDenoiser(), pink(1.0, -40.0)).profile
    clicks = pink(1.0, -60.0)
    for start in range(2000, clicks.size - 400, RATE // 7):
        clicks[start : start + 240] += (
            RNG.standard_normal(240) * 0.05 * np.exp(-np.arange(240) / 30.0)
        ).astype(np.float32)
    clicky = learned(SpectralDenoiser(), clicks).profile
    assert steady is not None and clicky is not None
    assert steady.level_std_db < 1.5 < 3.0 < clicky.level_std_db


@pytest.mark.skipif(not rnnoise_available(), reason="pyrnnoise not installed")
def test_rnnoise_latency_is_measured_20_ms_and_it_removes_noise() -> None:
    stage = RnnoiseDenoiser(DenoiseSettings(strength_db=0.0))
    x = pink(2.0, -20.0, seed=9)
    y = run(stage, x)
    assert lag_of(y, x) == stage.latency == 2 * HOP
    noise, voice = pink(5.0, -35.0), vowel(5.0, -25.0)
    y = run(RnnoiseDenoiser(), noise + voice)[2 * HOP :]
    assert band_level(y[2 * RATE :], False) < band_level(noise[2 * RATE :], False) - 10.0


@pytest.mark.skipif(not rnnoise_available(), reason="pyrnnoise not installed")
def test_switching_method_live_changes_latency_and_keeps_learning() -> None:
    den = Denoiser()
    assert den.method == "auto" and den.latency == HOP
    den.configure(DenoiseSettings(method="rnnoise"))
    assert den.method == "rnnoise" and den.latency == 2 * HOP
    den.learn(20)
    run(den, pink(0.5, -40.0))
    assert den.profile is not None  # learned while RNNoise played
    den.configure(DenoiseSettings(method="spectral"))
    assert den.method == "spectral"
