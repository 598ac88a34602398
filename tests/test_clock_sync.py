"""The console's estimate of the relay's clock, against a relay whose clock is skewed by
seconds and whose link jitters (a real hub behind a delaying TCP proxy)."""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections import deque

import pytest
from websockets.sync.client import connect

from streaming.interaction.clock import ClockEstimate, Exchange
from streaming.interaction.serve import HubServer
from tests.interaction_support import TOKEN, Collector, viewer
from tests.waiting import wait_for

SKEW_MS = 4_321


class JitterProxy:
    """Loopback TCP proxy delaying every chunk by a random 0–`max_ms` per direction, in
    order (as a queueing link does): round trips jitter and are asymmetric."""

    def __init__(self, target_port: int, max_ms: float, seed: int = 3) -> None:
        self.target_port = target_port
        self.max_s = max_ms / 1000.0
        self._random = random.Random(seed)
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        queue: deque[tuple[float, bytes]] = deque()
        ready = threading.Condition()

        def deliver() -> None:
            while True:
                with ready:
                    while not queue:
                        ready.wait()
                    due, data = queue.popleft()
                time.sleep(max(0.0, due - time.monotonic()))
                if not data:
                    dst.close()
                    return
                try:
                    dst.sendall(data)
                except OSError:
                    return

        threading.Thread(target=deliver, daemon=True).start()
        last_due = 0.0
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            last_due = max(last_due, time.monotonic() + self._random.uniform(0, self.max_s))
            with ready:
                queue.append((last_due, data))
                ready.notify()
            if not data:
                return

    def close(self) -> None:
        self._server.close()


def skewed_clock() -> int:
    return int(time.time() * 1000) + SKEW_MS


def test_estimate_keeps_the_low_round_trips() -> None:
    clock = ClockEstimate(window=16)
    for delay_up, delay_down in ((1, 1), (30, 2), (2, 40), (1, 2), (50, 50)):
        t0 = 1000.0
        t1 = t0 + delay_up + 500  # relay 500 ms ahead
        clock.add(Exchange(t0, t1, t1 + 0.5, t1 + 0.5 - 500 + delay_down))
    assert clock.offset_ms == pytest.approx(500, abs=1)
    assert clock.error_ms == pytest.approx(1, abs=0.01)
    clock.add(Exchange(10.0, 0.0, 0.0, 5.0))  # negative round trip: a clock stepped
    assert clock.samples == 5


def test_host_client_learns_a_skewed_jittery_relays_clock() -> None:
    with HubServer(TOKEN, clock_ms=skewed_clock) as hub:
        proxy = JitterProxy(hub.port, max_ms=40)
        url = hub.host_url.replace(f":{hub.port}/", f":{proxy.port}/")
        collector = Collector(url, clock_every_s=0.1)
        with collector:
            clock = collector.client.clock
            wait_for(lambda: clock.samples >= 40, 30, explain=lambda: clock.samples)
            offset = clock.offset_ms
            assert offset is not None
            # compare with the truth at the same instant
            assert abs(offset - SKEW_MS) <= 20, (offset, clock.error_ms)
            ws, _welcome = viewer(hub.viewer_url)
            ws.send('{"v": 1, "type": "danmaku", "text": "几点了"}')
            wait_for(lambda: any(e.get("type") == "danmaku" for e in collector.events()))
            stamped = next(e for e in collector.events() if e["type"] == "danmaku")["ts"]
            assert abs(clock.to_local(stamped) - time.time() * 1000) < 1_000
            ws.close()
        proxy.close()


def test_viewers_can_ask_the_room_clock_too_and_garbage_is_refused() -> None:
    with HubServer(TOKEN, clock_ms=skewed_clock) as hub:
        with connect(hub.viewer_url, open_timeout=5) as ws:
            ws.recv(timeout=5)  # welcome
            ws.send(json.dumps({"v": 1, "type": "time", "t0": 12.5}))
            reply = json.loads(ws.recv(timeout=5))[0]
            assert reply["type"] == "time" and reply["t0"] == 12.5
            assert reply["t1"] <= reply["t2"]
            assert abs(reply["t1"] - time.time() * 1000 - SKEW_MS) < 500
            ws.send(json.dumps({"v": 1, "type": "time", "t0": "now"}))
            error = json.loads(ws.recv(timeout=5))[0]
            assert error["type"] == "error" and error["code"] == "bad_field"
        assert hub.hub.counters["accepted"] == 0  # exchanges are never logged events
