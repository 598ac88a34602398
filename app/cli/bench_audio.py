"""`livedesk bench audio`: quality, speed and level figures of the voice chain, as JSON.

Builds its own test set (app/cli/audio_testset.py: espeak-ng speech in Mandarin and English,
five noises plus the four held-out shop-floor rooms at 0/5/10 dB SNR), runs the live chain on
it exactly as live (10 ms blocks, after learning the noise from 2 s of room tone like a host
pressing "learn this room"), and scores it with PESQ (wideband, 16 kHz), STOI and SI-SDR against
the clean speech — next to the quality anchor, noisereduce's offline `reduce_noise` on the whole
file (its default non-stationary mode, and its stationary mode given the same room tone), and,
in the same run, RNNoise alone and WebRTC's noise suppressor alone (webrtc-noise-gain: the
WebRTC audio-processing module's NS at its highest level, 16 kHz, its delay compensated). Then:
real-time factor on one core, algorithmic latency, AGC convergence from -40..-10 dBFS, and true
peak everywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import signal

from app.cli import audio_testset as ts
from capture.voice import ChainSettings, VoiceChain, process_offline
from capture.voice.agc import AgcSettings
from capture.voice.denoise_rnnoise import rnnoise_available
from capture.voice.learned import LearnedModel
from capture.voice.loudness import short_term_loudness, true_peak_dbtp
from capture.voice.stage import HOP, RATE

ROOM_S = 2.0
ROOM_EXTRA_S = 0.1  # room tone a little longer than the learning, as when a host waits
SNRS = (0, 5, 10)
AGC_LEVELS = (-40.0, -30.0, -20.0, -10.0)
TARGETS = {
    "rtf_max": 0.05,
    "rtf_chain_max": 0.1,
    "transient_5db_pesq_gain_min": 0.4,
    "steady_pesq_vs_spectral_min": -0.02,
    "latency_ms_max": 20.0,
    "stationary_5db_pesq_gain_min": 0.5,
    "stationary_5db_pesq_below_anchor_max": 0.1,
    "stoi_drop_max": 0.02,
    "agc_lu_tolerance": 2.0,
    "true_peak_dbtp_max": -1.0,
}


def _pesq(ref: np.ndarray, deg: np.ndarray) -> float | None:
    from pesq import pesq

    try:
        return round(
            float(
                pesq(16000, signal.resample_poly(ref, 1, 3), signal.resample_poly(deg, 1, 3), "wb")
            ),
            3,
        )
    except Exception:  # the pesq package raises on e.g. no detectable speech
        return None


def _stoi(ref: np.ndarray, deg: np.ndarray) -> float:
    from pystoi import stoi

    return round(float(stoi(ref, deg, RATE, extended=False)), 4)


def si_sdr(ref: np.ndarray, est: np.ndarray) -> float:
    ref = ref.astype(np.float64) - ref.mean()
    est = est.astype(np.float64) - est.mean()
    target = np.dot(est, ref) / max(np.dot(ref, ref), 1e-20) * ref
    noise = est - target
    return float(
        10 * np.log10(max(np.dot(target, target), 1e-20) / max(np.dot(noise, noise), 1e-20))
    )


def _chain_settings(method: str, denoise_only: bool = False) -> ChainSettings:
    s = ChainSettings().with_values("denoise", method=method)
    if denoise_only:
        s = s.with_enabled("agc", False).with_enabled("limiter", False)
    return s


def run_chain(
    method: str, room: np.ndarray, warm: np.ndarray, noisy: np.ndarray, denoise_only: bool = False
) -> tuple[np.ndarray, float]:
    """The live chain as in a running show: it learns the room tone ("learn noise"), hears a
    warm-up line (so the AGC has converged, as after the first minute on air), then the
    measured line. Returns that line's output and its CPU seconds."""
    chain = VoiceChain(_chain_settings(method, denoise_only))
    chain.learn_noise(ROOM_S)
    process_offline(chain, room)
    process_offline(chain, warm)
    t0 = time.process_time()
    out = process_offline(chain, noisy)
    return out, time.process_time() - t0


