"""A rehearsal audience: N viewer connections sending realistic danmaku at R msg/s in total.

Used for demos, rehearsals and benchmarks (`livedesk audience`). The rate is spread evenly over
the connections (round robin), because the hub limits each connection; a keyword storm (everyone
typing the lottery keyword) starts every 20 s and lasts 3 s. Each danmaku carries `sent_at` (ms,
wall clock) so a host can measure viewer → host latency. Optionally the generator also connects
as the host and reports what arrived, and how late.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import aiohttp

from app.bench.measure import summarize
from streaming.interaction.client import HostClient, last_seq_of
from streaming.interaction.hub import HOST_PATH, VIEWER_PATH

# Share of each kind in ordinary traffic (storm lines only appear during storms).
MIX = {"question": 0.22, "chat": 0.3, "cheer": 0.3, "spam": 0.08, "storm": 0.1}
STORM_EVERY_S = 20.0
STORM_LENGTH_S = 3.0
STORM_SHARE = 0.6
TICK_S = 0.01


def load_corpus(path: str | Path | None = None) -> dict[str, list[str]]:
    """Lines of `{"text": ..., "kind": ...}` grouped by kind (kind defaults to chat).

    Raises ValueError with the line number for a line that is not such an object."""
    if path is None:
        text = resources.files("app.bench").joinpath("corpus.jsonl").read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    corpus: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            message, kind = item["text"], item.get("kind", "chat")
            if not isinstance(message, str) or not isinstance(kind, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise ValueError(f'corpus line {number} is not {{"text": ..., "kind": ...}}') from None
        corpus.setdefault(kind, []).append(message)
    if not corpus:
        raise ValueError("the corpus is empty")
    return corpus


class MessageMaker:
    """Picks what a viewer says next: mostly danmaku in the corpus mix, some likes/gifts/orders."""

    def __init__(self, corpus: dict[str, list[str]], seed: int | None) -> None:
        self.rng = random.Random(seed)
        self.corpus = corpus
        self.kinds = [k for k in MIX if k in corpus] or list(corpus)
        self.weights = [MIX.get(k, 0.1) for k in self.kinds]
        self.storm_lines = corpus.get("storm") or corpus[self.kinds[0]]

    def next(self, elapsed: float) -> dict[str, Any]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.08:
            return {"v": 1, "type": "like", "count": rng.randint(1, 10)}
        if roll < 0.1:
            return {
                "v": 1,
                "type": "gift",
                "gift": rng.choice(["小心心", "玫瑰", "火箭"]),
                "count": 1,
                "value": rng.choice([0.1, 1, 50]),
            }
        if roll < 0.12:
            return {
                "v": 1,
                "type": "order",
                "product_id": f"p{rng.randint(1, 12)}",
                "quantity": rng.randint(1, 3),
            }
        if elapsed % STORM_EVERY_S >= STORM_EVERY_S - STORM_LENGTH_S and rng.random() < STORM_SHARE:
            text = rng.choice(self.storm_lines)
        else:
            kind = rng.choices(self.kinds, self.weights)[0]
            text = rng.choice(self.corpus[kind])
        return {"v": 1, "type": "danmaku", "text": text, "sent_at": int(time.time() * 1000)}


class HostProbe:
    """Connects as the host and counts and times what arrives, decoding each frame as the
    console's pipeline would (or, with `decode=False`, only counting events, so that measuring
    the hub's ceiling costs the measuring process little); `report()` summarises it."""

    def __init__(self, url: str, token: str, decode: bool = True) -> None:
        self.decode = decode
        self.received = 0
        self.seqs: set[int] = set()
        self.latencies: list[float] = []  # viewer send → host receive, ms
        self.hub_to_host: list[float] = []  # hub stamp (ts) → host receive, ms
        self.gaps = 0
        self.reconnects = 0
        self.first = self.last = 0.0
        self.last_wall = 0.0  # wall-clock time of the last frame (to line up with CPU samples)
        self.low = self.high = 0  # lowest and highest seq seen
        self.client = HostClient(hub_urls(url)[1], token, self._on_frame, on_status=self._on_status)

    def _on_frame(self, text: str) -> None:
        now_wall, now = time.time() * 1000, time.perf_counter()
        if not self.first:
            self.first = now
        self.last, self.last_wall = now, now_wall / 1000
        if not self.decode:
            self.received += text.count('{"seq":')
            if not self.low:
                self.low = int(text[8 : text.index(",", 8)])  # a frame starts '[{"seq":N,'
            self.high = last_seq_of(text)
            return
        for event in json.loads(text):
            self.received += 1
            self.seqs.add(event["seq"])
            self.low = self.low or event["seq"]
            self.high = event["seq"]
            sent_at = event.get("sent_at")
            if sent_at is not None:
                self.latencies.append(now_wall - sent_at)
                self.hub_to_host.append(now_wall - event["ts"])

    def _on_status(self, kind: str, message: str) -> None:
        if kind == "gap":
            self.gaps += 1
        elif kind == "reconnecting":
            self.reconnects += 1

    def start(self) -> HostProbe:
        self.client.start()
        return self

    def report(self, expected: int, idle_s: float = 5.0) -> dict[str, Any]:
        """Wait for `expected` events (giving up after `idle_s` without progress), stop, and
        summarise."""
        seen, since = -1, time.monotonic()
        while self.received < expected and time.monotonic() - since < idle_s:
            if self.received != seen:
                seen, since = self.received, time.monotonic()
            time.sleep(0.05)
        self.client.stop()
        span = self.last - self.first
        return {
            "received": self.received,
            "seq_range": [self.low, self.high] if self.received else None,
            "missing_seqs": (self.high - self.low + 1 - self.received) if self.received else 0,
            "duplicates": self.received - len(self.seqs) if self.decode else None,
            "gaps": self.gaps,
            "reconnects": self.reconnects,
            "delivered_rate": round(self.received / span, 1) if span > 0 else None,
            "latency_ms": summarize(self.latencies) if self.latencies else None,
            "hub_to_host_ms": summarize(self.hub_to_host) if self.hub_to_host else None,
        }


