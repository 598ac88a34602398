"""Switching live does not click: bypass and every change of noise-suppression method (the
adaptive mix, the gate alone, RNNoise, with its other latency) leave no broadband burst in the
output, where a hard cut between the same two outputs does."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from capture.voice import ChainSettings, VoiceChain
from capture.voice.denoise_rnnoise import rnnoise_available
from capture.voice.learned import LearnedModel
from capture.voice.stage import HOP, RATE

WINDOW = 120  # 2.5 ms


def voice_like(seconds: float) -> np.ndarray:
    """A steady harmonic voice (190 Hz, harmonics to 3.2 kHz) over quiet pink-ish hiss: any
    energy above 8 kHz in the output can only come from a discontinuity."""
    t = np.arange(int(seconds * RATE)) / RATE
    x = sum(np.sin(2 * np.pi * 190 * k * t + k) / k for k in range(1, 18))
    x = x / np.sqrt(np.mean(x**2)) * 10 ** (-20 / 20)
    hiss = signal.sosfilt(
        signal.butter(2, 3000, fs=RATE, output="sos"),
        np.random.default_rng(2).standard_normal(t.size),
    )
    return (x + hiss * 10 ** (-50 / 20) / np.std(hiss)).astype(np.float32)


def burst_db(y: np.ndarray) -> np.ndarray:
    """Energy above 8 kHz per 2.5 ms window, dBFS."""
    hf = signal.sosfilt(signal.butter(6, 8000, "highpass", fs=RATE, output="sos"), y)
    n = hf.size // WINDOW * WINDOW
    ms = np.mean(hf[:n].reshape(-1, WINDOW) ** 2, axis=1)
    return 10 * np.log10(ms + 1e-20)


def run(chain: VoiceChain, x: np.ndarray, changes: dict[int, ChainSettings]) -> np.ndarray:
    out = []
    for k, i in enumerate(range(0, x.size - HOP + 1, HOP)):
        if k in changes:
            chain.configure(changes[k])
        out.append(chain.process_mono(x[i : i + HOP]))
    return np.concatenate(out)


def test_method_and_bypass_switches_leave_no_click() -> None:
    LearnedModel.load_now()
    base = ChainSettings().with_enabled("agc", False).with_enabled("limiter", False)
    methods = ["auto", "spectral", "auto"]
    if rnnoise_available():
        methods = ["auto", "rnnoise", "spectral", "rnnoise", "auto"]
    changes: dict[int, ChainSettings] = {}
    hop = 150  # settle 1.5 s, then a change every 0.6 s
    for m in methods[1:]:
        changes[hop] = base.with_values("denoise", method=m)
        hop += 60
    changes[hop] = base.with_enabled("denoise", False)
    changes[hop + 60] = base
    x = voice_like((hop + 200) * HOP / RATE)
    y = run(VoiceChain(base), x, changes)
    levels = burst_db(y)
    for k in changes:
        assert click_db(levels, k) < 6.0, f"click of {click_db(levels, k):.1f} dB at hop {k}"
    # The measure does catch a click: a hard cut from one method to another.
    other = "rnnoise" if rnnoise_available() else "spectral"
    a = run(VoiceChain(base), x, {})
    b = run(VoiceChain(base.with_values("denoise", method=other)), x, {})
    spliced = burst_db(np.concatenate((a[: 200 * HOP + 7], b[200 * HOP + 7 :])))
    assert click_db(spliced, 200) > 10.0


def click_db(levels: np.ndarray, hop: int) -> float:
    """How far the high-frequency energy from a switch at `hop` to 100 ms on stands above
    the 250 ms before and after it (what the methods themselves leave there)."""
    per_hop = HOP // WINDOW
    at = levels[hop * per_hop : (hop + 10) * per_hop].max()
    before = levels[(hop - 27) * per_hop : (hop - 2) * per_hop].max()
    after = levels[(hop + 12) * per_hop : (hop + 37) * per_hop].max()
    return float(at - max(before, after))


@pytest.mark.parametrize("enabled", [False, True])
def test_switching_rnnoise_changes_latency_smoothly(enabled: bool) -> None:
    if not rnnoise_available():
        pytest.skip("pyrnnoise not installed")
    chain = VoiceChain(ChainSettings().with_enabled("agc", enabled))
    assert chain.latency == HOP + chain.stages["limiter"].latency
    chain.configure(chain.settings.with_values("denoise", method="rnnoise"))
    chain.process_mono(np.zeros(HOP, np.float32))
    assert chain.latency == 2 * HOP + chain.stages["limiter"].latency
