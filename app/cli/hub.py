"""`livedesk hub --nats URL…`: an edge hub of a room carried by NATS JetStream.

Run as many as the audience needs, on any machines, all pointed at the same NATS cluster and
room: viewers connect to any edge, the console's "Connect to audience hub…" to any edge's
/ws/host. Prints one JSON line (`{"url", "port", "edge", "hub", "room"}`), then serves until
interrupted. The host token comes from --host-token-file or LIVEDESK_HOST_TOKEN (every edge of a
room needs the same one). See docs/broker.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from streaming.interaction.broker.room import RoomConfig
    from streaming.interaction.hub import HubLimits

HOST_TOKEN_ENV = "LIVEDESK_HOST_TOKEN"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("hub")
    parser.add_argument(
        "--nats",
        nargs="+",
        required=True,
        metavar="URL",
        help="NATS servers to start from, e.g. nats://10.0.0.5:4222 (the cluster tells the rest)",
    )
    parser.add_argument("--room", default="main", help="room name: one stream per room")
    parser.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="copies of the room's stream when this edge creates it (3 on a 3-node cluster)",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: this machine only)"
    )
    parser.add_argument("--port", type=int, default=8788, help="TCP port (default 8788; 0 = any)")
    parser.add_argument(
        "--host-token-file", metavar="PATH", help="host token: first line of PATH (- = stdin)"
    )
    parser.add_argument("--viewer-rate", type=float, default=None, help="messages/s per viewer")
    parser.add_argument("--viewer-burst", type=int, default=None, help="burst per viewer")
    parser.add_argument(
        "--max-viewers",
        type=int,
        default=None,
        help="viewer connections this edge serves (default 20,000); the next is told it is full",
    )
    parser.add_argument(
        "--no-address-limits",
        action="store_true",
        help="lift the per-address limits (load tests: one machine plays every viewer)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from app.cli.token_input import TokenInputError, resolve_token
    from streaming.interaction.broker.room import RoomConfig
    from streaming.interaction.hub import HubLimits

    try:
        token = resolve_token(token_file=args.host_token_file, cmdline=None, env=HOST_TOKEN_ENV)
        room = RoomConfig(room=args.room, replicas=args.replicas)
    except (TokenInputError, ValueError) as exc:
        print(f"livedesk hub: {exc}", file=sys.stderr)
        return 2
    if not token:
        print(
            f"livedesk hub: set {HOST_TOKEN_ENV} or --host-token-file (every edge of a room "
            "needs the same host token)",
            file=sys.stderr,
        )
        return 2
    limits = HubLimits()
    if args.viewer_rate is not None:
        limits = replace(limits, viewer_rate=args.viewer_rate)
    if args.viewer_burst is not None:
        limits = replace(limits, viewer_burst=args.viewer_burst)
    if args.max_viewers is not None:
        limits = replace(limits, max_viewers=args.max_viewers)
    if args.no_address_limits:
        limits = limits.for_load_test()
    try:
        asyncio.run(_serve(args, room, token, limits))
    except _Failed as exc:
        print(f"livedesk hub: {exc}", file=sys.stderr)
        return 2
    return 0


class _Failed(Exception):
    pass


async def _serve(args: argparse.Namespace, room: RoomConfig, token: str, limits: HubLimits) -> None:
    from streaming.interaction.broker.serve import start_edge

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        running = await start_edge(args.nats, room, token, args.host, args.port, limits)
    except OSError as exc:
        raise _Failed(
            f"cannot listen on {args.host}:{args.port} or reach NATS at "
            f"{' '.join(args.nats)}: {exc.strerror or exc}"
        ) from None
    except Exception as exc:
        raise _Failed(f"cannot start the edge: {exc or type(exc).__name__}") from None
    edge = running.edge
    print(
        json.dumps(
            {
                "url": f"ws://{args.host}:{running.port}",
                "port": running.port,
                "edge": edge.edge_id,
                "hub": edge.hub_id,
                "room": edge.room.room,
            }
        ),
        flush=True,
    )
    await stop.wait()
    await running.stop()