WEBRTC_LEVEL = 3  # the module's highest suppression level ("very high")


def webrtc_available() -> bool:
    try:
        import webrtc_noise_gain  # noqa: F401
    except ImportError:
        return False
    return True


def _webrtc_raw(x: np.ndarray) -> np.ndarray:
    """WebRTC's noise suppression alone (no AGC), in 10 ms frames at 16 kHz, back to 48 kHz."""
    from webrtc_noise_gain import AudioProcessor

    ap = AudioProcessor(0, WEBRTC_LEVEL)
    x16 = signal.resample_poly(x.astype(np.float64), 1, 3)
    pcm = np.clip(np.round(x16 * 32768.0), -32768, 32767).astype("<i2")
    pcm = np.concatenate((pcm, np.zeros(-pcm.size % 160, dtype="<i2")))
    out = [
        np.frombuffer(ap.Process10ms(pcm[i : i + 160].tobytes()).audio, dtype="<i2")
        for i in range(0, pcm.size, 160)
    ]
    y16 = np.concatenate(out).astype(np.float64) / 32768.0
    return signal.resample_poly(y16, 3, 1).astype(np.float32)


def webrtc_delay(probe: np.ndarray) -> int:
    """WebRTC NS's delay in 48 kHz samples, measured on speech (cross-correlation peak)."""
    y = _webrtc_raw(probe)[: probe.size]
    c = signal.correlate(y, probe, mode="full", method="fft")
    return max(0, int(np.argmax(c)) - (probe.size - 1))


def _webrtc(
    room: np.ndarray, warm: np.ndarray, noisy: np.ndarray, delay: int
) -> tuple[np.ndarray, float]:
    """As the chain: it hears the room tone and the warm-up line first (its noise estimate
    has settled), then the measured line; the output is lined up with the input."""
    lead = room.size + warm.size
    t0 = time.process_time()
    y = _webrtc_raw(np.concatenate((room, warm, noisy, np.zeros(delay + HOP, np.float32))))
    cpu = time.process_time() - t0
    return y[lead + delay : lead + delay + noisy.size], cpu * noisy.size / (lead + noisy.size)


def _nr(noisy: np.ndarray, room: np.ndarray | None) -> tuple[np.ndarray, float]:
    import noisereduce

    t0 = time.process_time()
    if room is None:
        out = noisereduce.reduce_noise(y=noisy, sr=RATE)
    else:
        out = noisereduce.reduce_noise(y=noisy, sr=RATE, stationary=True, y_noise=room)
    return np.asarray(out, dtype=np.float32)[: noisy.size], time.process_time() - t0


def _score(clean: np.ndarray, noisy: np.ndarray, out: np.ndarray, cpu_s: float) -> dict[str, Any]:
    return {
        "pesq": _pesq(clean, out),
        "stoi": _stoi(clean, out),
        "si_sdr_improvement_db": round(si_sdr(clean, out) - si_sdr(clean, noisy), 2),
        "rtf": round(cpu_s / (noisy.size / RATE), 4),
        "true_peak_dbtp": round(true_peak_dbtp(out), 2),
    }


