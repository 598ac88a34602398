"""`livedesk bench latency`: glass-to-glass latency, measured from stamps drawn into frames.

Our publisher sends the synthetic test pattern with each frame's capture time drawn in as a
block code (`app/bench/frame_stamp.py`), through the relay (the embedded relay run as
`livedesk relay`, or a private Janus), to viewers that read the code back from every frame
they present:

  aiortc     an aiortc subscriber in this process (no playout buffer of its own);
  chromium   the real viewer page in headless Chromium, read from the <video> element through
             a canvas on each requestVideoFrameCallback, so a browser's jitter buffer counts;
  chromium-publisher
             the anchor: Chromium itself publishing a stamped canvas (captureStream, its own
             H.264 encoder, WHIP or Janus) through the same relay to the same viewer.

Per-stage budget, medians in ms, from timestamps where they exist: capture (stamp → encoder
input), encode, network+relay (encoder output → complete frame at the viewer), jitter buffer
and decode (aiortc: complete frame → decoded; Chromium: getStats averages), and display
(Chromium: received → presented). Targets at 1080p30: p95 ≤ 200 ms through the embedded relay to
Chromium, ≥ 29 fps delivered, ours/Chromium p95 ratio ≤ 1.0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from app.bench.latency_probe import (
    CHROMIUM_ARGS,
    CHROMIUM_PUBLISHER_HTML,
    INBOUND_STATS_JS,
    JANUS_VIEWER_HTML,
    VIEWER_PROBE_JS,
    EncodeTimes,
    Sample,
    StampedVideoSource,
    aiortc_viewer,
    janus_negotiator,
    js_call,
    page_samples,
    wall_ms,
    whep_negotiator,
)
from app.bench.measure import percentile, summarize
from app.bench.program_path import ProgramPath
from app.bench.report import emit, emit_error, loadavg
from app.frozen import module_command
from streaming.h264 import PROFILES, observe_encodes

PHASES = ("aiortc", "chromium", "chromium-publisher")
TARGETS = {"p95_ms": 200.0, "fps": 29.0, "ratio": 1.0}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("latency")
    parser.add_argument(
        "--relay",
        choices=("embedded", "janus"),
        default="embedded",
        help="the built-in relay or a local Janus (default embedded)",
    )
    parser.add_argument(
        "--resolution",
        choices=tuple(PROFILES),
        default="1080p",
        help="picture size sent (default 1080p)",
    )
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=4.0, help="seconds ignored per phase")
    parser.add_argument(
        "--phases", default=",".join(PHASES), help="comma list of " + "/".join(PHASES)
    )
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="Chromium binary")
    parser.add_argument("--janus-url", help="use this Janus instead of starting a private one")
    parser.add_argument("--preset", help="x264 preset for our publisher (default: the profile's)")
    parser.add_argument(
        "--fixed-preset",
        action="store_true",
        help="keep that preset even when the machine cannot keep up",
    )
    parser.add_argument(
        "--no-audio",
        dest="audio",
        action="store_false",
        help="publish video only (by default both publishers also send a tone, "
        "so the viewer's audio/video sync counts as it does in a real show)",
    )
    parser.add_argument(
        "--no-program",
        dest="program",
        action="store_false",
        help="publish the camera straight (by default it goes through the program: the "
        "compositor with text and every show graphic on it, and the audio mix)",
    )
    parser.set_defaults(handler=run)


# -- relays ----------------------------------------------------------------------------------


@dataclass
class RelayTarget:
    """Where to publish and watch, and how to stop what was started for it."""

    kind: str
    origin: str
    whip: str = ""
    whep: str = ""
    viewer: str = ""
    token: str = ""
    janus: str = ""
    room: int = 0
    stop: Callable[[], Awaitable[None]] = field(default=lambda: _nothing())


async def _nothing() -> None:
    return None


async def start_embedded() -> RelayTarget:
    """`livedesk relay` in its own process, as a host would run it."""
    token = secrets.token_urlsafe(16)
    process = await asyncio.create_subprocess_exec(
        *module_command("app"),
        "relay",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env={**os.environ, "LIVEDESK_RELAY_TOKEN": token},
    )
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), 20)
        info = json.loads(line)
    except (TimeoutError, ValueError):
        process.terminate()
        raise RuntimeError("the embedded relay did not start") from None

    async def stop() -> None:
        if process.returncode is None:
            process.terminate()
            await process.wait()

    origin = info["viewer"].rstrip("/")
    return RelayTarget(
        "embedded", origin, info["whip"], info["whep"], info["viewer"], token, stop=stop
    )


async def start_janus(url: str | None) -> RelayTarget:
    room = random.randint(10_000, 99_999)
    if url:
        origin = url.split("/janus")[0]
        return RelayTarget("janus", origin, janus=url, room=room)
    from streaming.janus_local import LocalJanus

    server = LocalJanus()
    await asyncio.get_running_loop().run_in_executor(None, server.start)

    async def stop() -> None:
        server.stop()

    return RelayTarget(
        "janus", server.url.split("/janus")[0], janus=server.url, room=room, stop=stop
    )


# -- summaries -------------------------------------------------------------------------------


def _median(values: list[float]) -> float | None:
    return round(percentile(values, 50), 1) if values else None


def summarise(
    samples: list[Sample], encodes: EncodeTimes | None, stages_extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Latency distribution, delivered rate and per-stage medians of one viewer's samples."""
    read = len(samples)
    # A stamp from the future or from long ago is a misread that slipped past the checksum.
    samples = [s for s in samples if -50 <= s.shown - s.captured <= 30_000]
    if not samples:
        return {"error": "no stamped frame was read at the viewer"}
    glass = [s.shown - s.captured for s in samples]
    seqs = sorted({s.seq for s in samples})
    span_s = (max(s.shown for s in samples) - min(s.shown for s in samples)) / 1000
    capture, encode, network = [], [], []
    for s in samples:
        times = encodes.by_seq.get(s.seq) if encodes is not None else None
        if times is not None:
            capture.append(times[0] - s.captured)
            encode.append(times[1] - times[0])
            if s.arrived is not None:
                network.append(s.arrived - times[1])
        elif encodes is None and s.arrived is not None:
            network.append(s.arrived - s.captured)  # the anchor: capture+encode+network
    stages: dict[str, Any] = {
        "capture": _median(capture),
        "encode": _median(encode),
        "network_relay": _median(network),
    }
    if encodes is not None:
        # Of the frames missing at the viewer, those that never reached our encoder at all
        # (skipped by the source or by the track's newest-frame slot).
        stages["frames_never_encoded"] = sum(
            1 for seq in range(seqs[0], seqs[-1] + 1) if seq not in encodes.by_seq
        )
    stages.update(stages_extra or {})
    sizes = sorted({(s.width, s.height) for s in samples})
    return {
        "glass_to_glass_ms": summarize(glass, 1),
        "delivered_fps": round((len(seqs) - 1) / span_s, 2) if span_s > 0 else 0.0,
        "frames_missing": (seqs[-1] - seqs[0] + 1) - len(seqs),
        "frames_read": read,
        "frames_implausible": read - len(samples),
        "sizes": [f"{w}x{h}" for w, h in sizes],
        "stages_median_ms": stages,
    }


