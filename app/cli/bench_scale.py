"""`livedesk bench scale`: the interaction channel through NATS JetStream edges, against the
embedded hub measured in the same run, in one JSON object.

Starts its own nats-server (JetStream, a temporary store), then for each setup — the embedded
hub (`streaming.interaction.serve`), one edge, `--edges` edges (`livedesk hub` processes) — a
fresh room and a host reading `/ws/host` in this process:

- `msg_per_s`: danmaku from pre-built viewer frames (`blast.py`, in `--generators` processes of
  their own spread over the hubs) until the host has every one, divided by the time from the
  go signal to the last arrival, after an uncounted warm-up (the hub's first sample loads its
  pinyin table: a one-off that would otherwise be timed as throughput);
- `cpu_s_per_10k`: CPU seconds per 10,000 of those messages, per part — the hubs (together and
  the busiest one), the broker, the generators (measured in their own processes), the host
  reader — and from them `capacity_msg_per_s_2_cores` (what two cores carry of hubs + broker
  alone) and `edge_msg_per_s_per_core`;
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


WARM_UP_MESSAGES = 2000


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("scale")
    parser.add_argument("--messages", type=int, default=50_000, help="danmaku per throughput run")
    parser.add_argument("--edges", type=int, default=3, help="edges in the widest setup")
    parser.add_argument("--viewers", type=int, default=30, help="viewer connections per setup")
    parser.add_argument(
        "--generators", type=int, default=2, help="load generator processes (at least one a hub)"
    )
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
                pids = [proc.pid for proc in hubs], [nats_proc.pid] if n else []
                setups[name] = {
                    "hubs": len(urls),
                    **(through := await _throughput(urls, pids, args)),
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
    for figures in setups.values():  # the hubs' CPU per 10,000 messages, for the ratio
        figures["hub_cpu_s_per_10k"] = figures["cpu_s_per_10k"]["hubs"]
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
                "hub_cpu_s_per_10k",
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
        "generators": args.generators,
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


async def _throughput(
    urls: list[str], pids: tuple[list[int], list[int]], args: argparse.Namespace
) -> dict[str, Any]:
    """Warm up, then `args.messages` danmaku from generator processes until the host has them
    all; the rate and each part's CPU per 10,000 messages."""
    import psutil

    from app.bench.blast import blast

    hubs = [psutil.Process(pid) for pid in pids[0]]
    brokers = [psutil.Process(pid) for pid in pids[1]]
    me = psutil.Process()
    messages, gens = args.messages, max(args.generators, len(urls))
    async with _Host(urls[0]) as host:
        warm = WARM_UP_MESSAGES
        await asyncio.gather(
            *(blast(url + "/ws/viewer", 2, warm // len(urls), TEXTS) for url in urls)
        )
        warm = warm // len(urls) * len(urls)
        deadline = time.monotonic() + 30
        while host.count < warm and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # the warm-up's samples are shown (the pinyin table loads)
        target = host.count + messages
        children = [
            _Generator(urls[i % len(urls)], max(1, args.viewers // gens), share)
            for i, share in enumerate(_shares(messages, gens))
        ]
        try:
            for child in children:
                await child.ready()
            cpu0 = [_cpu(hubs), _cpu(brokers), _cpu([me])]
            started = time.monotonic()
            for child in children:
                child.go()
            deadline = started + 300
            while host.count < target and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            cpu1 = [_cpu(hubs), _cpu(brokers), _cpu([me])]
            per_hub = [b - a for a, b in zip(cpu0[0], cpu1[0], strict=True)]
            generated = [await child.stop() for child in children]
        finally:
            for child in children:
                child.kill()
        elapsed = host.last_at - started
        received = host.count - (target - messages)
        last_seq = host.last_seq
    per_10k = 10_000 / max(1, received)
    hubs_s = sum(per_hub) * per_10k
    broker_s = (sum(cpu1[1]) - sum(cpu0[1])) * per_10k
    cpu = {
        "hubs": round(hubs_s, 3),
        "busiest_hub": round(max(per_hub) * per_10k, 3),
        "broker": round(broker_s, 3),
        "generators": round(sum(g["cpu_s"] for g in generated) * per_10k, 3),
        "host_reader": round((sum(cpu1[2]) - sum(cpu0[2])) * per_10k, 3),
    }
    return {
        "received": received,
        "msg_per_s": round(received / elapsed) if elapsed > 0 else 0,
        "seconds": round(elapsed, 2),
        "cpu_s_per_10k": cpu,
        "capacity_msg_per_s_2_cores": round(2 * 10_000 / (hubs_s + broker_s))
        if hubs_s + broker_s > 0
        else None,
        "edge_msg_per_s_per_core": round(10_000 / hubs_s) if hubs_s > 0 else None,
        "last_seq": last_seq,
    }


TEXTS = [f"冲冲冲 第{i}条 抢到了吗" for i in range(997)]


def _shares(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _cpu(procs: list[Any]) -> list[float]:
    return [sum(p.cpu_times()[:2]) for p in procs]


class _Generator:
    """A load generator in a process of its own (`--generate`): it connects, says "ready",
    sends its share on "go", keeps its sockets open (and read) until "stop", then prints the
    CPU seconds it spent from "go" on, so the generator's cost is never counted as the hubs'."""

    def __init__(self, url: str, connections: int, count: int) -> None:
        args = [*module_command("app.cli.bench_scale"), "--generate", url]
        self._proc = subprocess.Popen(
            [*args, str(connections), str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    async def _line(self) -> str:
        assert self._proc.stdout is not None
        line = await asyncio.to_thread(self._proc.stdout.readline)
        if not line:
            raise RuntimeError(f"a load generator exited with {self._proc.wait(10)}")
        return line

    def _say(self, word: str) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.write(word + "\n")
        self._proc.stdin.flush()

    async def ready(self) -> None:
        await self._line()

    def go(self) -> None:
        self._say("go")

    async def stop(self) -> dict[str, Any]:
        self._say("stop")
        result: dict[str, Any] = json.loads(await self._line())
        return result

    def kill(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait(10)


def _generate(url: str, connections: int, count: int) -> None:
    """The `--generate` child: see `_Generator`."""
    import threading

    from app.bench.blast import blast

    stop = threading.Event()
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return

    def wait_for_stop() -> None:
        sys.stdin.readline()
        stop.set()

    threading.Thread(target=wait_for_stop, daemon=True).start()
    cpu0 = time.process_time()
    asyncio.run(
        blast(url + "/ws/viewer", connections, count, TEXTS, done=stop.is_set, linger_s=300)
    )
    print(json.dumps({"cpu_s": time.process_time() - cpu0}), flush=True)


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


if __name__ == "__main__":
    if sys.argv[1:2] == ["--generate"]:
        _generate(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
