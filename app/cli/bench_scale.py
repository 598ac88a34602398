"""`livedesk bench scale`: the interaction channel through NATS JetStream edges, against the
embedded hub measured in the same run, in one JSON object.

Starts its own nats-server (JetStream, a temporary store), then for each setup — the embedded
hub (`streaming.interaction.serve`), one edge, `--edges` edges (`livedesk hub` processes) — a
fresh room and a host reading `/ws/host` in this process:

- `msg_per_s`: danmaku from pre-built viewer frames (`blast.py`, spread over the edges) until
  the host has every one, divided by the time from the first write to the last arrival;
- `p50_ms` / `p95_ms`: viewer → host latency of paced danmaku (`sent_at` stamped on sending,
  read on arrival; same clock) at `--paced-rate` messages/s;
- `fanout_*`, `cpu_pct_per_1000_*`, `kb_per_connection`: `--fanout-viewers` viewers spread over
  the hubs receiving `--broadcasts` host announcements (`bench_fanout.py`).

`ratio` divides each broker figure by the embedded hub's. The machine's other load counts:
wrap in `flock /tmp/livedesk-bench.lock` and quote medians of several runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from app.frozen import module_command

TOKEN = "bench-scale-host-token"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("scale")
    parser.add_argument("--messages", type=int, default=50_000, help="danmaku per throughput run")
    parser.add_argument("--edges", type=int, default=3, help="edges in the widest setup")
    parser.add_argument("--viewers", type=int, default=30, help="viewer connections per setup")
    parser.add_argument("--paced-rate", type=float, default=500.0, help="latency run msg/s")
    parser.add_argument("--paced-seconds", type=float, default=4.0, help="latency run length")
    parser.add_argument(
        "--fanout-viewers", type=int, default=10_000, help="viewers receiving host broadcasts"
    )
    parser.add_argument("--broadcasts", type=int, default=10, help="host broadcasts timed")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    server = shutil.which("nats-server") or "/usr/sbin/nats-server"
    if not os.path.exists(server):
        print("livedesk bench scale: nats-server is not installed", file=sys.stderr)
        return 2
    from app.cli.bench_fanout import raise_fd_limit

    raise_fd_limit()  # before the hubs start: they inherit it
    with tempfile.TemporaryDirectory(prefix="livedesk-scale-") as store:
        result = asyncio.run(_bench(args, server, Path(store)))
    from app.bench.measure import json_safe

    print(json.dumps(json_safe(result)))
    return 0


async def _bench(args: argparse.Namespace, server: str, store: Path) -> dict[str, Any]:
    from app.cli.bench_fanout import fan_out

    port = _free_port()
    nats_proc = subprocess.Popen(
        [server, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await _wait_port(port)
        nats_url = f"nats://127.0.0.1:{port}"
        setups: dict[str, dict[str, Any]] = {}
        widths = sorted({1, max(1, args.edges)})
        plan: list[tuple[str, int]] = [("embedded", 0)] + [(f"edges_{n}", n) for n in widths]
        for name, n in plan:
            hubs = (
                [_start_embedded()]
                if n == 0
                else [_start_edge(nats_url, f"bench{name}", TOKEN) for _ in range(n)]
            )
            try:
                urls = [await _url_of(proc) for proc in hubs]
                setups[name] = {
                    "hubs": len(urls),
                    **(through := await _throughput(urls, args.messages, args.viewers)),
                    **await _latency(
                        urls, args.paced_rate, args.paced_seconds, through.pop("last_seq")
                    ),
                    **await fan_out(
                        urls,
                        TOKEN,
                        [proc.pid for proc in hubs],
                        [nats_proc.pid] if n else [],
                        args.fanout_viewers,
                        args.broadcasts,
                    ),
                }
            finally:
                for proc in hubs:
                    proc.terminate()
                for proc in hubs:
                    proc.wait(10)
    finally:
        nats_proc.terminate()
        nats_proc.wait(10)
    base = setups["embedded"]
    ratio = {
        name: {
            key: round(figures[key] / base[key], 3) if base[key] else None
            for key in (
                "msg_per_s",
                "p50_ms",
                "p95_ms",
                "fanout_p99_ms",
                "cpu_pct_per_1000_idle",
                "kb_per_connection",
            )
        }
        for name, figures in setups.items()
        if name != "embedded"
    }
    return {
        "bench": "scale",
        "messages": args.messages,
        "viewers": args.viewers,
        "paced_rate": args.paced_rate,
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "setups": setups,
        "ratio_vs_embedded": ratio,
        "target_msg_per_s": 50_000,
        "target_fanout_p99_ms": 500,
    }


# ---- processes --------------------------------------------------------------------------------


def _start_embedded() -> subprocess.Popen[str]:
    args = [*module_command("streaming.interaction.serve"), "--port", "0"]
    args += ["--no-address-limits", "--viewer-rate", "1000000", "--viewer-burst", "1000000"]
    return subprocess.Popen(
        args, env=dict(os.environ, LIVEDESK_HUB_TOKEN=TOKEN), stdout=subprocess.PIPE, text=True
    )


def _start_edge(nats_url: str, room: str, token: str) -> subprocess.Popen[str]:
    args = [*module_command("app"), "hub", "--nats", nats_url, "--room", room]
    args += ["--port", "0", "--no-address-limits"]
    args += ["--viewer-rate", "1000000", "--viewer-burst", "1000000"]
    return subprocess.Popen(
        args, env=dict(os.environ, LIVEDESK_HOST_TOKEN=token), stdout=subprocess.PIPE, text=True
    )


async def _url_of(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    line = await asyncio.to_thread(proc.stdout.readline)
    if not line:
        raise RuntimeError(f"a hub exited with {proc.wait(10)} before it was ready")
    return str(json.loads(line)["url"])


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


# ---- measuring --------------------------------------------------------------------------------


class _Host:
    """Reads a hub's /ws/host in this process, counting danmaku (and their latency if asked)."""

    def __init__(self, url: str, stamped: bool = False, since: int = 0) -> None:
        self.url = url + "/ws/host"
        self.stamped = stamped  # count only danmaku with `sent_at` (the paced ones)
        self.since = since
        self.last_seq = since
        self.count = 0
        self.last_at = 0.0
        self.latencies_ms: list[float] = []
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> _Host:
        self._task = asyncio.create_task(self._read())
        await asyncio.wait_for(self.ready.wait(), 10)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _read(self) -> None:
        import aiohttp

        from streaming.interaction.client import last_seq_of

        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(
                self.url, params={"since": str(self.since)}, headers=headers, max_msg_size=0
            ) as ws,
        ):
            async for msg in ws:
                text = msg.data
                if '"type":"hello"' in text:
                    self.ready.set()
                    continue
                now = time.time()
                if self.stamped:
                    for event in json.loads(text):
                        if event.get("type") == "danmaku" and "sent_at" in event:
                            self.latencies_ms.append(now * 1000 - event["sent_at"])
                            self.count += 1
                else:
                    self.count += text.count('"type":"danmaku"')
                self.last_at = time.monotonic()
                self.last_seq = last_seq_of(text) or self.last_seq


