"""A readable room on the real viewer page, in headless Chromium, with a running rehearsal
audience of 50 viewers at 200 msg/s: danmaku in lanes that never overlap and cross the whole
screen (sampled to what fits, never piled up or cut short), questions and the host's pin shown
apart from chatter, and the bottom bar with Send on screen from a 360 px phone to a 1920 px
desktop. Screenshots go to $LIVEDESK_SCREENSHOTS (or the test's temporary directory)."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.bench.audience import load_corpus, run_viewers
from streaming.interaction.hub import HubLimits
from streaming.loop_thread import LoopThread
from streaming.relay.server import RelayServer
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.interaction_support import Collector

pytestmark = pytest.mark.slow

TOKEN = "viewer-room-token"
RATE = 200
VIEWERS = 50

# Lines in one lane, as the page draws them: overlapping boxes mean unreadable text.
_LANE_OVERLAPS = """() => {
  const lanes = {};
  for (const el of document.querySelectorAll('#danmaku .dm')) {
    const r = el.getBoundingClientRect();
    if (r.right <= 1) continue;  // crossed and off screen, removed at its animation's end
    (lanes[el.dataset.lane] = lanes[el.dataset.lane] || []).push(
      [r.left, r.right, el.textContent, el.offsetWidth]);
  }
  const overlaps = [];
  for (const boxes of Object.values(lanes)) {
    boxes.sort((a, b) => a[0] - b[0]);
    for (let k = 1; k < boxes.length; k++) {
      if (boxes[k][0] < boxes[k - 1][1] - 1) overlaps.push([boxes[k - 1], boxes[k]]);
    }
  }
  return overlaps;
}"""


@pytest.fixture
def busy_relay() -> Iterator[tuple[RelayServer, dict[str, Any]]]:
    thread = LoopThread("test-relay-room")
    limits = HubLimits(viewer_rate=20, viewer_burst=40).for_load_test()
    server = RelayServer("127.0.0.1", 0, TOKEN, hub_limits=limits)
    info = thread.run(server.start())
    yield server, info
    thread.run(server.stop(), timeout=10)
    thread.stop()


def _audience(url: str, seconds: float) -> threading.Thread:
    corpus = load_corpus()
    thread = threading.Thread(
        target=lambda: asyncio.run(run_viewers(url, VIEWERS, RATE, seconds, corpus, seed=7)),
        daemon=True,
    )
    thread.start()
    return thread


def _shots() -> Path | None:
    folder = os.environ.get("LIVEDESK_SCREENSHOTS")
    return Path(folder) if folder else None


@pytest.mark.parametrize(("width", "height"), [(360, 740), (390, 844), (1366, 768), (1920, 1080)])
def test_the_room_stays_readable_at_200_messages_a_second(
    busy_relay: tuple[RelayServer, dict[str, Any]], width: int, height: int, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    server, info = busy_relay
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(info["viewer"], wait_until="domcontentloaded")
        page.wait_for_function(
            "window.LiveDeskDanmaku && window.LiveDeskDanmaku.connected", timeout=20_000
        )
        with Collector(info["interaction_host"], token=server.host_token) as host:
            host.client.send(
                {"v": 1, "type": "pin", "question_id": "q3", "text": "3号链接今晚包邮"}
            )
            audience = _audience(info["interaction"], 14.0)
            page.wait_for_function("window.LiveDeskDanmaku.shown > 10", timeout=20_000)
            time.sleep(8.0)  # well past one crossing: lanes have been full for a while
            samples = []
            for _ in range(6):
                samples.append(
                    page.evaluate(
                        f"""() => {{ const s = window.LiveDeskDanmaku;
                        return {{ overlaps: ({_LANE_OVERLAPS})(), waiting: s.waiting,
                                  lanes: s.lanes, onScreen: s.onScreen,
                                  questions: document.querySelectorAll('#danmaku .dm.q').length,
                                  pace: s.pace, started: s.shown,
                                  lifetimes: s.lifetimes.slice(), dropped: s.dropped,
                                  shown: s.shown, speed: s.speed }}; }}"""
                    )
                )
                time.sleep(0.5)
            folder = _shots() or tmp_path
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"viewer-room-{width}x{height}.png"))
            geometry = page.evaluate(
                """() => {
                  const box = (id) => document.getElementById(id).getBoundingClientRect().toJSON();
                  const lines = [...document.querySelectorAll('#danmaku .dm')]
                    .map((e) => e.getBoundingClientRect().toJSON());
                  return { send: box('dm-send'), input: box('dm-input'), pin: box('dm-pin'),
                           lines: lines, scrollWidth: document.documentElement.scrollWidth,
                           pinText: document.getElementById('dm-pin-text').textContent,
                           pinColor: getComputedStyle(document.getElementById('dm-pin'))
                             .borderLeftColor };
                }"""
            )
            audience.join(30)
        browser.close()

    last = samples[-1]
    assert last["lanes"] >= 5
    assert all(not s["overlaps"] for s in samples), [s["overlaps"] for s in samples]
    assert all(s["waiting"] <= 40 for s in samples)
    assert max(s["onScreen"] for s in samples) >= last["lanes"]  # the lanes are in use
    assert last["dropped"] > 0  # 200 msg/s is more than fits: sampled, not piled up
    assert any(s["questions"] for s in samples)  # questions stand out from chatter…
    assert all(s["questions"] <= 0.5 * s["onScreen"] for s in samples)  # …without crowding it
    assert last["lanes"] <= 12
    # Lines start at a reader's pace however fast the room talks (2 s of samples, 1 s slack).
    assert samples[-1]["started"] - samples[0]["started"] <= last["pace"] * 3.5
    lifetimes = last["lifetimes"]
    assert len(lifetimes) >= 20
    # Every line that started crossed the whole screen, at a readable pace.
    assert min(t["ms"] / t["planned"] for t in lifetimes) > 0.95
    assert min(t["planned"] for t in lifetimes) >= 3500
    assert last["speed"] <= max(90, width / 7) + 1
    # The bar fits: Send and a usable input on screen, no sideways scrolling.
    send, entry = geometry["send"], geometry["input"]
    assert send["right"] <= width and send["bottom"] <= height and send["width"] > 30
    assert entry["width"] >= 150
    assert geometry["scrollWidth"] <= width
    # The pin is its own card, below the lanes: no scrolling line crosses it.
    assert geometry["pinText"] == "3号链接今晚包邮"
    assert geometry["pinColor"] == "rgb(255, 183, 3)"
    pin = geometry["pin"]
    assert pin["height"] > 0
    assert not any(
        line["bottom"] > pin["top"] and line["top"] < pin["bottom"] for line in geometry["lines"]
    )
