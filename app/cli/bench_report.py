"""`livedesk bench report [--events N]`: the post-show report on a big show.

Writes a synthetic three-hour show of N events (5 million by default: danmaku with repeats and
questions, likes, orders, viewer counts, products) with the real journal writer, then runs
`livedesk report` on it in a child process, as a host would after the show. Prints one JSON
object: the report's wall time against the issue's 60 s target (the ratio), the child's peak
memory (its own high-water mark; bounded: the journal is streamed, not loaded), and the files written.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from app.bench.measure import peak_rss_mb_until_exit
from app.bench.report import emit, emit_error, machine
from app.frozen import module_command

TARGET_S = 60.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("report")
    parser.add_argument(
        "--events", type=int, default=5_000_000, help="events in the synthetic show (default 5M)"
    )
    parser.add_argument(
        "--keep", metavar="DIR", type=Path, help="leave the show and its report in DIR"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.bench.synthetic_show import write_synthetic_show

    if args.events < 1:
        return emit_error("report", "--events must be at least 1")
    with tempfile.TemporaryDirectory(prefix="livedesk-bench-report-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        journal, out = folder / "show.sqlite", folder / "report"
        journal.unlink(missing_ok=True)
        started = time.perf_counter()
        write_synthetic_show(journal, args.events)
        write_s = time.perf_counter() - started
        with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
            started = time.perf_counter()
            child = subprocess.Popen(
                [*module_command("app"), "report", str(journal), "--out", str(out)],
                stdout=stdout,
                stderr=stderr,
                text=True,
            )
            peak_mb = peak_rss_mb_until_exit(child)
            report_s = round(time.perf_counter() - started, 2)  # the ratio is of what is printed
            stdout.seek(0)
            stderr.seek(0)
            said, failure = stdout.read(), stderr.read()
        if child.returncode != 0:
            return emit_error("report", f"livedesk report failed: {failure.strip()[-500:]}")
        files = {p.name: p.stat().st_size for p in sorted(out.iterdir())}
        emit(
            {
                "bench": "report",
                "events": args.events,
                "write_s": round(write_s, 2),
                "report_s": report_s,
                "target_s": TARGET_S,
                "ratio": round(report_s / TARGET_S, 3),
                "ok": report_s <= TARGET_S,
                "peak_rss_mb": round(peak_mb, 1),
                "files": files,
                "summary": said.strip().splitlines()[0],
                "machine": machine(),
            },
            ensure_ascii=False,
        )
    return 0
