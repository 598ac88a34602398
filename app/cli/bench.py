"""`livedesk bench KIND`: measurements that print one JSON summary on stdout.

Each kind lives in `app/cli/bench_<kind>.py` with `register(subparsers)`, like top-level
subcommands. Every bench compares against the anchor its issue names, in the same run.
"""

from __future__ import annotations

import argparse

from app.cli import register_modules

BENCH_MODULES: tuple[str, ...] = (
    "app.cli.bench_capture",
    "app.cli.bench_architecture",
    "app.cli.bench_audio",
    "app.cli.bench_latency",
    "app.cli.bench_encode",
    "app.cli.bench_danmaku",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bench", help="run a benchmark and print a JSON summary")
    kinds = parser.add_subparsers(dest="bench", metavar="KIND", required=True)
    register_modules(kinds, BENCH_MODULES)
