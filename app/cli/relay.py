"""`livedesk relay`: the embedded relay on its own (WHIP in, WHEP out, viewer page).

Prints one JSON line with its endpoint URLs — the same object `GET /info` serves — then
runs until interrupted. The publish token comes from `LIVEDESK_RELAY_TOKEN`; without it a
random one is made and shown once on stderr (never in the JSON, which /info also serves).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys

TOKEN_ENV = "LIVEDESK_RELAY_TOKEN"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "relay",
        help="run the embedded relay (WHIP ingest, WHEP playback, viewer page)",
        description="Run the embedded relay. For rehearsal, local preview and small rooms; "
        "large audiences belong on a real SFU reached over WHIP or Janus. The publish token "
        f"is read from ${TOKEN_ENV} (a random one is generated and printed on stderr if unset).",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    parser.add_argument("--port", type=int, default=8787, help="TCP port (default 8787; 0 = any)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from streaming.relay import RelayServer

    token = os.environ.get(TOKEN_ENV) or None
    server = RelayServer(args.host, args.port, token)

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await server.start()
        except OSError as exc:
            print(
                f"livedesk relay: cannot listen on {args.host}:{args.port}: {exc.strerror}",
                file=sys.stderr,
            )
            raise SystemExit(2) from None
        if token is None:
            print(
                f"publish token (set {TOKEN_ENV} to choose one): {server.token}",
                file=sys.stderr,
                flush=True,
            )
        print(server.info_line(), flush=True)
        await stop.wait()
        await server.stop()

    asyncio.run(serve())
    return 0
