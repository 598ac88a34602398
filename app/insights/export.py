"""Every event of a show as a table: CSV (always; UTF-8 with BOM so Excel and WPS open the
Chinese correctly) and Parquet (when the optional pyarrow is installed). Streamed from SQLite in
batches, so a 5-million-event show never sits in memory.

Each CSV line is formatted by SQLite itself (the `csv` module's minimal quoting, byte for
byte): one string per event reaches Python instead of eleven values, and SQLite formats with
the GIL released, so the export overlaps the report's aggregation on the other core."""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path

from app.paths import create_private_file

COLUMNS = (
    "seq", "time", "ts", "type", "user_id", "user_name", "text", "kind", "status", "question",
    "data",
)  # fmt: skip
_BATCH = 10_000  # lines per fetch
_PARQUET_BLOCK = 4 << 20  # bytes of CSV per Parquet row group: bounds the converter's memory


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
_SELECT = f"SELECT {_LINE} FROM events ORDER BY seq"


def parquet_available() -> bool:
    return importlib.util.find_spec("pyarrow") is not None


def write_csv(db: sqlite3.Connection, path: Path) -> int:
    """Every event to `path` (0600); returns the number of rows."""
    create_private_file(path)
    n = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        f.write(",".join(COLUMNS) + "\r\n")
        cursor = db.execute(_SELECT)
        while lines := cursor.fetchmany(_BATCH):
            f.write("".join([line for (line,) in lines]))
            n += len(lines)
    return n


def write_parquet(csv_path: Path, path: Path) -> int:
    """The CSV written by `write_csv` as Parquet at `path` (needs pyarrow), converted batch by
    batch by pyarrow's own (C++) reader: far cheaper than building columns from Python rows
    again. One block at a time on this thread, so memory stays a few blocks whatever the show's
    size (the threaded reader held hundreds of MB). Returns the number of rows."""
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
        read_options=pcsv.ReadOptions(
            encoding="utf-8", block_size=_PARQUET_BLOCK, use_threads=False
        ),
        convert_options=pcsv.ConvertOptions(
            column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in reader:
            writer.write_table(pa.Table.from_batches([batch]).cast(schema))
            n += batch.num_rows
    return n
