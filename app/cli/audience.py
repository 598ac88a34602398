"""`livedesk audience`: a rehearsal audience of N viewers sending danmaku at R msg/s to a hub."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from typing import Any

import psutil

from app.bench.audience import (
    HostProbe,
    hub_urls,
    load_corpus,
    run_viewers,
    summarize_viewers,
)
from app.bench.blast import blast
from app.frozen import module_command

TOKEN_ENV = "LIVEDESK_HUB_TOKEN"
RATE_PER_PROCESS = 4000  # what one generator process sustains comfortably on a loaded machine


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "audience",
        description=(
            "Open N viewer connections to a hub and send realistic danmaku (questions, chatter, "
            "cheers, spam, keyword storms) at R messages/s in total for S seconds; print a JSON "
            f"summary. With {TOKEN_ENV} set to the hub's host token, also connect as the host and "
            "report what arrived and the viewer→host latency. --local-hub starts a hub of its own "
            "in another process and also reports the hub's CPU time per event."
        ),
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="the hub: ws://HOST:PORT or its /ws/viewer URL")
    target.add_argument(
        "--local-hub",
        action="store_true",
        help="start a hub in a separate process on loopback (limits raised to fit the load)",
    )
    parser.add_argument("--viewers", type=int, default=100, help="connections (default 100)")
    parser.add_argument(
        "--rate", type=float, default=100.0, help="messages/s in total (default 100)"
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds (default 10)")
    parser.add_argument(
        "--corpus", help='JSON lines {"text": ..., "kind": ...} (default: built in)'
    )
    parser.add_argument("--seed", type=int, help="random seed, for a repeatable audience")
    parser.add_argument(
        "--processes",
        type=int,
        default=0,
        help=f"generator processes (default: one per {RATE_PER_PROCESS} msg/s)",
    )
    parser.add_argument(
        "--blast",
        type=int,
        metavar="COUNT",
        help="instead of a paced audience, send COUNT pre-built danmaku as fast as the hub takes "
        "them (measures the hub's ceiling: what reaches the host per second); needs the host "
        "token (--local-hub or " + TOKEN_ENV + ")",
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    try:
        corpus = load_corpus(args.corpus)
    except (OSError, ValueError) as exc:
        print(f"livedesk audience: cannot read the corpus: {exc}", file=sys.stderr)
        return 2
    if args.viewers < 1 or args.rate <= 0 or args.duration <= 0 or (args.blast or 1) < 1:
        print(
            "livedesk audience: --viewers, --rate, --duration and --blast must be positive",
            file=sys.stderr,
        )
        return 2
    if args.blast and not (args.local_hub or os.environ.get(TOKEN_ENV)):
        print(
            f"livedesk audience: --blast measures what reaches the host: use --local-hub or set "
            f"{TOKEN_ENV}",
            file=sys.stderr,
        )
        return 2
    processes = args.processes or math.ceil(args.rate / RATE_PER_PROCESS)
    processes = max(1, min(processes, args.viewers))
    hub: subprocess.Popen[str] | None = None
    token = os.environ.get(TOKEN_ENV) or None
    url = args.url
    if args.local_hub:
        token = secrets.token_urlsafe(16)
        per_viewer = 1e9 if args.blast else args.rate / args.viewers
        # Room for a generator that fell behind on a loaded machine and catches up in a burst.
        hub, url = _start_local_hub(token, rate=per_viewer * 2 + 5, burst=int(per_viewer * 2) + 20)
    probe = HostProbe(url, token, decode=not args.blast).start() if token else None
    sampler = CpuSampler(hub.pid) if hub is not None else None
    try:
        if args.blast:
            processes = 1
            texts = [t for lines in corpus.values() for t in lines]
            assert probe is not None
            everything = args.blast + args.viewers  # the danmaku and the joins
            summary = asyncio.run(
                blast(
                    hub_urls(url)[0],
                    args.viewers,
                    args.blast,
                    texts,
                    done=lambda: probe.received >= everything,
                )
            )
            summary.update(
                url=hub_urls(url)[0],
                viewers=args.viewers,
                connected=args.viewers,
                acknowledged=args.blast,
                errors={},
            )
        elif processes == 1:
            summary = asyncio.run(
                run_viewers(url, args.viewers, args.rate, args.duration, corpus, args.seed)
            )
        else:
            summary = _run_workers(args, url, processes)
        if probe is not None:
            summary["host"] = probe.report(summary["acknowledged"])
            if args.blast:  # the hub works until the host has everything, not until written
                summary["sending"][1] = max(summary["sending"][1], probe.last_wall)
        if sampler is not None:
            start, end = summary["sending"]
            summary.update(sampler.per_event(start, end, summary["sent"]))
    except (OSError, ValueError) as exc:
        print(f"livedesk audience: {exc}", file=sys.stderr)
        return 1
    finally:
        if probe is not None:
            probe.client.stop()
        if sampler is not None:
            sampler.stop()
        if hub is not None:
            hub.terminate()
            hub.wait(10)
    summary["processes"] = processes
    print(json.dumps(summary, ensure_ascii=False))
    if summary["connected"] == 0:
        reasons = "; ".join(summary["errors"]) or "no reason given"
        print(
            f"livedesk audience: could not connect to the hub at {url}: {reasons}", file=sys.stderr
        )
        return 1
    return 0


def start_generator(
    url: str, viewers: int, rate: float, duration: float, extra: list[str]
) -> subprocess.Popen[str]:
    """`livedesk audience` (one generator process) with `extra` arguments, its summary on its
    stdout. The hub's host token stays out of its environment: it sends as viewers only."""
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    cmd = [*module_command("app"), "audience", "--url", url, "--viewers", str(viewers)]
    cmd += ["--rate", str(rate), "--duration", str(duration), *extra]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)


