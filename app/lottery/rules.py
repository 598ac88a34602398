"""What a lottery is: keyword, entry window, winners, prize and who may enter."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from app.danmaku.normalize import compact, fold


class Match(StrEnum):
    #: The message is the keyword, character for character (spaces at the ends aside).
    EXACT = "exact"
    #: Equal after folding width, case, traditional/simplified and removing spaces/punctuation.
    NORMALISED = "normalised"


class RulesError(ValueError):
    """A lottery that cannot be run as asked; the message says why in plain words."""


@dataclass(frozen=True, slots=True)
class Rules:
    keyword: str
    start_ms: int  # entry window on the hub's clock (the events' `ts`), inclusive
    end_ms: int  # exclusive: a message stamped at end_ms is late
    winners: int
    prize: str = ""
    match: Match = Match.NORMALISED
    buyers_only: bool = False  # only viewers who ordered in this show may enter

    def __post_init__(self) -> None:
        if not compact(fold(self.keyword)):
            raise RulesError("the keyword is empty: type the word viewers should send")
        if self.winners < 1:
            raise RulesError("a lottery needs at least one winner")
        if self.end_ms <= self.start_ms:
            raise RulesError("the entry window ends before it starts")

    def matches(self, text: str) -> bool:
        if self.match is Match.EXACT:
            return text.strip() == self.keyword.strip()
        return compact(fold(text)) == compact(fold(self.keyword))

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["match"] = self.match.value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rules:
        """Rules from a result file or a command; a missing or mistyped field is a RulesError."""
        try:
            return cls(
                keyword=str(data["keyword"]),
                start_ms=int(data["start_ms"]),
                end_ms=int(data["end_ms"]),
                winners=int(data["winners"]),
                prize=str(data.get("prize", "")),
                match=Match(data.get("match", Match.NORMALISED.value)),
                buyers_only=bool(data.get("buyers_only", False)),
            )
        except KeyError as missing:
            raise RulesError(f"the lottery rules have no {missing.args[0]}") from None
        except (TypeError, ValueError) as bad:
            if isinstance(bad, RulesError):
                raise
            raise RulesError(f"the lottery rules are malformed: {bad}") from None

    def canonical(self) -> bytes:
        """The bytes the draw mixes in: sorted-key compact JSON, UTF-8."""
        return json.dumps(
            self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")