async def _throughput(urls: list[str], messages: int, viewers: int) -> dict[str, Any]:
    from app.bench.blast import blast

    texts = [f"冲冲冲 第{i}条 抢到了吗" for i in range(997)]
    per_hub = max(1, viewers // len(urls))
    shares = [
        messages // len(urls) + (1 if i < messages % len(urls) else 0) for i in range(len(urls))
    ]
    async with _Host(urls[0]) as host:
        started = time.monotonic()
        await asyncio.gather(
            *(
                blast(
                    url + "/ws/viewer",
                    per_hub,
                    share,
                    texts,
                    done=lambda: host.count >= messages,
                    linger_s=120.0,
                )
                for url, share in zip(urls, shares, strict=True)
            )
        )
        elapsed = host.last_at - started
        received = host.count
        last_seq = host.last_seq
    return {
        "received": received,
        "msg_per_s": round(received / elapsed) if elapsed > 0 else 0,
        "seconds": round(elapsed, 2),
        "last_seq": last_seq,
    }


async def _latency(urls: list[str], rate: float, seconds: float, since: int) -> dict[str, Any]:
    import aiohttp

    from app.bench.measure import summarize

    total = int(rate * seconds)
    async with (
        aiohttp.ClientSession() as session,
        _Host(urls[0], stamped=True, since=since) as host,
    ):
        sockets = [await session.ws_connect(url + "/ws/viewer", compress=0) for url in urls]
        start = time.monotonic()
        for i in range(total):
            ws = sockets[i % len(sockets)]
            body = {
                "type": "danmaku",
                "text": f"问一下 {i} 号链接",
                "sent_at": int(time.time() * 1000),
            }
            await ws.send_str(json.dumps(body, ensure_ascii=False))
            delay = start + (i + 1) / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        deadline = time.monotonic() + 30
        while host.count < total and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for ws in sockets:
            await ws.close()
        lat = summarize(host.latencies_ms)
    return {
        "p50_ms": lat["median"],
        "p95_ms": lat["p95"],
        "p99_ms": lat["p99"],
        "paced_received": host.count,
    }
