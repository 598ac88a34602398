"""The danmaku box on the embedded relay's real viewer page, in a real headless Chromium:
send, see others' danmaku scroll over the video, see the host's pin and announcement — all as
plain text — and the hub's plain-words errors."""

from __future__ import annotations

import json

import pytest

from tests.interaction_support import Collector, open_viewer_page, viewer
from tests.waiting import wait_for

pytestmark = pytest.mark.slow

INJECTION = '<img src=x onerror="window.pwned=1">看<b>这里</b>'


@pytest.fixture
def page(relay, browser):
    return open_viewer_page(
        browser,
        relay.info["viewer"],
        "window.LiveDeskDanmaku && window.LiveDeskDanmaku.connected && window.LiveDeskDanmaku.user",
    )


def _overlay_texts(page) -> list[str]:
    return page.eval_on_selector_all("#danmaku .dm", "els => els.map(e => e.textContent)")


def test_sending_from_the_page_reaches_the_host_as_plain_text(relay, page):
    server, info = relay.server, relay.info
    with Collector(info["interaction_host"], token=server.host_token) as host:
        page.fill("#dm-input", INJECTION)
        page.press("#dm-input", "Enter")
        wait_for(lambda: any(e["type"] == "danmaku" for e in host.events()))
        event = next(e for e in host.events() if e["type"] == "danmaku")
        assert event["text"] == INJECTION
        assert event["user"] == page.evaluate("window.LiveDeskDanmaku.user")
        assert isinstance(event["sent_at"], int)
    assert INJECTION in _overlay_texts(page)  # shown at once, literally
    assert page.eval_on_selector_all("#danmaku img, #danmaku b", "els => els.length") == 0
    assert page.evaluate("document.getElementById('dm-input').value") == ""


def test_others_danmaku_scroll_over_the_video_literally(relay, page):
    info = relay.info
    ws, _ = viewer(info["interaction"])
    ws.send(json.dumps({"v": 1, "type": "danmaku", "text": INJECTION + "\u202e反转"}))
    ws.send(json.dumps({"v": 1, "type": "danmaku", "text": "158 100斤穿什么码"}))
    page.wait_for_function("window.LiveDeskDanmaku.shown >= 2", timeout=10_000)
    texts = _overlay_texts(page)
    assert INJECTION + "反转" in texts and "158 100斤穿什么码" in texts  # bidi override removed
    assert page.evaluate("window.pwned === undefined")
    assert page.eval_on_selector_all("#danmaku img", "els => els.length") == 0
    overlay = page.eval_on_selector("#danmaku", "e => e.parentElement.id")
    assert overlay == "stage"  # the lines are over the video
    ws.close()


def test_pin_and_announcement_from_the_host_are_shown(relay, page):
    server, info = relay.server, relay.info
    with Collector(info["interaction_host"], token=server.host_token) as host:
        host.client.send({"v": 1, "type": "pin", "question_id": "q7", "text": "能用花呗吗<script>"})
        host.client.send({"v": 1, "type": "announcement", "text": "今晚八点秒杀"})
        page.wait_for_function(
            "document.getElementById('dm-announcement')?.textContent === '今晚八点秒杀'",
            timeout=10_000,
        )
        assert page.text_content("#dm-pin-text") == "能用花呗吗<script>"
        assert page.text_content("#dm-pin-label") == "Pinned by the host"
        host.client.send({"v": 1, "type": "pin", "question_id": "q7", "text": None})
        page.wait_for_function(
            "document.getElementById('dm-pin')?.textContent === ''", timeout=10_000
        )


def test_a_late_joiner_sees_the_pin_and_the_rate_limit_is_explained(relay, page):
    server, info = relay.server, relay.info
    with Collector(info["interaction_host"], token=server.host_token) as host:
        host.client.send({"v": 1, "type": "pin", "question_id": "q1", "text": "158 100斤穿M"})
        wait_for(lambda: any(e["type"] == "pin" for e in host.events()))
    page.reload(wait_until="domcontentloaded")
    page.wait_for_function(
        "document.getElementById('dm-pin-text')?.textContent === '158 100斤穿M'", timeout=20_000
    )
    page.evaluate("""() => {  // 30 sends at once through the form: over the burst of 10
      const form = document.getElementById("dm-form"), input = document.getElementById("dm-input");
      for (let k = 0; k < 30; k++) { input.value = "刷屏 " + k; form.requestSubmit(); }
    }""")
    page.wait_for_function("window.LiveDeskDanmaku.errors.includes('rate_limited')", timeout=10_000)
    assert "slow down" in page.text_content("#dm-note")
