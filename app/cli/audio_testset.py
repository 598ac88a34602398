"""The voice benchmark's test material, generated on the spot (nothing to download).

Speech comes from espeak-ng (Mandarin and English host lines); noises are synthesised from a
fixed seed: stationary ones (fan hum, pink noise, air-conditioner band noise) and
non-stationary ones (keyboard clicks, babble = several other espeak voices mixed).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from collections.abc import Callable
from fractions import Fraction

import numpy as np
from scipy import signal

RATE = 48_000

SPEECH: dict[str, tuple[str, str]] = {
    "zh": ("cmn", "欢迎来到直播间，这款保温杯可以保温十二个小时。"),
    "en": (
        "en-us",
        "Welcome to the live room. Today we have a new thermos cup, it keeps your tea hot for twelve hours.",
    ),
}
BABBLE_LINES: tuple[tuple[str, str, int], ...] = (
    ("en-gb", "Can you pack the blue ones first, the courier comes at five.", 40),
    ("cmn", "这个订单的地址不对，你再核对一下电话号码。", 70),
    ("en-us+f3", "I already printed the labels, they are on the table next to the boxes.", 55),
    ("cmn+f2", "库存还剩多少？红色的好像卖完了，记得补货。", 30),
)
STATIONARY = ("fan_hum", "pink", "ac_band")
NON_STATIONARY = ("keyboard", "babble")


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def speak(text: str, voice: str, pitch: int = 50, speed: int = 160) -> np.ndarray:
    """espeak-ng speech as float32 at 48 kHz."""
    out = subprocess.run(
        ["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(speed), "--stdout", text],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    with wave.open(io.BytesIO(out)) as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768.0
    ratio = Fraction(RATE, rate)
    return signal.resample_poly(pcm, ratio.numerator, ratio.denominator).astype(np.float32)


def speech(lang: str) -> np.ndarray:
    """A host line with 0.5 s of silence either side, normalised to -26 dBFS RMS."""
    voice, text = SPEECH[lang]
    x = speak(text, voice, speed=200 if voice == "cmn" else 160)  # espeak's Mandarin is slow
    pad = np.zeros(RATE // 2, dtype=np.float32)
    x = np.concatenate((pad, x, pad))
    return set_rms(x, -26.0)


def set_rms(x: np.ndarray, dbfs: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))
    return (x * (10 ** (dbfs / 20) / max(rms, 1e-12))).astype(np.float32)


def _pink(n: int, rng: np.random.Generator) -> np.ndarray:
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(spec.size, dtype=np.float64)
    f[0] = 1.0
    return np.fft.irfft(spec / np.sqrt(f), n)


def _fan_hum(n: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) / RATE
    hum = sum(np.sin(2 * np.pi * 50 * k * t + rng.uniform(0, 6)) / k for k in range(1, 8))
    whoosh = signal.sosfilt(signal.butter(4, 800, fs=RATE, output="sos"), rng.standard_normal(n))
    return hum / np.std(hum) + 0.7 * whoosh / np.std(whoosh)


def _ac_band(n: int, rng: np.random.Generator) -> np.ndarray:
    band = signal.sosfilt(
        signal.butter(4, [200, 2500], "bandpass", fs=RATE, output="sos"), rng.standard_normal(n)
    )
    rumble = signal.sosfilt(signal.butter(2, 120, fs=RATE, output="sos"), rng.standard_normal(n))
    return band / np.std(band) + 0.5 * rumble / np.std(rumble)


def _keyboard(n: int, rng: np.random.Generator) -> np.ndarray:
    out = 0.02 * rng.standard_normal(n)
    click = rng.standard_normal(240) * np.exp(-np.arange(240) / 30.0)
    click = signal.sosfilt(signal.butter(2, [1500, 9000], "bandpass", fs=RATE, output="sos"), click)
    pos = 0
    while True:
        pos += int(rng.exponential(RATE / 7))  # ~7 keys per second
        if pos + click.size >= n:
            return out
        out[pos : pos + click.size] += click * rng.uniform(0.5, 1.5)


def _babble(n: int, rng: np.random.Generator) -> np.ndarray:
    out = np.zeros(n)
    for voice, text, pitch in BABBLE_LINES:
        x = speak(text, voice, pitch=pitch, speed=150).astype(np.float64)
        x /= max(float(np.std(x)), 1e-9)
        start = int(rng.integers(0, RATE))
        reps = np.tile(np.concatenate((np.zeros(start), x)), n // (x.size + start) + 1)
        out += reps[:n]
    return out


NOISES: dict[str, Callable[[int, np.random.Generator], np.ndarray]] = {
    "fan_hum": _fan_hum,
    "pink": _pink,
    "ac_band": _ac_band,
    "keyboard": _keyboard,
    "babble": _babble,
}


def noise(kind: str, n: int, seed: int = 7) -> np.ndarray:
    """`n` samples of noise `kind`, unit RMS."""
    x = NOISES[kind](n, np.random.default_rng(seed))
    return (x / max(float(np.std(x)), 1e-12)).astype(np.float32)


def mix(clean: np.ndarray, noise_unit: np.ndarray, snr_db: float) -> np.ndarray:
    """clean + noise scaled so that speech power / noise power = snr_db over the whole file."""
    p_speech = float(np.mean(np.square(clean, dtype=np.float64)))
    scale = np.sqrt(p_speech / 10 ** (snr_db / 10))
    return (clean + scale * noise_unit[: clean.size]).astype(np.float32)
