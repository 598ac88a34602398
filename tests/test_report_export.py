"""The report's tables of every event: the CSV that SQLite formats is byte for byte what the
`csv` module writes (commas, quotes, line breaks, NULLs, CJK), and Parquet holds the same."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest

from app.danmaku.journal import Journal
from app.insights import export
from app.insights.export import COLUMNS, write_tables
from app.insights.journal import open_journal

_AWKWARD = [
    (1, 1_780_000_000_123, "danmaku", "u1", "小明", "有XL吗", "question", "shown", 7, None),
    (2, 1_780_000_001_000, "danmaku", "u,2", 'say "hi"', "a,b", "chat", "shown", None, None),
    (3, 1_780_000_002_999, "danmaku", "u3", "x", "line\nbreak\r\nend", "chat", "deleted", None, None),
    (4, 1_780_000_003_000, "like", "", "", "", "", "", None, '{"count": 3, "x": "a,b"}'),
    (5, 1_780_000_004_000, "danmaku", "u5", " lead", '"', "", "", None, ""),
]  # fmt: skip


def _expected(db: sqlite3.Connection) -> bytes:
    """What the report wrote before SQLite formatted it: rows through `csv.writer`."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    select = (
        "SELECT seq, strftime('%Y-%m-%dT%H:%M:%fZ', ts / 1000.0, 'unixepoch'), ts, type,"
        " user_id, user_name, text, kind, status, question, data FROM events ORDER BY seq"
    )
    writer.writerows(db.execute(select))
    return b"\xef\xbb\xbf" + out.getvalue().encode()


@pytest.mark.parametrize("batch", [10_000, 2])  # one batch; batches and row groups in order
def test_csv_is_what_the_csv_module_writes_and_parquet_matches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    monkeypatch.setattr(export, "_BATCH", batch)
    monkeypatch.setattr(export, "_GROUP", 2 * batch)
    journal = Journal(tmp_path / "show.sqlite")
    journal.append_events(_AWKWARD)
    journal.flush(10)
    journal.close()
    db = open_journal(tmp_path / "show.sqlite")
    parquet = tmp_path / "events.parquet"
    assert write_tables(db, tmp_path / "events.csv", parquet) == len(_AWKWARD)
    assert (tmp_path / "events.csv").read_bytes() == _expected(db)
    with open(tmp_path / "events.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[2]["text"] == "line\nbreak\r\nend" and rows[1]["user_name"] == 'say "hi"'
    import pyarrow.parquet as pq

    table = pq.read_table(parquet)
    assert table.column("text").to_pylist() == [r[5] for r in _AWKWARD]
    assert table.column("question").to_pylist() == [7, None, None, None, None]
    assert str(table.column("time")[0].as_py()) == "2026-05-28 20:26:40.123000+00:00"
    db.close()
