"""`livedesk bench avsync`: are picture and sound together at the outputs?

A test source flashes the picture white on the first frame after every `--period` boundary of
the capture clock and starts a 1 kHz beep at the very sample of that boundary. Both go through
the one encode to a recording (fragmented MP4) and an RTMP push through a local nginx-rtmp pulled
back by PyAV. In each, every flash is paired with its beep: the offset (flash time − beep time,
positive: sound ahead) less the true one at capture (the flash frame's capture time − the
boundary, known per flash, under one frame) is the error the pipeline added. JSON: per output
`median`, `p95` (of |error|), `max`, in ms, and `within_one_frame`; the anchor is one frame
interval (the issue's target for the recording and RTMP). Chromium (the WebRTC viewer) is not
measured here.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from capture.media import AUDIO_BLOCK_FRAMES, AUDIO_RATE, AudioBlock, VideoFrame, now_ns
from capture.synthetic import SyntheticAudioSource, SyntheticVideoSource
from streaming.h264 import PROFILES

BEEP_S = 0.06


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("avsync")
    parser.add_argument(
        "--resolution", default="360p", choices=tuple(PROFILES), help="picture size (default 360p)"
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="test length (default 20)")
    parser.add_argument("--period", type=float, default=1.0, help="seconds between flashes")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print(json.dumps(measure(args), indent=1))
    return 0


class FlashVideo(SyntheticVideoSource):
    """Dark grey, white on the first frame after each period boundary; remembers, per
    boundary, how long after it that frame was captured."""

    def __init__(self, width: int, height: int, fps: float, period_ns: int) -> None:
        super().__init__(width, height, fps)
        self.period_ns = period_ns
        self.true_offset_ns: dict[int, int] = {}  # boundary number → flash capture − boundary
        self._last: int | None = None

    def _produce(self, index: int) -> VideoFrame:
        t = now_ns()
        boundary = t // self.period_ns
        flash = self._last is not None and boundary != self._last
        self._last = boundary
        if flash:
            self.true_offset_ns[boundary] = t - boundary * self.period_ns
        image = np.full((self.height, self.width, 3), 255 if flash else 40, np.uint8)
        return VideoFrame(image, t, index)


class BeepAudio(SyntheticAudioSource):
    """Silence, with a beep starting at the sample of each period boundary."""

    def __init__(self, period_ns: int) -> None:
        super().__init__(level_dbfs=None)
        self.period_ns = period_ns
        self._beep_left = 0
        self._tone = 0.5 * np.sin(
            2 * np.pi * 1000 * np.arange(int(BEEP_S * AUDIO_RATE)) / AUDIO_RATE
        )

    def _produce(self, index: int) -> AudioBlock:
        t = now_ns()
        samples = np.zeros(AUDIO_BLOCK_FRAMES, np.float32)
        block_ns = AUDIO_BLOCK_FRAMES * 1_000_000_000 // AUDIO_RATE
        if self._beep_left:
            done = len(self._tone) - self._beep_left
            n = min(self._beep_left, AUDIO_BLOCK_FRAMES)
            samples[:n] = self._tone[done : done + n]
            self._beep_left -= n
        boundary = (t // self.period_ns + 1) * self.period_ns
        if boundary < t + block_ns:
            at = (boundary - t) * AUDIO_RATE // 1_000_000_000
            n = min(len(self._tone), AUDIO_BLOCK_FRAMES - at)
            samples[at : at + n] = self._tone[:n]
            self._beep_left = len(self._tone) - n
        return AudioBlock(samples.reshape(-1, 1), AUDIO_RATE, t)


def flashes_and_beeps(
    container: Any, seconds: float | None = None
) -> tuple[list[float], list[float]]:
    """Flash times (mean luma over 128) and beep onsets (first loud sample after 200 ms of
    quiet) in a demuxed stream, in its own seconds."""
    flashes: list[float] = []
    onsets: list[float] = []
    quiet_since = -1.0
    streams = [s for s in container.streams if s.type in ("video", "audio")]
    started = time.monotonic()
    try:
        for packet in container.demux(*streams):
            for frame in packet.decode():
                if frame.time is None:
                    continue
                if packet.stream.type == "video":
                    luma = frame.to_ndarray(format="gray")
                    if luma.mean() > 128 and (not flashes or frame.time - flashes[-1] > 0.3):
                        flashes.append(float(frame.time))
                    continue
                pcm = np.abs(np.asarray(frame.to_ndarray(), dtype=np.float32)).max(axis=0)
                loud = np.flatnonzero(pcm > 0.1)
                rate = frame.sample_rate
                if loud.size and float(frame.time) + loud[0] / rate - quiet_since > 0.2:
                    onsets.append(float(frame.time) + float(loud[0]) / rate)
                if loud.size:
                    quiet_since = float(frame.time) + float(loud[-1]) / rate
            if seconds is not None and time.monotonic() - started > seconds:
                break
    except Exception:  # a stream cut at its end
        pass
    return flashes, onsets


def errors_ms(
    flashes: list[float], onsets: list[float], true_ns: dict[int, int], period_s: float
) -> list[float]:
    """Each flash's offset from its beep, less the true capture offset of its boundary. Which
    boundary a flash belongs to is found by the alignment that fits the true offsets best."""
    pairs = []
    for flash in flashes:
        beep = min(onsets, key=lambda b: abs(b - flash), default=None)
        if beep is not None and abs(beep - flash) < period_s / 3:
            pairs.append((flash, flash - beep))
    if not pairs or not true_ns:
        return []
    first = pairs[0][0]
    steps = [round((f - first) / period_s) for f, _ in pairs]
    best: list[float] = []
    for k0 in range(min(true_ns), max(true_ns) + 1):
        trial = [
            (offset - true_ns[k0 + step] / 1e9) * 1000
            for (_, offset), step in zip(pairs, steps, strict=True)
            if k0 + step in true_ns
        ]
        if len(trial) >= max(1, len(pairs) // 2) and (
            not best or statistics.mean(map(abs, trial)) < statistics.mean(map(abs, best))
        ):
            best = trial
    return best


def summary(errors: list[float], frame_ms: float) -> dict[str, Any]:
    if not errors:
        return {"pairs": 0}
    magnitude = sorted(abs(e) for e in errors)
    return {
        "pairs": len(errors),
        "median_ms": round(statistics.median(errors), 1),
        "p95_abs_ms": round(magnitude[int(0.95 * (len(magnitude) - 1))], 1),
        "max_abs_ms": round(magnitude[-1], 1),
        "within_one_frame": bool(magnitude[-1] <= frame_ms),
        "ratio_max_to_one_frame": round(magnitude[-1] / frame_ms, 3),  # the anchor: ≤ 1
    }


def measure(args: argparse.Namespace) -> dict[str, Any]:
    import av

    from streaming.encode_hub import EncodeHub
    from streaming.recorder import Recorder
    from streaming.rtmp import RtmpOutput
    from streaming.rtmp_local import NginxRtmp, available

    profile = PROFILES[args.resolution]
    period_ns = int(args.period * 1e9)
    frame_ms = 1000 / profile.fps
    folder = Path(tempfile.mkdtemp(prefix="livedesk-bench-avsync-"))
    video = FlashVideo(profile.width, profile.height, profile.fps, period_ns)
    audio = BeepAudio(period_ns)
    video.start()
    audio.start()
    hub = EncodeHub(video, audio)
    recorder = Recorder(folder / "avsync.mp4", profile, min_free_bytes=0)
    nginx = NginxRtmp(folder / "nginx") if available() else None
    pulled: dict[str, Any] = {}
    result: dict[str, Any] = {
        "bench": "avsync",
        "resolution": f"{profile.width}x{profile.height}@{profile.fps}",
        "frame_ms": round(frame_ms, 1),
        "period_s": args.period,
    }
    try:
        hub.start_output(recorder)
        rtmp = None
        if nginx is not None:
            nginx.start()
            rtmp = RtmpOutput(nginx.url, "good-key", profile)
            hub.start_output(rtmp)
            while rtmp.state.value not in ("live", "failed"):
                time.sleep(0.05)

            def pull() -> None:
                with av.open(
                    f"{nginx.url}/good-key", options={"rw_timeout": "5000000"}, timeout=10
                ) as c:
                    pulled["found"] = flashes_and_beeps(c, args.seconds)

            puller = threading.Thread(target=pull, daemon=True)
            puller.start()
        time.sleep(args.seconds)
        hub.stop_output(recorder)
        if rtmp is not None:
            puller.join(args.seconds + 15)
            hub.stop_output(rtmp)
    finally:
        hub.stop()
        video.stop()
        audio.stop()
        if nginx is not None:
            nginx.close()
    truth = video.true_offset_ns
    with av.open(str(folder / "avsync.mp4")) as container:
        flashes, onsets = flashes_and_beeps(container)
    result["recording"] = summary(errors_ms(flashes, onsets, truth, args.period), frame_ms)
    if "found" in pulled:
        flashes, onsets = pulled["found"]
        result["rtmp"] = summary(errors_ms(flashes, onsets, truth, args.period), frame_ms)
    else:
        result["rtmp"] = {"pairs": 0, "note": "nginx with the RTMP module is missing"}
    return result
