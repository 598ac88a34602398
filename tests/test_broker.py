"""The interaction channel on NATS JetStream, against real nats-server processes: edges in this
process and as `livedesk hub` processes, a single node and a 3-node cluster losing a node."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import nats
import pytest
from websockets.sync.client import connect

from streaming.interaction.broker.room import RoomConfig
from streaming.interaction.serve import HubServer
from tests.interaction_support import TOKEN, Collector, recv_until, viewer, wait_for
from tests.nats_support import EdgeProcess, EdgeThread, NatsNode, needs_nats, start_cluster

pytestmark = [needs_nats, pytest.mark.timeout(180)]


@pytest.fixture
def node(tmp_path: Path) -> Iterator[NatsNode]:
    (single,) = start_cluster(tmp_path, 1)
    yield single
    single.stop()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[list[NatsNode]]:
    nodes = start_cluster(tmp_path, 3)
    yield nodes
    for n in nodes:
        n.stop()


def danmaku(texts: list[str]) -> list[str]:
    return [json.dumps({"type": "danmaku", "text": t}) for t in texts]


def texts_of(collector: Collector) -> list[str]:
    return [e["text"] for e in collector.events() if e["type"] == "danmaku"]


def viewer_refused(url: str) -> dict[str, str]:
    """What a viewer the hub does not take is told first."""
    with connect(url, open_timeout=10) as ws:
        (first,) = json.loads(ws.recv(timeout=10))
    return first


async def storm(urls: list[str], viewers_per_edge: int, per_viewer: int, rate: float) -> int:
    """Viewers on every edge, each sending `per_viewer` numbered danmaku at `rate`/s; the
    number sent."""

    async def one(session: aiohttp.ClientSession, url: str, name: str) -> int:
        async with session.ws_connect(url + "/ws/viewer", compress=0) as ws:
            await ws.receive()  # welcome
            for i in range(per_viewer):
                await ws.send_str(json.dumps({"type": "danmaku", "text": f"{name}-{i}"}))
                await asyncio.sleep(1 / rate)
            await asyncio.sleep(0.5)
        return per_viewer

    async with aiohttp.ClientSession() as session:
        counts = await asyncio.gather(
            *(
                one(session, url, f"e{e}v{v}")
                for e, url in enumerate(urls)
                for v in range(viewers_per_edge)
            )
        )
    return sum(counts)


def test_viewer_events_reach_the_host_in_stream_order_and_resume_after_a_cut(
    node: NatsNode,
) -> None:
    with EdgeThread([node.url], TOKEN, RoomConfig(room="r1")) as edge:
        ws, welcome = viewer(edge.url + "/ws/viewer")
        with Collector(edge.url + "/ws/host") as host:
            for frame in danmaku([f"a{i}" for i in range(50)]):
                ws.send(frame)
            wait_for(lambda: len(texts_of(host)) == 50)
            host.client.simulate_drop()
            for frame in danmaku([f"b{i}" for i in range(50)]):
                ws.send(frame)
            wait_for(lambda: len(texts_of(host)) == 100)
            seqs = host.seqs()
        ws.close()
    assert seqs == list(range(1, len(seqs) + 1))  # the stream's sequence, each seq once
    assert texts_of(host) == [f"a{i}" for i in range(50)] + [f"b{i}" for i in range(50)]
    assert host.events()[0] == {**host.events()[0], "type": "join", "user": welcome["user"]}
    assert any(k == "reconnecting" for k, _ in host.statuses)


def test_an_edge_refuses_exactly_what_the_embedded_hub_refuses(node: NatsNode) -> None:
    frames = [
        "not json",
        json.dumps({"type": "shout", "text": "x"}),
        json.dumps({"type": "danmaku", "text": ""}),
        json.dumps({"type": "danmaku", "text": "x" * 5000}),
        json.dumps({"type": "like", "count": 0}),
        json.dumps({"type": "pin", "question_id": "q", "text": "x"}),
    ]

    def answers(url: str) -> list[tuple[str, str]]:
        ws, _ = viewer(url + "/ws/viewer")
        out = []
        for frame in frames:
            ws.send(frame)
            error = recv_until(ws, lambda m: m["type"] == "error")
            out.append((error["code"], error["message"]))
        ws.close()
        return out

    with HubServer(TOKEN) as hub:
        embedded = answers(f"ws://127.0.0.1:{hub.port}")
    with EdgeThread([node.url], TOKEN, RoomConfig(room="r2")) as edge:
        on_edge = answers(edge.url)
    assert on_edge == embedded
    assert [code for code, _ in on_edge] == [
        "bad_json",
        "bad_type",
        "bad_field",
        "too_big",
        "bad_field",
        "bad_type",
    ]


def test_an_edge_stores_each_event_as_the_embedded_hub_logs_it(node: NatsNode) -> None:
    """The edge writes stored events itself (orjson, bytes): the host must read the same
    events as from the embedded hub, but for seq, ts and the viewer's id."""
    sent = [
        {"type": "danmaku", "text": '引号"和\\反斜杠 😀 \u202e end'},
        {"type": "like", "count": 3},
        {"type": "gift", "gift": "rose", "count": 2, "value": 9.9},
        {"type": "danmaku", "text": "x" * 200},
    ]

    def logged(url: str) -> list[dict]:
        ws, _ = viewer(url + "/ws/viewer")
        with Collector(url + "/ws/host") as host:
            for body in sent:
                ws.send(json.dumps(body, ensure_ascii=False))
            wait_for(lambda: len([e for e in host.events() if e["type"] != "join"]) >= 4)
            events = [e for e in host.events() if e["type"] not in ("join", "viewer_count")]
        ws.close()
        for e in events:
            assert list(e)[:3] == ["seq", "v", "type"]
            e.pop("seq"), e.pop("ts"), e.pop("user")
        return events

    with HubServer(TOKEN) as hub:
        embedded = logged(f"ws://127.0.0.1:{hub.port}")
    with EdgeThread([node.url], TOKEN, RoomConfig(room="r2b")) as edge:
        on_edge = logged(edge.url)
    assert on_edge == embedded
    assert [e["type"] for e in on_edge] == ["danmaku", "like", "gift", "danmaku"]


