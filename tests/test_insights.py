"""Insights from real show journals written by the real pipeline and journal writer: the
figures of a known show, the live (incremental) reading agreeing with the finished one, a
crashed and resumed show, an empty one, and journals that cannot be read."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from app.danmaku.journal import Journal, JournalReader
from app.insights.journal import JournalError, open_journal, read_range, read_show
from app.insights.model import Insights
from app.insights.text import keywords, link_mentions
from tests.insights_support import ShowWriter, write_show


def test_text_mentions_and_keywords() -> None:
    assert link_mentions("求讲解3号链接") == ("3号链接",)
    assert link_mentions("３号和12号，链接5") == ("3号链接", "12号链接", "5号链接")
    assert link_mentions("158 100斤穿什么码") == ()
    assert "连衣裙" in keywords("连衣裙好看")
    assert "什么" not in keywords("158 100斤穿什么码")
    assert "xl" in keywords("有XL吗")


def test_figures_of_a_known_show(tmp_path: Path) -> None:
    path = tmp_path / "show.sqlite"
    writer = write_show(path)
    insights = read_show(path)
    s = insights.summary()
    minutes = [insights.minutes[m] for m in sorted(insights.minutes)]
    assert [m.messages for m in minutes] == [10, 10, 10, 40, 40, 40, 10, 10, 10, 10]
    assert [m.viewers for m in minutes] == [100 + 50 * i for i in range(10)]
    assert [m.orders for m in minutes] == [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]
    assert s.messages == 190 and s.likes == sum(10 + m for m in range(10))
    assert s.orders == 7 and s.order_quantity == 14
    assert s.orders_by_product == [("夏季连衣裙", 7, 14)]
    assert s.peak_viewers == 550
    # what the question queue filed, after its merge
    queue = writer.pipeline.queue
    live = [e for e in queue.entries.values() if e.merged_into is None]
    assert s.questions_asked == len(live)
    assert sorted(n for _t, n, _s in s.top_questions) == sorted(e.count for e in live)
    assert s.questions_answered == 1 and s.answer_rate == pytest.approx(1 / len(live))
    # answered after the show's last event (on the hub's clock), first asked at the
    # cluster's first message
    answered = next(e for e in live if e.status == "answered")
    with sqlite3.connect(path) as db:
        last_ts = db.execute("SELECT MAX(ts) FROM events").fetchone()[0]
        answer_ts = db.execute("SELECT ts FROM events ORDER BY seq DESC LIMIT 1").fetchone()[0]
    assert s.median_answer_s == pytest.approx((answer_ts - answered.first_ts) / 1000)
    assert s.mentions[0] == ("3号链接 夏季连衣裙", insights.mentions["3号链接"])
    assert insights.mentions["3号链接"] > 0
    # keyword trend follows the busy minutes
    trend = dict(insights.keyword_trend(["连衣裙"])["连衣裙"])
    counts = [trend[m] for m in sorted(trend)]
    assert max(counts) == counts[3] and counts[3] > counts[0]
    kinds = {m.kind: m for m in insights.markers}
    assert kinds["bookmark"].label == "上链接 #3"
    assert kinds["product"].label == "上链接 夏季连衣裙"
    assert (kinds["bookmark"].ts - writer.t0) // 60_000 == 3
    assert s.duration_s == pytest.approx((last_ts - writer.t0) / 1000)


def test_live_reading_in_ranges_agrees_with_the_finished_show(tmp_path: Path) -> None:
    path = tmp_path / "show.sqlite"
    live = Insights()
    reads: list[bool] = []
    connection: list[sqlite3.Connection] = []

    def refresh(writer: ShowWriter) -> None:  # what the live panel does while the show runs
        writer.journal.flush()
        if not connection:
            connection.append(open_journal(path))
        reads.append(read_range(connection[0], live))

    write_show(path, on_minute=refresh)
    assert all(reads) and len(reads) == 10
    assert read_range(connection[0], live)  # the answers and the merge at the end
    assert not read_range(connection[0], live)
    connection[0].close()
    assert live.summary() == read_show(path).summary()


def test_crashed_then_resumed_show(tmp_path: Path) -> None:
    path = tmp_path / "show.sqlite"
    first = write_show(path, minutes=4, ended=False)  # the console died: never closed
    before = read_show(path).summary()
    resumed = ShowWriter(path)
    reader = JournalReader(path)
    resumed.pipeline.restore(reader)
    reader.close()
    resumed.seq = first.seq
    base = first.t0 + 4 * 60_000
    resumed.send(*[resumed.danmaku(base + i * 1000, "包邮吗", 900 + i) for i in range(5)])
    resumed.close()
    after = read_show(path).summary()
    assert after.messages == before.messages + 5
    assert after.questions_answered == before.questions_answered == 1
    assert after.events == before.events + 5


def test_empty_show(tmp_path: Path) -> None:
    path = tmp_path / "show.sqlite"
    Journal(path).close()
    s = read_show(path).summary()
    assert (s.events, s.messages, s.questions_asked, s.duration_s) == (0, 0, 0, 0.0)
    assert s.answer_rate is None and s.median_answer_s is None and s.top_questions == []


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_bad_journals_give_plain_words_and_stay_untouched(tmp_path: Path) -> None:
    newer = tmp_path / "newer.sqlite"
    write_show(newer, minutes=1)
    with sqlite3.connect(newer) as db:
        db.execute("INSERT OR REPLACE INTO meta VALUES('schema_version', '99')")
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 20)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t(x)")
    for path, words in (
        (newer, "newer LiveDesk"),
        (corrupt, "damaged"),
        (other, "not a LiveDesk show journal"),
        (tmp_path / "missing.sqlite", "no show journal"),
    ):
        digest = _digest(path) if path.exists() else None
        with pytest.raises(JournalError, match=words):
            read_show(path)
        assert (_digest(path) if path.exists() else None) == digest


def test_locked_journal(tmp_path: Path) -> None:
    path = tmp_path / "show.sqlite"
    write_show(path, minutes=1)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO meta VALUES('x', 'y')")
    try:
        with pytest.raises(JournalError, match="locked"):
            read_show(path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_flash_sale_is_one_marker_and_names_its_product() -> None:
    from app.insights.model import Insights

    ins = Insights()
    sale = {"id": "s1", "product_id": "7", "title": "防晒霜", "state": "on", "units": 50}
    ins.add_event(60_000, "sale", sale)
    ins.add_event(65_000, "sale", {**sale, "units": 49})  # the same sale, updated
    ins.add_event(90_000, "sale", {**sale, "state": "cancelled"})
    ins.add_event(120_000, "sale", {**sale, "id": "s2"})
    assert [(m.ts, m.kind, m.label) for m in ins.markers] == [
        (60_000, "sale", "秒杀 防晒霜"),
        (120_000, "sale", "秒杀 防晒霜"),
    ]
    assert ins.products["7"] == "防晒霜"


def test_an_order_for_a_product_the_list_never_named_reads_as_a_product() -> None:
    insights = Insights()
    insights.add_order("10", 3, 4)
    assert insights.summary().orders_by_product == [("商品 #10", 3, 4)]
