"""What one extra viewer costs the embedded relay in CPU: `python -m app.bench.viewer_cost`.

Starts `livedesk relay` and `livedesk publish` as their own processes, then adds WHEP viewers
(aiortc peers that keep the encoded media without decoding it, so their own cost stays out of
the way) and reads the relay process's CPU time at each viewer count. Prints one JSON object:
relay CPU (% of one core) per viewer count and the least-squares cost per extra viewer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import time
from typing import Any

import psutil
from aiortc import RTCPeerConnection, RTCSessionDescription

from app.frozen import module_command
from streaming.relay.fanout import EncodedTap
from streaming.whip import WhipClient

TOKEN = "viewer-cost-token"


async def null_viewer(whep: str, received: dict[str, int]) -> RTCPeerConnection:
    """A viewer that receives everything and decodes nothing (counts video frames)."""
    pc = RTCPeerConnection()

    def count(kind: str, data: bytes, timestamp: int) -> None:
        received[kind] = received.get(kind, 0) + 1

    for kind in ("video", "audio"):
        transceiver = pc.addTransceiver(kind, direction="recvonly")
        EncodedTap.install(transceiver.receiver, EncodedTap(kind, count))
    await pc.setLocalDescription(await pc.createOffer())
    client = WhipClient(whep)
    session = await client.offer(pc.localDescription.sdp)
    await client.close()
    await pc.setRemoteDescription(RTCSessionDescription(session.answer_sdp, "answer"))
    return pc


def _cpu_percent(process: psutil.Process, seconds: float) -> float:
    before = sum(process.cpu_times()[:2])
    time.sleep(seconds)
    return 100.0 * (sum(process.cpu_times()[:2]) - before) / seconds


async def measure(resolution: str, counts: list[int], window_s: float) -> dict[str, Any]:
    env = dict(os.environ, LIVEDESK_RELAY_TOKEN=TOKEN, LIVEDESK_WHIP_TOKEN=TOKEN)
    relay = subprocess.Popen(
        [*module_command("app"), "relay", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    publisher: subprocess.Popen[bytes] | None = None
    viewers: list[RTCPeerConnection] = []
    try:
        assert relay.stdout is not None
        info = json.loads(relay.stdout.readline())
        publisher = subprocess.Popen(
            [
                *module_command("app"),
                "publish",
                "--whip",
                info["whip"],
                "--resolution",
                resolution,
                "--duration",
                "3600",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        await asyncio.sleep(6)  # connect and settle
        process = psutil.Process(relay.pid)
        results: dict[str, float] = {}
        fps: dict[str, float] = {}
        received: list[dict[str, int]] = []
        for count in counts:
            while len(viewers) < count:
                received.append({})
                viewers.append(await null_viewer(info["whep"], received[-1]))
            await asyncio.sleep(3)
            before = sum(r.get("video", 0) for r in received)
            results[str(count)] = round(await asyncio.to_thread(_cpu_percent, process, window_s), 1)
            frames = sum(r.get("video", 0) for r in received) - before
            fps[str(count)] = round(frames / window_s / max(1, count), 1)
        xs = [float(c) for c in counts]
        ys = [results[str(c)] for c in counts]
        mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / max(
            1e-9, sum((x - mean_x) ** 2 for x in xs)
        )
        # The publisher may deliver fewer than 30 fps on a loaded machine, and forwarding cost
        # follows the frame rate: also give the cost scaled to a full 30 fps per viewer.
        scaled = sorted(
            (results[str(c)] - results[str(counts[0])]) / (c * fps[str(c)]) * 30
            for c in counts
            if c > 0 and fps[str(c)] > 0
        )
        return {
            "resolution": resolution,
            "cpu_percent_per_viewer_at_30fps": round(scaled[len(scaled) // 2], 1)
            if scaled
            else None,
            "relay_cpu_percent_by_viewers": results,
            "cpu_percent_per_extra_viewer": round(slope, 1),
            "video_fps_per_viewer": fps,
            "window_s": window_s,
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "cores": psutil.cpu_count(),
        }
    finally:
        for pc in viewers:
            await pc.close()
        for proc in (publisher, relay):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--resolution", default="1080p")
    parser.add_argument("--viewers", default="0,1,2,4", help="viewer counts to measure at")
    parser.add_argument("--window", type=float, default=10.0, help="seconds per measurement")
    args = parser.parse_args(argv)
    counts = [int(c) for c in args.viewers.split(",")]
    print(json.dumps(asyncio.run(measure(args.resolution, counts, args.window))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
