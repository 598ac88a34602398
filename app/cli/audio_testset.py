"""The voice benchmark's test material, generated on the spot (nothing to download).

Speech comes from espeak-ng (Mandarin and English host lines); noises are synthesised from a
fixed seed: stationary ones (fan hum, pink noise, air-conditioner band noise) and
non-stationary ones (keyboard clicks, babble = several other espeak voices mixed).

The shop-floor rooms (`transient`, `crowd`, `music`, `street`) were written after the voice
chain's transient, babble and music handling was tuned, from other generators, voices and
lines, so they are held out: keys with press and release, mouse clicks, table taps and
packaging/tape rustle; an assistant talking nearby over distant reverberant talkers;
synthesised pop (drums, bass, chords, lead); traffic with passing cars and a horn.
Every noise has a category the room classifier is expected to name (`CATEGORY`).
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
CROWD_LINES: tuple[tuple[str, str, int, float], ...] = (
    # (voice, line, pitch, level dB): the first is an assistant close by, the rest are distant
    ("cmn+f4", "这一单是要加急的吗？我先把发票打出来，等一下再给你拿样品。", 60, 0.0),
    (
        "en-gb-scotland",
        "The next parcel goes to Hangzhou, put the fragile sticker on it.",
        35,
        -6.0,
    ),
    ("yue", "今日啲货几时到呀？我哋仲要执多三十箱。", 55, -8.0),
    ("en-029+m2", "Has anybody seen the scissors? I left them by the printer.", 45, -9.0),
    ("cmn+m3", "直播间现在有多少人在线？后台的库存数字刷新一下。", 40, -10.0),
)
STATIONARY = ("fan_hum", "pink", "ac_band")
NON_STATIONARY = ("keyboard", "babble")
SHOP_FLOOR = ("transient", "crowd", "music", "street")  # held out (see the module notes)
CATEGORY = {
    "fan_hum": "steady",
    "pink": "steady",
    "ac_band": "steady",
    "keyboard": "transient",
    "babble": "babble",
    "transient": "transient",
    "crowd": "babble",
    "music": "music",
    "street": "street",
}


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


def _band(x: np.ndarray, lo: float, hi: float, order: int = 2) -> np.ndarray:
    return signal.sosfilt(signal.butter(order, [lo, hi], "bandpass", fs=RATE, output="sos"), x)


def _decay(n: int, tau_s: float) -> np.ndarray:
    return np.exp(-np.arange(n) / (tau_s * RATE))


def _add(out: np.ndarray, pos: int, event: np.ndarray) -> None:
    end = min(out.size, pos + event.size)
    if 0 <= pos < end:
        out[pos:end] += event[: end - pos]


def _key(rng: np.random.Generator) -> np.ndarray:
    """One keystroke: a bright click, the key's body thock, and a softer release ~90 ms on."""
    n = int(0.16 * RATE)
    ev = np.zeros(n)
    click = _band(rng.standard_normal(200), 2000, 9000) * _decay(200, 0.0008)
    f = rng.uniform(350, 1100)
    t = np.arange(600) / RATE
    thock = np.sin(2 * np.pi * f * t) * _decay(600, 0.004) * 0.6
    ev[:200] += click
    ev[40:640] += thock
    rel = int(rng.uniform(0.06, 0.12) * RATE)
    ev[rel : rel + 200] += 0.5 * _band(rng.standard_normal(200), 2500, 10000) * _decay(200, 0.0006)
    return ev * rng.uniform(0.4, 1.3)


def _mouse(rng: np.random.Generator) -> np.ndarray:
    n = int(0.12 * RATE)
    ev = np.zeros(n)
    for pos in (0, int(rng.uniform(0.06, 0.1) * RATE)):
        ev[pos : pos + 96] += _band(rng.standard_normal(96), 3000, 14000) * _decay(96, 0.0004)
    return ev * rng.uniform(0.5, 1.0)


def _tap(rng: np.random.Generator) -> np.ndarray:
    """A finger or pen on the table: a low thud with a small click on top."""
    n = int(0.08 * RATE)
    t = np.arange(n) / RATE
    f = rng.uniform(140, 420)
    thud = np.sin(2 * np.pi * f * t) * _decay(n, 0.012)
    thud += 0.4 * _band(rng.standard_normal(n), 300, 3000) * _decay(n, 0.002)
    return thud * rng.uniform(0.6, 1.4)