def _aiortc_stages(samples: list[Sample]) -> dict[str, Any]:
    return {
        "jitter_buffer": 0.0,  # aiortc hands each frame on as soon as it is complete
        "decode": _median([s.decode_ms for s in samples if s.decode_ms is not None]),
    }


def _chromium_stages(
    samples: list[Sample],
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    seconds: float,
) -> dict[str, Any]:
    """The browser's share, from its own getStats() counters over the measured window."""
    extra: dict[str, Any] = {
        "receive_to_display": _median([s.shown - s.arrived for s in samples if s.arrived]),
    }
    if not (before and after):
        return extra

    def per_frame(
        key: str, count_key: str, a: dict[str, Any] = after, b: dict[str, Any] = before
    ) -> float | None:
        count = a[count_key] - b[count_key]
        return round(1000 * (a[key] - b[key]) / count, 1) if count > 0 else None

    extra["jitter_buffer"] = per_frame("jitterBufferDelay", "jitterBufferEmittedCount")
    target = per_frame("jitterBufferTargetDelay", "jitterBufferEmittedCount")
    minimum = per_frame("jitterBufferMinimumDelay", "jitterBufferEmittedCount")
    if target is not None and minimum is not None:
        # What the browser adds on top of what the video itself needs, to keep lip sync.
        extra["av_sync_hold"] = round(target - minimum, 1)
    if after.get("audio") and before.get("audio"):
        a_after, a_before = after["audio"], before["audio"]
        extra["audio_jitter_buffer"] = per_frame(
            "jitterBufferDelay", "jitterBufferEmittedCount", a_after, a_before
        )
        a_target = per_frame(
            "jitterBufferTargetDelay", "jitterBufferEmittedCount", a_after, a_before
        )
        a_minimum = per_frame(
            "jitterBufferMinimumDelay", "jitterBufferEmittedCount", a_after, a_before
        )
        if a_target is not None and a_minimum is not None:
            # Network jitter alone asks for `minimum`; the rest is the browser waiting for video.
            extra["audio_jitter_target"] = a_target
            extra["audio_sync_hold"] = round(a_target - a_minimum, 1)
    extra["decode"] = per_frame("totalDecodeTime", "framesDecoded")
    # RFC 3550 interarrival jitter as the browser sees it at the end of the window.
    extra["video_arrival_jitter"] = round(1000 * after["jitter"], 1)
    if after.get("audio"):
        extra["audio_arrival_jitter"] = round(1000 * after["audio"]["jitter"], 1)
    extra["frames_dropped_by_browser"] = after["framesDropped"] - before["framesDropped"]
    # Against delivered_fps: frames the browser decoded but never painted (two in one vsync).
    extra["decoded_fps"] = round((after["framesDecoded"] - before["framesDecoded"]) / seconds, 2)
    return extra


