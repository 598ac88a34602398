"""The live-commerce room on the embedded relay's real viewer page, in headless Chromium at a
390 px phone width: the flash-sale card counts down on the room clock and arms the buy button at
zero (within 100 ms of the hub's zero, measured in the page), stock is live and "sold out" shows
exactly at zero stock, refusals are in plain words; the lottery shows keyword, time left,
commitment and the winners."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest

from app.cli import main as cli_main
from app.danmaku import commands
from app.danmaku.journal import Journal
from app.danmaku.pipeline import Pipeline
from tests.interaction_support import Collector, open_viewer_page, viewer
from tests.waiting import wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def page(relay, browser):
    return open_viewer_page(
        browser,
        relay.info["viewer"],
        "window.LiveDeskDanmaku && window.LiveDeskDanmaku.connected "
        "&& window.LiveDeskRoom && window.LiveDeskRoom.samples.length >= 4",
        viewport={"width": 390, "height": 780},
        locale="zh-CN",
    )


def _sale(sale_id: str, opens_at: int, units: int, **kw: object) -> dict[str, object]:
    return {
        "v": 1,
        "type": "sale",
        "id": sale_id,
        "product_id": "p-" + sale_id,
        "title": "补水面膜 <b>x</b>",
        "price": 99,
        "flash_price": 59.9,
        "units": units,
        "opens_at": opens_at,
        "link": "https://shop.example/p1",
        "per_viewer": 1,
    } | kw


def test_flash_sale_card_arms_at_zero_and_shows_sold_out_exactly(relay, page):
    server, info = relay.server, relay.info
    with Collector(info["interaction_host"], token=server.host_token) as host:
        opens_at = int(time.time() * 1000) + 2500  # the hub's clock is this machine's
        host.client.send(_sale("s1", opens_at, 1))
        page.wait_for_function(
            "document.getElementById('sale-countdown').textContent.includes('距开抢')"
        )
        assert page.text_content("#sale-title") == "补水面膜 <b>x</b>"  # literal text
        assert page.is_disabled("#sale-buy") and page.text_content("#sale-buy") == "即将开抢"
        page.evaluate("window.LiveDeskRoom.buy()")  # pressed before zero, past the disabled button
        page.wait_for_function("window.LiveDeskRoom.notes.includes('sale_not_open')")
        assert page.text_content("#sale-note") == "还没开抢，请等倒计时结束"
        page.wait_for_function("window.LiveDeskRoom.liveAt !== null", timeout=10_000)
        live_at = page.evaluate("window.LiveDeskRoom.liveAt")
        assert 0 <= live_at - opens_at < 100, live_at - opens_at  # zero within 100 ms
        assert page.is_enabled("#sale-buy") and page.get_attribute("#sale-link", "href")
        page.click("#sale-buy")
        page.wait_for_function("document.getElementById('sale-buy').textContent === '已售罄'")
        assert page.is_disabled("#sale-buy")
        wait_for(
            lambda: any(e.get("remaining") == 0 for e in host.events() if e["type"] == "order")
        )

        host.client.send(_sale("s2", int(time.time() * 1000), 5))
        page.wait_for_function("document.getElementById('sale-buy').textContent === '立即抢购'")
        page.click("#sale-buy")
        page.wait_for_function("document.getElementById('sale-stock').textContent === '剩余 4 件'")
        page.click("#sale-buy")
        page.wait_for_function("window.LiveDeskRoom.notes.includes('order_limit')")
        assert page.text_content("#sale-note") == "已达每人限购数量"
        host.client.send(_sale("s2", int(time.time() * 1000), 5, state="cancelled", reason="改价"))
        page.wait_for_function("document.getElementById('sale-buy').textContent === '已取消'")
        assert "改价" in page.text_content("#sale-countdown")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # fits a phone


def test_lottery_card_shows_keyword_commitment_and_winners(relay, page):
    server, info = relay.server, relay.info
    me = page.evaluate("window.LiveDeskDanmaku.user.id")
    lottery = {
        "v": 1,
        "type": "lottery",
        "id": "l1",
        "keyword": "福袋",
        "prize": "面膜一盒",
        "ends_at": int(time.time() * 1000) + 3000,
        "commitment": "ab" * 32,
    }
    with Collector(info["interaction_host"], token=server.host_token) as host:
        host.client.send(lottery)
        page.wait_for_function(
            "document.getElementById('lottery-left').textContent.includes('剩余时间')"
        )
        assert page.text_content("#lottery-keyword") == "「福袋」"
        assert "ab" * 32 in page.text_content("#lottery-commitment")
        page.click("#lottery-send")
        wait_for(lambda: any(e.get("text") == "福袋" for e in host.events()))
        page.wait_for_function(
            "document.getElementById('lottery-left').textContent.includes('截止')", timeout=8000
        )
        host.client.send(lottery | {"winners": [me, "u-other"], "entrant_count": 2, "seed": "00"})
        page.wait_for_function("document.querySelectorAll('#lottery-winners li').length === 2")
        assert "你中奖了" in page.text_content("#lottery-note")
        # The like button: hearts at once, the likes reach the hub batched.
        for _ in range(3):
            page.click("#room-like")
        assert page.eval_on_selector_all(".heart", "els => els.length") >= 3
        wait_for(lambda: sum(e.get("count", 0) for e in host.events() if e["type"] == "like") == 3)
        page.wait_for_function(
            "document.getElementById('room-viewers').textContent.includes('人在看')"
        )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_lottery_live_count_and_a_result_file_that_verifies(relay, page, tmp_path):
    """The console's real pipeline runs the lottery over the relay's hub: the page shows the
    exact entrant count while entries are open (at most every 500 ms), and after the draw a
    link to the result file the hub serves; that file passes `livedesk lottery verify`."""
    server, info = relay.server, relay.info
    with Collector(info["interaction_host"], token=server.host_token) as host:
        journal = Journal(tmp_path / "show.sqlite")
        pipeline = Pipeline(journal, send=host.client.send, results_dir=tmp_path)
        fed = [0]

        def feed() -> None:
            frames = list(host.frames)
            pipeline.process(frames[fed[0] :])
            fed[0] = len(frames)
            pipeline.tick()

        pipeline.apply(commands.LotteryStart("l-live", "福袋", 4000, 1, "面膜一盒"))
        page.wait_for_function("document.getElementById('lottery-keyword').textContent")
        assert not page.is_visible("#lottery-result")  # no result file before the draw
        others = [viewer(info["interaction"])[0] for _ in range(2)]
        page.click("#lottery-send")
        for ws in others:
            ws.send(json.dumps({"v": 1, "type": "danmaku", "text": "福 袋"}))
            ws.send(json.dumps({"v": 1, "type": "danmaku", "text": "福袋！"}))  # a repeat

        def counted() -> bool:
            feed()
            return "参与人数: 3" in page.text_content("#lottery-left")

        wait_for(counted, timeout=10)
        assert "剩余时间" in page.text_content("#lottery-left")
        lottery = pipeline.lottery
        assert lottery is not None
        wait_for(lambda: pipeline.room_now() > lottery.rules.end_ms + 1100, timeout=10)
        feed()
        pipeline.apply(commands.LotteryDraw("l-live"))
        page.wait_for_function("!document.getElementById('lottery-result').hidden")
        assert page.is_visible("#lottery-result")
        counts = [e for e in host.events() if e["type"] == "lottery" and "winners" not in e]
        span_ms = counts[-1]["ts"] - counts[0]["ts"]
        assert len(counts) <= span_ms / 500 + 2  # throttled (the start has no count)
        href = page.get_attribute("#lottery-result", "href")
        assert href == info["viewer"].rstrip("/") + "/lottery/l-live.json"
        with urllib.request.urlopen(href, timeout=5) as response:
            served = json.loads(response.read())
        assert served == json.loads((tmp_path / "lottery-l-live.json").read_text("utf-8"))
        assert served["entrant_count"] == 3
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(href.replace("l-live", "l-none"), timeout=5)
        assert missing.value.code == 404
        downloaded = tmp_path / "downloaded.json"
        downloaded.write_text(json.dumps(served, ensure_ascii=False), "utf-8")
        entries = tmp_path / "events.jsonl"
        entries.write_text("\n".join(host.frames), "utf-8")
        assert cli_main(["lottery", "verify", str(downloaded), "--entries", str(entries)]) == 0
        served["winners"] = [{"id": "someone-else", "name": "x"}]
        downloaded.write_text(json.dumps(served), "utf-8")
        assert cli_main(["lottery", "verify", str(downloaded)]) == 1
        for ws in others:
            ws.close()
        journal.close(ended=True)
