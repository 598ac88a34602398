"""Which messages are entries: the rules applied to the room's events in order.

The same book serves the live show (fed by the audience pipeline, which already gets every event
exactly once through the journal and resume) and the offline `livedesk lottery draw` (fed from a
JSON-lines file), so a draw recomputed later sees exactly the entries the show saw.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.lottery.rules import Rules


class Verdict(StrEnum):
    ENTERED = "entered"
    REPEAT = "repeat"  # this viewer has already entered
    LATE = "late"  # matched, but stamped at or after the window's end
    EARLY = "early"  # matched, but stamped before the window opened
    BLOCKED = "blocked"
    NOT_A_BUYER = "not_a_buyer"
    NO_MATCH = "no_match"


@dataclass
class EntryBook:
    rules: Rules
    blocked: frozenset[str] = frozenset()
    entrants: dict[str, str] = field(default_factory=dict)  # id → display name, entry order
    counts: dict[Verdict, int] = field(default_factory=lambda: dict.fromkeys(Verdict, 0))
    excluded: set[str] = field(default_factory=set)  # blocked viewers who sent the keyword
    _buyers: set[str] = field(default_factory=set)

    def offer(self, event: Mapping[str, Any]) -> Verdict | None:
        """Account for one hub event; None for events that are not about the lottery."""
        kind = event.get("type")
        user = event.get("user")
        if not isinstance(user, Mapping) or not isinstance(user.get("id"), str):
            return None
        uid: str = user["id"]
        if kind == "order":
            self._buyers.add(uid)
            return None
        text = event.get("text")
        if kind != "danmaku" or not isinstance(text, str) or not self.rules.matches(text):
            return None
        verdict = self._judge(uid, int(event.get("ts", 0)))
        self.counts[verdict] += 1
        if verdict is Verdict.ENTERED:
            self.entrants[uid] = str(user.get("name", uid))
        elif verdict is Verdict.BLOCKED:
            self.excluded.add(uid)
        return verdict

    def _judge(self, uid: str, ts: int) -> Verdict:
        if ts < self.rules.start_ms:
            return Verdict.EARLY
        if ts >= self.rules.end_ms:
            return Verdict.LATE
        if uid in self.blocked:
            return Verdict.BLOCKED
        if self.rules.buyers_only and uid not in self._buyers:
            return Verdict.NOT_A_BUYER
        if uid in self.entrants:
            return Verdict.REPEAT
        return Verdict.ENTERED

    def offer_all(self, events: Iterable[Mapping[str, Any]]) -> EntryBook:
        for event in events:
            self.offer(event)
        return self
