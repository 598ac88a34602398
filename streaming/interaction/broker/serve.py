"""An edge hub on its own aiohttp server, connected to NATS: what `livedesk hub --nats` runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import nats
from aiohttp import web
from nats.aio.client import Client as NATS

from streaming.guard.connections import ServerLimits
from streaming.interaction.broker.edge import EdgeHub
from streaming.interaction.broker.room import RoomConfig
from streaming.interaction.hub import HubLimits
from streaming.interaction.serve import start_site


@dataclass
class RunningEdge:
    edge: EdgeHub
    nc: NATS
    runner: web.AppRunner
    port: int

    async def stop(self) -> None:
        await self.runner.cleanup()  # closes the edge's connections (the hub's on_shutdown)
        await self.edge.close()
        await self.nc.close()


async def connect_nats(
    servers: list[str],
    name: str = "livedesk-edge",
    reconnected: Callable[[], None] = lambda: None,
) -> NATS:
    """A connection that rides out any node's death: it tries every server it knows of
    (those given and those the cluster announces) and never gives up reconnecting, calling
    `reconnected()` each time it is back."""

    async def on_reconnect() -> None:
        reconnected()

    return await nats.connect(
        servers=servers,
        name=name,
        reconnected_cb=on_reconnect,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.2,
        connect_timeout=2,
        allow_reconnect=True,
        pending_size=64 * 2**20,  # what a cut may buffer before publishing stalls
    )


async def start_edge(
    servers: list[str],
    room: RoomConfig,
    token: str,
    host: str = "127.0.0.1",
    port: int = 0,
    limits: HubLimits | None = None,
    server_limits: ServerLimits | None = None,
) -> RunningEdge:
    """Connect to NATS, follow the room's stream and serve viewers and hosts on host:port."""
    edges: list[EdgeHub] = []

    def reconnected() -> None:
        for e in edges:
            e.reconnected()

    nc = await connect_nats(servers, reconnected=reconnected)
    edge = EdgeHub(nc, room, token, limits)
    edges.append(edge)
    try:
        await edge.start()
        runner, bound = await start_site(edge, host, port, server_limits)
    except BaseException:
        await nc.close()
        raise
    return RunningEdge(edge, nc, runner, bound)
