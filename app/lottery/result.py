"""Result files: everything a third party needs to check a draw, and the check itself."""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.lottery import draw
from app.lottery.entries import EntryBook
from app.lottery.rules import Rules, RulesError

FORMAT = "livedesk-lottery-result/1"


@dataclass(frozen=True, slots=True)
class Result:
    rules: Rules
    commitment: str
    seed: str  # hex, revealed at the draw
    entrants: tuple[str, ...]  # canonical order
    entrant_digest: str
    winners: tuple[str, ...]
    names: Mapping[str, str]  # winner id → display name (shown, not verified)
    excluded: tuple[str, ...] = ()  # blocked viewers who sent the keyword, sorted

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "rules": self.rules.to_dict(),
            "commitment": self.commitment,
            "seed": self.seed,
            "entrant_count": len(self.entrants),
            "entrant_digest": self.entrant_digest,
            "entrants": list(self.entrants),
            "winners": [{"id": w, "name": self.names.get(w, w)} for w in self.winners],
            "excluded": list(self.excluded),
        }

    def write(self, path: Path) -> None:
        """Written whole to a temporary name and renamed, so a reader never sees half a file."""
        tmp = path.with_name(path.name + ".partial")
        tmp.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1), "utf-8")
        tmp.replace(path)


def run_draw(rules: Rules, seed: bytes, book: EntryBook) -> Result:
    """The draw over a closed entry book."""
    entrants = draw.canonical_entrants(book.entrants)
    winners = draw.pick_winners(seed, entrants, rules.winners, rules.canonical())
    return Result(
        rules=rules,
        commitment=draw.commitment(seed),
        seed=seed.hex(),
        entrants=tuple(entrants),
        entrant_digest=draw.entrant_digest(entrants),
        winners=tuple(winners),
        names={w: book.entrants[w] for w in winners},
        excluded=tuple(sorted(book.excluded)),
    )


def load(path: Path) -> dict[str, Any]:
    """The raw result object; ValueError in plain words when the file is not a result."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except OSError as err:
        raise ValueError(f"cannot read {path}: {err.strerror or err}") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(f"{path} is not a JSON lottery result file") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path} is not a LiveDesk lottery result ({FORMAT})")
    return data


def verify(data: Mapping[str, Any], events: Iterable[Mapping[str, Any]] | None = None) -> list[str]:
    """Every way the result fails to follow from its own seed, entrants and rules (and, given
    the show's events, from the entries those events make); empty when the draw checks out."""
    try:
        rules = Rules.from_dict(dict(data.get("rules") or {}))
    except RulesError as bad:
        return [f"rules: {bad}"]
    try:
        seed = bytes.fromhex(str(data.get("seed", "")))
    except ValueError:
        return ["seed: not hexadecimal"]
    entrants = data.get("entrants")
    winners = data.get("winners")
    if not isinstance(entrants, list) or not all(isinstance(e, str) for e in entrants):
        return ["entrants: not a list of ids"]
    if not isinstance(winners, list) or not all(
        isinstance(w, Mapping) and isinstance(w.get("id"), str) for w in winners
    ):
        return ["winners: not a list of {id, name}"]
    problems = []
    if not hmac.compare_digest(draw.commitment(seed), str(data.get("commitment", ""))):
        problems.append("commitment: it is not the SHA-256 of the revealed seed")
    if entrants != draw.canonical_entrants(entrants):
        problems.append("entrants: not distinct ids in sorted order")
    if data.get("entrant_count") != len(entrants):
        problems.append(
            f"entrant_count: says {data.get('entrant_count')}, the list has {len(entrants)}"
        )
    if data.get("entrant_digest") != draw.entrant_digest(entrants):
        problems.append("entrant_digest: it is not the digest of the entrant list")
    expected = draw.pick_winners(seed, entrants, rules.winners, rules.canonical())
    if [w["id"] for w in winners] != expected:
        problems.append("winners: they do not follow from the seed, the entrants and the rules")
    if events is not None:
        excluded = frozenset(str(x) for x in data.get("excluded") or ())
        book = EntryBook(rules, blocked=excluded).offer_all(events)
        recomputed = draw.canonical_entrants(book.entrants)
        if recomputed != draw.canonical_entrants(entrants):
            missing = len(set(recomputed) - set(entrants))
            extra = len(set(entrants) - set(recomputed))
            problems.append(
                f"entrants: the events make {len(recomputed)} entrants "
                f"({missing} missing from the file, {extra} not entitled)"
            )
    return problems
