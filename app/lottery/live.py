"""A lottery run live in the show: rules, the secret seed, the entry book and its broadcasts.

The audience pipeline owns one per lottery and journals the start (with the seed, which never
leaves the console until the draw) so a restarted console rebuilds the same commitment and,
replaying the journaled events, every entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.lottery import draw
from app.lottery.entries import EntryBook, Verdict
from app.lottery.result import Result, run_draw
from app.lottery.rules import Rules

OPEN = "open"
DRAWN = "drawn"
COUNT_EVERY_MS = 500  # viewers' live entrant count: exact, at most twice a second


@dataclass
class LiveLottery:
    id: str
    rules: Rules
    seed: bytes
    book: EntryBook
    result: Result | None = None
    result_path: Path | None = None
    _count_sent: int = field(default=-1, repr=False)
    _count_at_s: float = field(default=float("-inf"), repr=False)

    @property
    def commitment(self) -> str:
        return draw.commitment(self.seed)

    def message(self) -> dict[str, Any]:
        """The `lottery` broadcast: the commitment from the start; digest, count, seed and
        winners once drawn (docs/interaction-protocol.md)."""
        out: dict[str, Any] = {
            "v": 1,
            "type": "lottery",
            "id": self.id,
            "keyword": self.rules.keyword,
            "prize": self.rules.prize,
            "ends_at": self.rules.end_ms,
            "commitment": self.commitment,
        }
        if self.result is not None:
            out["winners"] = list(self.result.winners)
            out["entrant_count"] = len(self.result.entrants)
            out["entrant_digest"] = self.result.entrant_digest
            out["seed"] = self.result.seed
        return out

    def count_message(self, now_s: float) -> dict[str, Any] | None:
        """The `lottery` broadcast with the live `entrant_count`, when the count changed and
        the last one went out `COUNT_EVERY_MS` ago (`now_s`: a monotonic clock); None else,
        and once drawn (the draw's broadcast carries the final count)."""
        count = len(self.book.entrants)
        if self.result is not None or count == self._count_sent:
            return None
        if (now_s - self._count_at_s) * 1000 < COUNT_EVERY_MS:
            return None
        self._count_sent, self._count_at_s = count, now_s
        return self.message() | {"entrant_count": count}

    def result_message(self) -> dict[str, Any]:
        """The result file's content for the hub, which serves it to viewers at
        `/lottery/<id>.json` for `livedesk lottery verify` (docs/interaction-protocol.md)."""
        assert self.result is not None
        return {"v": 1, "type": "lottery_result", "id": self.id, "result": self.result.to_dict()}

    def draw(self, out_dir: Path) -> Result:
        """Draw once (a second call returns the same result) and write the result file."""
        if self.result is None:
            self.result = run_draw(self.rules, self.seed, self.book)
            path = out_dir / f"lottery-{self.id}.json"
            self.result.write(path)
            self.result_path = path
        return self.result

    def view(self) -> LotteryView:
        r = self.result
        return LotteryView(
            id=self.id,
            keyword=self.rules.keyword,
            prize=self.rules.prize,
            start_ms=self.rules.start_ms,
            end_ms=self.rules.end_ms,
            winners_wanted=self.rules.winners,
            commitment=self.commitment,
            entrants=len(self.book.entrants),
            late=self.book.counts[Verdict.LATE],
            repeats=self.book.counts[Verdict.REPEAT],
            state=DRAWN if r is not None else OPEN,
            winners=[(w, r.names.get(w, w)) for w in r.winners] if r is not None else [],
            result_path=str(self.result_path or ""),
        )


@dataclass(frozen=True)
class LotteryView:
    """What the windows show of a lottery (picklable: it crosses to the GUI process)."""

    id: str
    keyword: str
    prize: str
    start_ms: int
    end_ms: int
    winners_wanted: int
    commitment: str
    entrants: int
    late: int
    repeats: int
    state: str
    winners: list[tuple[str, str]] = field(default_factory=list)
    result_path: str = ""
