"""Noise suppression's settings (apart from `denoise.py` so each method's module can read them
without importing the stage that switches between the methods)."""

from __future__ import annotations

from dataclasses import dataclass

from capture.properties import setting

METHODS = (
    ("auto", "Automatic (adapts to the room)"),
    ("spectral", "Spectral gating (steady noise)"),
    ("rnnoise", "RNNoise"),
)


@dataclass(frozen=True, slots=True)
class DenoiseSettings:
    enabled: bool = setting(True, "Noise suppression")
    method: str = setting(
        "auto",
        "Method",
        choices=METHODS,
        help="Automatic tells the room (steady noise, clicks, voices, music) and treats each "
        "its own way; spectral gating suits steady noise only; RNNoise adds 10 ms of delay.",
    )
    strength_db: float = setting(
        30.0,
        "Strength",
        minimum=0.0,
        maximum=40.0,
        step=1.0,
        unit="dB",
        help="The most any sound is turned down.",
    )
    adapt: bool = setting(
        True, "Follow the room", help="Keep learning the room's noise in speech pauses."
    )
    keep_music: bool = setting(
        False,
        "Keep music",
        help="In a room with music, keep it and only lower it while you speak.",
    )
    duck_db: float = setting(
        12.0,
        "Music under the voice",
        minimum=0.0,
        maximum=30.0,
        step=1.0,
        unit="dB",
        help="How far kept music is lowered while you speak.",
    )