def hub_urls(url: str) -> tuple[str, str]:
    """(viewer URL, host URL) from either a hub base URL or its /ws/viewer URL."""
    base = url.rstrip("/")
    for path in (VIEWER_PATH, HOST_PATH):
        if base.endswith(path):
            base = base[: -len(path)]
    return base + VIEWER_PATH, base + HOST_PATH


async def _read(ws: aiohttp.ClientWebSocketResponse, errors: Counter[str]) -> None:
    async for msg in ws:
        if msg.type == aiohttp.WSMsgType.TEXT and '"type":"error"' in msg.data:
            for item in json.loads(msg.data):
                if item.get("type") == "error":
                    errors[item.get("code", "?")] += 1


async def run_viewers(
    url: str,
    viewers: int,
    rate: float,
    duration: float,
    corpus: dict[str, list[str]],
    seed: int | None = None,
) -> dict[str, Any]:
    """Run the audience and return its JSON summary (see `livedesk audience --help`)."""
    if viewers < 1 or rate <= 0 or duration <= 0:
        raise ValueError("viewers, rate and duration must be positive")
    viewer_url = hub_urls(url)[0]
    maker = MessageMaker(corpus, seed)
    errors: Counter[str] = Counter()
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=10)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        gate = asyncio.Semaphore(50)

        async def connect() -> aiohttp.ClientWebSocketResponse | None:
            async with gate:
                try:
                    return await session.ws_connect(viewer_url, compress=0, heartbeat=30.0)
                except (aiohttp.ClientError, OSError) as exc:
                    errors["connect: " + (str(exc) or type(exc).__name__)[:80]] += 1
                    return None

        sockets = [ws for ws in await asyncio.gather(*(connect() for _ in range(viewers))) if ws]
        readers = [asyncio.create_task(_read(ws, errors)) for ws in sockets]
        sent, took = 0, 0.0
        started_at = time.time()
        start = time.perf_counter()
        try:
            while sockets:
                elapsed = time.perf_counter() - start
                if elapsed >= duration:
                    break
                due = int(rate * elapsed) - sent
                for _ in range(due):
                    ws = sockets[sent % len(sockets)]
                    sent += 1
                    try:
                        await ws.send_str(json.dumps(maker.next(elapsed), ensure_ascii=False))
                    except ConnectionError:
                        errors["closed"] += 1
                await asyncio.sleep(TICK_S)
            took = time.perf_counter() - start
            await asyncio.sleep(0.5)  # let the last error replies arrive
        finally:
            for task in readers:
                task.cancel()
            await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    summary = summarize_viewers(viewer_url, viewers, len(sockets), rate, sent, took, errors)
    summary["sending"] = [started_at, started_at + took]
    return summary


def summarize_viewers(
    url: str,
    viewers: int,
    connected: int,
    rate: float,
    sent: int,
    took: float,
    errors: Counter[str],
) -> dict[str, Any]:
    """The viewer side's summary (also used to merge the summaries of worker processes)."""
    errored = sum(n for code, n in errors.items() if not code.startswith("connect"))
    return {
        "url": url,
        "viewers": viewers,
        "connected": connected,
        "duration_s": round(took, 2),
        "target_rate": rate,
        "sent": sent,
        "achieved_rate": round(sent / took, 1) if took else 0.0,
        "errored": errored,
        "acknowledged": sent - errored,
        "errors": dict(errors),
    }


PROBE_MARK = "探针"


def probe_texts(serial: int) -> tuple[str, str]:
    """(question, chat line) for probe `serial`: each distinct (numbers never cluster or collapse
    together), so its way to the host's screen can be timed alone among the load."""
    return f"{PROBE_MARK}{serial}号 这个有几种颜色?", f"{PROBE_MARK}{serial}号 打卡来了"


async def send_probes(url: str, rate: float, duration: float, connections: int = 4) -> int:
    """Send `rate` probe pairs a second for `duration` s as a few extra viewers; returns pairs sent.
    Benchmarks run this beside the audience to measure send → first paint of unique lines."""
    viewer_url = hub_urls(url)[0]
    sent = 0
    async with aiohttp.ClientSession() as session:
        sockets = [await session.ws_connect(viewer_url, compress=0) for _ in range(connections)]
        start = time.perf_counter()
        try:
            while (elapsed := time.perf_counter() - start) < duration:
                while sent < int(rate * elapsed):
                    sent += 1
                    ws = sockets[sent % len(sockets)]
                    for text in probe_texts(sent):
                        event = {
                            "v": 1,
                            "type": "danmaku",
                            "text": text,
                            "sent_at": int(time.time() * 1000),
                        }
                        await ws.send_str(json.dumps(event, ensure_ascii=False))
                await asyncio.sleep(TICK_S)
        finally:
            await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return sent


def main_probes(argv: list[str]) -> int:
    """`python -m app.bench.audience URL RATE DURATION`: probes only (benchmarks)."""
    print(
        json.dumps(
            {"probes_sent": asyncio.run(send_probes(argv[0], float(argv[1]), float(argv[2])))}
        )
    )
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main_probes(sys.argv[1:]))
