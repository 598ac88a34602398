"""A flash sale through a real hub: many viewers press buy at zero; exactly the stock sells."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from streaming.guard.connections import ServerLimits
from streaming.interaction.hub import HubLimits
from streaming.interaction.serve import HubServer
from tests.interaction_support import TOKEN, Collector
from tests.waiting import wait_for

UNITS = 100
VIEWERS = 300


def _sale(opens_at: int, **kw: Any) -> dict[str, Any]:
    return {
        "v": 1,
        "type": "sale",
        "id": "s1",
        "product_id": "p1",
        "title": "补水面膜",
        "price": 99,
        "flash_price": 59.9,
        "units": UNITS,
        "opens_at": opens_at,
        "link": "https://shop.example/p1",
    } | kw


async def _buyers(url: str, open_sale: Callable[[], float]) -> dict[str, Any]:
    """Every viewer connects, then `open_sale()` announces the sale (its zero, local seconds);
    every viewer presses buy a little before zero, at zero and after; returns what they saw."""
    refused: dict[str, int] = {}
    last_stock: dict[int, dict[str, Any]] = {}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        sockets = [await session.ws_connect(url) for _ in range(VIEWERS)]

        async def read(i: int, ws: aiohttp.ClientWebSocketResponse) -> None:
            async for msg in ws:
                for item in json.loads(msg.data):
                    if item["type"] == "error":
                        refused[item["code"]] = refused.get(item["code"], 0) + 1
                    elif item["type"] == "stock":
                        seen = last_stock.get(i)
                        if seen is None or item["version"] > seen["version"]:
                            last_stock[i] = item

        readers = [asyncio.create_task(read(i, ws)) for i, ws in enumerate(sockets)]
        opens_at_local = await asyncio.get_running_loop().run_in_executor(None, open_sale)
        order = json.dumps({"v": 1, "type": "order", "product_id": "p1", "quantity": 1})
        await asyncio.sleep(max(0.0, opens_at_local - 0.3 - time.time()))
        for ws in sockets:  # early: refused, not sold
            await ws.send_str(order)
        await asyncio.sleep(max(0.0, opens_at_local - time.time()))
        for _ in range(2):
            await asyncio.gather(*(ws.send_str(order) for ws in sockets))
        await asyncio.sleep(1.5)
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        await asyncio.gather(*(ws.close() for ws in sockets))
    return {"refused": refused, "last_stock": last_stock}


def test_a_buy_storm_at_zero_sells_exactly_the_stock() -> None:
    limits = HubLimits(viewer_rate=1000, viewer_burst=1000).for_load_test()
    server = ServerLimits(max_connections_per_address=VIEWERS + 16)
    with HubServer(TOKEN, limits, server_limits=server) as hub, Collector(hub.host_url) as host:
        opens_at = 0

        def open_sale() -> float:  # once every viewer is connected: a loaded machine is slow
            nonlocal opens_at
            opens_at = int(time.time() * 1000) + 1500
            host.client.send(_sale(opens_at))
            wait_for(lambda: any(e["type"] == "sale" for e in host.events()))
            return opens_at / 1000

        seen = asyncio.run(_buyers(hub.viewer_url, open_sale))
        wait_for(lambda: sum(e["type"] == "order" for e in host.events()) >= UNITS)
        time.sleep(0.3)
        orders = [e for e in host.events() if e["type"] == "order"]
    assert len(orders) == UNITS  # no oversell
    assert sorted(e["remaining"] for e in orders) == list(range(UNITS))
    assert len({e["user"]["id"] for e in orders}) == UNITS  # one each (per-viewer limit)
    assert all(e["ts"] >= opens_at and e["sale"] == "s1" for e in orders)
    refused = seen["refused"]
    assert refused["sale_not_open"] == VIEWERS
    assert refused["sold_out"] + refused.get("order_limit", 0) == 2 * VIEWERS - UNITS
    assert all(s["remaining"] == 0 for s in seen["last_stock"].values())
    assert len(seen["last_stock"]) == VIEWERS


def test_a_cancelled_sale_refuses_orders_and_late_joiners_see_sale_and_stock() -> None:
    with HubServer(TOKEN) as hub, Collector(hub.host_url) as host:
        now = int(time.time() * 1000)
        host.client.send(_sale(now - 10))
        host.client.send(_sale(now - 10, state="cancelled", reason="库存盘点有误"))
        wait_for(lambda: sum(e["type"] == "sale" for e in host.events()) == 2)

        async def late_joiner() -> list[dict[str, Any]]:
            async with aiohttp.ClientSession() as session, session.ws_connect(hub.viewer_url) as ws:
                got: list[dict[str, Any]] = []
                await ws.send_str('{"v":1,"type":"order","product_id":"p1","quantity":1}')
                while not any(m["type"] == "error" for m in got):
                    got += json.loads((await ws.receive(timeout=5)).data)
                return got

        got = asyncio.run(late_joiner())
        kinds = [m["type"] for m in got]
        assert "sale" in kinds and "stock" in kinds
        sale = next(m for m in got if m["type"] == "sale")
        assert sale["state"] == "cancelled" and sale["reason"] == "库存盘点有误"
        assert next(m for m in got if m["type"] == "error")["code"] == "sale_cancelled"
        assert not any(e["type"] == "order" for e in host.events())