def _rustle(rng: np.random.Generator) -> np.ndarray:
    """Packaging and tape: dense crackle (random impulses, heavy-tailed) for 0.3-1 s, or a
    strip of tape pulled off the roll (band noise chopped at 30-60 Hz)."""
    n = int(rng.uniform(0.3, 1.0) * RATE)
    if rng.random() < 0.6:
        imp = np.zeros(n)
        count = int(rng.uniform(300, 1500) * n / RATE)
        imp[rng.integers(0, n, count)] = rng.standard_t(2, count)
        ev = _band(imp, 1200, 12000, 2)
    else:
        chop = 0.5 + 0.5 * signal.sawtooth(2 * np.pi * rng.uniform(30, 60) * np.arange(n) / RATE)
        ev = _band(rng.standard_normal(n), 900, 7000) * chop**2
    env = np.sin(np.pi * np.arange(n) / n) ** 0.5
    return ev * env * rng.uniform(0.15, 0.35)


def _transient(n: int, rng: np.random.Generator) -> np.ndarray:
    """A desk in a shop: bursts of typing, mouse clicks, taps and parcel rustle over a quiet
    room (-40 dB hiss), events seconds apart as when someone packs and types."""
    out = 0.003 * _band(rng.standard_normal(n), 100, 8000)
    pos = int(rng.uniform(0.05, 0.3) * RATE)
    while pos < n:
        kind = rng.choice(4, p=(0.45, 0.2, 0.15, 0.2))
        if kind == 0:  # a burst of typing
            for _ in range(int(rng.integers(4, 14))):
                _add(out, pos, _key(rng))
                pos += int(rng.gamma(4.0, RATE / 7 / 4.0))
        elif kind == 1:
            _add(out, pos, _mouse(rng))
        elif kind == 2:
            for _ in range(int(rng.integers(1, 4))):
                _add(out, pos, _tap(rng))
                pos += int(rng.uniform(0.15, 0.35) * RATE)
        else:
            ev = _rustle(rng)
            _add(out, pos, ev)
            pos += ev.size
        pos += int(rng.exponential(0.35 * RATE))
    return out


def _room_ir(rng: np.random.Generator, rt60_s: float) -> np.ndarray:
    n = int(rt60_s * RATE)
    ir = rng.standard_normal(n) * np.exp(-6.9 * np.arange(n) / n)
    ir[0] = 0.0
    return ir / np.sqrt(np.sum(ir**2))


