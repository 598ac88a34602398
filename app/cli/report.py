"""`livedesk report SHOW [--out DIR]`: the post-show report of a show journal — report.html,
report.pdf, events.csv and (with pyarrow) events.parquet — in DIR (default: the show's folder
under the user data folder's reports/).

SHOW is a journal file, a show's name in the shows folder (`show-20261203-201500`), or `latest`.
The journal is only read. Exit code 2, with plain words on stderr, when the journal cannot be
read or the folder cannot be written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("report")
    parser.add_argument(
        "show", metavar="SHOW", help="journal file, show name in the shows folder, or 'latest'"
    )
    parser.add_argument("--out", metavar="DIR", type=Path, help="folder for the report's files")
    parser.set_defaults(handler=run)


def find_show(show: str) -> Path:
    """The journal `show` names (see the module's doc); may not exist (then reading says so)."""
    from app.danmaku.journal import shows_dir

    given = Path(show).expanduser()
    if given.suffix == ".sqlite" or given.exists():
        return given
    if show == "latest":
        found = sorted(shows_dir().glob("show-*.sqlite"))
        return found[-1] if found else shows_dir() / "latest.sqlite"
    return shows_dir() / f"{show}.sqlite"


def default_folder(journal: Path) -> Path:
    from app.insights.report import default_folder as folder

    return folder(journal)


def run(args: argparse.Namespace) -> int:
    from app.insights.journal import JournalError
    from app.insights.report import ReportError, write_report

    journal = find_show(args.show)
    folder = args.out if args.out is not None else default_folder(journal)
    try:
        files = write_report(journal, folder)
    except (JournalError, ReportError) as exc:
        print(f"livedesk report: {exc}", file=sys.stderr)
        return 2
    s = files.summary
    rate = "—" if s.answer_rate is None else f"{s.answer_rate:.0%}"
    print(
        f"{journal.name}: {s.events:,} events, {s.messages:,} messages, "
        f"{s.questions_asked:,} questions ({rate} answered), {s.orders:,} orders "
        f"— report in {files.seconds:.1f} s"
    )
    for path in (files.html, files.pdf, files.csv, files.parquet):
        if path is not None:
            print(path)
    return 0
