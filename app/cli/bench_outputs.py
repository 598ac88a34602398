"""`livedesk bench outputs`: what each output costs when one encode feeds them all.

The stamped test pattern (capture time drawn into every frame) and a tone go into one
`EncodeHub`. Anchor (same run): the encode alone, feeding an output that only counts packets.
Then 1, 2 and 4 real outputs at once — RTMP pushes to a local nginx-rtmp (started here) and
fragmented-MP4 recordings, alternating — each phase reporting CPU (this process and the pushers,
% of one core), encodes per program frame (1.0: one encode whatever the number of outputs) and
each output's time to first frame (start → first packet sent/written). Then the RTMP
glass-to-glass latency (capture → nginx → a PyAV subscriber decoding the stamp) and a bitrate
change's cost (keyframe or not, the frame's encode time against the median, frames until the
new rate holds). Prints one JSON object; `cpu_ratio_4_vs_encode` is the issue's figure: near 1
means outputs add little beside the one encode.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from streaming.encoder import EncodedPacket
from streaming.h264 import PROFILES, VideoProfile
from streaming.output import Figures, Output, OutputState

PHASES = (1, 2, 4)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("outputs")
    parser.add_argument(
        "--resolution", default="720p", choices=tuple(PROFILES), help="picture size (default 720p)"
    )
    parser.add_argument("--seconds", type=float, default=6.0, help="per phase (default 6)")
    parser.add_argument("--warmup", type=float, default=2.0, help="before measuring (default 2)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print(json.dumps(measure(args), indent=1))
    return 0


class _Counter(Output):
    """The anchor's output: takes the rendition, counts packets, does nothing else."""

    name = "counter"

    def __init__(self, profile: VideoProfile) -> None:
        super().__init__()
        self.video_profile, self.audio_codec, self.packets = profile, "aac", 0

    def on_packet(self, packet: EncodedPacket) -> None:
        self.packets += 1
        if self.packets == 1:
            self.set_state(OutputState.LIVE, "counting")

    def start(self) -> None: ...

    def stop(self, timeout: float = 10.0) -> None: ...

    def figures(self) -> Figures:
        return {"packets": self.packets}


def _cpu(process: Any) -> float:
    """CPU seconds of `process` and its children (the RTMP pushers) so far."""
    total = 0.0
    for p in [process, *process.children(recursive=True)]:
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except Exception:  # a pusher that just ended
            pass
    return total


def _first_frames_s(outputs: list[Any], started: float, timeout: float = 20.0) -> list[Any]:
    """Seconds from `started` until each output sent (or wrote) its first frame; None if it
    failed or did not within `timeout`."""
    found: list[float | None] = [None] * len(outputs)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for i, output in enumerate(outputs):
            if found[i] is None and output.state == OutputState.LIVE:
                found[i] = round(time.monotonic() - started, 3)
        if all(
            f is not None or o.state == OutputState.FAILED
            for f, o in zip(found, outputs, strict=True)
        ):
            break
        time.sleep(0.005)
    return found


def measure(args: argparse.Namespace) -> dict[str, Any]:
    import psutil

    from app.bench.latency_probe import StampedVideoSource
    from capture.synthetic import SyntheticAudioSource
    from streaming.encode_hub import EncodeHub
    from streaming.encoder import machine_h264_encoder
    from streaming.recorder import Recorder
    from streaming.rtmp import RtmpOutput
    from streaming.rtmp_local import NginxRtmp, available

    profile = PROFILES[args.resolution]
    if not available():
        raise SystemExit("livedesk bench outputs: needs nginx with the RTMP module")
    folder = Path(tempfile.mkdtemp(prefix="livedesk-bench-outputs-"))
    nginx = NginxRtmp(folder / "nginx")
    nginx.start()
    video = StampedVideoSource(profile.width, profile.height, fps=profile.fps)
    audio = SyntheticAudioSource(level_dbfs=-20)
    video.start()
    audio.start()
    hub = EncodeHub(video, audio)
    me = psutil.Process()
    result: dict[str, Any] = {
        "bench": "outputs",
        "resolution": f"{profile.width}x{profile.height}@{profile.fps}",
        "encoder": machine_h264_encoder().name,
        "seconds_per_phase": args.seconds,
    }

    def phase(outputs: list[Any]) -> dict[str, Any]:
        started = time.monotonic()
        for output in outputs:
            hub.start_output(output)
        ttff = _first_frames_s(outputs, started)
        time.sleep(args.warmup)
        (frames0, encodes0), cpu0, t0 = hub.video_counts, _cpu(me), time.monotonic()
        time.sleep(args.seconds)
        frames1, encodes1 = hub.video_counts
        frames, encodes = frames1 - frames0, encodes1 - encodes0
        cpu = (_cpu(me) - cpu0) / (time.monotonic() - t0) * 100
        figures = {
            "cpu_percent": round(cpu, 1),
            "encoders": len(hub.video_encoders()),
            "encodes_per_frame": round(encodes / frames, 3) if frames else None,
            "fps": round(frames / args.seconds, 1),
            "time_to_first_frame_s": ttff,
        }
        for output in outputs:
            hub.stop_output(output, timeout=5)
        return figures

    try:
        result["encode_only"] = phase([_Counter(profile)])
        for n in PHASES:
            outputs: list[Any] = []
            for i in range(n):
                if i % 2 == 0:
                    outputs.append(
                        RtmpOutput(nginx.url, "good-key" if i == 0 else "second-key", profile)
                    )
                else:
                    outputs.append(Recorder(folder / f"rec{n}-{i}.mp4", profile, min_free_bytes=0))
            result[f"outputs_{n}"] = phase(outputs)
        anchor = result["encode_only"]["cpu_percent"]
        result["cpu_ratio_4_vs_encode"] = round(result["outputs_4"]["cpu_percent"] / anchor, 2)
        result["rtmp_glass_to_glass_ms"] = _glass_to_glass(hub, nginx, profile, args.seconds)
        result["bitrate_change"] = _bitrate_change(hub, profile)
    finally:
        hub.stop()
        video.stop()
        audio.stop()
        nginx.close()
    return result


