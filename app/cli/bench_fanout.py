"""Host → many viewers, for `livedesk bench scale`: fan-out latency, CPU and memory per viewer.

Ten thousand viewers must not cost the measuring process more than the hubs, so each is a
bare asyncio protocol: it sends the WebSocket upgrade, then only looks for the current
broadcast's marker in the (unmasked, server → client) bytes it receives, noting when it came.
The host sends numbered announcements through `/ws/host` (after its `hello`, and one more
first that is not counted: steady state, not the path's first use); latency is from just before
the send to each viewer's arrival (one clock). CPU is the hubs' (and the broker's) over an idle
window with everyone connected and over the broadcasts; memory per connection is the hubs'
RSS growth divided by the viewers connected.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import resource
import secrets
import time
from typing import Any
from urllib.parse import urlsplit

import psutil

IDLE_WINDOW_S = 3.0
BROADCAST_EVERY_S = 0.5
CONNECT_BATCH = 200


def raise_fd_limit() -> int:
    """The soft descriptor limit raised to the hard one (the hubs started after inherit it)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


class _Watch:
    """The broadcast being waited for: its marker and when it was sent."""

    def __init__(self) -> None:
        self.marker = b"\x00never"
        self.sent_at = 0.0
        self.latencies_ms: list[float] = []


class _Viewer(asyncio.Protocol):
    def __init__(self, request: bytes, watch: _Watch, upgraded: asyncio.Future[None]) -> None:
        self._request = request
        self._watch = watch
        self._upgraded = upgraded
        self._seen = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        if not self._upgraded.done():
            ok = data.startswith(b"HTTP/1.1 101")
            if ok:
                self._upgraded.set_result(None)
            else:
                self._upgraded.set_exception(ConnectionError(data[:80].decode("latin-1")))
        watch = self._watch
        if watch.marker in data and self._seen != watch.marker:
            self._seen = watch.marker
            watch.latencies_ms.append((time.monotonic() - watch.sent_at) * 1000)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._upgraded.done():
            self._upgraded.set_exception(ConnectionError("closed before the upgrade"))


def _upgrade(url: str) -> tuple[str, int, bytes]:
    parts = urlsplit(url)
    key = base64.b64encode(secrets.token_bytes(16)).decode()
    request = (
        f"GET /ws/viewer HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    return parts.hostname or "127.0.0.1", parts.port or 80, request.encode()


async def _connect(urls: list[str], count: int, watch: _Watch) -> list[_Viewer]:
    loop = asyncio.get_running_loop()
    targets = [_upgrade(url) for url in urls]
    viewers: list[_Viewer] = []

    async def one(i: int) -> None:
        host, port, request = targets[i % len(targets)]
        upgraded: asyncio.Future[None] = loop.create_future()
        _, protocol = await loop.create_connection(
            lambda: _Viewer(request, watch, upgraded), host, port
        )
        await asyncio.wait_for(upgraded, 30)
        viewers.append(protocol)

    for start in range(0, count, CONNECT_BATCH):
        await asyncio.gather(*(one(i) for i in range(start, min(count, start + CONNECT_BATCH))))
    return viewers


def _cpu_s(procs: list[psutil.Process]) -> float:
    return sum(p.cpu_times().user + p.cpu_times().system for p in procs)


def _rss(procs: list[psutil.Process]) -> int:
    return sum(p.memory_info().rss for p in procs)


async def fan_out(
    urls: list[str],
    host_token: str,
    hub_pids: list[int],
    broker_pids: list[int],
    viewers: int,
    broadcasts: int,
) -> dict[str, Any]:
    """Connect `viewers` across `urls`, measure idle cost, then time `broadcasts`."""
    import aiohttp

    from app.bench.measure import summarize

    hubs = [psutil.Process(pid) for pid in hub_pids]
    brokers = [psutil.Process(pid) for pid in broker_pids]
    watch = _Watch()
    rss_before = _rss(hubs)
    started = time.monotonic()
    sockets = await _connect(urls, viewers, watch)
    connect_s = time.monotonic() - started
    await asyncio.sleep(1.0)  # welcome frames and room counts settle
    rss_per_conn = (_rss(hubs) - rss_before) / max(1, len(sockets))
    cpu0, broker0 = _cpu_s(hubs), _cpu_s(brokers)
    await asyncio.sleep(IDLE_WINDOW_S)
    idle_cpu = (_cpu_s(hubs) - cpu0) / IDLE_WINDOW_S
    idle_broker = (_cpu_s(brokers) - broker0) / IDLE_WINDOW_S
    per_broadcast: list[int] = []
    headers = {"Authorization": f"Bearer {host_token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(urls[0] + "/ws/host", headers=headers, max_msg_size=0) as host,
    ):
        async for msg in host:  # the host is set up on the hub before anything is timed
            if '"type":"hello"' in msg.data:
                break
        cpu0, busy_from = _cpu_s(hubs), time.monotonic()
        for k in range(-1, broadcasts):  # broadcast -1 warms the path up and is not counted
            if k == 0:
                watch.latencies_ms.clear()
            text = f"fanout-{k}-{secrets.token_hex(3)}"
            got_before = len(watch.latencies_ms)
            watch.marker, watch.sent_at = text.encode(), time.monotonic()
            await host.send_str(json.dumps({"v": 1, "type": "announcement", "text": text}))
            deadline = time.monotonic() + BROADCAST_EVERY_S
            while time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            await _wait_all(watch, got_before + len(sockets), 5.0)
            if k >= 0:
                per_broadcast.append(len(watch.latencies_ms) - got_before)
        busy_cpu = (_cpu_s(hubs) - cpu0) / (time.monotonic() - busy_from)
    for viewer in sockets:
        if viewer.transport is not None:
            viewer.transport.close()
    lat = summarize(watch.latencies_ms)
    per_k = 1000 / max(1, len(sockets))
    return {
        "viewers": len(sockets),
        "connect_s": round(connect_s, 2),
        "broadcasts": broadcasts,
        "delivered_min": min(per_broadcast, default=0),
        "fanout_p50_ms": lat["median"],
        "fanout_p99_ms": lat["p99"],
        "fanout_max_ms": lat["max"],
        "cpu_pct_per_1000_idle": round(100 * idle_cpu * per_k, 2),
        "cpu_pct_per_1000_broadcasting": round(100 * busy_cpu * per_k, 2),
        "broker_cpu_pct_idle": round(100 * idle_broker, 2),
        "kb_per_connection": round(rss_per_conn / 1024, 1),
        "cores": os.cpu_count(),
    }


async def _wait_all(watch: _Watch, expected: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(watch.latencies_ms) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