def quality(
    langs: tuple[str, ...],
    noises: tuple[str, ...],
    snrs: tuple[int, ...],
    log: Callable[[str], None],
) -> list[dict[str, Any]]:
    Fn = Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, float]]
    methods: dict[str, Fn] = {
        "chain": lambda room, warm, noisy: run_chain("auto", room, warm, noisy),
        "denoise_auto": lambda room, warm, noisy: run_chain("auto", room, warm, noisy, True),
        "chain_spectral": lambda room, warm, noisy: run_chain("spectral", room, warm, noisy),
        "denoise_spectral": lambda room, warm, noisy: run_chain(
            "spectral", room, warm, noisy, True
        ),
        "noisereduce_offline": lambda room, warm, noisy: _nr(noisy, None),
        "noisereduce_offline_stationary": lambda room, warm, noisy: _nr(noisy, room),
    }
    if rnnoise_available():
        methods["chain_rnnoise"] = lambda room, warm, noisy: run_chain("rnnoise", room, warm, noisy)
        methods["rnnoise"] = lambda room, warm, noisy: run_chain("rnnoise", room, warm, noisy, True)
    lines = {lang: ts.speech(lang) for lang in ts.SPEECH}
    if webrtc_available():
        delay = webrtc_delay(lines["en"])
        methods["webrtc_ns"] = lambda room, warm, noisy: _webrtc(room, warm, noisy, delay)
    rows = []
    for lang in langs:
        clean = lines[lang]
        other = lines["zh" if lang == "en" else "en"]  # the warm-up line
        room_n = int((ROOM_S + ROOM_EXTRA_S) * RATE)
        for kind in noises:
            unit = ts.noise(kind, room_n + other.size + clean.size)
            tail = unit[room_n + other.size :]
            for snr in snrs:
                noisy = ts.mix(clean, tail, snr)
                scale = float(np.std(noisy - clean)) / max(float(np.std(tail)), 1e-12)
                room = (unit[:room_n] * scale).astype(np.float32)
                warm = (other + unit[room_n : room_n + other.size] * scale).astype(np.float32)
                row: dict[str, Any] = {
                    "lang": lang,
                    "noise": kind,
                    "snr_db": snr,
                    "stationary": kind in ts.STATIONARY,
                    "category": ts.CATEGORY[kind],
                    "held_out": kind in ts.SHOP_FLOOR,
                    "noisy": {
                        "pesq": _pesq(clean, noisy),
                        "stoi": _stoi(clean, noisy),
                        "true_peak_dbtp": round(true_peak_dbtp(noisy), 2),
                    },
                }
                for name, fn in methods.items():
                    out, cpu = fn(room, warm, noisy)
                    row[name] = _score(clean, noisy, out, cpu)
                rows.append(row)
                log(
                    f"{lang} {kind} {snr} dB: noisy {row['noisy']['pesq']} → chain "
                    f"{row['chain']['pesq']} (spectral {row['chain_spectral']['pesq']}, "
                    f"rnnoise {row.get('rnnoise', {}).get('pesq')}, "
                    f"webrtc {row.get('webrtc_ns', {}).get('pesq')})"
                )
    return rows


def speed(seconds: float, repeats: int) -> dict[str, Any]:
    """CPU time of the whole chain (all four stages on) per second of audio, in 10 ms blocks."""
    clean = np.tile(ts.speech("en"), 4)[: int(seconds * RATE)]
    noisy = ts.mix(clean, ts.noise("pink", clean.size), 5)
    out: dict[str, Any] = {
        "audio_seconds": round(clean.size / RATE, 2),
        "repeats": repeats,
        "load_avg_1m_at_start": round(os.getloadavg()[0], 2),
        "clock": "process CPU time (time.process_time: all the process's threads), not wall",
    }
    variants = {
        "auto": _chain_settings("auto").with_enabled("gate", True),
        "spectral": _chain_settings("spectral").with_enabled("gate", True),
    }
    if rnnoise_available():
        variants["rnnoise"] = _chain_settings("rnnoise").with_enabled("gate", True)
    for name, settings in variants.items():
        rtfs, walls = [], []
        for _ in range(repeats):
            chain = VoiceChain(settings)
            t0, w0 = time.process_time(), time.perf_counter()
            for i in range(0, noisy.size, HOP):
                chain.process_mono(noisy[i : i + HOP])
            rtfs.append((time.process_time() - t0) / (noisy.size / RATE))
            walls.append((time.perf_counter() - w0) / (noisy.size / RATE))
        out[f"chain_{name}"] = {
            "rtf_cpu_median": round(float(np.median(rtfs)), 4),
            "rtf_cpu_all": [round(r, 4) for r in rtfs],
            "rtf_wall_median": round(float(np.median(walls)), 4),
            "latency_ms": round(VoiceChain(settings).latency / RATE * 1000, 2),
        }
    out["load_avg_1m_at_end"] = round(os.getloadavg()[0], 2)
    _, nr_cpu = _nr(noisy, None)
    out["noisereduce_offline_rtf_cpu"] = round(nr_cpu / (noisy.size / RATE), 4)
    out["chain_vs_anchor_rtf_ratio"] = round(
        out["chain_spectral"]["rtf_cpu_median"] / max(out["noisereduce_offline_rtf_cpu"], 1e-9), 3
    )
    return out


