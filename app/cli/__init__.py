"""The `livedesk` command line.

Each subcommand lives in its own module here with a `register(subparsers)` function that adds
its parser and sets `handler` to a function taking the parsed args and returning an exit code.
`livedesk` with no subcommand opens the console.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Subcommand modules, in the order `livedesk --help` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "app.cli.console",
    "app.cli.publish",
    "app.cli.relay",
    "app.cli.process_audio",
    "app.cli.audience",
    "app.cli.classify",
    "app.cli.bench",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="livedesk",
        description="LiveDesk: a console for hosts of e-commerce live streams.",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="start the console, exercise every subsystem for a few seconds, exit 0 if all worked",
    )
    parser.add_argument("--screenshot", metavar="PATH", help="with --self-test: save the window")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    register_modules(subparsers, COMMAND_MODULES)
    return parser


def register_modules(subparsers: argparse._SubParsersAction, names: Sequence[str]) -> None:
    """Let each named module add its subcommand (`register(subparsers)`)."""
    for name in names:
        importlib.import_module(name).register(subparsers)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    if args.command is None:
        from app.cli.console import run_console

        return run_console(args)
    return int(args.handler(args) or 0)