def test_broadcasts_reach_viewers_on_every_edge_and_late_joiners(node: NatsNode) -> None:
    room = RoomConfig(room="r3")
    with EdgeThread([node.url], TOKEN, room) as a, EdgeThread([node.url], TOKEN, room) as b:
        on_a, _ = viewer(a.url + "/ws/viewer")
        on_b, _ = viewer(b.url + "/ws/viewer")
        with Collector(a.url + "/ws/host") as host:
            host.client.send({"type": "announcement", "text": "大家好"})
            for ws in (on_a, on_b):
                got = recv_until(ws, lambda m: m["type"] == "announcement")
                assert got["text"] == "大家好"
            wait_for(lambda: any(e["type"] == "announcement" for e in host.events()))
        late, _ = viewer(b.url + "/ws/viewer")
        assert recv_until(late, lambda m: m["type"] == "announcement")["text"] == "大家好"
        with EdgeThread([node.url], TOKEN, room) as c:  # a new edge finds it in the stream
            newest, _ = viewer(c.url + "/ws/viewer")
            assert recv_until(newest, lambda m: m["type"] == "announcement")["text"] == "大家好"
        # danmaku said on one edge is shown to viewers on the other
        on_a.send(danmaku(["from a"])[0])
        assert recv_until(on_b, lambda m: m["type"] == "danmaku")["text"] == "from a"
        # the room's count is every edge's viewers, logged once
        for ws in (on_a, on_b, late):
            ws.close()


def test_the_room_count_is_the_sum_of_the_edges_and_logged_once(node: NatsNode) -> None:
    room = RoomConfig(room="r4")
    with EdgeThread([node.url], TOKEN, room) as a, EdgeThread([node.url], TOKEN, room) as b:
        sockets = [viewer(a.url + "/ws/viewer")[0] for _ in range(2)]
        sockets += [viewer(b.url + "/ws/viewer")[0] for _ in range(3)]
        with Collector(a.url + "/ws/host") as host:
            wait_for(
                lambda: any(e["type"] == "viewer_count" and e["count"] == 5 for e in host.events()),
                15,
            )
            time.sleep(2.5)
            counts = [e["count"] for e in host.events() if e["type"] == "viewer_count"]
        for ws in sockets:
            ws.close()
    assert counts.count(5) == 1  # two edges, one logger
    assert counts[-1] == 5