def _after_warmup(samples: list[Sample], start_ms: float) -> list[Sample]:
    return [s for s in samples if s.captured >= start_ms]


# -- phases ----------------------------------------------------------------------------------


async def go_live(publisher: Any, timeout_s: float = 30.0) -> None:
    """Start `publisher` and wait until it is live (RuntimeError if it fails or takes longer)."""
    from streaming.publisher import PublishState

    publisher.start()
    deadline = time.monotonic() + timeout_s
    while publisher.state != PublishState.LIVE:
        if publisher.state == PublishState.FAILED or time.monotonic() > deadline:
            raise RuntimeError(f"our publisher did not go live: {publisher.message}")
        await asyncio.sleep(0.1)


class OurPublisher:
    """The console's publisher with the stamped pattern (video) and a tone (audio), through
    the program (`ProgramPath`) unless `program` is False."""

    def __init__(self, target: RelayTarget, resolution: str, audio: bool, program: bool) -> None:
        from capture.synthetic import SyntheticAudioSource
        from streaming.publisher import Publisher, PublishOptions, WhipSignalling

        profile = PROFILES[resolution]
        # Through the program the camera is canvas-sized (as a 1080p camera in a 1080p show)
        # and only the encoder scales, as in the console.
        size = (profile.width, profile.height)
        if program:
            size = (1920, 1080) if profile.width >= 1920 else (1280, 720)
        self.camera = StampedVideoSource(*size, fps=profile.fps)
        self.microphone = SyntheticAudioSource() if audio else None
        self.program = ProgramPath(self.camera, self.microphone, size) if program else None
        self.video: Any = self.program.video if self.program else self.camera
        self.audio: Any = self.program.audio if self.program else self.microphone
        signalling: Any
        if target.kind == "janus":
            from streaming.janus import JanusSignalling

            signalling = JanusSignalling(target.janus, target.room)
        else:
            signalling = WhipSignalling(target.whip, target.token)
        self.publisher = Publisher(
            signalling, self.video, self.audio, PublishOptions(resolution=resolution)
        )

    async def start(self) -> None:
        if self.program is not None:
            self.program.start()
        self.camera.start()
        if self.microphone is not None:
            self.microphone.start()
        await go_live(self.publisher)

    async def stop(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.publisher.stop)
        self.camera.stop()
        if self.microphone is not None:
            self.microphone.stop()
        if self.program is not None:
            self.program.stop()


