"""`livedesk --help` says that no command opens the console, and every option and argument of
every command has help text."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator

from app.cli import COMMANDS, build_parser


def _words() -> Iterator[list[str]]:
    yield []
    for command in COMMANDS:
        if command.children:
            for child in command.children:
                yield [command.name, child.name]
        else:
            yield [command.name]


def _undocumented(parser: argparse.ArgumentParser, path: list[str]) -> Iterator[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                if path[len(path) - 1 :] == [name] or name in path:
                    yield from _undocumented(sub, path)
        elif not action.help:
            yield f"livedesk {' '.join(path)} {'/'.join(action.option_strings) or action.dest}"


def test_every_option_has_help() -> None:
    missing = [m for words in _words() for m in _undocumented(build_parser(words), words)]
    assert not missing, missing


def test_help_says_no_command_opens_the_console() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "app", "--help"], capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0
    text = " ".join(shown.stdout.split())
    assert "with no command to open the console" in text
    assert "With no COMMAND, `livedesk` opens the console." in text
