"""`livedesk classify`: JSON lines {"text": ...} on stdin → the same lines with "kind" added,
using the console's own classifier (question / spam / cheer / chat).

A line that is not an object with a string "text" is reported on stderr with its line number and
skipped; the exit code is then 1, but every good line is still written.
"""

from __future__ import annotations

import argparse
import json
import sys

from app.danmaku.classify import classify


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("classify")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    bad = 0
    out = sys.stdout
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            item = None
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            print(
                f'line {number}: expected a JSON object with a string "text"; skipped',
                file=sys.stderr,
            )
            bad += 1
            continue
        item["kind"] = classify(item["text"])
        out.write(json.dumps(item, ensure_ascii=False) + "\n")
    out.flush()
    return 1 if bad else 0