def _run_workers(args: argparse.Namespace, url: str, processes: int) -> dict[str, Any]:
    """Split viewers and rate over generator processes (one Python process tops out at a few
    thousand msg/s) and merge their summaries."""
    workers = []
    for i in range(processes):
        viewers = args.viewers // processes + (1 if i < args.viewers % processes else 0)
        extra = ["--processes", "1"]
        if args.corpus:
            extra += ["--corpus", args.corpus]
        if args.seed is not None:
            extra += ["--seed", str(args.seed + i)]
        workers.append(start_generator(url, viewers, args.rate / processes, args.duration, extra))
    parts = []
    for worker in workers:
        out, _ = worker.communicate()
        if worker.returncode != 0:
            raise OSError(f"a generator process failed (exit {worker.returncode})")
        parts.append(json.loads(out))
    errors: Counter[str] = Counter()
    for part in parts:
        errors.update(part["errors"])
    summary = summarize_viewers(
        parts[0]["url"],
        args.viewers,
        sum(p["connected"] for p in parts),
        args.rate,
        sum(p["sent"] for p in parts),
        max(p["duration_s"] for p in parts),
        errors,
    )
    summary["sending"] = [min(p["sending"][0] for p in parts), max(p["sending"][1] for p in parts)]
    return summary


class CpuSampler:
    """Samples a process's CPU time four times a second, so the hub's cost can be taken over
    the sending window alone (not the viewers' connection set-up before it)."""

    def __init__(self, pid: int, period: float = 0.25) -> None:
        self._proc = psutil.Process(pid)
        self._samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(period,), daemon=True)
        self._thread.start()

    def _run(self, period: float) -> None:
        while True:
            try:
                times = self._proc.cpu_times()
            except psutil.Error:
                return
            self._samples.append((time.time(), times.user + times.system))
            if self._stop.wait(period):
                return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)

    def per_event(self, start: float, end: float, events: int) -> dict[str, Any]:
        """The hub's CPU between `start` and `end` (wall clock), per event and as % of a core."""
        self.stop()
        samples = self._samples
        if len(samples) < 2 or end <= start:
            return {}
        t0, c0 = max((s for s in samples if s[0] <= start), default=samples[0])
        t1, c1 = min((s for s in samples if s[0] >= end), default=samples[-1])
        cpu, wall = c1 - c0, t1 - t0
        return {
            "hub_cpu_pct_of_core": round(100 * cpu / wall, 1) if wall > 0 else None,
            "hub_cpu_us_per_event": round(1e6 * cpu / events, 1) if events else None,
            "hub_capacity_per_core": round(events / cpu) if cpu > 0 else None,
        }


def _start_local_hub(token: str, rate: float, burst: int) -> tuple[subprocess.Popen[str], str]:
    """A hub in its own process (so it has a core of its own) on a free loopback port."""
    proc = subprocess.Popen(
        [
            *module_command("streaming.interaction.serve"),
            "--port",
            "0",
            "--viewer-rate",
            str(rate),
            "--viewer-burst",
            str(burst),
            "--no-address-limits",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, TOKEN_ENV: token},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait(10)
        raise OSError("the local hub did not start")
    return proc, json.loads(line)["url"]