def agc_levels() -> list[dict[str, Any]]:
    """Speech at -40..-10 dBFS RMS (over a little room noise); short-term loudness after 3 s."""
    speech = np.concatenate((ts.speech("en"), ts.speech("zh")))
    rows = []
    for level in AGC_LEVELS:
        x = ts.set_rms(speech, level)
        hiss = ts.noise("pink", x.size, seed=3) * 10 ** ((level - 35.0) / 20)  # 35 dB below
        x = (x + hiss).astype(np.float32)
        chain = VoiceChain()
        y = process_offline(chain, x)
        st = short_term_loudness(y[3 * RATE :])
        rows.append(
            {
                "input_dbfs": level,
                "short_term_lufs_after_3s": {
                    "median": round(float(np.median(st)), 2),
                    "p10": round(float(np.percentile(st, 10)), 2),
                    "p90": round(float(np.percentile(st, 90)), 2),
                },
                "final_gain_db": round(chain.agc.gain_db, 2),
                "true_peak_dbtp": round(true_peak_dbtp(y), 2),
            }
        )
    return rows


def _pesq_targets(rows: list[dict[str, Any]], method: str) -> dict[str, Any]:
    """PESQ targets on stationary noise at 5 dB SNR for one method (its worst condition)."""
    t = TARGETS
    st5 = [r for r in rows if r["stationary"] and r["snr_db"] == 5 and method in r]

    def worst(other: str) -> float | None:
        d = [
            r[method]["pesq"] - r[other]["pesq"]
            for r in st5
            if r[method]["pesq"] is not None and r[other]["pesq"] is not None
        ]
        return round(min(d), 3) if d else None

    gain = worst("noisy")
    below = -t["stationary_5db_pesq_below_anchor_max"]
    nr, nr_st = worst("noisereduce_offline"), worst("noisereduce_offline_stationary")
    return {
        "pesq_gain_worst": {
            "value": gain,
            "target": t["stationary_5db_pesq_gain_min"],
            "met": gain is not None and gain >= t["stationary_5db_pesq_gain_min"],
        },
        "pesq_minus_noisereduce_offline_worst": {
            "value": nr,
            "target": below,
            "met": nr is not None and nr >= below,
        },
        "pesq_minus_noisereduce_offline_stationary_worst": {
            "value": nr_st,
            "target": below,
            "met": nr_st is not None and nr_st >= below,
        },
    }