def _glass_to_glass(hub: Any, nginx: Any, profile: Any, seconds: float) -> dict[str, Any]:
    """Capture (the stamp drawn into the frame) → RTMP → nginx → PyAV decode, in ms."""
    import av

    from app.bench import frame_stamp
    from app.bench.latency_probe import read_video_frame, wall_ms
    from streaming.rtmp import RtmpOutput

    output = RtmpOutput(nginx.url, "good-key", profile)
    hub.start_output(output)
    samples: list[float] = []
    try:
        _first_frames_s([output], time.monotonic())
        with av.open(
            f"{nginx.url}/good-key",
            options={"rw_timeout": "5000000", "fflags": "nobuffer"},
            timeout=10,
        ) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            started = time.monotonic()
            for frame in container.decode(stream):
                now = wall_ms()
                stamp = read_video_frame(frame)
                if stamp is not None:
                    samples.append(now - frame_stamp.unwrap_ms(stamp.time_ms, int(now)))
                if time.monotonic() - started > seconds:
                    break
    finally:
        hub.stop_output(output, timeout=5)
    steady = samples[len(samples) // 5 :] or samples  # the first frames drain nginx's buffer
    if not steady:
        return {"frames": 0}
    ordered = sorted(steady)
    return {
        "frames": len(steady),
        "median": round(statistics.median(steady), 1),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "min": round(ordered[0], 1),
    }


def _bitrate_change(hub: Any, profile: Any) -> dict[str, Any]:
    """Down to the floor, then back up: keyframes and encode times around each change."""
    from streaming.h264 import EncodeRecord, observe_encodes

    counter = _Counter(profile)
    records: list[EncodeRecord] = []
    lock = threading.Lock()

    def observe(record: EncodeRecord, _frame: object) -> None:
        with lock:
            records.append(record)

    stop_observing = observe_encodes(observe)
    hub.start_output(counter)
    try:
        time.sleep(3)
        marks = {}
        for name, bitrate in (("down", profile.min_bitrate), ("up", profile.max_bitrate)):
            with lock:
                marks[name] = len(records)
            hub.set_bitrate(profile, bitrate)
            time.sleep(3)
    finally:
        hub.stop_output(counter)
        stop_observing()
    with lock:
        done = list(records)
    median_ms = statistics.median((r.finished - r.started) * 1000 for r in done[: marks["down"]])
    out: dict[str, Any] = {"median_encode_ms": round(median_ms, 2)}
    keyint_pts = profile.keyint * 90_000 // profile.fps
    keys = [r.pts for r in done if r.keyframe]
    # A keyframe sooner than the schedule after the one before it is one a change cost.
    off_schedule = {b for a, b in itertools.pairwise(keys) if b - a < keyint_pts * 0.9}
    for name, at in marks.items():
        after = done[at : at + 90]
        window = max(1, profile.fps // 2)
        target = profile.min_bitrate if name == "down" else profile.max_bitrate
        settled = next(
            (
                i
                for i in range(len(after) - window)
                if abs(
                    sum(r.size for r in after[i : i + window]) * 8 * profile.fps / window - target
                )
                < 0.35 * target
            ),
            None,
        )
        out[name] = {
            "target_bps": target,
            "extra_keyframe": any(r.pts in off_schedule for r in after),
            "first_frame_encode_ms": round((after[0].finished - after[0].started) * 1000, 2)
            if after
            else None,
            "frames_until_rate_holds": settled,
        }
    return out
