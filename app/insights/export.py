"""Every event of a show as a table: CSV (always; UTF-8 with BOM so Excel and WPS open the
Chinese correctly) and Parquet (when the optional pyarrow is installed). Streamed from SQLite in
batches, so a 5-million-event show never sits in memory.

One pass over the journal: each CSV line is formatted by SQLite itself (the `csv` module's
minimal quoting, byte for byte) and a batch of lines comes back as one string (`group_concat`),
so a batch costs Python one object and the GIL is released once per batch, not once per row
(per-row releases let the aggregating thread starve this one). The same bytes, a row group at a
time, go to a Parquet thread that parses them with pyarrow's C++ reader (far cheaper than
building columns from Python rows) through a short queue: three streams of work (aggregation,
CSV, Parquet) overlap on two cores, and memory stays a few row groups whatever the show's size."""

from __future__ import annotations

import importlib.util
import queue
import sqlite3
import threading
from pathlib import Path
from typing import Any

from app.paths import create_private_file

COLUMNS = (
    "seq", "time", "ts", "type", "user_id", "user_name", "text", "kind", "status", "question",
    "data",
)  # fmt: skip
_BATCH = 10_000  # lines per query
_GROUP = 100_000  # lines per write and per Parquet row group
_QUEUED = 2  # row groups waiting for the Parquet thread: bounds memory when it falls behind


def _field(column: str) -> str:
    """SQL for `column` as `csv.writer` writes it: NULL empty; quoted, its quotes doubled, only
    when it holds a comma, a quote or a line break."""
    return (
        f"CASE WHEN {column} GLOB '*[\",' || char(10, 13) || ']*' "
        f"THEN '\"' || replace({column}, '\"', '\"\"') || '\"' ELSE COALESCE({column}, '') END"
    )


_LINE = (
    "printf('%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s' || char(13, 10), seq,"
    " COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', ts / 1000.0, 'unixepoch'), ''), COALESCE(ts, ''), "
    + ", ".join(_field(c) for c in ("type", "user_id", "user_name", "text", "kind", "status"))
    + f", COALESCE(question, ''), {_field('data')})"
)
_SELECT = (
    "SELECT group_concat(line, ''), COUNT(*), MAX(seq) FROM "
    f"(SELECT {_LINE} AS line, seq FROM events WHERE seq > ? ORDER BY seq LIMIT ?)"
)
"""The next batch of CSV lines after a seq, in seq order (a rowid range: read in order)."""


def parquet_available() -> bool:
    return importlib.util.find_spec("pyarrow") is not None


def write_tables(db: sqlite3.Connection, csv_path: Path, parquet_path: Path | None) -> int:
    """Every event to `csv_path` and, when given (needs pyarrow), `parquet_path` (both 0600);
    returns the number of rows."""
    create_private_file(csv_path)
    sink = _ParquetSink(parquet_path) if parquet_path is not None else None
    n = 0
    try:
        with open(csv_path, "wb") as f:
            f.write(("\ufeff" + ",".join(COLUMNS) + "\r\n").encode())
            group: list[str] = []
            after = -(2**63)
            while True:
                lines, count, last = db.execute(_SELECT, (after, _BATCH)).fetchone()
                if not count:
                    break
                group.append(lines)
                n, after = n + count, last
                if len(group) * _BATCH >= _GROUP:
                    _flush(group, f, sink)
            _flush(group, f, sink)
    finally:
        if sink is not None:
            sink.close()
    return n


def _flush(group: list[str], f: Any, sink: _ParquetSink | None) -> None:
    if not group:
        return
    data = "".join(group).encode()
    group.clear()
    f.write(data)
    if sink is not None:
        sink.put(data)


class _ParquetSink:
    """CSV row groups (bytes, no header) to a Parquet file, converted on its own thread."""

    def __init__(self, path: Path) -> None:
        import pyarrow as pa
        import pyarrow.csv as pcsv
        import pyarrow.parquet as pq

        types = {
            "seq": pa.int64(),
            "time": pa.timestamp("ms", tz="UTC"),
            "ts": pa.int64(),
            **{name: pa.string() for name in COLUMNS[3:9]},
            "question": pa.int64(),
            "data": pa.string(),
        }
        self._schema = pa.schema(list(types.items()))
        self._options: dict[str, Any] = {
            "read_options": pcsv.ReadOptions(column_names=list(COLUMNS), use_threads=False),
            "parse_options": pcsv.ParseOptions(newlines_in_values=True),
            "convert_options": pcsv.ConvertOptions(
                column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False
            ),
        }
        create_private_file(path)
        self._writer = pq.ParquetWriter(path, self._schema, compression="zstd")
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=_QUEUED)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="livedesk-report-parquet")
        self._thread.start()

    def put(self, data: bytes) -> None:
        self._queue.put(data)

    def close(self) -> None:
        """Wait for the queued row groups; raise what went wrong converting them."""
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        import pyarrow as pa
        import pyarrow.csv as pcsv

        try:
            while (data := self._queue.get()) is not None:
                if self._error is None:  # after an error, only drain (the writer must not block)
                    try:
                        table = pcsv.read_csv(pa.BufferReader(data), **self._options)
                        self._writer.write_table(table.cast(self._schema))
                    except BaseException as exc:
                        self._error = exc
        finally:
            self._writer.close()
