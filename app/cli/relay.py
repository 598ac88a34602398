"""`livedesk relay`: the embedded relay on its own (WHIP in, WHEP out, viewer page, hub).

Prints one JSON line with its endpoint URLs — the same object `GET /info` serves — then runs
until interrupted. Two secrets, for two roles: the publish token (WHIP) from `--token-file` or
`LIVEDESK_RELAY_TOKEN`, the host token (the audience hub's `/ws/host`) from
`--host-token-file` or `LIVEDESK_HOST_TOKEN`. A missing one is generated and shown once on
stderr (never in the JSON, which /info also serves).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

TOKEN_ENV = "LIVEDESK_RELAY_TOKEN"
HOST_TOKEN_ENV = "LIVEDESK_HOST_TOKEN"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "relay",
        description="Run the embedded relay. For rehearsal, local preview and small rooms; "
        "large audiences belong on a real SFU reached over WHIP or Janus. The publish token "
        f"is read from --token-file or ${TOKEN_ENV}, the host token from --host-token-file or "
        f"${HOST_TOKEN_ENV}; random ones are generated and printed on stderr if unset.",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on, HTTP and media (default 127.0.0.1: this machine only)",
    )
    parser.add_argument("--port", type=int, default=8787, help="TCP port (default 8787; 0 = any)")
    parser.add_argument(
        "--token-file", metavar="PATH", help="publish token: first line of PATH (- = stdin)"
    )
    parser.add_argument(
        "--host-token-file", metavar="PATH", help="host token: first line of PATH (- = stdin)"
    )
    parser.add_argument(
        "--ice-server",
        action="append",
        default=[],
        metavar="URL",
        help="a STUN/TURN server the relay may use (repeatable; default none)",
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="another name the relay answers to, e.g. a reverse proxy's (repeatable)",
    )
    parser.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="a page origin allowed to open the viewer WebSocket (repeatable)",
    )
    parser.add_argument(
        "--no-address-limits",
        action="store_true",
        help="lift the per-address limits (load tests: one machine plays every viewer)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from aiortc import RTCIceServer

    from app.cli.token_input import TokenInputError, resolve_token
    from streaming.interaction.hub import HubLimits
    from streaming.relay import RelayServer

    try:
        token = resolve_token(token_file=args.token_file, cmdline=None, env=TOKEN_ENV)
        host_token = resolve_token(
            token_file=args.host_token_file, cmdline=None, env=HOST_TOKEN_ENV
        )
        limits = HubLimits().for_load_test() if args.no_address_limits else None
        server = RelayServer(
            args.host,
            args.port,
            token,
            host_token=host_token,
            ice_servers=[RTCIceServer(urls=url) for url in args.ice_server],
            allowed_hosts=args.allow_host,
            allowed_origins=args.allow_origin,
            hub_limits=limits,
        )
    except (TokenInputError, ValueError) as exc:
        print(f"livedesk relay: {exc}", file=sys.stderr)
        return 2

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
        if host_token is None:
            print(
                f"host token (set {HOST_TOKEN_ENV} to choose one): {server.host_token}",
                file=sys.stderr,
                flush=True,
            )
        print(server.info_line(), flush=True)
        await stop.wait()
        await server.stop()

    asyncio.run(serve())
    return 0
