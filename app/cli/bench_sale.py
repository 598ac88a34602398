"""`livedesk bench sale`: issue 13's flash-sale figures through the embedded relay.

`--viewers` simulated viewers (default 5,000 WebSocket connections) press buy at zero (and twice
more just after) for `--units` (default 100). Measured: orders accepted (must equal the units:
the anchor, `ratio` = accepted / units), oversold (0), ms from zero to sold out (the last unit's
hub stamp), and the spread of zero across the host (its clock estimate over the interaction
channel), the program (the countdown layer's end, from that estimate) and a real headless
Chromium viewer page (when its buy button armed, measured in the page). Target: every zero
within 100 ms of the hub's; exactly `--units` orders.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
from decimal import Decimal
from typing import Any

from app.bench.chromium import CHROMIUM, CHROMIUM_ARGS

ZERO_TARGET_MS = 100.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("sale")
    parser.add_argument("--viewers", type=int, default=5000, help="buyers (default 5,000)")
    parser.add_argument("--units", type=int, default=100, help="units on sale (default 100)")
    parser.add_argument("--countdown-s", type=float, default=8.0, help="countdown (default 8)")
    parser.set_defaults(handler=run)


async def _buyers(
    url: str, count: int, product: str, ready: threading.Event, zero: list[int]
) -> dict[str, int]:
    """Connect every viewer, say `ready`, then press at the zero the host puts in `zero`."""
    import aiohttp

    refused: dict[str, int] = {}
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        sockets = []
        for start in range(0, count, 200):
            sockets += await asyncio.gather(
                *(session.ws_connect(url) for _ in range(min(200, count - start)))
            )

        async def read(ws: aiohttp.ClientWebSocketResponse) -> None:
            async for msg in ws:
                for item in json.loads(msg.data):
                    if item.get("type") == "error":
                        refused[item["code"]] = refused.get(item["code"], 0) + 1

        readers = [asyncio.create_task(read(ws)) for ws in sockets]
        order = json.dumps({"v": 1, "type": "order", "product_id": product, "quantity": 1})
        ready.set()
        while not zero:
            await asyncio.sleep(0.01)
        await asyncio.sleep(max(0.0, zero[0] / 1000 - time.time()))
        for _ in range(3):
            await asyncio.gather(*(ws.send_str(order) for ws in sockets))
        await asyncio.sleep(2.0)
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return refused


def run(args: argparse.Namespace) -> int:
    from playwright.sync_api import sync_playwright

    from app.bench.report import emit, machine
    from app.sale.flash import Sale
    from app.sale.products import Product
    from app.sale.program_graphics import countdown_changes
    from streaming.guard.connections import ServerLimits
    from streaming.interaction.client import HostClient
    from streaming.interaction.hub import HubLimits
    from streaming.loop_thread import LoopThread
    from streaming.relay.server import RelayServer

    before = machine()
    thread = LoopThread("bench-sale-relay")
    server = RelayServer(
        "127.0.0.1",
        0,
        "bench-sale",
        hub_limits=HubLimits(viewer_rate=1000, viewer_burst=1000).for_load_test(),
        limits=ServerLimits(max_connections_per_address=args.viewers + 64),
    )
    info = thread.run(server.start())
    events: list[dict[str, Any]] = []
    host = HostClient(
        info["interaction_host"],
        server.host_token,
        lambda frame: events.extend(json.loads(frame)),
    )
    host.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 390, "height": 780})
            page.goto(info["viewer"], wait_until="domcontentloaded")
            page.wait_for_function(
                "window.LiveDeskRoom && window.LiveDeskRoom.samples.length >= 6", timeout=30_000
            )
            deadline = time.time() + 10
            while host.clock.samples < 6 and time.time() < deadline:
                time.sleep(0.05)
            product = Product("b1", "秒杀商品", Decimal(99), Decimal(59), args.units)
            refused: dict[str, int] = {}
            ready = threading.Event()
            zero: list[int] = []
            buyers = threading.Thread(  # playwright's own loop runs on this thread
                target=lambda: refused.update(
                    asyncio.run(_buyers(info["interaction"], args.viewers, product.id, ready, zero))
                )
            )
            buyers.start()
            ready.wait(300)  # the countdown starts once every viewer is in the room
            opens_at = int(host.clock.to_relay(time.time() * 1000) + args.countdown_s * 1000)
            sale = Sale("bench", product, args.units, opens_at, per_viewer=1, remaining=args.units)
            host.send(sale.message())
            zero.append(opens_at)
            offset = host.clock.offset_ms or 0.0
            host_zero = host.clock.to_local(opens_at)  # where the host's panel reads 0
            program_end = countdown_changes(sale, offset)["end_epoch"] * 1000
            buyers.join()
            page.wait_for_function("window.LiveDeskRoom.liveWall !== null", timeout=10_000)
            page_zero = float(page.evaluate("window.LiveDeskRoom.liveWall"))
            browser.close()
        time.sleep(0.5)
    finally:
        host.stop()
        thread.run(server.stop(), timeout=10)
        thread.stop()
    orders = [e for e in events if e.get("type") == "order" and e.get("sale") == "bench"]
    # The hub's clock is this machine's, so each zero's error is its distance from opens_at.
    spread = {
        "host_ms": round(host_zero - opens_at, 1),
        "program_ms": round(program_end - opens_at, 1),
        "page_ms": round(page_zero - opens_at, 1),
    }
    sold_out = max((e["ts"] for e in orders), default=opens_at) - opens_at
    result = {
        "bench": "sale",
        "viewers": args.viewers,
        "units": args.units,
        "orders_accepted": len(orders),
        "oversold": max(0, len(orders) - args.units),
        "refused": refused,
        "zero_to_sold_out_ms": sold_out,
        "zero_error_ms": spread,
        "zero_spread_ms": round(max(spread.values()) - min(spread.values()), 1),
        "zero_target_ms": ZERO_TARGET_MS,
        "anchor": "orders accepted must equal the units (issue 13)",
        "ratio": round(len(orders) / args.units, 4),
        "ok": len(orders) == args.units and all(abs(v) <= ZERO_TARGET_MS for v in spread.values()),
        "machine": before,
    }
    emit(result, indent=None, ensure_ascii=False)
    return 0 if result["ok"] else 1
