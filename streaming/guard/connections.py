"""Connection-level rules for an aiohttp server: caps per address and in total, an idle/header
timeout, plain answers to malformed HTTP, and staying up at the file-descriptor limit.

`serve(app, host, port, limits)` replaces `AppRunner` + `TCPSite` for every LiveDesk server.
Each accepted connection is counted under its address (`ConnectionCaps`); past the per-address
cap it gets `429`; at the total cap (kept below the process's descriptor limit, so the media
sockets still find descriptors) the connection that has sent nothing the longest is closed to
make room, and only when every connection has spoken does the newcomer get `503` — each
refusal written at once before closing, nothing else read from it. A connection that has not sent a whole request head within
`idle_timeout_s`, or stays idle that long between requests, is closed (aiohttp's keep-alive
timer, which starts when the connection is made). Out of descriptors altogether, `Listener`
answers `503` too instead of leaving clients in the backlog. Bodies have their own timeout
(`streaming.guard.http.read_text`). WebSocket upgrades get `MaskScanner` (RFC 6455 §5.1).
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from streaming.guard.http import internal_error
from streaming.guard.listener import Listener
from streaming.guard.throttled_log import ThrottledLog
from streaming.guard.websocket import MaskScanner
from streaming.interaction.ratelimit import ConnectionCaps, address_key

log = logging.getLogger(__name__)
_throttled = ThrottledLog(log)

FD_RESERVE = 128  # descriptors kept for media sockets, files and the journal


@dataclass(frozen=True)
class ServerLimits:
    idle_timeout_s: float = 10.0  # header timeout and idle time between requests
    max_connections_per_address: int = 64
    max_connections: int | None = None  # None: the descriptor limit minus FD_RESERVE
    max_header_bytes: int = 8190  # one header line / field
    lingering_s: float = 1.0  # how long an unread request body is drained before closing

    def total(self) -> int:
        if self.max_connections is not None:
            return self.max_connections
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft == resource.RLIM_INFINITY:
            return 65536
        return max(16, soft - FD_RESERVE)


def _refusal(status: str, text: str) -> bytes:
    body = text.encode()
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nRetry-After: 5\r\nConnection: close\r\n\r\n"
    ).encode() + body


_TOO_MANY_FROM_YOU = _refusal(
    "429 Too Many Requests", "Too many connections from your address; close some and retry.\n"
)
_BUSY = _refusal("503 Service Unavailable", "The server is busy; try again shortly.\n")


class _GuardedHandler(RequestHandler):
    """aiohttp's request handler, counted against the caps and quiet about malformed HTTP."""

    __slots__ = ("_cap_key", "_caps", "_silent")

    def __init__(
        self,
        manager: web.Server,
        caps: ConnectionCaps[str],
        silent: dict[_GuardedHandler, None],
        **kwargs: Any,
    ) -> None:
        super().__init__(manager, **kwargs)
        self._caps = caps
        self._silent = silent
        self._cap_key: str | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        key = address_key(transport.get_extra_info("peername"))
        per_address = self._caps.count(key) >= self._caps.per_key
        admitted = self._caps.open(key)
        if not admitted and not per_address and self._silent:
            # At the total cap, the connection that has said nothing the longest makes room:
            # holding silent sockets open no longer locks out /status, /whep or viewers.
            _throttled.warning("evict", "connection cap reached: closing silent connections")
            next(iter(self._silent)).evict()
            admitted = self._caps.open(key)
        super().connection_made(transport)
        if admitted:
            self._cap_key = key
            self._silent[self] = None
            return
        if per_address:
            _throttled.warning("per-address", "connections from %s over the per-address cap", key)
        else:
            _throttled.warning("total", "connection cap (%d) reached: refusing", self._caps.total)
        assert isinstance(transport, asyncio.WriteTransport)
        transport.write(_TOO_MANY_FROM_YOU if per_address else _BUSY)
        self.force_close()

    def data_received(self, data: bytes) -> None:
        if self._silent:
            self._silent.pop(self, None)
        super().data_received(data)

    def evict(self) -> None:
        """Close at once, its place under the caps freed now (not when the loop gets to it)."""
        self._release()
        if self.transport is not None:
            self.transport.abort()

    def _release(self) -> None:
        self._silent.pop(self, None)
        key, self._cap_key = self._cap_key, None
        if key is not None:
            self._caps.close(key)

    def connection_lost(self, exc: BaseException | None) -> None:
        self._release()
        super().connection_lost(exc)

    def set_parser(self, parser: Any, data_received_cb: Callable[[], None] | None = None) -> None:
        """Called on a WebSocket upgrade: unmasked client frames then close the connection."""
        transport = self.transport
        if isinstance(transport, asyncio.Transport):
            parser = MaskScanner(parser, transport)
        super().set_parser(parser, data_received_cb)

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        """Malformed HTTP (the parser's 4xx): a plain reason, no parser internals, and one
        log line per interval instead of a traceback per request. A client that went away
        mid-answer is not a server error (a reconnect storm makes thousands): not logged.
        Any other failure: logged once with a request id, a plain 500 naming it."""
        transport = self.transport
        if isinstance(exc, ConnectionError) and (transport is None or transport.is_closing()):
            response = web.Response(status=status)
            response.force_close()
            return response
        if status >= 500:
            if request.writer.output_size > 0:
                raise ConnectionError("the answer had begun; the connection is closed")
            response = internal_error(request, exc)
            response.force_close()
            return response
        _throttled.warning("malformed", "malformed HTTP from %s (%s)", request.remote, status)
        text = (
            "The request head is too large." if status in (413, 431) else "Malformed HTTP request."
        )
        response = web.Response(status=status, text=text)
        response.force_close()
        return response


class GuardedSite(web.TCPSite):
    """A TCP site whose connections go through `_GuardedHandler`."""

    def __init__(self, runner: web.AppRunner, host: str, port: int, limits: ServerLimits) -> None:
        super().__init__(runner, host, port)
        self.caps: ConnectionCaps[str] = ConnectionCaps(
            limits.max_connections_per_address, limits.total()
        )
        self.silent: dict[
            _GuardedHandler, None
        ] = {}  # admitted, nothing received yet; oldest first

    async def start(self) -> None:
        await web.BaseSite.start(self)
        loop = asyncio.get_running_loop()
        server = self._runner.server
        assert server is not None
        kwargs = dict(server._kwargs)
        caps, silent = self.caps, self.silent

        def factory() -> _GuardedHandler:
            return _GuardedHandler(server, caps, silent, loop=loop, **kwargs)

        listener = await Listener.open(
            self._host or "0.0.0.0", self._port, factory, _BUSY, _throttled, self._backlog
        )
        self._server = listener
        sockets = listener.sockets
        self._bound_port = sockets[0].getsockname()[1] if sockets else self._port


async def serve(
    app: web.Application, host: str, port: int, limits: ServerLimits | None = None
) -> tuple[web.AppRunner, GuardedSite]:
    """Set up and start `app` on host:port (0 = any free port) behind the guards; the caller
    cleans up with `await runner.cleanup()`. The bound port is `site.port`."""
    limits = limits or ServerLimits()
    runner = web.AppRunner(
        app,
        handle_signals=False,
        access_log=None,
        keepalive_timeout=limits.idle_timeout_s,
        max_line_size=limits.max_header_bytes,
        max_field_size=limits.max_header_bytes,
        lingering_time=limits.lingering_s,
    )
    await runner.setup()
    site = GuardedSite(runner, host, port, limits)
    try:
        await site.start()
    except OSError:
        await runner.cleanup()
        raise
    return runner, site
