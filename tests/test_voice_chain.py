"""The composed voice chain: bypass, block-size independence, live switching, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from capture.media import AudioBlock
from capture.voice import ChainSettings, VoiceChain, process_offline
from capture.voice.agc import AgcSettings
from capture.voice.denoise_settings import DenoiseSettings
from capture.voice.gate import GateSettings
from capture.voice.loudness import true_peak_dbtp
from capture.voice.settings import STAGE_NAMES
from capture.voice.stage import HOP, RATE

RNG = np.random.default_rng(11)


def speechlike(seconds: float, dbfs: float, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    env = (np.sin(2 * np.pi * 3 * np.arange(n) / RATE) > -0.2).astype(np.float64)
    x = np.convolve(rng.standard_normal(n), np.ones(6) / 6, mode="same") * env
    return (x * 10 ** (dbfs / 20) / np.sqrt(np.mean(x**2))).astype(np.float32)


def noisy_voice(seconds: float = 4.0) -> np.ndarray:
    hiss = RNG.standard_normal(int(seconds * RATE)) * 10 ** (-50 / 20)
    return (speechlike(seconds, -30.0) + hiss).astype(np.float32)


def all_on() -> ChainSettings:
    return ChainSettings().with_enabled("gate", True)


def all_off() -> ChainSettings:
    s = ChainSettings()
    for name in STAGE_NAMES:
        s = s.with_enabled(name, False)
    return s


def blocks_of(x: np.ndarray, sizes: list[int]) -> list[np.ndarray]:
    out, i, k = [], 0, 0
    while i < x.size:
        n = sizes[k % len(sizes)]
        out.append(x[i : i + n])
        i += n
        k += 1
    return out


def stream(chain: VoiceChain, pieces: list[np.ndarray], channels: int = 1) -> np.ndarray:
    got = []
    for j, piece in enumerate(pieces):
        block = AudioBlock(np.repeat(piece[:, None], channels, axis=1), RATE, j * 10_000_000)
        got.append(chain.process(block).samples[:, 0])
    return np.concatenate(got)


def test_everything_bypassed_is_bit_exact() -> None:
    x = noisy_voice()
    y = process_offline(VoiceChain(all_off()), x)
    assert np.array_equal(y, x)


@pytest.mark.parametrize("stage", ["denoise", "agc", "limiter"])
def test_bypassed_stages_are_exact_around_a_running_one(stage: str) -> None:
    """The chain with one stage on gives exactly that stage's own output, delayed by the
    bypassed stages' latencies: bypass passes samples through bit for bit."""
    from capture.voice.agc import Agc
    from capture.voice.denoise import Denoiser
    from capture.voice.limiter import Limiter

    x = noisy_voice(3.0) * np.float32(40.0 if stage == "limiter" else 1.0)
    chain = VoiceChain(all_off().with_enabled(stage, True))
    y = np.concatenate([chain.process_mono(p) for p in blocks_of(x, [HOP])])
    alone = {"denoise": Denoiser, "agc": Agc, "limiter": Limiter}[stage]()
    upstream = 0 if stage == "denoise" else chain.denoiser.latency
    downstream = chain.latency - upstream - alone.latency
    delayed = np.concatenate(
        (np.zeros(upstream, np.float32), x)
    )  # what the stage sees in the chain
    z = np.concatenate([alone.process(p) for p in blocks_of(delayed, [HOP])])
    assert not np.array_equal(z[alone.latency :], delayed[: delayed.size - alone.latency])
    n = min(y.size - downstream, z.size)
    assert np.array_equal(y[downstream : downstream + n], z[:n])


def test_live_stream_of_10ms_blocks_is_the_input_delayed_when_bypassed() -> None:
    x = noisy_voice(2.0)
    chain = VoiceChain(all_off())
    y = stream(chain, blocks_of(x, [HOP]))
    assert y.size == x.size
    lat = chain.latency
    assert np.array_equal(y[lat:], x[: x.size - lat])


