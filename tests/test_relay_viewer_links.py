"""A picture per viewer, through real links: our publisher (720p, adaptive, with a fixed 360p
rendition) and the embedded relay here, two headless Chromium viewers of the same show — one
unconstrained here, one in the netlab's other namespace behind the userspace bottleneck
(streaming/netlab, impairing what that namespace receives). What each decodes is read from
Chromium's own getStats()."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from golive_support import TOKEN

from app.bench.chromium import CHROMIUM, CHROMIUM_ARGS, chromium_in
from app.cli.publish import read_stats_samples
from streaming.loop_thread import LoopThread
from streaming.netlab.namespaces import ImpairedPath, available
from streaming.netlab.profile import Profile, Step
from streaming.relay.server import RelayServer

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(available() is not None, reason=str(available())),
]

LOW_S = 20.0  # the constrained viewer's link carries 500 kbps this long, then 6 Mbps
AFTER_S = 25.0  # watched after the recovery
#: The constrained viewer is back on 720p within this of the recovery: its controller needs 2 s
#: of clean reports before its fast ramp (40 %/s) takes the padded link from the ~0.25 Mbps it
#: measured behind 500 kbps to the 4 Mbps 720p may need (1.15 × 3.5 Mbps: ln 16 / ln 1.4 ≈ 8 s),
#: the ladder 2 s above that, then a keyframe: ≈ 12–13 s; measured 12.3–14.5 s (four runs).
MOVE_UP_WITHIN_S = 20.0

VIDEO_STATS = """async () => {
  let out = null;
  (await window.livedesk.pc.getStats()).forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video") out = {
      width: s.frameWidth || 0, height: s.frameHeight || 0, fps: s.framesPerSecond || 0,
      decoded: s.framesDecoded || 0, freezes: s.freezeCount || 0,
      frozen_s: s.totalFreezesDuration || 0 };
  });
  return out;
}"""


def _open_viewer(browser: Any, url: str) -> Any:
    page = browser.new_page()
    page.goto(url)
    page.wait_for_function("window.livedesk && window.livedesk.state === 'playing'", timeout=60_000)
    return page


def _watch(pages: dict[str, Any], start: float, seconds: float) -> list[dict[str, Any]]:
    """Each viewer's video figures every 0.5 s, `t` from `start` (time.time())."""
    rows = []
    while time.time() < start + seconds:
        row: dict[str, Any] = {"t": round(time.time() - start, 1)}
        for name, page in pages.items():
            row[name] = page.evaluate(VIDEO_STATS)
        rows.append(row)
        time.sleep(0.5)
    return rows


def _summary(rows: list[dict[str, Any]], who: str, since: float, until: float) -> dict[str, Any]:
    part = [r[who] for r in rows if since <= r["t"] < until and r[who]]
    return {
        "heights": sorted({p["height"] for p in part}),
        "fps_median": sorted(p["fps"] for p in part)[len(part) // 2] if part else 0,
        "freezes": part[-1]["freezes"] - part[0]["freezes"] if part else None,
        "frozen_s": round(part[-1]["frozen_s"] - part[0]["frozen_s"], 2) if part else None,
    }


def test_each_viewer_gets_what_its_own_link_carries(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    path = ImpairedPath().up()
    thread = LoopThread("renditions-relay")
    server = RelayServer(path.relay_ip, 0, TOKEN)
    info = thread.run(server.start())
    stats = tmp_path / "stats.json"
    profile = Profile("viewer", (Step(0, 500), Step(LOW_S, 6000), Step(LOW_S + AFTER_S, 6000)))
    path.impair(profile, hold=True, down=True)
    command = [sys.executable, "-m", "app", "publish", "--whip", info["whip"], "--token-file", "-"]
    command += ["--resolution", "720p", "--renditions", "360p", "--no-voice-chain"]
    command += ["--duration", "200", "--stats-json", str(stats)]
    publisher = subprocess.Popen(command, stdin=subprocess.PIPE, text=True)
    try:
        assert publisher.stdin is not None
        publisher.stdin.write(TOKEN + "\n")
        publisher.stdin.close()
        deadline = time.time() + 60
        while len([s for s in read_stats_samples(stats) if s["fps"] > 5]) < 3:
            assert time.time() < deadline and publisher.poll() is None, read_stats_samples(stats)[
                -3:
            ]
            time.sleep(0.5)
        with sync_playwright() as pw:
            free = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            slow = pw.chromium.launch(
                executable_path=chromium_in(path.pub, tmp_path), args=CHROMIUM_ARGS
            )
            pages = {"free": _open_viewer(free, info["viewer"])}
            pages["slow"] = _open_viewer(slow, info["viewer"])
            time.sleep(8.0)  # the slow viewer has come down to what its link carries
            start = path.restart_clock()
            rows = _watch(pages, start, LOW_S + AFTER_S)
            free.close()
            slow.close()
        fanout = server.relay.fanout
        sent = read_stats_samples(stats)[-1]
    finally:
        if publisher.poll() is None:
            publisher.kill()
        path.clear()
        thread.run(server.stop(), timeout=10)
        thread.stop()
        path.down()
    up = next(
        (r["t"] for r in rows if r["t"] >= LOW_S and r["slow"] and r["slow"]["height"] == 720),
        None,
    )
    report = {
        "constrained": {w: _summary(rows, w, 0, LOW_S) for w in ("free", "slow")},
        "recovered": {w: _summary(rows, w, LOW_S, LOW_S + AFTER_S) for w in ("free", "slow")},
        "moved_up_after_s": None if up is None else round(up - LOW_S, 1),
        "keyframe_requests": fanout.keyframe_requests,
        "publisher": {k: sent[k] for k in ("video_kbps", "extra_video_kbps", "rendition")},
    }
    print(json.dumps(report))
    trace = [
        (r["t"], (r["slow"] or {}).get("height"), (r["free"] or {}).get("height")) for r in rows
    ]
    low, free_low = report["constrained"]["slow"], report["constrained"]["free"]
    assert low["heights"] == [360], trace  # the link carries 360p, and it gets 360p
    assert free_low["heights"] == [720], trace  # the other gets the best
    assert free_low["freezes"] == 0, report  # and the slow one never froze it
    assert free_low["fps_median"] >= 20, report
    assert up is not None and up - LOW_S <= MOVE_UP_WITHIN_S, trace
    stays = [r["slow"]["height"] for r in rows if r["t"] >= up + 1 and r["slow"]]
    assert set(stays) == {720}, trace  # up for good: no flapping back
    assert report["recovered"]["free"]["freezes"] == 0, report
