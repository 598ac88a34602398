"""The command line registers its commands without importing them: `--help` is fast because it
never loads Qt, PyAV, aiortc or numpy, and every listed command really exists."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

from app.cli import BENCHES, COMMANDS, Command

HEAVY = ("PySide6", "aiortc", "av", "numpy", "cv2", "scipy")
PROBE = """
import json, sys
from app.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


@pytest.mark.parametrize(
    "words", [["--help"], ["publish", "--help"], ["bench", "--help"], ["relay", "--help"]]
)
def test_help_imports_nothing_heavy(words: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *words],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    *help_lines, loaded = done.stdout.strip().splitlines()
    assert json.loads(loaded) == []
    assert "usage: livedesk" in "\n".join(help_lines)


def test_top_level_help_lists_every_command_with_its_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    for command in COMMANDS:
        assert command.name in done.stdout
    assert "With no COMMAND, `livedesk` opens the console." in " ".join(done.stdout.split())


def _leaves(commands: tuple[Command, ...]) -> list[Command]:
    return [leaf for c in commands for leaf in (_leaves(c.children) if c.children else [c])]


@pytest.mark.parametrize("command", _leaves(COMMANDS), ids=lambda c: c.name)
def test_every_row_names_a_module_that_registers(command: Command) -> None:
    assert callable(importlib.import_module(command.module).register)


def test_bench_kinds_are_chosen_by_the_next_word() -> None:
    from app.cli import build_parser

    args = build_parser(["bench", "encode", "--frames", "3"]).parse_args(
        ["bench", "encode", "--frames", "3"]
    )
    assert args.bench == "encode" and args.frames == 3 and callable(args.handler)
    assert {b.name for b in BENCHES} >= {"capture", "audio", "latency", "encode", "danmaku"}


def test_an_unknown_command_is_refused_plainly() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app", "nonsense"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "invalid choice: 'nonsense'" in done.stderr