def test_a_host_resumes_on_another_edge_without_loss_or_repeat(node: NatsNode) -> None:
    room = RoomConfig(room="r5")
    with EdgeThread([node.url], TOKEN, room) as a, EdgeThread([node.url], TOKEN, room) as b:
        ws, _ = viewer(a.url + "/ws/viewer")
        for frame in danmaku([f"x{i}" for i in range(20)]):
            ws.send(frame)
        with Collector(a.url + "/ws/host") as first:
            wait_for(lambda: len(texts_of(first)) == 20)
        hub_id = first.client.hub_id
        for frame in danmaku([f"y{i}" for i in range(20)]):
            ws.send(frame)
        with Collector(b.url + "/ws/host", since=first.client.last_seq, hub_id=hub_id) as second:
            wait_for(lambda: len(texts_of(second)) == 20)
        ws.close()
    assert hub_id == second.client.hub_id  # every edge names the room's stream the same
    assert texts_of(second) == [f"y{i}" for i in range(20)]
    assert second.seqs()[0] == first.client.last_seq + 1


def test_a_host_told_of_events_the_stream_no_longer_has(node: NatsNode) -> None:
    with EdgeThread([node.url], TOKEN, RoomConfig(room="r6", max_msgs=10)) as edge:
        ws, _ = viewer(edge.url + "/ws/viewer")
        for frame in danmaku([f"z{i}" for i in range(30)]):
            ws.send(frame)
        time.sleep(1.0)
        with Collector(edge.url + "/ws/host") as host:
            wait_for(lambda: "z29" in texts_of(host))
            time.sleep(0.5)
        ws.close()
    gap, *kept = host.events()
    assert gap["type"] == "gap" and gap["from"] == 1
    assert len(kept) >= 10  # what the stream kept (and a viewer count logged since)
    assert [e["seq"] for e in kept] == list(range(gap["to"] + 1, gap["to"] + 1 + len(kept)))
    assert any(k == "gap" for k, _ in host.statuses)


def test_a_repeated_broadcast_id_is_stored_once(node: NatsNode) -> None:
    with (
        EdgeThread([node.url], TOKEN, RoomConfig(room="r7")) as edge,
        Collector(edge.url + "/ws/host") as host,
    ):
        ws = host.client
        for _ in range(3):  # as a console sends it again after a cut
            ws.send({"type": "announcement", "text": "once", "mid": "m-1"})
        ws.send({"type": "announcement", "text": "twice", "mid": "m-2"})
        wait_for(lambda: any(e.get("text") == "twice" for e in host.events()))
        time.sleep(0.5)
        texts = [e["text"] for e in host.events() if e["type"] == "announcement"]
    assert texts == ["once", "twice"]


def test_viewers_on_two_edge_processes_reach_the_host_exactly_once(node: NatsNode) -> None:
    edges = [EdgeProcess([node.url], TOKEN, room="p1") for _ in range(2)]
    try:
        with Collector(edges[0].url + "/ws/host") as host:
            sent = asyncio.run(storm([e.url for e in edges], 4, 100, 200.0))
            wait_for(lambda: len(texts_of(host)) >= sent, 30)
            time.sleep(0.5)
            seqs, texts = host.seqs(), texts_of(host)
    finally:
        for e in edges:
            e.stop()
    assert seqs == list(range(1, len(seqs) + 1))
    expected = {f"e{e}v{v}-{i}" for e in range(2) for v in range(4) for i in range(100)}
    assert Counter(texts) == Counter(expected)


