"""Read a show journal into `Insights`: read-only, and aggregated inside SQLite (GROUP BY over
a seq range), so a 5-million-event show streams through in bounded memory and only distinct
(minute, text) pairs reach Python.

The same `read_range` serves a finished show (one range: everything) and a running one (each
refresh reads the events committed since the last), so the report and the live panel agree.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from app.insights.model import MARKER_TYPES, MINUTE_MS, Insights
from app.insights.text import TitleMatcher, analyse, link_label

SCHEMA_VERSION = 1
"""The journal layout this version reads; a journal whose meta says newer is refused."""
_COLUMNS = (
    "seq",
    "ts",
    "type",
    "user_id",
    "user_name",
    "text",
    "kind",
    "status",
    "question",
    "data",
)


class JournalError(Exception):
    """A journal that cannot be read, in words a host understands."""


def open_journal(path: Path) -> sqlite3.Connection:
    """A read-only connection to the show journal at `path`, checked to be one this version
    reads. The file is never written, and a journal still being written reads fine (WAL)."""
    if not path.is_file():
        raise JournalError(f"There is no show journal at {path}.")
    try:
        db = sqlite3.connect(
            f"file:{path}?mode=ro",
            uri=True,
            check_same_thread=False,
            timeout=2.0,
            isolation_level=None,
        )
        columns = tuple(row[1] for row in db.execute("PRAGMA table_info(events)"))
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise JournalError(
                f"The show journal {path.name} is locked by another program; "
                "close it (or wait for it to finish) and try again."
            ) from exc
        raise JournalError(f"{path.name} is not a LiveDesk show journal.") from exc
    except sqlite3.DatabaseError as exc:
        raise JournalError(
            f"The show journal {path.name} is damaged and cannot be read ({exc})."
        ) from exc
    if columns[: len(_COLUMNS)] != _COLUMNS:
        db.close()
        raise JournalError(f"{path.name} is not a LiveDesk show journal.")
    version = int(meta.get("schema_version", SCHEMA_VERSION))
    if version > SCHEMA_VERSION:
        db.close()
        raise JournalError(
            f"The show journal {path.name} was written by a newer LiveDesk "
            f"(journal version {version}); update LiveDesk to read it."
        )
    return db


def read_show(path: Path) -> Insights:
    """The insights of the whole show at `path`."""
    db = open_journal(path)
    try:
        insights = Insights()
        read_range(db, insights)
        return insights
    finally:
        db.close()


def read_range(db: sqlite3.Connection, insights: Insights) -> bool:
    """Fold the events and actions committed after `insights.last_seq`/`.last_action` into
    `insights`; False if there was nothing new."""
    try:
        db.execute("BEGIN")  # one snapshot: the actions read match the events read
        try:
            return _read_range(db, insights)
        finally:
            db.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        raise JournalError(f"The show journal could not be read ({exc}).") from exc


def _read_range(db: sqlite3.Connection, insights: Insights) -> bool:
    after = insights.last_seq
    upto = int(db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0])
    # An action is placed on the show's timeline (the hub's clock, as events are) at the event
    # it followed; its own wall-clock time only when it came before any event.
    new_actions = db.execute(
        """SELECT a.id, COALESCE(e.ts, a.ts), a.action, a.args FROM actions AS a
        LEFT JOIN events AS e ON e.seq = a.after_seq WHERE a.id > ? ORDER BY a.id""",
        (insights.last_action,),
    ).fetchall()
    if upto <= after and not new_actions:
        return False
    span = (after, upto)
    for ts, etype, data in db.execute(
        "SELECT ts, type, data FROM events WHERE seq > ? AND seq <= ? AND type IN "
        f"({','.join('?' * (len(MARKER_TYPES) + 1))}) ORDER BY seq",
        (*span, *MARKER_TYPES, "gap"),
    ):
        insights.add_event(int(ts), etype, json.loads(data or "{}"))
    for row in db.execute(
        f"""SELECT ts / {MINUTE_MS}, SUM(type = 'danmaku'), SUM(kind = 'question'),
            SUM(CASE WHEN type = 'like' THEN json_extract(data, '$.count') ELSE 0 END),
            SUM(type = 'order'),
            MAX(CASE WHEN type = 'viewer_count' THEN json_extract(data, '$.count') END),
            SUM(CASE WHEN type = 'gift'
                THEN json_extract(data, '$.value') * json_extract(data, '$.count') ELSE 0 END),
            COUNT(*), MIN(ts), MAX(ts)
        FROM events WHERE seq > ? AND seq <= ? GROUP BY 1""",
        span,
    ):
        minute, messages, questions, likes, orders, viewers, gifts, n, first, last = row
        insights.add_minute(
            int(minute),
            int(messages),
            int(questions),
            int(likes or 0),
            int(orders),
            None if viewers is None else int(viewers),
        )
        insights.gift_value += float(gifts or 0)
        insights.add_span(int(first), int(last), int(n))
    for qid, count, first_ts, text in db.execute(
        """SELECT q.question, q.n, q.first, e.text FROM (
            SELECT question, COUNT(*) AS n, MIN(ts) AS first, MIN(seq) AS s FROM events
            WHERE question IS NOT NULL AND seq > ? AND seq <= ? GROUP BY question) AS q
        JOIN events AS e ON e.seq = q.s""",
        span,
    ):
        insights.add_cluster(int(qid), text, int(count), int(first_ts))
    titles = TitleMatcher(insights.products)
    add_text = insights.add_text
    for minute, text, count in db.execute(
        f"SELECT ts / {MINUTE_MS}, text, COUNT(*) FROM events "
        "WHERE type = 'danmaku' AND status != 'deleted' AND seq > ? AND seq <= ? GROUP BY 1, 2",
        span,
    ):
        spaceless, mentions, words = analyse(text)
        named = titles(spaceless)
        if named:
            labels = (link_label(pid) if pid.isdigit() else pid for pid in named)
            mentions = tuple(dict.fromkeys((*mentions, *labels)))
        add_text(minute, count, mentions, words)
    for pid, count, quantity in db.execute(
        """SELECT json_extract(data, '$.product_id'), COUNT(*), SUM(json_extract(data, '$.quantity'))
        FROM events WHERE type = 'order' AND seq > ? AND seq <= ? GROUP BY 1""",
        span,
    ):
        insights.add_order(str(pid), int(count), int(quantity or 0))
    for action_id, ts, action, args in new_actions:
        insights.add_action(int(ts), action, json.loads(args or "{}"))
        insights.last_action = int(action_id)
    insights.last_seq = upto
    return True
