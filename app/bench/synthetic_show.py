"""A synthetic show journal of any size, written by the real journal writer: what
`livedesk bench report` (app/cli/bench_report.py) measures the report on (5 million events by
default). A three-hour room: mostly danmaku (repeats, a few hundred questions, one in five messages unique), likes,
orders, viewer counts each second, a product pushed every ten minutes."""

from __future__ import annotations

import json
import random
from pathlib import Path

from app.danmaku.journal import EventRow, Journal

_QUESTIONS = [
    "能用花呗吗", "包邮吗", "3号链接多少钱", "158 100斤穿什么码", "有XL吗", "什么时候发货",
    "5号链接还有货吗", "连衣裙有黑色吗", "可以退换吗", "2号和3号哪个好",
]  # fmt: skip
_CHAT = ["666", "主播好美", "我刚下班", "求讲解3号链接", "连衣裙好看", "来了来了", "已下单"]
_BATCH = 20_000


def write_synthetic_show(path: Path, events: int, hours: float = 3.0, seed: int = 1) -> None:
    rng = random.Random(seed)
    journal = Journal(path)
    span_ms = int(hours * 3_600_000)
    t0 = 1_780_000_000_000
    rows: list[EventRow] = []
    for seq in range(1, events + 1):
        ts = t0 + seq * span_ms // events
        r = rng.random()
        user = f"u{rng.randrange(200_000)}"
        if seq % 6000 == 1:
            pid = str(seq // 6000 % 10 + 1)
            data = {"id": pid, "title": f"{pid}号 夏季新款", "url": "", "price": 99}
            rows.append((seq, ts, "product", "", "", "", "", "", None, json.dumps(data)))
        elif r < 0.8:
            if r < 0.16:
                q = rng.randrange(300)
                text = _QUESTIONS[q % len(_QUESTIONS)] + ("" if q < 10 else f" {q}")
                rows.append(
                    (seq, ts, "danmaku", user, user, text, "question", "shown", q + 1, None)
                )
            elif r < 0.32:
                text = f"第{seq}条 {_CHAT[seq % len(_CHAT)]}"
                rows.append((seq, ts, "danmaku", user, user, text, "chat", "shown", None, None))
            else:
                text = _CHAT[seq % len(_CHAT)]
                rows.append((seq, ts, "danmaku", user, user, text, "chat", "shown", None, None))
        elif r < 0.93:
            rows.append((seq, ts, "like", user, user, "", "", "", None, '{"count": 3}'))
        elif r < 0.96:
            data = {"product_id": str(rng.randrange(1, 11)), "quantity": 1}
            rows.append((seq, ts, "order", user, user, "", "", "", None, json.dumps(data)))
        else:
            data = {"count": 1000 + seq // 1000}
            rows.append((seq, ts, "viewer_count", "", "", "", "", "", None, json.dumps(data)))
        if len(rows) >= _BATCH:
            journal.append_events(rows)
            rows = []
    journal.append_events(rows)
    for q in range(0, 300, 2):
        journal.append_action(events, "answer", {"question_id": q + 1})
    journal.flush(timeout=900.0)
    journal.close()
