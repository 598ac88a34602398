"""`livedesk bench lottery`: issue 13's keyword-storm figures.

A real hub; the console's audience child process (as the console runs it) with the Lottery panel
on a Qt event loop; a storm of `--rate × --seconds` keyword messages (default 20,000/s × 10 s,
offered as fast as the hub takes them) from `--users` connections, every one of which sends the
keyword (in several spellings) among chatter, so most messages repeat a user. Then, after the
window closes, `--late-users` new viewers send the keyword: late, rejected.

Reported: entries counted live vs the distinct users who sent it in the window (the anchor; must
be equal: `ratio` = counted / distinct), the same count recomputed offline from the journal with
`lottery verify`'s code, late messages rejected, messages/s the hub took, the GUI stall p99 while
the storm ran, and ms from the window's close (plus the draw's 1 s grace) to winners on screen.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

KEYWORD = "福袋"
TEXTS = ["福袋", "福 袋", "福袋！", "666", "主播好美", "福袋福袋", "包邮吗", "ＦＵＤＡＩ"]
BLAST = (
    "import asyncio, json, sys\n"
    "from app.bench.blast import blast\n"
    "r = asyncio.run(blast(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4]),"
    " done=lambda: False, linger_s=float(sys.argv[5])))\n"
    "print(json.dumps(r))\n"
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("lottery")
    parser.add_argument("--rate", type=int, default=20_000, help="messages/s (default 20,000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="storm length (default 10)")
    parser.add_argument("--users", type=int, default=500, help="storm connections (default 500)")
    parser.add_argument(
        "--window-s", type=float, default=40.0, help="entry window (default 40: the whole storm)"
    )
    parser.add_argument("--late-users", type=int, default=50, help="late entrants (default 50)")
    parser.set_defaults(handler=run)


def _blast(url: str, users: int, count: int, linger_s: float) -> subprocess.Popen[str]:
    texts = json.dumps(TEXTS, ensure_ascii=False)
    args = [sys.executable, "-c", BLAST, url, str(users), str(count), texts, str(linger_s)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, text=True)


def run(args: argparse.Namespace) -> int:
    from app.bench.measure import percentile
    from app.bench.qt import offscreen_app
    from app.bench.report import emit, machine
    from app.bench.stall_probe import StallProbe
    from app.danmaku.process import AudienceProcess
    from app.danmaku.state import AudienceState
    from app.lottery.entries import EntryBook
    from app.lottery.result import load
    from app.lottery.rules import Rules
    from app.sale.controller import CommerceController
    from streaming.interaction.hub import HubLimits
    from streaming.interaction.serve import HubServer
    from widgets.lottery_panel import LotteryPanel

    before = machine()
    qapp = offscreen_app()

    def spin(until: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not until():
            if time.monotonic() > deadline:
                return False
            qapp.processEvents()
            time.sleep(0.001)
        return True

    count = int(args.rate * args.seconds)
    limits = HubLimits(
        viewer_rate=10**7, viewer_burst=10**7, log_size=count * 2, log_max_bytes=2**30
    )
    with HubServer("bench-lottery", limits.for_load_test()) as hub:
        audience = AudienceProcess()
        state = AudienceState(audience)
        controller = CommerceController(state)
        panel = LotteryPanel(controller)
        panel.show()
        probe = StallProbe()
        try:
            audience.connect(hub.host_url, "bench-lottery")
            window_s = args.window_s
            controller.start_lottery(KEYWORD, window_s, 3, "bench")
            spin(lambda: state.lottery is not None, 30)
            lottery = state.lottery
            assert lottery is not None
            probe.start()
            head0 = hub.hub.stats()["head"]
            started = time.monotonic()
            storm = _blast(hub.viewer_url, args.users, count, 2.0)
            spin(lambda: hub.hub.stats()["head"] - head0 >= count, 120)
            took_s = time.monotonic() - started
            spin(lambda: storm.poll() is not None, 30)
            stalls = list(probe.stalls_ms)
            end_local = (lottery.end_ms - state.room_offset_ms) / 1000
            spin(lambda: time.time() > end_local + 0.05, window_s + 60)
            late = _blast(hub.viewer_url, args.late_users, args.late_users * 4, 1.0)
            spin(lambda: late.poll() is not None, 30)
            spin(lambda: panel.draw.isEnabled(), 30)
            clicked = time.time()
            panel.draw.click()
            spin(lambda: panel.winner_list.count() > 0, 30)
            to_winners_ms = (time.time() - end_local) * 1000
            draw_ms = (time.time() - clicked) * 1000
            drawn = state.lottery
            assert drawn is not None
        finally:
            probe.stop()
            audience.close()
    data = load(Path(drawn.result_path))
    with sqlite3.connect(audience.path) as db:
        rows = db.execute("SELECT ts, type, user_id, user_name, text FROM events ORDER BY seq")
        events: list[dict[str, Any]] = [
            {"ts": ts, "type": t, "user": {"id": u, "name": n}, "text": x}
            for ts, t, u, n, x in rows
        ]
    rules = Rules.from_dict(data["rules"])
    recount = EntryBook(rules).offer_all(events)
    in_window = {
        e["user"]["id"]
        for e in events
        if e["type"] == "danmaku" and rules.matches(e["text"]) and e["ts"] < rules.end_ms
    }
    result = {
        "bench": "lottery",
        "messages": count,
        "hub_msgs_per_s": round(count / took_s),
        "users": args.users,
        "distinct_users_in_window": len(in_window),
        "entries_counted": drawn.entrants,
        "entries_recounted_from_journal": len(recount.entrants),
        "late_rejected": drawn.late,
        "late_users": args.late_users,
        "gui_stall_p99_ms": round(percentile(stalls, 99), 1),
        "gui_stall_median_ms": round(percentile(stalls, 50), 1),
        "close_to_winners_on_screen_ms": round(to_winners_ms),
        "draw_click_to_winners_on_screen_ms": round(draw_ms),
        "anchor": "entries counted must equal distinct eligible users who sent it (issue 13)",
        "ratio": round(drawn.entrants / max(1, len(in_window)), 4),
        "ok": drawn.entrants == len(in_window) == len(recount.entrants) == args.users,
        "machine": before,
    }
    emit(result, indent=None, ensure_ascii=False)
    return 0 if result["ok"] else 1
