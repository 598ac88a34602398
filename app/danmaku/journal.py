"""The per-show journal: every accepted event, every moderation and queue action, and the
counters, in one SQLite database (WAL) in the user data folder.

"Accepted" means journaled: an event counts as received once the transaction holding it has
committed. The host client is started with `since=journal.last_seq()` after a crash, so whatever
was in memory but not yet committed is simply read again from the hub's retained log — nothing
accepted is lost and nothing is stored twice (seq is the primary key).

Writes happen on one writer thread, batched: whatever has queued up while the last transaction
ran goes into the next one. WAL with synchronous=NORMAL survives a killed process (kill -9); only
a power cut can lose the last few transactions.
"""

from __future__ import annotations

import json
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from app.paths import create_private_file, data_dir, private_dir

EventRow = tuple[int, int, str, str, str, str, str, str, int | None, str | None]
"""(seq, ts, type, user_id, user_name, text, kind, status, question_id, data as JSON)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS events(
    seq INTEGER PRIMARY KEY, ts INTEGER, type TEXT, user_id TEXT, user_name TEXT, text TEXT,
    kind TEXT, status TEXT, question INTEGER, data TEXT);
CREATE TABLE IF NOT EXISTS actions(
    id INTEGER PRIMARY KEY AUTOINCREMENT, after_seq INTEGER, ts INTEGER, action TEXT, args TEXT);
CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER);
CREATE INDEX IF NOT EXISTS events_question ON events(question) WHERE question IS NOT NULL;
"""
_MAX_QUEUED = 10_000  # batches; the writer is far faster than any real show, this is a fuse


def shows_dir() -> Path:
    return private_dir(data_dir() / "shows")


def resumable_show() -> Path | None:
    """The most recent show journal that was never closed (the console crashed or was killed)."""
    for path in sorted(shows_dir().glob("show-*.sqlite"), reverse=True):
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                row = db.execute("SELECT value FROM meta WHERE key='ended_at'").fetchone()
        except sqlite3.DatabaseError:
            continue
        if row is None:
            return path
    return None


def new_show_path() -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = shows_dir() / f"show-{stamp}.sqlite"
    n = 1
    while path.exists():
        n += 1
        path = shows_dir() / f"show-{stamp}-{n}.sqlite"
    return path


class Journal:
    """Append-only writer for one show. All `append_*`/`set_*` calls return at once; the writer
    thread commits, then calls `on_committed(last_seq)`."""

    def __init__(self, path: Path, on_committed: Callable[[int], None] | None = None) -> None:
        self.path = path
        self._on_committed = on_committed
        self._queue: queue.Queue[tuple[str, Any] | None] = queue.Queue(_MAX_QUEUED)
        self._committed_seq = 0
        self._error: BaseException | None = None
        db = self._connect()
        db.executescript(_SCHEMA)
        db.execute(
            "INSERT OR IGNORE INTO meta VALUES('started_at', ?)", (str(int(time.time() * 1000)),)
        )
        db.commit()
        self._committed_seq = db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]
        self._thread = threading.Thread(
            target=self._write_loop, args=(db,), name="livedesk-journal", daemon=True
        )
        self._thread.start()

    def _connect(self) -> sqlite3.Connection:
        create_private_file(self.path)  # viewers' messages: readable by this user only
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    # --- writing (any thread) -------------------------------------------------------------
    def append_events(self, rows: list[EventRow], counters: dict[str, int] | None = None) -> None:
        """Queue rows and (optionally) the counters as they stand after them: both commit in the
        same transaction, so restored counters always match the restored events."""
        self._put(("events", (rows, counters)))

    def append_action(self, after_seq: int, action: str, args: dict[str, Any]) -> None:
        self._put(
            (
                "action",
                (after_seq, int(time.time() * 1000), action, json.dumps(args, ensure_ascii=False)),
            )
        )

    def set_status(self, seq: int, status: str) -> None:
        self._put(("status", (status, seq)))

    def set_meta(self, key: str, value: str) -> None:
        self._put(("meta", (key, value)))

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until everything queued so far is committed."""
        done = threading.Event()
        self._put(("flush", done))
        if not done.wait(timeout):
            raise TimeoutError(f"the journal did not commit within {timeout:.0f} s")

    def close(self, ended: bool = True) -> None:
        """Commit what is queued and stop; `ended` marks the show finished (not resumable)."""
        if ended:
            self.set_meta("ended_at", str(int(time.time() * 1000)))
        self._put(None)
        self._thread.join(30.0)

    def _put(self, item: tuple[str, Any] | None) -> None:
        if self._error is not None:
            raise RuntimeError(f"the show journal {self.path} cannot be written: {self._error}")
        self._queue.put(item)

    # --- writer thread ----------------------------------------------------------------------
    def _write_loop(self, db: sqlite3.Connection) -> None:
        try:
            running = True
            while running:
                items = [self._queue.get()]
                while len(items) < 256:
                    try:
                        items.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                running = None not in items
                self._commit(db, [i for i in items if i is not None])
        except BaseException as exc:
            self._error = exc
        finally:
            db.close()

    def _commit(self, db: sqlite3.Connection, items: list[tuple[str, Any]]) -> None:
        waiters = []
        last_seq = self._committed_seq
        db.execute("BEGIN")
        for op, payload in items:
            if op == "events":
                rows, counters = payload
                db.executemany("INSERT OR IGNORE INTO events VALUES(?,?,?,?,?,?,?,?,?,?)", rows)
                if rows:
                    last_seq = max(last_seq, rows[-1][0])
                if counters:
                    db.executemany("INSERT OR REPLACE INTO counters VALUES(?,?)", counters.items())
            elif op == "action":
                db.execute(
                    "INSERT INTO actions(after_seq, ts, action, args) VALUES(?,?,?,?)", payload
                )
            elif op == "status":
                db.execute("UPDATE events SET status=? WHERE seq=?", payload)
            elif op == "meta":
                db.execute("INSERT OR REPLACE INTO meta VALUES(?,?)", payload)
            elif op == "flush":
                waiters.append(payload)
        db.execute("COMMIT")
        if last_seq != self._committed_seq:
            self._committed_seq = last_seq
            if self._on_committed is not None:
                self._on_committed(last_seq)
        for done in waiters:
            done.set()


class JournalReader:
    """Read side of a show journal (resume, search); its own connection, any one thread."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

    def close(self) -> None:
        self._db.close()

    def last_seq(self) -> int:
        return int(self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0])

    def meta(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT key, value FROM meta").fetchall())

    def counters(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT name, value FROM counters").fetchall())

    def events(self) -> Iterator[EventRow]:
        yield from self._db.execute("SELECT * FROM events ORDER BY seq")

    def actions(self) -> list[tuple[int, str, dict[str, Any]]]:
        rows = self._db.execute(
            "SELECT after_seq, action, args FROM actions ORDER BY id"
        ).fetchall()
        return [(after, action, json.loads(args)) for after, action, args in rows]

    def search(self, needle: str, limit: int = 200) -> list[EventRow]:
        """Danmaku containing `needle` (any status), newest first."""
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return self._db.execute(
            "SELECT * FROM events WHERE type='danmaku' AND text LIKE ? ESCAPE '\\' ORDER BY seq DESC LIMIT ?",
            (pattern, limit),
        ).fetchall()
