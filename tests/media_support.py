"""Helpers for tests that use real audio and video: a PulseAudio sink to play into, known
tones, a small real media file. Fixtures using them are in conftest.py."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

TONE_HZ = 1000.0
TONE_DBFS = -20.0


@dataclass
class PulseSink:
    server: str  # value for PULSE_SERVER
    sink: str  # sink name; its monitor is the default source

    def play(self, samples: np.ndarray, rate: int = 48_000) -> None:
        """Play mono float32 `samples` into the sink, blocking until pacat has sent them."""
        subprocess.run(
            [
                "pacat",
                "--playback",
                "--raw",
                "--format=float32le",
                f"--rate={rate}",
                "--channels=1",
                f"--device={self.sink}",
                "--latency-msec=20",
            ],
            input=np.ascontiguousarray(samples, dtype=np.float32).tobytes(),
            env={**os.environ, "PULSE_SERVER": self.server},
            check=True,
            timeout=60,
        )


def reinit_portaudio() -> None:
    """PortAudio lists devices once, at initialisation: re-initialise after the server changed."""
    import sounddevice as sd

    sd._terminate()
    sd._initialize()


def pulse_listed() -> bool:
    """Re-initialise PortAudio; True if it now sees the PulseAudio server (ALSA 'pulse')."""
    import sounddevice as sd

    reinit_portaudio()
    return any(d["name"] == "pulse" and d["max_input_channels"] > 0 for d in sd.query_devices())


def sine(
    seconds: float, level_dbfs: float = TONE_DBFS, hz: float = TONE_HZ, rate: int = 48_000
) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (10 ** (level_dbfs / 20) * np.sin(2 * np.pi * hz * t)).astype(np.float32)


# -- a real media file -----------------------------------------------------------------------
def write_media_file(
    path: Path, seconds: float = 2.0, width: int = 320, height: int = 180, fps: int = 30
) -> Path:
    """An MP4 with an H.264 picture (frame number as grey level) and a 1 kHz AAC tone."""
    import av

    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        audio = out.add_stream("aac", rate=48_000, layout="mono")
        for i in range(int(seconds * fps)):
            image = np.full((height, width, 3), (i * 8) % 256, np.uint8)
            image[:, : width // 4] = (0, 0, 255)  # a red band: BGR order is checkable
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            out.mux(video.encode(frame))
        out.mux(video.encode())
        tone = sine(seconds)
        step = 1024
        for start in range(0, len(tone) - step + 1, step):
            frame = av.AudioFrame.from_ndarray(
                tone[start : start + step].reshape(1, -1), format="flt", layout="mono"
            )
            frame.sample_rate, frame.pts = 48_000, start
            out.mux(audio.encode(frame))
        out.mux(audio.encode())
    return path