@pytest.mark.parametrize("sizes", [[HOP + 1], [317], [1, 959, 480, 123, 2000, 7], [4800]])
def test_any_block_sizes_give_the_same_output_as_10ms_blocks(sizes: list[int]) -> None:
    x = noisy_voice(4.0)
    ref_chain = VoiceChain(all_on())
    reference = np.concatenate([ref_chain.process_mono(p) for p in blocks_of(x, [HOP])])
    chain = VoiceChain(all_on())
    out = stream(chain, blocks_of(x, sizes))
    n = min(out.size, reference.size)
    assert n >= x.size - HOP
    assert np.array_equal(out[:n], reference[:n])


def test_latency_is_at_most_20_ms_with_the_spectral_method() -> None:
    chain = VoiceChain()
    assert chain.latency <= 20 * RATE // 1000


def test_output_pts_is_the_capture_time_of_the_content() -> None:
    chain = VoiceChain()
    x = noisy_voice(0.5)
    for j, piece in enumerate(blocks_of(x, [HOP])):
        pts = 1_000_000_000 + j * 10_000_000
        out = chain.process(AudioBlock(piece[:, None], RATE, pts))
        assert abs(out.pts_ns - (pts - chain.latency * 1_000_000_000 // RATE)) <= 1


def test_stereo_input_is_downmixed_and_returned_on_both_channels() -> None:
    x = noisy_voice(1.0)
    stereo = np.stack((x, np.zeros_like(x)), axis=1)  # voice on the left only
    chain = VoiceChain(all_off())
    outs = [chain.process(AudioBlock(stereo[i : i + HOP], RATE, 0)) for i in range(0, x.size, HOP)]
    y = np.concatenate([o.samples for o in outs])
    assert y.shape[1] == 2
    assert np.array_equal(y[:, 0], y[:, 1])
    lat = chain.latency
    assert np.allclose(y[lat:, 0], x[: x.size - lat] / 2, atol=1e-7)


def test_channel_count_may_change_mid_stream() -> None:
    chain = VoiceChain()
    x = noisy_voice(1.0)
    for i in range(0, x.size, HOP):
        ch = 1 if (i // HOP) % 3 else 2
        out = chain.process(AudioBlock(np.repeat(x[i : i + HOP, None], ch, axis=1), RATE, 0))
        assert out.channels == ch and np.all(np.isfinite(out.samples))


def test_toggling_stages_live_crossfades_then_is_exact() -> None:
    x = noisy_voice(4.0)
    chain = VoiceChain(all_on())
    pieces = blocks_of(x, [HOP])
    out = []
    for j, piece in enumerate(pieces):
        if j == 150:
            chain.configure(all_off())
        if j == 300:
            chain.configure(all_on())
        out.append(chain.process_mono(piece))
    y = np.concatenate(out)
    lat = chain.latency
    # Once the cross-faded hop has left every stage's delay line, and until the switch back,
    # the output is the delayed input, exactly.
    seg = slice(152 * HOP, 300 * HOP)
    shifted = np.concatenate((np.zeros(lat, np.float32), x))[: y.size]
    assert np.array_equal(y[seg], shifted[seg])
    # The switches themselves do not jump: the cross-fade keeps the step small.
    jumps = np.abs(np.diff(y[149 * HOP : 152 * HOP]))
    assert jumps.max() < 0.5


def test_nan_and_inf_blocks_become_silence_with_a_report_and_gain_recovers() -> None:
    chain = VoiceChain()
    x = speechlike(6.0, -35.0)
    pieces = blocks_of(x, [HOP])
    out = []
    for j, piece in enumerate(pieces):
        if 100 <= j < 110:
            piece = piece.copy()
            piece[::3] = np.nan
            piece[1::7] = np.inf
        out.append(chain.process_mono(piece))
    y = np.concatenate(out)
    assert np.all(np.isfinite(y))
    assert "invalid samples" in chain.problem
    assert chain.bad_samples > 0
    assert np.isfinite(chain.agc.gain_db) and chain.agc.gain_db > 10.0  # not stuck
    assert true_peak_dbtp(y) <= -1.0


def test_dc_offset_does_not_fool_agc_or_limiter() -> None:
    x = speechlike(6.0, -35.0) + np.float32(0.25)
    chain = VoiceChain()
    y = process_offline(chain, x)
    assert abs(float(np.mean(y[3 * RATE :]))) < 0.01
    assert true_peak_dbtp(y) <= -1.0
    assert chain.agc.gain_db > 10.0


def test_clipped_input_comes_out_under_the_ceiling() -> None:
    x = np.clip(speechlike(4.0, -3.0) * 4, -1.0, 1.0).astype(np.float32)
    y = process_offline(VoiceChain(), x)
    assert np.all(np.isfinite(y))
    assert true_peak_dbtp(y) <= -1.0


def test_out_of_range_samples_are_limited() -> None:
    x = speechlike(2.0, -20.0) * np.float32(1e6)
    y = process_offline(VoiceChain(), x)
    assert np.all(np.isfinite(y)) and true_peak_dbtp(y) <= -1.0


def test_wrong_sample_rate_passes_through_with_a_clear_report() -> None:
    chain = VoiceChain()
    block = AudioBlock(np.zeros((441, 1), np.float32), 44_100, 5)
    assert chain.process(block) is block
    assert "44100 Hz" in chain.problem and "48000" in chain.problem


def test_empty_block_gives_empty_output() -> None:
    chain = VoiceChain()
    out = chain.process(AudioBlock(np.zeros((0, 1), np.float32), RATE, 0))
    assert out.frames == 0


def test_learn_noise_reports_progress_and_installs_a_profile() -> None:
    chain = VoiceChain()
    assert chain.noise_profile is None
    chain.learn_noise(0.5)
    assert chain.learn_progress == 0.0
    room = (RNG.standard_normal(RATE) * 0.01).astype(np.float32)
    seen = []
    for piece in blocks_of(room, [HOP]):
        chain.process_mono(piece)
        seen.append(chain.learn_progress)
    assert chain.noise_profile is not None
    assert chain.learn_progress is None
    progress = [p for p in seen if p is not None]
    assert progress == sorted(progress) and 0.3 < max(progress) < 1.0


def test_settings_round_trip_and_survive_junk() -> None:
    s = (
        ChainSettings()
        .with_values("agc", target_lufs=-20.0)
        .with_values("denoise", method="rnnoise")
    )
    assert ChainSettings.from_dict(s.to_dict()) == s
    junk = {
        "agc": {"target_lufs": "loud", "max_gain_db": 1e9},
        "denoise": {"method": "magic"},
        "limiter": None,
        "gate": {"enabled": "yes"},
        "other": 1,
    }
    parsed = ChainSettings.from_dict(junk)
    agc = parsed.of(AgcSettings)
    assert agc.target_lufs == -16.0 and agc.max_gain_db == 40.0
    assert parsed.of(DenoiseSettings).method == "auto"
    assert parsed.of(GateSettings).enabled is False
    with pytest.raises(ValueError):
        ChainSettings().with_values("agc", nonsense=1.0)
    with pytest.raises(ValueError):
        ChainSettings().stage("reverb")
    # The ranges the file is clamped to are the ones the panel shows (described once).
    assert ChainSettings().with_values("agc", target_lufs=-3.0).of(AgcSettings).target_lufs == -10.0
    assert ChainSettings.from_dict("not a dict") == ChainSettings()


def test_offline_runs_can_follow_each_other_on_one_chain() -> None:
    """Room tone, then a warm-up, then the file: each piece comes out aligned, whatever its
    length (the flush leaves nothing pending)."""
    x = noisy_voice(1.0)
    reference = process_offline(VoiceChain(all_off()), x)
    chain = VoiceChain(all_off())
    for n in (HOP * 3 + 17, 1001):
        piece = process_offline(chain, x[:n])
        assert np.array_equal(piece, x[:n])
    assert np.array_equal(process_offline(chain, x), reference)