async def watch_with_aiortc(target: RelayTarget, args: argparse.Namespace) -> list[Sample]:
    keep: list[Any] = []
    negotiate = (
        janus_negotiator(target.janus, target.room, keep)
        if target.kind == "janus"
        else whep_negotiator(target.whep)
    )
    start = wall_ms() + args.warmup * 1000
    try:
        samples = await aiortc_viewer(negotiate, args.warmup + args.seconds)
    finally:
        for subscriber in keep:
            await subscriber.close()
    return _after_warmup(samples, start)


async def watch_with_chromium(
    browser: Any, target: RelayTarget, args: argparse.Namespace
) -> tuple[list[Sample], dict[str, Any]]:
    page = await browser.new_page()
    try:
        if target.kind == "janus":
            url = f"{target.origin}/livedesk-bench/viewer.html"
            await page.route(
                url, lambda route: route.fulfill(body=JANUS_VIEWER_HTML, content_type="text/html")
            )
            await page.goto(url)
            await page.evaluate(js_call("watch", "/janus", target.room))
        else:
            await page.goto(target.viewer)
        await page.wait_for_function(
            "document.querySelector('video') && document.querySelector('video').readyState >= 2",
            timeout=30_000,
        )
        await page.add_script_tag(content=VIEWER_PROBE_JS)
        await asyncio.sleep(args.warmup)
        await page.evaluate("window.__latency = []")
        before = await page.evaluate(INBOUND_STATS_JS)
        await asyncio.sleep(args.seconds)
        rows = await page.evaluate("window.__latency")
        after = await page.evaluate(INBOUND_STATS_JS)
        readers = await page.evaluate("window.__latencyReader")
    finally:
        await page.close()
    samples = page_samples(rows)
    stages = _chromium_stages(samples, before, after, args.seconds)
    return samples, stages | {"stamps_read_via": readers}


