"""A hub on its own aiohttp server: for tests, rehearsals and `livedesk audience --local-hub`.

In the console the embedded relay hosts the hub (`InteractionHub(...).attach(app)`); this module
is the same hub without the relay, in a thread (`HubServer`) or a process
(`python -m streaming.interaction.serve --port 0` prints `{"url": ..., "port": ...}`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web

from streaming.guard.connections import ServerLimits, serve
from streaming.guard.http import HostPolicy, guard_middlewares
from streaming.interaction.hub import HOST_PATH, VIEWER_PATH, HubLimits, InteractionHub, now_ms

T = TypeVar("T")


async def start_site(
    hub: InteractionHub,
    host: str = "127.0.0.1",
    port: int = 0,
    limits: ServerLimits | None = None,
) -> tuple[web.AppRunner, int]:
    """Serve `hub` on host:port (0 = any free port) behind the server guards (Host allow-list,
    connection caps and timeouts); returns the runner and the bound port."""
    policy = HostPolicy(host)
    if hub.origins is None:
        hub.origins = policy
    app = web.Application(middlewares=guard_middlewares(policy))
    hub.attach(app)
    if limits is None:
        limits = ServerLimits(max_connections_per_address=hub.limits.per_address.max_connections)
    runner, site = await serve(app, host, port, limits)
    return runner, site.port


class HubServer:
    """A hub served from a background thread with its own event loop."""

    def __init__(
        self,
        token: str,
        limits: HubLimits | None = None,
        host: str = "127.0.0.1",
        server_limits: ServerLimits | None = None,
        clock_ms: Callable[[], int] = now_ms,
    ) -> None:
        self.hub = InteractionHub(token, limits, clock_ms=clock_ms)
        self.host = host
        self.server_limits = server_limits
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="hub-server", daemon=True
        )
        self._runner: web.AppRunner | None = None

    @property
    def viewer_url(self) -> str:
        return f"ws://{self.host}:{self.port}{VIEWER_PATH}"

    @property
    def host_url(self) -> str:
        return f"ws://{self.host}:{self.port}{HOST_PATH}"

    def start(self) -> HubServer:
        self._thread.start()
        self._runner, self.port = self.call(
            lambda: start_site(self.hub, self.host, 0, self.server_limits)
        )
        return self

    def call(self, make: Callable[[], Any]) -> Any:
        """Run `make()` (a coroutine factory or plain function) on the hub's loop; its result."""

        async def run() -> Any:
            result = make()
            return await result if asyncio.iscoroutine(result) else result

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(30)

    def stop(self) -> None:
        if self._runner is not None:
            self.call(self._runner.cleanup)
            self._runner = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def __enter__(self) -> HubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve an interaction hub on its own.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--viewer-rate", type=float, default=HubLimits.viewer_rate)
    parser.add_argument("--viewer-burst", type=int, default=HubLimits.viewer_burst)
    parser.add_argument(
        "--no-address-limits",
        action="store_true",
        help="lift the per-address limits (load tests: one machine plays every viewer)",
    )
    args = parser.parse_args(argv)
    token = os.environ.get("LIVEDESK_HUB_TOKEN", "")
    if not token:
        print("set LIVEDESK_HUB_TOKEN to the host token", file=sys.stderr)
        return 2
    limits = HubLimits(viewer_rate=args.viewer_rate, viewer_burst=args.viewer_burst)
    if args.no_address_limits:
        limits = limits.for_load_test()

    async def run_hub() -> None:
        hub = InteractionHub(token, limits)
        runner, port = await start_site(hub, args.host, args.port)
        print(
            json.dumps({"url": f"ws://{args.host}:{port}", "port": port, "hub": hub.hub_id}),
            flush=True,
        )
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    try:
        asyncio.run(run_hub())
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
