"""The live keyword lottery and flash sales in the audience pipeline.

End to end: a real hub, real viewers, the console's audience child process killed -9 mid-lottery
and resumed from its journal: every entry survives, the commitment is the one viewers saw at the
start, the draw writes a result file that `verify` accepts against the journal's events.
In-process: sale stock from the hub's orders, and bad commands answered in plain words.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from app.danmaku.journal import Journal, JournalReader
from app.danmaku.pipeline import Pipeline
from app.lottery import result
from app.lottery.draw import commitment
from streaming.interaction.hub import HubLimits
from streaming.interaction.serve import HubServer
from tests.interaction_support import TOKEN, recv_until, viewer
from tests.waiting import wait_for

VIEWERS = 24


@pytest.fixture
def hub():
    with HubServer(
        TOKEN, HubLimits(viewer_rate=100_000, viewer_burst=100_000).for_load_test()
    ) as server:
        yield server


def _journal_events(path: Path) -> list[dict[str, Any]]:
    """The journal's events in the protocol's own format (what `lottery draw --entries` reads)."""
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT seq, ts, type, user_id, user_name, text FROM events ORDER BY seq")
        return [
            {"seq": s, "ts": ts, "type": t, "user": {"id": u, "name": n}, "text": x}
            for s, ts, t, u, n, x in rows
        ]


def _entries(path: Path) -> int:
    try:
        with sqlite3.connect(path) as db:
            return int(
                db.execute("SELECT count(*) FROM events WHERE text LIKE '%抽%奖%'").fetchone()[0]
            )
    except sqlite3.OperationalError:
        return 0


def test_kill_9_mid_lottery_resumes_with_every_entry_and_the_same_commitment(
    hub: HubServer,
) -> None:
    from app.danmaku.process import AudienceProcess

    watcher, _ = viewer(hub.viewer_url)
    senders = [viewer(hub.viewer_url) for _ in range(VIEWERS + 1)]
    first = AudienceProcess()
    first.connect(hub.host_url, TOKEN)
    first.command(
        "lottery_start", lottery_id="l1", keyword="抽奖", window_ms=9000, winners=3, prize="面膜"
    )
    opened = recv_until(watcher, lambda m: m["type"] == "lottery", timeout=15)
    assert "winners" not in opened and len(opened["commitment"]) == 64
    # Half the viewers enter (some twice, some in full-width or with spaces) before the kill.
    variants = ["抽奖", "抽 奖", "ＣＨＯＵ", "抽奖！", "抽奖"]
    for i, (ws, _) in enumerate(senders[: VIEWERS // 2]):
        ws.send(json.dumps({"v": 1, "type": "danmaku", "text": variants[i % 2]}))
        ws.send(json.dumps({"v": 1, "type": "danmaku", "text": variants[3]}))
        ws.send(json.dumps({"v": 1, "type": "danmaku", "text": "666"}))
    wait_for(lambda: _entries(first.path) >= VIEWERS, timeout=20)
    os.kill(first._proc.pid, signal.SIGKILL)
    first.close()
    for ws, _ in senders[VIEWERS // 2 : VIEWERS]:  # while the console is down
        ws.send(json.dumps({"v": 1, "type": "danmaku", "text": "抽 奖"}))

    second = AudienceProcess(first.path, resume=True)
    try:
        second.connect(hub.host_url, TOKEN)
        wait_for(lambda: _entries(first.path) >= VIEWERS + VIEWERS // 2, timeout=20)
        wait_for(lambda: time.time() * 1000 > opened["ends_at"] + 50, timeout=15)
        late_ws, late_welcome = senders[VIEWERS]
        late_ws.send(json.dumps({"v": 1, "type": "danmaku", "text": "抽奖"}))  # too late
        time.sleep(1.2)  # the draw waits out the grace after the window
        second.command("lottery_draw", lottery_id="l1")
        drawn = recv_until(watcher, lambda m: m["type"] == "lottery" and "winners" in m, 15)
    finally:
        second.close()
    assert drawn["commitment"] == opened["commitment"]  # the seed survived the crash
    assert commitment(bytes.fromhex(drawn["seed"])) == opened["commitment"]
    ids = {w["user"]["id"] for _, w in senders[:VIEWERS]}
    assert drawn["entrant_count"] == VIEWERS and set(drawn["winners"]) <= ids
    data = result.load(first.path.parent / "lottery-l1.json")
    assert set(data["entrants"]) == ids and late_welcome["user"]["id"] not in data["entrants"]
    assert result.verify(data, _journal_events(first.path)) == []
    for _, (ws, _) in enumerate(senders):
        ws.close()
    watcher.close()


def _frame(seq: int, ts: int, kind: str, uid: str, **fields: Any) -> str:
    event = {"seq": seq, "v": 1, "type": kind, "ts": ts, "user": {"id": uid, "name": uid}}
    return json.dumps([event | fields])


PRODUCT = {"id": "p1", "name": "补水面膜", "price": "99", "flash_price": "59.9", "stock": 5}


def test_sale_stock_follows_the_hubs_orders_and_bad_commands_say_why(tmp_path: Path) -> None:
    now = [1_000_000.0]
    sent: list[dict[str, Any]] = []
    journal = Journal(tmp_path / "show.sqlite")
    pipe = Pipeline(journal, send=sent.append, clock=lambda: now[0], results_dir=tmp_path)
    pipe.command(
        "sale_start", {"sale_id": "s1", "product": PRODUCT, "units": 3, "countdown_ms": 5000}
    )
    announced = [m for m in sent if m["type"] == "sale"][-1]
    assert announced["opens_at"] == 1_005_000 and announced["flash_price"] == 59.9
    update = pipe.take_update()
    assert update.sales is not None and update.sales[0].remaining == 3
    pipe.process(
        [
            _frame(1, 1_005_001, "order", "a", product_id="p1", quantity=1, sale="s1", remaining=2),
            _frame(2, 1_005_002, "order", "b", product_id="p1", quantity=2, sale="s1", remaining=0),
        ]
    )
    sale = pipe.take_update().sales
    assert sale is not None and (sale[0].remaining, sale[0].sold, sale[0].orders) == (0, 3, 2)
    pipe.command("sale_extend", {"sale_id": "s1", "extra_ms": 1000, "reason": "改到整点"})
    assert sent[-1]["opens_at"] == 1_006_000 and sent[-1]["reason"] == "改到整点"
    now[0] = 1_006_100
    pipe.command("sale_extend", {"sale_id": "s1", "extra_ms": 1000, "reason": "x"})
    pipe.command("sale_start", {"sale_id": "s2", "product": PRODUCT, "units": 1, "opens_at": 1})
    pipe.command(
        "lottery_start", {"lottery_id": "l", "keyword": "  ", "window_ms": 1, "winners": 1}
    )
    pipe.command("lottery_draw", {"lottery_id": "nope"})
    pipe.command("no_such_action", {})
    pipe.command("pin", {"question": 1})
    notices = pipe.take_update().notices
    assert notices == [
        "the sale is open already: its countdown cannot move",
        "the countdown is already past: choose a countdown of 0 s or more",
        "the keyword is empty: type the word viewers should send",
        "there is no lottery nope",
        "unknown action: no_such_action",
        "pin: unknown argument question",
    ]
    # A lottery nobody entered draws no winners and still writes a result that verifies.
    pipe.command(
        "lottery_start", {"lottery_id": "l2", "keyword": "福袋", "window_ms": 100, "winners": 2}
    )
    now[0] += 5_000
    pipe.command("lottery_draw", {"lottery_id": "l2"})
    view = pipe.take_update().lottery
    assert view is not None and view.state == "drawn" and view.winners == []
    assert result.verify(result.load(tmp_path / "lottery-l2.json")) == []
    journal.close(ended=True)
    reader = JournalReader(tmp_path / "show.sqlite")
    actions = [(a, args.get("opens_at")) for _, a, args in reader.actions()]
    reader.close()
    assert ("sale_start", 1_005_000) in actions  # journaled with the zero it resolved to
    # A restarted console rebuilds the sales (the extension included) and the lotteries.
    reader = JournalReader(tmp_path / "show.sqlite")
    again = Pipeline(clock=lambda: now[0], results_dir=tmp_path)
    again.restore(reader)
    reader.close()
    assert again.sales.get("s1").opens_at == 1_006_000 and again.sales.get("s1").remaining == 0
    assert again.lottery is not None and again.lottery.id == "l2"
