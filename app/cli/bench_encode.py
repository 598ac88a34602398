"""`livedesk bench encode`: CPU cost of our publish pipeline per 1080p frame, against ffmpeg.

Ours: BGR frames in memory (what a camera source delivers) → the one BGR→I420 conversion →
`VideoEncoder` (x264 through PyAV) → aiortc's RTP packetization of its packets, run as fast as it goes.
Anchor: the ffmpeg command line (/usr/bin/ffmpeg) encoding the very same raw BGR frames, piped
in, with the same x264 settings (preset, tune, profile, level, keyframe interval, bitrate and VBV,
threads). Figure: CPU seconds (user + system, every thread) per frame; ratio ours/ffmpeg
(target ≤ 1.3). Output sizes are printed too: similar bitrates show both did the same work.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import threading
import time
from dataclasses import replace
from typing import Any

import numpy as np
from aiortc.codecs.h264 import H264Encoder

from app.bench.measure import cpu_seconds
from app.bench.report import emit, emit_error, loadavg
from capture.synthetic import SyntheticVideoSource
from streaming.encoder import VideoEncoder
from streaming.h264 import PROFILES, VideoProfile, bgr_to_video_frame

TARGET_RATIO = 1.3


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("encode")
    parser.add_argument(
        "--resolution",
        default="1080p",
        choices=tuple(PROFILES),
        help="picture size encoded (default 1080p)",
    )
    parser.add_argument("--frames", type=int, default=150, help="frames per run (default 150)")
    parser.add_argument(
        "--distinct",
        type=int,
        default=30,
        help="distinct frames rendered, played back and forth (default 30)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs of each; medians quoted")
    parser.add_argument("--preset", help="x264 preset for both (default: the profile's)")
    parser.add_argument("--ffmpeg", default="/usr/bin/ffmpeg", help="ffmpeg binary for the anchor")
    parser.set_defaults(handler=run)


def render_frames(profile: VideoProfile, distinct: int) -> list[np.ndarray]:
    """The test pattern the console publishes when there is no camera (bars, box, clock)."""
    source = SyntheticVideoSource(profile.width, profile.height, fps=profile.fps)
    return [source._produce(i).image for i in range(distinct)]


def playback_order(distinct: int, frames: int) -> list[int]:
    """Back and forth through the distinct frames, so motion stays continuous."""
    cycle = list(range(distinct)) + list(range(distinct - 2, 0, -1))
    return [cycle[i % len(cycle)] for i in range(frames)]


def run_ours(profile: VideoProfile, images: list[np.ndarray], order: list[int]) -> dict[str, Any]:
    encoder = VideoEncoder(profile)
    packer = H264Encoder()  # what aiortc's sender does with each packet
    step_ns = 1_000_000_000 // profile.fps
    payload_bytes = 0
    packets = 0
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    for i, index in enumerate(order):
        for packet in encoder.encode(bgr_to_video_frame(images[index]), i * step_ns):
            payloads, _ = packer.pack(packet.to_av())
            packets += len(payloads)
            payload_bytes += sum(len(p) for p in payloads)
    cpu, wall = cpu_seconds() - cpu0, time.perf_counter() - wall0
    return _figures(cpu, wall, len(order), payload_bytes, profile.fps) | {"rtp_packets": packets}


def ffmpeg_command(ffmpeg: str, profile: VideoProfile) -> list[str]:
    """The anchor's command line, built from the same option set our encoder opens with."""
    options = profile.x264_options(profile.start_bitrate)
    names = {"b": "-b:v", "maxrate": "-maxrate", "bufsize": "-bufsize", "profile": "-profile:v"}
    args = [
        ffmpeg,
        "-hide_banner",
        "-loglevel",
        "error",
        "-nostdin",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "bgr24",
        "-s",
        f"{profile.width}x{profile.height}",
        "-r",
        str(profile.fps),
        "-i",
        "pipe:0",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-threads",
        str(profile.threads),
    ]
    for key, value in options.items():
        args += [names.get(key, f"-{key}"), value]
    return [*args, "-f", "h264", "pipe:1"]


def run_ffmpeg(
    ffmpeg: str, profile: VideoProfile, images: list[np.ndarray], order: list[int]
) -> dict[str, Any]:
    process = subprocess.Popen(
        ffmpeg_command(ffmpeg, profile),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    out_bytes = [0]

    def drain() -> None:
        assert process.stdout is not None
        while chunk := process.stdout.read(1 << 16):
            out_bytes[0] += len(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    wall0 = time.perf_counter()
    for index in order:
        process.stdin.write(images[index].data)
    process.stdin.close()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - wall0
    process.returncode = os.waitstatus_to_exitcode(status)
    reader.join(timeout=10)
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode != 0:
        raise RuntimeError(f"ffmpeg failed ({process.returncode}): {stderr.strip()[-400:]}")
    return _figures(usage.ru_utime + usage.ru_stime, wall, len(order), out_bytes[0], profile.fps)


def _figures(cpu: float, wall: float, frames: int, size: int, fps: int) -> dict[str, Any]:
    return {
        "cpu_s_per_frame": round(cpu / frames, 5),
        "wall_fps": round(frames / wall, 1),
        "kbps_at_fps": round(size * 8 * fps / frames / 1000, 1),
    }


def measure(args: argparse.Namespace) -> dict[str, Any]:
    ffmpeg = shutil.which(args.ffmpeg) or args.ffmpeg
    if not os.path.exists(ffmpeg):
        raise RuntimeError(f"ffmpeg not found at {args.ffmpeg}")
    # A fixed preset, like the ffmpeg anchor: the publisher's overload adaptation stays out.
    profile = replace(PROFILES[args.resolution], adapt_preset=False)
    if args.preset:
        profile = replace(profile, preset=args.preset)
    images = render_frames(profile, max(2, args.distinct))
    order = playback_order(max(2, args.distinct), args.frames)
    ours, anchor = [], []
    for _ in range(max(1, args.repeats)):  # interleaved, so load changes hit both alike
        ours.append(run_ours(profile, images, order))
        anchor.append(run_ffmpeg(ffmpeg, profile, images, order))

    def median(runs: list[dict[str, Any]], key: str) -> float:
        return round(statistics.median(r[key] for r in runs), 5)

    ratio = median(ours, "cpu_s_per_frame") / median(anchor, "cpu_s_per_frame")
    return {
        "bench": "encode",
        "resolution": f"{profile.width}x{profile.height}",
        "frames_per_run": args.frames,
        "repeats": len(ours),
        "x264": profile.x264_options(profile.start_bitrate) | {"threads": str(profile.threads)},
        "ours": {
            "cpu_s_per_frame_median": median(ours, "cpu_s_per_frame"),
            "wall_fps_median": median(ours, "wall_fps"),
            "kbps_median": median(ours, "kbps_at_fps"),
            "runs": ours,
        },
        "ffmpeg": {
            "cpu_s_per_frame_median": median(anchor, "cpu_s_per_frame"),
            "wall_fps_median": median(anchor, "wall_fps"),
            "kbps_median": median(anchor, "kbps_at_fps"),
            "runs": anchor,
            "command": " ".join(ffmpeg_command(ffmpeg, profile)),
        },
        "ratio_ours_over_ffmpeg": round(ratio, 3),
        "target_ratio": TARGET_RATIO,
        "target_met": ratio <= TARGET_RATIO,
        "load_average": loadavg(),
        "cpus": os.cpu_count(),
    }


def run(args: argparse.Namespace) -> int:
    try:
        result = measure(args)
    except (RuntimeError, OSError) as exc:
        return emit_error("encode", str(exc))
    emit(result)
    return 0
