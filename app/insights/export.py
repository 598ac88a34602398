"""Every event of a show as a table: CSV (always; UTF-8 with BOM so Excel and WPS open the
Chinese correctly) and Parquet (when the optional pyarrow is installed). Streamed from SQLite in
batches, so a 5-million-event show never sits in memory."""

from __future__ import annotations

import csv
import importlib.util
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.paths import create_private_file

COLUMNS = (
    "seq", "time", "ts", "type", "user_id", "user_name", "text", "kind", "status", "question",
    "data",
)  # fmt: skip
_BATCH = 50_000
_SELECT = (
    "SELECT seq, strftime('%Y-%m-%dT%H:%M:%fZ', ts / 1000.0, 'unixepoch'), ts, type, user_id,"
    " user_name, text, kind, status, question, data FROM events ORDER BY seq"
)


def parquet_available() -> bool:
    return importlib.util.find_spec("pyarrow") is not None


def _batches(db: sqlite3.Connection) -> Iterator[list[tuple[Any, ...]]]:
    cursor = db.execute(_SELECT)
    while rows := cursor.fetchmany(_BATCH):
        yield rows


def write_csv(db: sqlite3.Connection, path: Path) -> int:
    """Every event to `path` (0600); returns the number of rows."""
    create_private_file(path)
    n = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(COLUMNS)
        for rows in _batches(db):
            out.writerows(rows)
            n += len(rows)
    return n


def write_parquet(csv_path: Path, path: Path) -> int:
    """The CSV written by `write_csv` as Parquet at `path` (needs pyarrow), converted batch by
    batch by pyarrow's own (threaded, C++) reader: far cheaper than building columns from
    Python rows again. Returns the number of rows."""
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
    schema = pa.schema(list(types.items()))
    create_private_file(path)
    n = 0
    reader = pcsv.open_csv(
        csv_path,
        read_options=pcsv.ReadOptions(encoding="utf-8", block_size=16 << 20),
        convert_options=pcsv.ConvertOptions(
            column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in reader:
            writer.write_table(pa.Table.from_batches([batch]).cast(schema))
            n += batch.num_rows
    return n
