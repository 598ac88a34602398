"""Insights of the running show, for the console's Insights panel.

A worker thread folds what the show journal committed since its last look into one `Insights`
(the same `read_range` the post-show report uses, so panel and report agree) at most twice a
second, and hands the GUI a `LiveView`: plain lists copied from it, so the GUI thread only
draws and never touches SQLite or the aggregate while it is being folded into.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.insights.journal import JournalError, open_journal, read_range
from app.insights.model import Insights, Marker

REFRESH_S = 0.5  # ≤ 2 Hz
QUIET_FAILURES = 4  # a journal the audience process is still creating is not a problem yet
TOP = 8
TREND_WORDS = 4
SERIES = ("messages", "questions", "likes", "orders")


@dataclass(frozen=True, slots=True)
class LiveView:
    """What the panel draws. Minutes are counted from the show's first minute."""

    minutes: list[int]
    series: dict[str, list[int]]  # SERIES name -> per minute
    viewers: list[tuple[int, int]]  # (minute, highest count)
    questions: list[tuple[str, int]]  # top clusters after merges
    mentions: list[tuple[str, int]]  # "3号链接 title" or title -> mentions
    trends: dict[str, list[int]]  # top keywords -> per minute
    markers: list[tuple[float, str, str]]  # (minute, kind, label)
    events: int


def view_of(insights: Insights) -> LiveView:
    """A copy of `insights` shaped for the charts."""
    if not insights.minutes:
        return LiveView([], {s: [] for s in SERIES}, [], [], [], {}, [], insights.events)
    first = min(insights.minutes)
    keys = list(range(first, max(insights.minutes) + 1))
    rows = [insights.minutes.get(k) for k in keys]
    series = {s: [getattr(m, s) if m is not None else 0 for m in rows] for s in SERIES}
    viewers = [(k - first, m.viewers) for k, m in zip(keys, rows, strict=True) if m and m.viewers]
    words = [w for w, _ in insights.keywords.most_common(TREND_WORDS)]
    trend = insights.keyword_trend(words)
    per_minute = {w: dict(points) for w, points in trend.items()}
    trends = {w: [per_minute[w].get(k, 0) for k in keys] for w in words}
    return LiveView(
        minutes=[k - first for k in keys],
        series=series,
        viewers=viewers,
        questions=[(c.text, c.count) for c in insights.questions()[:TOP]],
        mentions=insights.mention_labels()[:TOP],
        trends=trends,
        markers=[_marker(m, first) for m in insights.markers],
        events=insights.events,
    )


def _marker(m: Marker, first_minute: int) -> tuple[float, str, str]:
    return (m.ts / 60_000 - first_minute, m.kind, m.label)


class LiveInsights(QObject):
    """Follows the journal `journal()` names (None: no show yet); emits `updated` with a
    `LiveView` when something new was committed, `problem` once per distinct failure."""

    updated = Signal(object)  # LiveView
    problem = Signal(str)

    def __init__(self, journal: Callable[[], Path | None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._journal = journal
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._said = ""
        self._failures = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="insights-live", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _run(self) -> None:
        path: Path | None = None
        db = None
        insights = Insights()
        try:
            while not self._stop.wait(REFRESH_S):
                wanted = self._journal()
                if wanted != path:  # a new show (or the first): start over
                    if db is not None:
                        db.close()
                    db, path, insights = None, wanted, Insights()
                if path is None:
                    continue
                try:
                    if db is None:
                        db = open_journal(path)
                    changed = read_range(db, insights)
                except JournalError as exc:
                    self._failures += 1
                    if self._failures >= QUIET_FAILURES:
                        self._say(str(exc))
                    if db is not None:
                        db.close()
                    db = None
                    continue
                self._failures = 0
                if changed:
                    self._said = ""
                    self.updated.emit(view_of(insights))
        finally:
            if db is not None:
                db.close()

    def _say(self, text: str) -> None:
        if text != self._said:
            self._said = text
            self.problem.emit(text)