def test_killing_a_nats_node_mid_storm_loses_and_doubles_nothing(
    cluster: list[NatsNode],
) -> None:
    urls = [n.url for n in cluster]
    edges = [EdgeProcess(urls, TOKEN, room="big", replicas=3) for _ in range(2)]
    try:
        with Collector(edges[0].url + "/ws/host") as host:
            leader = asyncio.run(_stream_leader(urls, "LIVEDESK_big"))
            victim = next(n for n in cluster if n.name == leader)

            killed_at: list[float] = []

            async def storm_and_kill() -> int:
                task = asyncio.ensure_future(storm([e.url for e in edges], 3, 400, 100.0))
                await asyncio.sleep(1.5)
                victim.kill()  # the stream's leader, in the middle of the storm
                killed_at.append(time.monotonic())
                return await task

            sent = asyncio.run(storm_and_kill())
            sent_by = time.monotonic() - killed_at[0]
            wait_for(lambda: len(texts_of(host)) >= sent, 60)
            recovered = time.monotonic() - killed_at[0]
            time.sleep(1.0)
            seqs, texts = host.seqs(), texts_of(host)
    finally:
        for e in edges:
            e.stop()
    expected = {f"e{e}v{v}-{i}" for e in range(2) for v in range(3) for i in range(400)}
    assert Counter(texts) == Counter(expected)  # nothing lost, nothing twice
    assert len(seqs) == len(set(seqs)) and seqs == sorted(seqs)
    print(
        f"\nstream leader {leader} killed; storm over {sent_by:.1f} s later; "
        f"host had every message {recovered:.1f} s after the kill"
    )


async def _stream_leader(urls: list[str], stream: str) -> str:
    nc = await nats.connect(servers=urls)
    try:
        info = await nc.jetstream().stream_info(stream)
        assert info.cluster is not None and info.cluster.leader
        return str(info.cluster.leader)
    finally:
        await nc.close()


def test_killing_an_edge_its_viewers_resume_on_another_keeping_their_ids(node: NatsNode) -> None:
    """Viewers of a killed edge reconnect to another with their welcome's session: the host
    sees the same viewer ids before and after. A full edge tells the next viewer so."""
    capped = ("--max-viewers", "3")
    edges = [EdgeProcess([node.url], TOKEN, room="p3", extra=capped) for _ in range(2)]
    try:
        with Collector(edges[1].url + "/ws/host") as host:
            before = [viewer(edges[0].url + "/ws/viewer") for _ in range(3)]
            refused = viewer_refused(edges[0].url + "/ws/viewer")
            assert refused["code"] == "full"
            for i, (ws, _) in enumerate(before):
                ws.send(danmaku([f"before-{i}"])[0])
            wait_for(lambda: len(texts_of(host)) == 3)
            edges[0].kill()
            killed = time.monotonic()
            after = [
                viewer(f"{edges[1].url}/ws/viewer?session={welcome['session']}")
                for _, welcome in before
            ]
            recovery_s = time.monotonic() - killed
            for i, (ws, _) in enumerate(after):
                ws.send(danmaku([f"after-{i}"])[0])
            wait_for(lambda: len(texts_of(host)) == 6)
            said = {e["text"]: e["user"]["id"] for e in host.events() if e["type"] == "danmaku"}
            for ws, _ in after:
                ws.close()
    finally:
        for e in edges:
            e.stop()
    print(f"viewers back on another edge {recovery_s * 1000:.0f} ms after the kill")
    ids = [welcome["user"]["id"] for _, welcome in before]
    assert len(set(ids)) == 3
    assert [welcome["user"]["id"] for _, welcome in after] == ids
    assert [said[f"before-{i}"] for i in range(3)] == [said[f"after-{i}"] for i in range(3)] == ids


@pytest.mark.slow
def test_ten_thousand_viewers_across_edges_receive_host_broadcasts(node: NatsNode) -> None:
    """10,000 viewer WebSockets over three edge processes, each receiving every broadcast."""
    from app.cli.bench_fanout import fan_out, raise_fd_limit

    if raise_fd_limit() < 10_500:
        pytest.skip("the descriptor limit is below 10,500")
    edges = [EdgeProcess([node.url], TOKEN, room="p10k") for _ in range(3)]
    try:
        figures = asyncio.run(
            fan_out(
                [e.url for e in edges],
                TOKEN,
                [e.proc.pid for e in edges],
                [],
                viewers=10_000,
                broadcasts=3,
            )
        )
    finally:
        for e in edges:
            e.stop()
    print(figures)
    assert figures["viewers"] == 10_000
    assert figures["delivered_min"] == 10_000  # every viewer got every broadcast
