"""Which question goes in which row of a queue view, so that a host can click what they aim at.

The ranking changes several times a second; applied as it comes, the row under the pointer
changes under it. `settle` decides the rows instead: while the view holds (the pointer is over
it) the rows stay as they are — only their counts and texts refresh — and the questions not
shown are reported as waiting; otherwise the new ranking applies, except that the rows the
host selected stay at the row they were in. Pure functions on `QuestionView`s: no Qt.
"""

from __future__ import annotations

from app.danmaku.questions import QuestionView


def settle(
    shown: list[QuestionView], ranked: list[QuestionView], keep: list[int], hold: bool
) -> tuple[list[QuestionView], int]:
    """(rows to show, how many ranked questions are not in them)."""
    latest = {q.id: q for q in ranked}
    if hold:
        rows = [latest.get(q.id, q) for q in shown]
        on_screen = {q.id for q in rows}
        return rows, sum(q.id not in on_screen for q in ranked)
    kept = {q.id for q in shown if q.id in keep and q.id in latest}
    rows = [q for q in ranked if q.id not in kept]
    for row, q in enumerate(shown):
        if q.id in kept:
            rows.insert(min(row, len(rows)), latest[q.id])
    return rows, 0


def next_to_pin(ranked: list[QuestionView], pinned: int | None) -> QuestionView | None:
    """The question "next" pins after the pinned one: the best-ranked open one."""
    return next((q for q in ranked if q.id != pinned and q.status == "open"), None)
