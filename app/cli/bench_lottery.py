"""`livedesk bench lottery`: issue 13's keyword-storm figures.

A real hub in its own process (`app.bench.storm_hub`); the console's audience child process (as the console runs it) with the Lottery panel
on a Qt event loop; a storm of `--rate × --seconds` keyword messages (default 20,000/s × 10 s,
offered as fast as the hub takes them) from `--users` connections in `--blasters` processes of
their own (`app.bench.blast`), every one of which sends the
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
import os
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.frozen import module_command
from streaming.interaction.hub import HOST_PATH, VIEWER_PATH

KEYWORD = "福袋"
TEXTS = ["福袋", "福 袋", "福袋！", "666", "主播好美", "福袋福袋", "包邮吗", "ＦＵＤＡＩ"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("lottery")
    parser.add_argument("--rate", type=int, default=20_000, help="messages/s (default 20,000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="storm length (default 10)")
    parser.add_argument("--users", type=int, default=500, help="storm connections (default 500)")
    parser.add_argument(
        "--window-s", type=float, default=40.0, help="entry window (default 40: the whole storm)"
    )
    parser.add_argument("--late-users", type=int, default=50, help="late entrants (default 50)")
    parser.add_argument(
        "--blasters", type=int, default=1, help="storm processes sharing --users (default 1)"
    )
    parser.set_defaults(handler=run)


def _blast(url: str, users: int, count: int, linger_s: float) -> subprocess.Popen[str]:
    """One storm process (`app.bench.blast`), apart from the hub and from the console."""
    texts = json.dumps(TEXTS, ensure_ascii=False)
    command = module_command("app.bench.blast", url, str(users), str(count), texts, str(linger_s))
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def _storm(url: str, users: int, count: int, blasters: int) -> list[subprocess.Popen[str]]:
    """`count` messages from `users` connections, split over `blasters` processes."""
    n = max(1, min(blasters, users))
    return [
        _blast(url, users // n + (i < users % n), count // n + (i < count % n), 2.0)
        for i in range(n)
    ]


class _Hub:
    """The storm's hub in its own process (`app.bench.storm_hub`), asked for its stats."""

    def __init__(self, token: str, log_size: int) -> None:
        command = module_command("app.bench.storm_hub", "--log-size", str(log_size))
        env = {**os.environ, "LIVEDESK_HUB_TOKEN": token}
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        assert self.process.stdout is not None
        self.url = json.loads(self.process.stdout.readline())["url"]
        self.viewer_url = self.url + VIEWER_PATH
        self.host_url = self.url + HOST_PATH
        self.head = 0  # the hub's log head, as last asked
        self._closing = threading.Event()
        self._asker = threading.Thread(target=self._ask, name="storm-hub-stats", daemon=True)
        self._asker.start()

    def _ask(self) -> None:
        """Keep `head` fresh from a thread: a hub busy with the storm answers late, and the
        GUI thread (the one the stall probe watches) must not wait for it."""
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            while not self._closing.wait(0.05):
                self.process.stdin.write("\n")
                self.process.stdin.flush()
                self.head = int(json.loads(self.process.stdout.readline())["head"])
        except (OSError, ValueError):  # the hub went away
            pass

    def close(self) -> None:
        assert self.process.stdin is not None
        self._closing.set()
        self._asker.join(10)
        self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


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
    hub = _Hub("bench-lottery", count * 2)
    try:
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
            spin(lambda: hub.head > 0, 30)  # the lottery's start is logged
            head0 = hub.head
            storm = _storm(hub.viewer_url, args.users, count, args.blasters)
            spin(lambda: hub.head - head0 >= count, 120)
            logged_all = time.time()
            spin(lambda: all(p.poll() is not None for p in storm), 30)
            first_sent = min(json.loads(p.communicate()[0])["sending"][0] for p in storm)
            took_s = logged_all - first_sent
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
    finally:
        hub.close()
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
        "hub_rate_vs_target": round(count / took_s / args.rate, 2),
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
