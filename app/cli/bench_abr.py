"""`livedesk bench abr`: adaptive bitrate through a real impaired link, watched by Chromium.

The publisher runs in a network namespace of its own; the embedded relay (`livedesk relay`) and
a headless Chromium viewer (the relay's viewer page) run here; between them the userspace
impairment stage of `streaming/netlab` applies each profile (bandwidth steps, loss) to what the
publisher sends. For every profile, two publishers in turn over the same path: ours
(`livedesk publish`, the stamped test pattern) and the anchor, Chromium publishing a stamped
canvas with its own encoder and congestion control (its default bitrate range). The viewer reads
each presented frame's capture stamp, so latency, frame rate, freezes and resolution are what a
viewer saw. Profiles (time 0 = the change; `warmup` seconds before it at the first step's rate):

  drop_1.5   6 → 1.5 Mbps      drop_0.3   6 → 0.3 Mbps
  recovery   0.3 → 6 Mbps      loss_10    10 % random loss at 6 Mbps

Per publisher and profile: time to adapt (from the change until latency stays under 250 ms for
3 s), frozen time (gaps over 250 ms between presented frames) after the change and the longest
freeze, delivered bitrate as a fraction of the link, fps, latency p50/p95, and the picture height
over time; `ratio` divides ours by Chromium's.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.bench.measure import percentile
from app.frozen import module_command

LATENCY_OK_MS = 250.0
_NO_PRIVATE_NETWORK_CHECKS = (
    "BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,"
    "PrivateNetworkAccessRespectPreflightResults,LocalNetworkAccessChecks"
)
FREEZE_S = 0.25
TARGETS = {
    "adapt_s": 2.0,
    "frozen_s": 1.0,
    "loss_fps": 25.0,
    "loss_freeze_s": 0.5,
    "bitrate": 0.8,
    "recovery_s": 10.0,
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "abr",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--profiles",
        default="drop_1.5,drop_0.3,recovery,loss_10",
        help="comma-separated profiles (default all four)",
    )
    parser.add_argument(
        "--publishers",
        default="ours,chromium",
        help="comma-separated: ours, chromium (the anchor); default both",
    )
    parser.add_argument(
        "--resolution",
        default="720p",
        choices=("1080p", "720p", "540p", "360p"),
        help="picture size published (default 720p: two Chromiums and x264 share 2 cores here)",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=30.0,
        help="seconds before the change (default 30: Chromium needs ~30 s to reach full rate)",
    )
    parser.set_defaults(handler=run)


# ---- the pieces --------------------------------------------------------------------------


class Relay:
    """`livedesk relay` on the impaired path's address, as a host would run it."""

    def __init__(self, host: str) -> None:
        self.token = secrets.token_urlsafe(16)
        env = {**os.environ, "LIVEDESK_RELAY_TOKEN": self.token}
        self.process = subprocess.Popen(
            [*module_command("app"), "relay", "--host", host, "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        self.info = json.loads(self.process.stdout.readline())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


async def _watch(browser: Any, relay: Relay) -> Any:
    from app.bench.latency_probe import VIEWER_PROBE_JS

    page = await browser.new_page()
    await page.goto(relay.info["viewer"])
    await page.wait_for_function(
        "document.querySelector('video') && document.querySelector('video').readyState >= 2",
        timeout=40_000,
    )
    await page.add_script_tag(content=VIEWER_PROBE_JS)
    return page


async def _publish_ours(
    path: Any, relay: Relay, resolution: str, seconds: float, stats: Path
) -> Any:
    command = [*path.exec_args(), *module_command("app"), "publish"]
    command += ["--whip", relay.info["whip"], "--token-file", "-", "--video", "stamped"]
    command += ["--resolution", resolution, "--no-voice-chain", "--duration", str(seconds)]
    command += ["--stats-json", str(stats)]
    process = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert process.stdin is not None
    process.stdin.write((relay.token + "\n").encode())
    await process.stdin.drain()
    process.stdin.close()
    return process


async def _publish_chromium(browser: Any, relay: Relay, resolution: str) -> Any:
    from app.bench.latency_probe import CHROMIUM_PUBLISHER_HTML, js_call
    from streaming.h264 import PROFILES

    profile = PROFILES[resolution]
    page = await browser.new_page()
    parts = urlsplit(relay.info["viewer"])
    origin = f"{parts.scheme}://{parts.netloc}"  # same origin as the WHIP endpoint
    url = f"{origin}/livedesk-bench/publisher.html"
    await page.route(
        url, lambda route: route.fulfill(body=CHROMIUM_PUBLISHER_HTML, content_type="text/html")
    )
    await page.goto(url)
    await page.evaluate(js_call("startCanvas", profile.width, profile.height, profile.fps, True))
    # Chromium's own range and behaviour: the anchor is a browser as it comes.
    bitrates = {"min": 30_000, "start": 300_000, "max": profile.max_bitrate}
    await page.evaluate(js_call("publishWhip", relay.info["whip"], relay.token, bitrates))
    await page.evaluate(
        """async () => { for (const s of window.livedesk.pc.getSenders()) {
             if (!s.track || s.track.kind !== 'video') continue;
             const p = s.getParameters(); p.degradationPreference = 'balanced';
             await s.setParameters(p); } }"""
    )
    return page


# ---- one run -----------------------------------------------------------------------------


async def _run_one(
    who: str, name: str, args: argparse.Namespace, path: Any, browsers: dict[str, Any]
) -> dict[str, Any]:
    from streaming.netlab.profile import PROFILES, Profile, Step

    base = PROFILES[name]
    shift = args.warmup - base.steps[1].at_s  # the change comes after the warm-up
    later = [Step(**{**st.to_dict(), "at_s": st.at_s + shift}) for st in base.steps[1:]]
    shifted = Profile(name, (Step(**{**base.steps[0].to_dict(), "at_s": 0.0}), *later))
    change_at = args.warmup
    end_at = shifted.duration_s
    relay = Relay(path.relay_ip)
    folder = Path(tempfile.mkdtemp(prefix="ld-abr-"))
    status, stats = folder / "link.json", folder / "publisher.json"
    path.impair(shifted, status)
    started = time.time()
    publisher: Any = None
    viewer: Any = None
    link: list[tuple[float, int]] = []
    try:
        if who == "ours":
            publisher = await _publish_ours(path, relay, args.resolution, end_at + 5, stats)
        else:
            publisher = await _publish_chromium(browsers["publisher"], relay, args.resolution)
        viewer = await _watch(browsers["viewer"], relay)
        while time.time() - started < end_at:
            await asyncio.sleep(1.0)
            try:
                figures = json.loads(status.read_text())
                link.append((time.time() - started, int(figures["bytes"])))
            except (OSError, ValueError):
                pass
        rows = await viewer.evaluate("window.__latency")
    finally:
        if viewer is not None:
            await viewer.close()
        if who == "ours" and publisher is not None:
            if publisher.returncode is None:
                publisher.terminate()
            await publisher.wait()
        elif publisher is not None:
            await publisher.close()
        path.clear()
        relay.stop()
    figures = summarise(rows, started, change_at, end_at, shifted, link)
    if who == "ours" and "error" not in figures:
        from app.cli.publish import read_stats_samples
        from streaming.abr.ladder import LADDER
        from streaming.h264 import PROFILES as VIDEO

        video = VIDEO[args.resolution]
        top = next(rung.name for rung in LADDER if rung.height <= video.height)
        figures["full_quality_s"] = full_quality_time(
            read_stats_samples(stats), started + change_at, started + end_at, top, video.max_bitrate
        )
    return figures


def full_quality_time(
    samples: list[dict[str, Any]], change_at: float, end_at: float, top: str, top_bps: int
) -> float | None:
    """Seconds from the change (wall clock) until the publisher is at full quality for good —
    rung `top` at 95 % of the resolution's highest bitrate to the end of the run — or None.
    The issue's recovery target is "≥ 80 % of the link, or full quality": at 720p the stream
    tops out at 3.5 Mbps, so on a 6 Mbps link full quality is the one that can be reached."""
    after = [s for s in samples if change_at <= s["wall_s"] <= end_at]
    full = [s["rendition"] == top and s["target_kbps"] * 1000 >= 0.95 * top_bps for s in after]
    if not full or not full[-1]:
        return None
    first = len(full) - 1
    while first > 0 and full[first - 1]:
        first -= 1
    return round(after[first]["wall_s"] - change_at, 2)


def summarise(
    rows: list[list[Any]],
    started: float,
    change_at: float,
    end_at: float,
    profile: Any,
    link: list[tuple[float, int]],
) -> dict[str, Any]:
    """The viewer's frames (and the link's counters) as the bench's figures."""
    from app.bench.latency_probe import page_samples

    samples = page_samples(rows)
    origin_ms = started * 1000
    frames = sorted(((s.shown - origin_ms) / 1000, s.shown - s.captured, s.height) for s in samples)
    after = [f for f in frames if change_at <= f[0] <= end_at]
    before = [f for f in frames if change_at - 5 <= f[0] < change_at]
    out: dict[str, Any] = {"frames": len(after)}
    if before:  # the steady state just before the change, for reference
        out["before"] = {
            "fps": round(len(before) / 5, 1),
            "latency_p50_ms": round(percentile([f[1] for f in before], 50)),
            "height": before[-1][2],
        }
    if len(after) < 2:
        return out | {"error": "the viewer saw (almost) nothing after the change"}
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(after)]
    # frames missing from the first one after the change count too
    gaps.insert(0, after[0][0] - change_at)
    freezes = [g for g in gaps if g > FREEZE_S]
    latencies = [f[1] for f in after]
    out["frozen_s"] = round(sum(freezes), 2)
    out["longest_freeze_s"] = round(max(freezes, default=0.0), 2)
    out["fps"] = round(len(after) / (end_at - change_at), 1)
    out["latency_ms"] = {
        "p50": round(percentile(latencies, 50)),
        "p95": round(percentile(latencies, 95)),
    }
    out["adapt_s"] = _adapt_time(after, change_at, end_at)
    out["delivered_of_link"] = _delivered(link, profile, change_at + 3, end_at)
    heights: list[list[float]] = []
    for t, _, height in after:
        if not heights or heights[-1][1] != height:
            heights.append([round(t - change_at, 1), height])
    out["height_over_time"] = heights[:30]
    return out


def _adapt_time(frames: list[tuple[float, float, int]], change_at: float, end: float) -> float:
    """Seconds from the change until latency stays under LATENCY_OK_MS for 3 s (frames
    keeping coming); the whole run if it never does."""
    for i, (t, latency, _) in enumerate(frames):
        if latency >= LATENCY_OK_MS:
            continue
        window = [f for f in frames[i:] if f[0] <= t + 3.0]
        if window[-1][0] >= min(t + 2.8, end - 0.2) and all(f[1] < LATENCY_OK_MS for f in window):
            return round(max(0.0, t - change_at), 2)
    return round(end - change_at, 2)


def _delivered(link: list[tuple[float, int]], profile: Any, start: float, end: float) -> float:
    """Bytes the link carried over [start, end] as a fraction of its capacity then."""
    inside = [(t, b) for t, b in link if start <= t <= end]
    if len(inside) < 2:
        return 0.0
    (t0, b0), (t1, b1) = inside[0], inside[-1]
    capacity = profile.at(t1).rate_kbps * 1000 * (t1 - t0)
    return round((b1 - b0) * 8 / capacity, 3) if capacity > 0 else 0.0


def _ratios(ours: dict[str, Any], anchor: dict[str, Any]) -> dict[str, float | None]:
    def ratio(key: str) -> float | None:
        a, b = ours.get(key), anchor.get(key)
        return (
            round(a / b, 3)
            if isinstance(a, int | float) and isinstance(b, int | float) and b
            else None
        )

    return {k: ratio(k) for k in ("delivered_of_link", "fps", "frozen_s", "adapt_s")}


def _targets(name: str, ours: dict[str, Any], ratio: dict[str, Any]) -> dict[str, bool]:
    met: dict[str, bool] = {}
    if "error" in ours:
        return met
    if name.startswith("drop"):
        met["adapt_le_2s"] = ours["adapt_s"] <= TARGETS["adapt_s"]
        met["frozen_le_1s"] = ours["frozen_s"] <= TARGETS["frozen_s"]
    if name == "recovery":
        full_s = ours.get("full_quality_s")
        met["0.8_of_link_or_full_quality_in_10s"] = ours["delivered_of_link"] >= 0.8 or (
            full_s is not None and full_s <= TARGETS["recovery_s"]
        )
    if name == "loss_10":
        met["fps_ge_25"] = ours["fps"] >= TARGETS["loss_fps"]
        met["no_freeze_over_0.5s"] = ours["longest_freeze_s"] <= TARGETS["loss_freeze_s"]
    if ratio.get("delivered_of_link") is not None:
        met["bitrate_ge_0.8_of_chromium"] = ratio["delivered_of_link"] >= TARGETS["bitrate"]
    return met


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    from app.bench.chromium import chromium_in
    from app.bench.latency_probe import CHROMIUM_ARGS
    from streaming.netlab.namespaces import ImpairedPath
    from streaming.netlab.profile import PROFILES

    names = [p.strip() for p in args.profiles.split(",") if p.strip()]
    unknown = set(names) - set(PROFILES)
    if unknown:
        raise ValueError(f"unknown profiles: {', '.join(sorted(unknown))}")
    who = [p.strip() for p in args.publishers.split(",") if p.strip()]
    path = ImpairedPath().up()
    folder = Path(tempfile.mkdtemp(prefix="ld-abr-"))
    result: dict[str, Any] = {"bench": "abr", "resolution": args.resolution, "profiles": {}}
    try:
        async with async_playwright() as pw:
            chromium = shutil.which("chromium") or "/usr/bin/chromium"
            browsers = {
                "viewer": await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS),
            }
            if "chromium" in who:
                browsers["publisher"] = await pw.chromium.launch(
                    executable_path=chromium_in(path.pub, folder),
                    # the bench page is served by Playwright, so Chromium counts it as a
                    # public page and would block its requests to the relay's 10.x address
                    args=[*CHROMIUM_ARGS, "--disable-features=" + _NO_PRIVATE_NETWORK_CHECKS],
                )
            for name in names:
                runs = {w: await _run_one(w, name, args, path, browsers) for w in who}
                entry: dict[str, Any] = dict(runs)
                if "ours" in runs and "chromium" in runs:
                    entry["ratio"] = _ratios(runs["ours"], runs["chromium"])
                entry["targets_met"] = _targets(name, runs.get("ours", {}), entry.get("ratio", {}))
                result["profiles"][name] = entry
            for browser in browsers.values():
                await browser.close()
    finally:
        path.down()
        shutil.rmtree(folder, ignore_errors=True)
    return result


def run(args: argparse.Namespace) -> int:
    try:
        result = asyncio.run(measure(args))
    except Exception as exc:  # a bench reports its failure as JSON, in plain words
        print(json.dumps({"bench": "abr", "error": f"{type(exc).__name__}: {exc}"}))
        return 1
    print(json.dumps(result, indent=1))
    return 0
