"""Real nats-server processes for the broker tests: one JetStream node or a 3-node cluster on
loopback, each with its own store directory, and edge hubs run as `livedesk hub` processes."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from waiting import wait_for

from streaming.interaction.broker.room import RoomConfig
from streaming.interaction.broker.serve import RunningEdge, start_edge
from streaming.interaction.hub import HubLimits

NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nats-server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


class NatsNode:
    """One nats-server process with JetStream (optionally part of a cluster)."""

    def __init__(self, store: Path, name: str, cluster: list[int] | None = None, me: int = 0):
        self.name = name
        self.store = store
        self.port = free_port()
        self.monitor_port = free_port()
        self.cluster = cluster
        self.me = me
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> NatsNode:
        args = [NATS_SERVER, "-a", "127.0.0.1", "-p", str(self.port), "-n", self.name]
        args += ["-js", "-sd", str(self.store), "-m", str(self.monitor_port)]
        if self.cluster is not None:
            routes = ",".join(
                f"nats://127.0.0.1:{p}" for i, p in enumerate(self.cluster) if i != self.me
            )
            args += ["--cluster_name", "livedesk-test"]
            args += ["--cluster", f"nats://127.0.0.1:{self.cluster[self.me]}", "--routes", routes]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_port(self.port, self.proc)
        return self

    def jetstream_ready(self) -> bool:
        """JetStream answers here (in a cluster: a meta leader is elected and this node is
        current), so a stream can be created."""
        url = f"http://127.0.0.1:{self.monitor_port}/healthz"
        try:
            with urllib.request.urlopen(url, timeout=1) as reply:
                return bool(reply.status == 200)
        except OSError:
            return False

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def start_cluster(root: Path, size: int) -> list[NatsNode]:
    """`size` nodes (1 = a single server, no cluster), all started."""
    if size == 1:
        return [NatsNode(root / "n0", "n0").start()]
    routes = [free_port() for _ in range(size)]
    nodes = [NatsNode(root / f"n{i}", f"n{i}", routes, i) for i in range(size)]
    for node in nodes:
        node.start()
    wait_for(
        lambda: all(n.jetstream_ready() for n in nodes), 30, explain=lambda: "JetStream not ready"
    )
    return nodes


class EdgeProcess:
    """`livedesk hub --nats …` in its own process; `url` once it has printed its JSON line."""

    def __init__(
        self,
        servers: list[str],
        token: str,
        room: str = "test",
        replicas: int = 1,
        extra: tuple[str, ...] = (),
    ) -> None:
        env = dict(os.environ, LIVEDESK_HOST_TOKEN=token)
        args = [sys.executable, "-m", "app", "hub", "--nats", *servers, "--port", "0"]
        args += ["--room", room, "--replicas", str(replicas), "--no-address-limits"]
        args += ["--viewer-rate", "100000", "--viewer-burst", "100000"]
        args += extra
        self.proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the edge exited with {self.proc.wait(10)}")
        self.info = json.loads(line)
        self.url: str = self.info["url"]

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


needs_nats = pytest.mark.skipif(
    not os.path.exists(NATS_SERVER), reason="nats-server is not installed (apt install nats-server)"
)


class EdgeThread:
    """An edge hub in this process, on its own loop and thread (to reach into its state)."""

    def __init__(self, servers: list[str], token: str, room: RoomConfig) -> None:
        self._servers, self._token, self.room = servers, token, room
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.running: RunningEdge | None = None

    def call(self, make: Callable[[], Any]) -> Any:
        async def run() -> Any:
            result = make()
            return await result if asyncio.iscoroutine(result) else result

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(30)

    @property
    def url(self) -> str:
        assert self.running is not None
        return f"ws://127.0.0.1:{self.running.port}"

    def __enter__(self) -> EdgeThread:
        self._thread.start()
        limits = HubLimits(viewer_rate=10_000.0, viewer_burst=10_000).for_load_test()
        self.running = self.call(
            lambda: start_edge(self._servers, self.room, self._token, limits=limits)
        )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.running is not None:
            self.call(self.running.stop)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
