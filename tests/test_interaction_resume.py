"""Reconnect and resume: the host connection is cut in the middle of a burst (through a real
TCP proxy), the client reconnects on its own, and the set of seqs it received is exactly the set
the hub assigned — nothing lost, nothing twice."""

from __future__ import annotations

import json
import threading
import time

import pytest

from streaming.interaction.hub import HubLimits
from streaming.interaction.serve import HubServer
from tests.interaction_support import TOKEN, Collector, CuttableProxy, recv_until, viewer
from tests.waiting import wait_for

BURST = 6000
VIEWERS = 6


@pytest.fixture
def hub_and_proxy():
    limits = HubLimits(viewer_rate=100_000, viewer_burst=100_000).for_load_test()
    with HubServer(TOKEN, limits) as srv:
        proxy = CuttableProxy(srv.port)
        yield srv, proxy
        proxy.close()


def _burst(url: str, texts: list[str]) -> threading.Thread:
    def run() -> None:
        sockets = [viewer(url)[0] for _ in range(VIEWERS)]
        for i, text in enumerate(texts):
            sockets[i % VIEWERS].send(json.dumps({"v": 1, "type": "danmaku", "text": text}))
            if i % 200 == 0:
                time.sleep(0.05)  # spread the burst (about 1.5 s) over the cuts
        time.sleep(0.5)
        for ws in sockets:
            ws.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_cuts_in_the_middle_of_a_burst_lose_nothing(hub_and_proxy):
    srv, proxy = hub_and_proxy
    url = f"ws://127.0.0.1:{proxy.port}/ws/host"
    texts = [f"问题 {i}" for i in range(BURST)]
    with Collector(url, backoff=(0.05, 0.3)) as host:
        sender = _burst(srv.viewer_url, texts)
        mid_burst = []
        for _ in range(3):
            wait_for(lambda: len(host.frames) > 0, timeout=10)
            target = host.client.last_seq + 200
            wait_for(lambda t=target: host.client.last_seq > t, timeout=10)
            mid_burst.append(sender.is_alive())
            proxy.cut()
            wait_for(lambda: host.client.connected, timeout=10)
        sender.join(60)
        assert mid_burst == [True, True, True]
        wait_for(lambda: host.client.last_seq == srv.hub.stats()["head"], timeout=20)
        head = srv.hub.stats()["head"]
        seqs = host.seqs()
        assert seqs == list(range(1, head + 1))  # every seq once, in order
        got = [e["text"] for e in host.events() if e["type"] == "danmaku"]
        assert sorted(got) == sorted(texts)
        assert [k for k, _ in host.statuses].count("reconnecting") >= 3
        assert proxy.cuts == 3 and not any(k == "gap" for k, _ in host.statuses)


def test_broadcasts_queued_while_disconnected_go_out_on_reconnect(hub_and_proxy):
    srv, proxy = hub_and_proxy
    url = f"ws://127.0.0.1:{proxy.port}/ws/host"
    ws, _ = viewer(srv.viewer_url)
    with Collector(url, backoff=(0.05, 0.2)) as host:
        proxy.refusing = True
        proxy.cut()
        wait_for(lambda: not host.client.connected)
        host.client.send({"v": 1, "type": "announcement", "text": "今晚八点秒杀"})
        for i in range(50):  # the audience keeps talking while the host is offline
            ws.send(json.dumps({"v": 1, "type": "danmaku", "text": f"offline {i}"}))
        time.sleep(0.5)
        assert [k for k, _ in host.statuses].count("reconnecting") >= 2
        proxy.refusing = False
        assert recv_until(ws, lambda m: m["type"] == "announcement", 10)["text"] == "今晚八点秒杀"
        wait_for(lambda: host.client.last_seq == srv.hub.stats()["head"])
        texts = {e.get("text") for e in host.events()}
        assert {f"offline {i}" for i in range(50)} <= texts and "今晚八点秒杀" in texts
        assert host.seqs() == list(range(1, srv.hub.stats()["head"] + 1))
    ws.close()


def test_client_side_drop_resumes_too(hub_and_proxy):
    srv, _ = hub_and_proxy
    ws, _ = viewer(srv.viewer_url)
    with Collector(srv.host_url, backoff=(0.05, 0.2)) as host:
        for _ in range(3):
            for i in range(100):
                ws.send(json.dumps({"v": 1, "type": "like", "count": 1 + i % 3}))
            host.client.simulate_drop()
            time.sleep(0.1)
        wait_for(lambda: host.client.last_seq == srv.hub.stats()["head"] == 301)
        assert host.seqs() == list(range(1, 302))
    ws.close()


def test_stop_while_the_hub_is_unreachable_returns_promptly():
    statuses: list[str] = []
    from streaming.interaction.client import HostClient

    client = HostClient(
        "ws://127.0.0.1:9/ws/host",
        TOKEN,
        lambda t: None,
        on_status=lambda k, m: statuses.append(k),
        backoff=(0.05, 0.1),
    )
    client.start()
    wait_for(lambda: statuses.count("reconnecting") >= 2)
    t0 = time.monotonic()
    client.stop()
    assert time.monotonic() - t0 < 2 and statuses[-1] == "stopped"
