"""A real show journal for the insights tests, written by the real pipeline and journal
writer: ten minutes of a room with questions, likes, orders, viewer counts, a product pushed,
a bookmark, answers and a merge."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.danmaku.journal import Journal, JournalReader
from app.danmaku.pipeline import Pipeline

QUESTIONS = ["能用花呗吗", "包邮吗", "3号链接多少钱", "158 100斤穿什么码"]
CHAT = ["666", "主播好美", "我刚下班", "求讲解3号链接", "连衣裙好看"]


class ShowWriter:
    """Feeds hub-style frames through a real `Pipeline` into a real `Journal` at `path`."""

    def __init__(self, path: Path) -> None:
        reader = JournalReader(path) if path.exists() else None
        self.seq = reader.last_seq() if reader else 0  # a resumed show goes on from its last event
        if reader:
            reader.close()
        self.journal = Journal(path)
        self.pipeline = Pipeline(self.journal)
        self.t0 = 0

    def send(self, *events: dict[str, Any]) -> None:
        frame = []
        for e in events:
            self.seq += 1
            frame.append({"v": 1, "seq": self.seq, **e})
        self.pipeline.process([json.dumps(frame, ensure_ascii=False)])

    def danmaku(self, ts: int, text: str, user: int) -> dict[str, Any]:
        return {"type": "danmaku", "ts": ts, "text": text, "user": _user(user)}

    def command(self, action: str, **args: Any) -> None:
        self.pipeline.command(action, args)

    def close(self, ended: bool = True) -> None:
        self.journal.flush()
        self.journal.close(ended=ended)


def _user(i: int) -> dict[str, str]:
    return {"id": f"u{i}", "name": f"观众{i}"}


def write_show(
    path: Path,
    minutes: int = 10,
    ended: bool = True,
    on_minute: Callable[[ShowWriter], None] | None = None,
) -> ShowWriter:
    """Write the standard test show to `path` (and return its writer, closed); `on_minute`
    is called after each minute's events."""
    w = ShowWriter(path)
    # The show started `minutes` (+1) minutes ago on a round minute, so answering now takes
    # a realistic few minutes.
    t0 = (int(time.time() * 1000) // 60_000 - minutes - 1) * 60_000
    w.t0 = t0
    w.send(
        {
            "type": "product",
            "ts": t0,
            "id": "3",
            "title": "夏季连衣裙",
            "url": "https://shop.example/3",
            "price": 99,
        }
    )
    for m in range(minutes):
        base = t0 + m * 60_000
        # busier in minutes 3-5 (the product push), quieter at the ends
        n = 40 if 3 <= m <= 5 else 10
        batch = []
        for i in range(n):
            ts = base + i * (59_000 // n)
            text = QUESTIONS[i % len(QUESTIONS)] if i % 3 == 0 else CHAT[i % len(CHAT)]
            batch.append(w.danmaku(ts, text, m * 100 + i))
        batch.append({"type": "like", "ts": base + 500, "user": _user(1), "count": 10 + m})
        batch.append({"type": "viewer_count", "ts": base + 1000, "count": 100 + 50 * m})
        if m >= 3:
            batch.append(
                {
                    "type": "order",
                    "ts": base + 2000,
                    "user": _user(2),
                    "product_id": "3",
                    "quantity": 2,
                }
            )
        w.send(*batch)
        if m == 3:
            w.command("bookmark", label="上链接 #3")
        if on_minute is not None:
            on_minute(w)
    qids = sorted(w.pipeline.queue.entries)
    w.command("answer", question_id=qids[0])
    if len(qids) >= 3:
        w.command("merge", source_ids=[qids[2]], target_id=qids[1])
    w.close(ended)
    return w