def _crowd(n: int, rng: np.random.Generator) -> np.ndarray:
    """An assistant talking nearby (dry) over four distant talkers (reverberant, 0.5 s)."""
    out = np.zeros(n)
    ir = _room_ir(rng, 0.5)
    for i, (voice, text, pitch, level_db) in enumerate(CROWD_LINES):
        x = speak(text, voice, pitch=pitch, speed=165).astype(np.float64)
        if i > 0:
            x = signal.fftconvolve(x, ir)[: x.size + ir.size // 2]
        x *= 10 ** (level_db / 20) / max(float(np.std(x)), 1e-9)
        gap = np.zeros(int(rng.uniform(0.2, 0.9) * RATE))
        start = int(rng.integers(0, 2 * RATE))
        reps = np.tile(np.concatenate((x, gap)), n // (x.size + gap.size) + 2)
        out += np.concatenate((np.zeros(start), reps))[:n]
    return out


def _tone(freq: float, n: int, harmonics: int, rolloff: float) -> np.ndarray:
    t = np.arange(n) / RATE
    return sum(
        np.sin(2 * np.pi * freq * k * t) / k**rolloff
        for k in range(1, harmonics + 1)
        if freq * k < 16000
    )


def _music(n: int, rng: np.random.Generator) -> np.ndarray:
    """Synthesised shop pop at 112 BPM: kick, snare, hi-hat, bass, chord pad and a lead."""
    beat = int(RATE * 60 / 112)
    out = np.zeros(n + 4 * beat)
    chords = ((60, 64, 67), (67, 71, 74), (69, 72, 76), (65, 69, 72))  # C G Am F
    hz = lambda m: 440.0 * 2 ** ((m - 69) / 12)  # noqa: E731
    lead = (72, 74, 76, 79, 76, 74, 72, 69)
    for b in range(n // beat + 1):
        pos = b * beat
        chord = chords[(b // 4) % 4]
        if b % 4 == 0:  # a new chord every bar
            pad = sum(_tone(hz(m), 4 * beat, 8, 1.5) for m in chord)
            pad *= (
                0.18 * np.minimum(1.0, np.arange(4 * beat) / (0.05 * RATE)) * _decay(4 * beat, 2.0)
            )
            _add(out, pos, pad)
        if b % 2 == 0:
            kn = int(0.25 * RATE)
            sweep = np.cumsum(2 * np.pi * (50 + 90 * _decay(kn, 0.03)) / RATE)
            _add(out, pos, 1.2 * np.sin(sweep) * _decay(kn, 0.07))
        else:
            sn = int(0.18 * RATE)
            snare = _band(rng.standard_normal(sn), 1500, 9000) * _decay(sn, 0.04)
            snare += 0.5 * np.sin(2 * np.pi * 190 * np.arange(sn) / RATE) * _decay(sn, 0.03)
            _add(out, pos, 0.6 * snare)
        for half in (0, beat // 2):
            hn = int(0.05 * RATE)
            _add(
                out,
                pos + half,
                0.15 * _band(rng.standard_normal(hn), 7000, 15000) * _decay(hn, 0.01),
            )
        bass = _tone(hz(chord[0] - 24), beat, 6, 1.2) * _decay(beat, 0.25) * 0.5
        _add(out, pos, bass)
        note = lead[(b + int(rng.integers(0, 2))) % len(lead)]
        ln = beat
        env = np.minimum(1.0, np.arange(ln) / (0.01 * RATE)) * _decay(ln, 0.3)
        vib = np.sin(2 * np.pi * 5.5 * np.arange(ln) / RATE) * 0.004
        phase = np.cumsum(2 * np.pi * hz(note) * (1 + vib) / RATE)
        _add(
            out,
            pos,
            0.25 * env * (np.sin(phase) + 0.4 * np.sin(2 * phase) + 0.2 * np.sin(3 * phase)),
        )
    return out[:n]


def _street(n: int, rng: np.random.Generator) -> np.ndarray:
    """A shop on a street: traffic rumble, cars passing (a swell of tyre noise over seconds),
    a scooter now and then and a horn."""
    low = signal.sosfilt(signal.butter(2, 250, fs=RATE, output="sos"), rng.standard_normal(n))
    out = low / np.std(low)
    hiss = _band(rng.standard_normal(n), 400, 6000)
    hiss /= np.std(hiss)
    t = np.arange(n) / RATE
    swell = np.full(n, 0.15)
    for centre in np.cumsum(rng.exponential(3.0, int(n / RATE / 2) + 2)):
        width = rng.uniform(0.8, 2.0)
        swell += rng.uniform(0.4, 1.2) * np.exp(-0.5 * ((t - centre) / width) ** 2)
    out += hiss * swell
    scooter_at = rng.uniform(0.2, 0.6) * n
    sn = int(3.0 * RATE)
    env = np.exp(-0.5 * ((np.arange(sn) - sn / 2) / (0.5 * RATE)) ** 2)
    f0 = 90.0 * (1.0 + 0.05 * np.tanh((np.arange(sn) - sn / 2) / RATE * -2))
    phase = np.cumsum(2 * np.pi * f0 / RATE)
    _add(out, int(scooter_at), 0.8 * env * signal.sawtooth(phase))
    hn = int(0.45 * RATE)
    horn = (_tone(420.0, hn, 10, 1.0) + _tone(525.0, hn, 10, 1.0)) * 0.35
    horn *= np.minimum(1.0, np.arange(hn) / (0.02 * RATE)) * np.minimum(
        1.0, (hn - np.arange(hn)) / (0.03 * RATE)
    )
    _add(out, int(rng.uniform(0.5, 0.9) * n), horn)
    return out


NOISES: dict[str, Callable[[int, np.random.Generator], np.ndarray]] = {
    "fan_hum": _fan_hum,
    "pink": _pink,
    "ac_band": _ac_band,
    "keyboard": _keyboard,
    "babble": _babble,
    "transient": _transient,
    "crowd": _crowd,
    "music": _music,
    "street": _street,
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
