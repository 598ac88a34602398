"""The `livedesk` command line.

Every subcommand is one row of `COMMANDS` (and every benchmark one row of `BENCHES`): its
name, the module that implements it and its one-line help. A module is imported only when its
command is the one being run, so `livedesk --help` lists everything without importing Qt, PyAV
or aiortc. The module has `register(subparsers)`, which adds its parser
(`subparsers.add_parser(NAME, …)`; help and description default to the row's help) and sets
`handler` to a function taking the parsed args and returning an exit code. Heavy imports go
inside the handler, so that `livedesk NAME --help` stays fast too.

`livedesk` with no subcommand opens the console.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    module: str
    help: str
    #: Sub-commands chosen by the next word (`livedesk bench KIND`); then `module` is unused.
    children: tuple[Command, ...] = ()


BENCHES: tuple[Command, ...] = (
    Command("capture", "app.cli.bench_capture", "capture→preview latency, GUI stall, CPU (JSON)"),
    Command("architecture", "app.cli.bench_architecture", "threads vs processes spike (JSON)"),
    Command(
        "audio", "app.cli.bench_audio", "voice chain quality (PESQ/STOI/SI-SDR), speed, AGC (JSON)"
    ),
    Command("latency", "app.cli.bench_latency", "glass-to-glass latency via a relay (JSON)"),
    Command("abr", "app.cli.bench_abr", "adaptive bitrate through an impaired link (JSON)"),
    Command("encode", "app.cli.bench_encode", "publish-pipeline encode CPU vs ffmpeg (JSON)"),
    Command(
        "danmaku",
        "app.cli.bench_danmaku",
        "danmaku pipeline throughput, latency, GUI stall, memory (JSON)",
    ),
    Command(
        "scale",
        "app.cli.bench_scale",
        "interaction channel through NATS JetStream edges vs the embedded hub: msg/s, latency (JSON)",
    ),
    Command(
        "outputs",
        "app.cli.bench_outputs",
        "one encode for every output: CPU with 1/2/4 outputs, first frame, RTMP latency (JSON)",
    ),
    Command(
        "avsync",
        "app.cli.bench_avsync",
        "A/V offset at the recording and the RTMP stream pulled back: flash vs beep (JSON)",
    ),
    Command(
        "compositor",
        "app.cli.bench_compositor",
        "program composition cost per 1080p30 frame: camera, every layer, each filter (JSON)",
    ),
    Command(
        "report",
        "app.cli.bench_report",
        "post-show report on a synthetic 5M-event show: time vs 60 s, peak memory (JSON)",
    ),
    Command(
        "sale",
        "app.cli.bench_sale",
        "flash sale: N viewers buy at zero, orders vs stock, zero spread host/program/page (JSON)",
    ),
    Command(
        "lottery",
        "app.cli.bench_lottery",
        "keyword storm: entries vs distinct users, late rejected, GUI stall, close→winners (JSON)",
    ),
    Command(
        "abuse",
        "app.cli.bench_abuse",
        "relay under attack: memory in a reconnect storm, viewers in a WHEP flood, CPU per "
        "hostile session, publisher back after outages (JSON)",
    ),
)

# In the order `livedesk --help` lists them.
COMMANDS: tuple[Command, ...] = (
    Command(
        "publish",
        "app.cli.publish",
        "publish a source to a relay over WHIP (or Janus) without the console",
    ),
    Command(
        "relay", "app.cli.relay", "run the embedded relay (WHIP ingest, WHEP playback, viewer page)"
    ),
    Command(
        "process-audio",
        "app.cli.process_audio",
        "clean and level a recording with the live voice chain",
    ),
    Command(
        "hub",
        "app.cli.hub",
        "run an edge hub of a room carried by NATS JetStream (big rooms, several machines)",
    ),
    Command(
        "audience",
        "app.cli.audience",
        "simulate viewers sending danmaku to an interaction hub (rehearsal, load test)",
    ),
    Command(
        "classify",
        "app.cli.classify",
        'classify JSON lines {"text": ...} from stdin as question/spam/cheer/chat',
    ),
    Command(
        "lottery",
        "app.cli.lottery",
        "draw a keyword lottery offline, or verify a lottery result file",
    ),
    Command(
        "report",
        "app.cli.report",
        "post-show report of a show journal: HTML, PDF, CSV and Parquet of every event",
    ),
    Command("bench", "", "run a benchmark and print a JSON summary", children=BENCHES),
)

# Top-level options that take a value: the word after them is not a command name.
_VALUE_OPTIONS = frozenset({"--screenshot"})


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser for `argv`: complete for the command `argv` names, one-line entries for the
    others (enough for `--help`)."""
    parser = argparse.ArgumentParser(
        prog="livedesk",
        description="LiveDesk: a console for hosts of e-commerce live streams. "
        "Run `livedesk` with no command to open the console (the window); the commands "
        "below run parts of it without the window.",
        epilog="With no COMMAND, `livedesk` opens the console. "
        "`livedesk COMMAND --help` describes a command.",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="start the console, exercise every subsystem for a few seconds, exit 0 if all worked",
    )
    parser.add_argument(
        "--screenshot", metavar="PATH", help="with --self-test: save the window as a PNG image"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_commands(subparsers, COMMANDS, argv)
    return parser


def add_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    commands: Sequence[Command],
    argv: Sequence[str],
) -> None:
    """Register `commands` under `subparsers`, importing only the module of the one `argv`
    chooses (its first word that is not an option)."""
    chosen, rest = _chosen(argv, {c.name for c in commands})
    for command in commands:
        if command.name != chosen:
            subparsers.add_parser(command.name, help=command.help, add_help=False)
        elif command.children:
            parser = subparsers.add_parser(
                command.name, help=command.help, description=command.help
            )
            children = parser.add_subparsers(
                dest=command.name, metavar="KIND", required=True, title="kinds"
            )
            add_commands(children, command.children, rest)
        else:
            importlib.import_module(command.module).register(_Described(subparsers, command))


def _chosen(argv: Sequence[str], names: set[str]) -> tuple[str | None, Sequence[str]]:
    skip = False
    for i, word in enumerate(argv):
        if skip:
            skip = False
        elif word.startswith("-"):
            skip = word in _VALUE_OPTIONS
        else:
            return (word, argv[i + 1 :]) if word in names else (None, ())
    return None, ()


class _Described:
    """What a command's `register` sees as `subparsers`: `add_parser` with the row's help as
    the default help and description, so the text is written once, in `COMMANDS`."""

    def __init__(
        self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser], command: Command
    ) -> None:
        self._subparsers = subparsers
        self._command = command

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs.setdefault("help", self._command.help)
        kwargs.setdefault("description", self._command.help)
        return self._subparsers.add_parser(name, **kwargs)


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(words).parse_args(words)
    if args.command is None:
        from app.cli.console import run_console

        return run_console(args)
    return int(args.handler(args) or 0)