async def chromium_publishes(
    browser: Any, target: RelayTarget, resolution: str, audio: bool, flash_period_ms: int = 0
) -> Any:
    """Open the canvas publisher page at the relay's origin and publish; returns the page.
    `flash_period_ms`: the A/V sync anchor's flashes and beeps instead of the pattern."""
    profile = PROFILES[resolution]
    page = await browser.new_page()
    url = f"{target.origin}/livedesk-bench/publisher.html"
    await page.route(
        url, lambda route: route.fulfill(body=CHROMIUM_PUBLISHER_HTML, content_type="text/html")
    )
    await page.goto(url)
    await page.evaluate(
        js_call("startCanvas", profile.width, profile.height, profile.fps, audio, flash_period_ms)
    )
    bitrates = {
        "min": profile.min_bitrate,
        "start": profile.start_bitrate,
        "max": profile.max_bitrate,
    }
    if target.kind == "janus":
        await page.evaluate(js_call("publishJanus", "/janus", target.room, bitrates))
    else:
        await page.evaluate(js_call("publishWhip", target.whip, target.token, bitrates))
    await page.wait_for_function(
        "window.livedesk && window.livedesk.pc.connectionState === 'connected'", timeout=30_000
    )
    return page


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = set(phases) - set(PHASES)
    if unknown:
        raise RuntimeError(f"unknown phases: {', '.join(sorted(unknown))}")
    # This process only: the publisher encodes with PROFILES[resolution].
    profile = PROFILES[args.resolution]
    PROFILES[args.resolution] = replace(
        profile,
        preset=args.preset or profile.preset,
        adapt_preset=profile.adapt_preset and not args.fixed_preset,
    )
    target = await (start_janus(args.janus_url) if args.relay == "janus" else start_embedded())
    profile = PROFILES[args.resolution]
    result: dict[str, Any] = {
        "bench": "latency",
        "relay": args.relay,
        "resolution": f"{profile.width}x{profile.height}@{profile.fps}",
        "preset": profile.preset,
        "preset_adapts": profile.adapt_preset,
        "seconds_per_phase": args.seconds,
        "warmup_s": args.warmup,
        "audio": args.audio,
        "through_program": args.program,
    }
    browser = playwright = None
    try:
        if any(p.startswith("chromium") for p in phases):
            from playwright.async_api import async_playwright

            playwright = await async_playwright().start()
            browser = await playwright.chromium.launch(
                executable_path=args.chromium, args=CHROMIUM_ARGS, headless=True
            )
        encodes = EncodeTimes()
        stop_observing = observe_encodes(encodes)
        ours = OurPublisher(target, args.resolution, args.audio, args.program)
        try:
            if "aiortc" in phases or "chromium" in phases:
                await ours.start()
            if "aiortc" in phases:
                samples = await watch_with_aiortc(target, args)
                result["ours_to_aiortc"] = summarise(samples, encodes, _aiortc_stages(samples))
            if "chromium" in phases:
                samples, extra = await watch_with_chromium(browser, target, args)
                result["ours_to_chromium"] = summarise(samples, encodes, extra)
        finally:
            stop_observing()
            await ours.stop()
            result["our_presets_frames"] = encodes.presets
            if ours.program is not None:
                result["program"] = {
                    "layers": ours.program.layers,
                    "compose_ms": ours.program.cost_ms(),
                }
        if "chromium-publisher" in phases:
            page = await chromium_publishes(browser, target, args.resolution, args.audio)
            try:
                samples, extra = await watch_with_chromium(browser, target, args)
                result["chromium_to_chromium"] = summarise(samples, None, extra)
            finally:
                await page.close()
    finally:
        if browser is not None:
            await browser.close()
        if playwright is not None:
            await playwright.stop()
        await target.stop()
    _verdict(result)
    result["load_average"] = loadavg()
    result["cpus"] = os.cpu_count()
    return result


def _verdict(result: dict[str, Any]) -> None:
    """Ratio to the Chromium anchor and the targets, where the phases ran."""
    ours = result.get("ours_to_chromium", {}).get("glass_to_glass_ms")
    anchor = result.get("chromium_to_chromium", {}).get("glass_to_glass_ms")
    if ours and anchor and anchor["p95"] > 0:
        result["ratio_ours_over_chromium_p95"] = round(ours["p95"] / anchor["p95"], 3)
        result["ratio_ours_over_chromium_median"] = round(ours["median"] / anchor["median"], 3)
    met: dict[str, bool] = {}
    if ours:
        if result["relay"] == "embedded":
            met["p95_le_200ms_to_chromium"] = ours["p95"] <= TARGETS["p95_ms"]
        met["fps_ge_29_to_chromium"] = result["ours_to_chromium"]["delivered_fps"] >= TARGETS["fps"]
    if "ratio_ours_over_chromium_p95" in result:
        met["ratio_le_1"] = result["ratio_ours_over_chromium_p95"] <= TARGETS["ratio"]
    result["targets_met"] = met


def run(args: argparse.Namespace) -> int:
    try:
        result = asyncio.run(measure(args))
    except Exception as exc:  # a bench reports its failure as JSON, in plain words
        return emit_error("latency", f"{type(exc).__name__}: {exc}")
    emit(result)
    return 0