def rooms_5db(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The shop-floor targets at 5 dB SNR, per category (worst over languages and noises):
    the chain's PESQ minus the best of RNNoise and WebRTC NS (≥ 0), minus the noisy input
    (≥ +0.4 on transients), its STOI minus the noisy input's (≥ -0.02), and on steady noise
    the default chain against today's spectral chain."""
    t = TARGETS
    out: dict[str, Any] = {}
    for cat in sorted({r["category"] for r in rows}):
        rs = [r for r in rows if r["category"] == cat and r["snr_db"] == 5]
        if not rs:
            continue
        rivals: list[str] = [m for m in ("rnnoise", "webrtc_ns") if m in rs[0]]

        def worst(values: list[float | None]) -> float | None:
            known = [v for v in values if v is not None]
            return round(min(known), 3) if known else None

        def pesq_minus(r: dict[str, Any], others: list[str]) -> float | None:
            mine = r["chain"]["pesq"]
            theirs = [r[m]["pesq"] for m in others if r[m]["pesq"] is not None]
            return None if mine is None or not theirs else mine - max(theirs)

        vs_best = worst([pesq_minus(r, rivals) for r in rs]) if rivals else None
        vs_noisy = worst([pesq_minus(r, ["noisy"]) for r in rs])
        stoi = worst([r["chain"]["stoi"] - r["noisy"]["stoi"] for r in rs])
        entry: dict[str, Any] = {
            "conditions": len(rs),
            "pesq_minus_best_rival_worst": {
                "value": vs_best,
                "rivals": rivals,
                "target": 0.0,
                "met": vs_best is not None and vs_best >= 0.0,
            },
            "pesq_minus_noisy_worst": {"value": vs_noisy},
            "stoi_minus_noisy_worst": {
                "value": stoi,
                "target": -t["stoi_drop_max"],
                "met": stoi is not None and stoi >= -t["stoi_drop_max"],
            },
        }
        if cat == "transient":
            gain = t["transient_5db_pesq_gain_min"]
            entry["pesq_minus_noisy_worst"].update(
                {"target": gain, "met": vs_noisy is not None and vs_noisy >= gain}
            )
        if cat == "steady":
            d = worst([pesq_minus(r, ["chain_spectral"]) for r in rs])
            entry["pesq_minus_chain_spectral_worst"] = {
                "value": d,
                "target": t["steady_pesq_vs_spectral_min"],
                "met": d is not None and d >= t["steady_pesq_vs_spectral_min"],
            }
        out[cat] = entry
    return out


def webrtc_ratio_5db(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The shop-floor issue's anchor: per category at 5 dB SNR, the median PESQ of the chain over
    the median PESQ of WebRTC's suppressor alone, measured in the same run (> 1: the chain wins)."""
    out: dict[str, Any] = {}
    for cat in sorted({r["category"] for r in rows}):
        rs = [r for r in rows if r["category"] == cat and r["snr_db"] == 5 and "webrtc_ns" in r]
        pairs = [
            (r["chain"]["pesq"], r["webrtc_ns"]["pesq"])
            for r in rs
            if r["chain"]["pesq"] is not None and r["webrtc_ns"]["pesq"] is not None
        ]
        if not pairs:
            continue
        chain, webrtc = (float(np.median([p[i] for p in pairs])) for i in (0, 1))
        out[cat] = {
            "conditions": len(pairs),
            "chain_pesq_median": round(chain, 3),
            "webrtc_ns_pesq_median": round(webrtc, 3),
            "ratio": round(chain / webrtc, 3),
        }
    return out


def summarise(
    rows: list[dict[str, Any]], spd: dict[str, Any], agc: list[dict[str, Any]], target_lufs: float
) -> dict[str, Any]:
    t = TARGETS
    methods = [
        m
        for m in ("chain", "denoise_auto", "chain_spectral", "denoise_spectral", "chain_rnnoise")
        if rows and m in rows[0]
    ]
    stoi_drop = {m: round(max(r["noisy"]["stoi"] - r[m]["stoi"] for r in rows), 4) for m in methods}
    chains = [m for m in methods if m.startswith("chain_")]
    peaks = [r[m]["true_peak_dbtp"] for r in rows for m in chains] + [
        a["true_peak_dbtp"] for a in agc
    ]
    agc_err = max(abs(a["short_term_lufs_after_3s"]["median"] - target_lufs) for a in agc)
    rtf = spd["chain_spectral"]["rtf_cpu_median"]
    latency = spd["chain_spectral"]["latency_ms"]
    rtf_auto = spd["chain_auto"]["rtf_cpu_median"]
    latency_auto = spd["chain_auto"]["latency_ms"]
    return {
        "rtf_chain": {
            "value": rtf_auto,
            "target": t["rtf_chain_max"],
            "met": rtf_auto <= t["rtf_chain_max"],
        },
        "latency_ms": {
            "value": latency_auto,
            "target": t["latency_ms_max"],
            "met": latency_auto <= t["latency_ms_max"],
        },
        "rooms_5db": rooms_5db(rows),
        "pesq_ratio_vs_webrtc_ns_5db": webrtc_ratio_5db(rows),
        "rtf_chain_spectral": {"value": rtf, "target": t["rtf_max"], "met": rtf <= t["rtf_max"]},
        "latency_ms_spectral": {
            "value": latency,
            "target": t["latency_ms_max"],
            "met": latency <= t["latency_ms_max"],
        },
        "latency_ms_rnnoise": spd.get("chain_rnnoise", {}).get("latency_ms"),
        "stationary_5db": {m: _pesq_targets(rows, m) for m in methods},
        "stoi_worst_drop": {
            m: {"value": v, "target": t["stoi_drop_max"], "met": v <= t["stoi_drop_max"]}
            for m, v in stoi_drop.items()
        },
        "agc_worst_error_lu": {
            "value": round(agc_err, 2),
            "target": t["agc_lu_tolerance"],
            "met": agc_err <= t["agc_lu_tolerance"],
        },
        "true_peak_max_dbtp": {
            "value": max(peaks),
            "target": t["true_peak_dbtp_max"],
            "met": max(peaks) <= t["true_peak_dbtp_max"],
        },
    }


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("audio")
    p.add_argument(
        "--quick",
        action="store_true",
        help="English only, 5 dB SNR only, shorter speed run (for smoke tests)",
    )
    p.add_argument(
        "--speed-seconds",
        type=float,
        default=30.0,
        help="seconds of audio processed for the speed figure (default 30)",
    )
    p.add_argument(
        "--noises",
        help="comma-separated noise kinds to run (default: all; see app/cli/audio_testset.py)",
    )
    p.add_argument(
        "--langs", help="comma-separated speech languages (default: all: en,zh; --quick: en)"
    )
    p.add_argument("--snrs", help="comma-separated SNRs in dB (default: 0,5,10; --quick: 5)")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    if not ts.espeak_available():
        print("bench audio needs espeak-ng (packaging/system-packages-test.txt)", file=sys.stderr)
        return 2

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    started = time.perf_counter()
    langs = ("en",) if args.quick else tuple(ts.SPEECH)
    snrs: tuple[int, ...] = (5,) if args.quick else SNRS
    if args.langs:
        langs = tuple(x.strip() for x in args.langs.split(",") if x.strip())
        if not set(langs) <= set(ts.SPEECH):
            print(f"bench audio: languages are {', '.join(ts.SPEECH)}", file=sys.stderr)
            return 2
    if args.snrs:
        try:
            snrs = tuple(int(x) for x in args.snrs.split(","))
        except ValueError:
            print("bench audio: --snrs takes whole dB values, e.g. 0,5,10", file=sys.stderr)
            return 2
    noises = ts.STATIONARY + ts.NON_STATIONARY + ts.SHOP_FLOOR
    if args.noises:
        wanted = tuple(n.strip() for n in args.noises.split(",") if n.strip())
        unknown = [n for n in wanted if n not in ts.NOISES]
        if unknown:
            print(f"bench audio: unknown noise kinds {', '.join(unknown)}", file=sys.stderr)
            return 2
        noises = wanted
    if LearnedModel.load_now() is None:
        log("the learned suppressor is not installed: the chain runs the spectral gate alone")
    rows = quality(langs, noises, snrs, log)
    spd = speed(8.0 if args.quick else args.speed_seconds, 1 if args.quick else 3)
    agc = agc_levels()
    target = ChainSettings().of(AgcSettings).target_lufs
    result = {
        "bench": "audio",
        "machine": {"cpus": os.cpu_count(), "load_avg_1m_at_end": round(os.getloadavg()[0], 2)},
        "anchor": "WebRTC's noise suppression alone (webrtc_ns; summary "
        "pesq_ratio_vs_webrtc_ns_5db) for the shop-floor rooms; noisereduce.reduce_noise offline "
        "on the whole file (default non-stationary; also stationary given the same 2 s room "
        "tone) for steady noise and speed",
        "chain": "chain: the default chain (automatic noise suppression) -> AGC -> limiter in "
        "10 ms blocks, after learning 2 s of room tone and one warm-up line in the same noise "
        "(a running show); chain_*: the same with another method; denoise_*: with AGC and "
        "limiter bypassed; rnnoise, webrtc_ns: each suppressor alone, no AGC",
        "learned_suppressor": LearnedModel.shared() is not None,
        "summary": summarise(rows, spd, agc, target),
        "speed": spd,
        "agc": {"target_lufs": target, "levels": agc},
        "conditions": rows,
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(result, indent=1, default=_plain))
    return 0


def _plain(value: Any) -> Any:
    """numpy scalars (bool_, float64) as plain JSON values."""
    return value.item() if hasattr(value, "item") else str(value)
