"""`livedesk lottery draw|verify`: the keyword lottery's draw outside a show, and the check
anyone can run on a result file.

`draw` reads danmaku events in the interaction protocol's own format (JSON lines, as the hub
logs them) and writes a result file; `verify` recomputes commitment, digest and winners from a
result file (and, given the events, the entrant list) and exits 0 when it checks out, 1 when it
does not, naming each wrong field. Exit 2: the input could not be read at all.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("lottery")
    actions = parser.add_subparsers(dest="lottery_action", required=True, metavar="ACTION")
    draw = actions.add_parser(
        "draw",
        help="draw winners from a JSON-lines list of danmaku events",
        description="Draw winners offline, exactly as a show's lottery does.",
    )
    draw.add_argument("--entries", type=Path, required=True, help="JSON lines of hub events")
    draw.add_argument("--keyword", required=True, help="the keyword (口令) viewers send")
    draw.add_argument("--winners", type=int, required=True, help="how many winners to draw")
    draw.add_argument("--out", type=Path, required=True, help="where to write the result file")
    draw.add_argument("--prize", default="", help="what the winners get (recorded in the result)")
    draw.add_argument(
        "--window",
        nargs=2,
        metavar=("START", "END"),
        help="entry window on the hub's clock: ms since the epoch or ISO 8601 times "
        "(default: every event in the file)",
    )
    draw.add_argument(
        "--exact", action="store_true", help="match the keyword exactly (default: normalised)"
    )
    draw.add_argument("--seed", help="hex seed (default: a fresh random one)")
    draw.set_defaults(handler=run_draw)
    verify = actions.add_parser(
        "verify",
        help="check a result file (exit 0 valid, 1 not)",
        description="Recompute a lottery result and say which field, if any, is wrong.",
    )
    verify.add_argument("result", type=Path, help="the result file (RESULT.json)")
    verify.add_argument(
        "--entries", type=Path, help="the events, to recompute the entrant list as well"
    )
    verify.set_defaults(handler=run_verify)


def _events(path: Path) -> Iterator[dict[str, Any]]:
    """Events from a JSON-lines file (a line may also hold an array, as hub frames do); a bad
    line is reported on stderr with its number and skipped."""
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError:
                print(f"{path}:{number}: not JSON; skipped", file=sys.stderr)
                continue
            for event in item if isinstance(item, list) else [item]:
                if isinstance(event, dict):
                    yield event
                else:
                    print(f"{path}:{number}: not an event object; skipped", file=sys.stderr)


def _instant_ms(text: str) -> int:
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        return int(datetime.fromisoformat(text).timestamp() * 1000)
    except ValueError:
        raise ValueError(f"{text!r} is neither milliseconds nor an ISO 8601 time") from None


def run_draw(args: argparse.Namespace) -> int:
    from app.lottery import draw
    from app.lottery.entries import EntryBook
    from app.lottery.result import run_draw as draw_result
    from app.lottery.rules import Match, Rules, RulesError

    try:
        events = list(_events(args.entries))
        if args.window:
            start, end = (_instant_ms(t) for t in args.window)
        else:
            stamps = [int(e["ts"]) for e in events if isinstance(e.get("ts"), int)]
            start, end = (min(stamps), max(stamps) + 1) if stamps else (0, 1)
        seed = bytes.fromhex(args.seed) if args.seed else draw.new_seed()
        rules = Rules(
            keyword=args.keyword,
            start_ms=start,
            end_ms=end,
            winners=args.winners,
            prize=args.prize,
            match=Match.EXACT if args.exact else Match.NORMALISED,
        )
    except OSError as err:
        print(f"lottery draw: cannot read {args.entries}: {err.strerror or err}", file=sys.stderr)
        return 2
    except (RulesError, ValueError) as bad:
        print(f"lottery draw: {bad}", file=sys.stderr)
        return 2
    book = EntryBook(rules).offer_all(events)
    result = draw_result(rules, seed, book)
    try:
        result.write(args.out)
    except OSError as err:
        print(f"lottery draw: cannot write {args.out}: {err.strerror or err}", file=sys.stderr)
        return 2
    if not result.entrants:
        print("lottery draw: nobody sent the keyword in the window: no winners", file=sys.stderr)
    summary = {
        "out": str(args.out),
        "commitment": result.commitment,
        "entrant_count": len(result.entrants),
        "entrant_digest": result.entrant_digest,
        "messages": {verdict.value: n for verdict, n in book.counts.items()},
        "winners": result.to_dict()["winners"],
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from app.lottery.result import load, verify

    try:
        data = load(args.result)
        events = list(_events(args.entries)) if args.entries else None
    except OSError as err:
        print(f"lottery verify: cannot read {args.entries}: {err.strerror or err}", file=sys.stderr)
        return 2
    except ValueError as bad:
        print(f"lottery verify: {bad}", file=sys.stderr)
        return 2
    problems = verify(data, events)
    print(json.dumps({"valid": not problems, "problems": problems}, ensure_ascii=False))
    for problem in problems:
        print(f"lottery verify: {problem}", file=sys.stderr)
    return 1 if problems else 0
