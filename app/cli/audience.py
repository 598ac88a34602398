"""`livedesk audience`: a rehearsal audience of N viewers sending danmaku at R msg/s to a hub."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
from typing import Any

from streaming.interaction.audience import load_corpus, run_audience

TOKEN_ENV = "LIVEDESK_HUB_TOKEN"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "audience",
        help="simulate viewers sending danmaku to an interaction hub (rehearsal, load test)",
        description=(
            "Open N viewer connections to a hub and send realistic danmaku (questions, chatter, "
            "cheers, spam, keyword storms) at R messages/s in total for S seconds; print a JSON "
            f"summary. With {TOKEN_ENV} set to the hub's host token, also connect as the host and "
            "report what arrived and the viewer→host latency. --local-hub starts a hub of its own."
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
    parser.add_argument("--rate", type=float, default=100.0, help="messages/s in total (default 100)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds (default 10)")
    parser.add_argument("--corpus", help="JSON lines {\"text\": ..., \"kind\": ...} (default: built in)")
    parser.add_argument("--seed", type=int, help="random seed, for a repeatable audience")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    try:
        corpus = load_corpus(args.corpus)
    except (OSError, ValueError) as exc:
        print(f"livedesk audience: cannot read the corpus: {exc}", file=sys.stderr)
        return 2
    if args.viewers < 1 or args.rate <= 0 or args.duration <= 0:
        print("livedesk audience: --viewers, --rate and --duration must be positive", file=sys.stderr)
        return 2
    hub: subprocess.Popen[str] | None = None
    token = os.environ.get(TOKEN_ENV) or None
    url = args.url
    if args.local_hub:
        token = secrets.token_urlsafe(16)
        per_viewer = args.rate / args.viewers
        hub, url = _start_local_hub(token, rate=per_viewer * 1.5 + 1, burst=int(per_viewer) + 10)
    try:
        summary: dict[str, Any] = asyncio.run(
            run_audience(url, args.viewers, args.rate, args.duration, corpus, args.seed, token)
        )
    except (OSError, ValueError) as exc:
        print(f"livedesk audience: {exc}", file=sys.stderr)
        return 1
    finally:
        if hub is not None:
            hub.terminate()
            hub.wait(10)
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def _start_local_hub(token: str, rate: float, burst: int) -> tuple[subprocess.Popen[str], str]:
    """A hub in its own process (so it has a core of its own) on a free loopback port."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "streaming.interaction.serve", "--port", "0",
         "--viewer-rate", str(rate), "--viewer-burst", str(burst)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, TOKEN_ENV: token},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait(10)
        raise SystemExit("livedesk audience: the local hub did not start")
    return proc, json.loads(line)["url"]
