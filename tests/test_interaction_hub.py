"""The interaction hub over real WebSockets on loopback: viewers, hosts, limits, replay, gaps."""

from __future__ import annotations

import json
import time

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from streaming.interaction.eventlog import EventLog
from streaming.interaction.hub import HubLimits
from streaming.interaction.ratelimit import TokenBucket
from streaming.interaction.serve import HubServer
from tests.interaction_support import TOKEN, Collector, recv_until, viewer
from tests.waiting import wait_for


@pytest.fixture
def server():
    with HubServer(
        TOKEN, HubLimits(viewer_rate=1000, viewer_burst=1000, fanout_hz=20).for_load_test()
    ) as srv:
        yield srv


def test_viewer_danmaku_reaches_host_stamped_with_server_identity(server):
    with Collector(server.host_url) as host:
        ws, welcome = viewer(server.viewer_url)
        forged = {
            "v": 1,
            "type": "danmaku",
            "text": "适合敏感肌吗",
            "sent_at": 5,
            "user": {"id": "admin", "name": "主播"},
            "seq": 999999,
            "extra": "dropped",
        }
        ws.send(json.dumps(forged, ensure_ascii=False))
        wait_for(lambda: any(e["type"] == "danmaku" for e in host.events()))
        event = next(e for e in host.events() if e["type"] == "danmaku")
        assert event["user"] == welcome["user"] != forged["user"]
        assert event["text"] == "适合敏感肌吗" and event["sent_at"] == 5
        assert "extra" not in event and event["seq"] < 999999
        assert abs(event["ts"] - time.time() * 1000) < 5000
        ws.close()


def test_seqs_strictly_increase_and_join_is_emitted(server):
    with Collector(server.host_url) as host:
        sockets = [viewer(server.viewer_url)[0] for _ in range(3)]
        for i in range(60):
            sockets[i % 3].send(json.dumps({"v": 1, "type": "like", "count": 1}))
        wait_for(lambda: sum(e["type"] == "like" for e in host.events()) == 60)
        seqs = host.seqs()
        assert seqs == sorted(set(seqs)) and seqs[0] == 1
        assert sum(e["type"] == "join" for e in host.events()) == 3
        for ws in sockets:
            ws.close()


def test_hosts_need_the_token(server):
    for headers, url in (
        ({}, server.host_url),
        ({"Authorization": "Bearer wrong"}, server.host_url),
        ({}, server.host_url + "?token=wrong"),
    ):
        with pytest.raises(InvalidStatus) as info:
            connect(url, additional_headers=headers, open_timeout=5)
        assert info.value.response.status_code == 401
    with connect(
        server.host_url, additional_headers={"Authorization": f"Bearer {TOKEN}"}, open_timeout=5
    ) as ws:
        hello = json.loads(ws.recv(timeout=5))[0]
        assert hello["type"] == "hello" and hello["hub"] == server.hub.hub_id
    assert server.hub.counters["rejected.host_auth"] == 3


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "bad_json"),
        ("[1, 2]", "bad_json"),
        ('{"v": 1, "type": "pin", "question_id": "q", "text": "x"}', "bad_type"),
        ('{"v": 1, "type": "join"}', "bad_type"),
        ('{"v": 1, "type": "danmaku", "text": 5}', "bad_field"),
        ('{"v": 1, "type": "danmaku", "text": ""}', "bad_field"),
        ('{"v": 1, "type": "danmaku", "text": "' + "长" * 501 + '"}', "bad_field"),
        ('{"v": 1, "type": "like", "count": true}', "bad_field"),
        ('{"v": 1, "type": "gift", "gift": "x", "count": 1, "value": NaN}', "bad_field"),
        ('{"v": 2, "type": "like", "count": 1}', "bad_field"),
        ('{"v": 1, "type": "danmaku", "text": "' + "x" * 5000 + '"}', "too_big"),
        ("[" * 2000 + "]" * 2000, "bad_json"),  # deeper than json.loads recurses
    ],
)
def test_bad_frames_get_an_error_back_and_the_connection_stays(server, frame, code):
    ws, _ = viewer(server.viewer_url)
    ws.send(frame)
    error = recv_until(ws, lambda m: m["type"] == "error")
    assert error["code"] == code and error["message"]
    ws.send('{"v": 1, "type": "like", "count": 2}')
    wait_for(lambda: server.hub.counters["accepted"] >= 1)
    assert server.hub.counters["rejected." + code] == 1
    ws.close()


def test_binary_frames_are_refused(server):
    ws, _ = viewer(server.viewer_url)
    ws.send(b"\xff\xfe\x00garbage")
    assert recv_until(ws, lambda m: m["type"] == "error")["code"] == "binary"
    ws.close()


def test_protocol_violations_close_only_that_connection(server):
    good, _ = viewer(server.viewer_url)
    for frame, text in ((b"\xc3\x28 invalid utf-8", True), ("x" * 70_000, None)):
        bad, _ = viewer(server.viewer_url)
        bad.send(frame, text=text)
        with pytest.raises(ConnectionClosed):
            while True:
                bad.recv(timeout=5)
        assert bad.close_code in (1007, 1009)
    good.send('{"v": 1, "type": "danmaku", "text": "still here"}')
    wait_for(lambda: server.hub.counters["accepted"] == 1)
    good.close()


def test_rate_limit_refuses_the_excess_with_one_error_per_second():
    with (
        HubServer(TOKEN, HubLimits(viewer_rate=5, viewer_burst=10)) as srv,
        Collector(srv.host_url) as host,
    ):
        ws, welcome = viewer(srv.viewer_url)
        assert welcome["limits"] == {"rate": 5, "burst": 10, "max_text": 500}
        for i in range(40):
            ws.send(
                json.dumps({"v": 1, "type": "danmaku", "text": f"刷屏 {i}"}, ensure_ascii=False)
            )
        error = recv_until(ws, lambda m: m["type"] == "error")
        assert error["code"] == "rate_limited"
        wait_for(
            lambda: srv.hub.counters["accepted"] + srv.hub.counters["rejected.rate_limited"] == 40
        )
        accepted = srv.hub.counters["accepted"]
        assert 10 <= accepted <= 12  # the burst, plus what refilled while sending
        wait_for(lambda: sum(e["type"] == "danmaku" for e in host.events()) == accepted)
        with pytest.raises(TimeoutError):  # only one rate_limited error in that second
            recv_until(ws, lambda m: m["type"] == "error", timeout=0.3)
        time.sleep(0.5)
        ws.send('{"v": 1, "type": "like", "count": 1}')  # refilled: accepted again
        wait_for(lambda: srv.hub.counters["accepted"] == accepted + 1)
        ws.close()


def test_broadcasts_reach_every_viewer_and_late_joiners(server):
    with Collector(server.host_url) as host:
        early = [viewer(server.viewer_url)[0] for _ in range(3)]
        host.client.send({"v": 1, "type": "pin", "question_id": "q1", "text": "能用花呗吗"})
        host.client.send({"v": 1, "type": "countdown", "id": "c1", "label": "秒杀", "ends_at": 1})
        for ws in early:
            pin = recv_until(ws, lambda m: m["type"] == "pin")
            assert pin["text"] == "能用花呗吗" and pin["seq"] >= 1 and "user" not in pin
        late, _ = viewer(server.viewer_url)
        assert recv_until(late, lambda m: m["type"] == "countdown")["label"] == "秒杀"
        wait_for(lambda: {"pin", "countdown"} <= {e["type"] for e in host.events()})
        with pytest.raises(ValueError, match="question_id"):
            host.client.send({"v": 1, "type": "pin", "text": "no id"})
        for ws in [*early, late]:
            ws.close()


def test_viewers_see_a_sample_of_others_danmaku(server):
    a, wa = viewer(server.viewer_url)
    b, _ = viewer(server.viewer_url)
    for i in range(100):
        a.send(json.dumps({"v": 1, "type": "danmaku", "text": f"hello {i}"}))
    seen = []
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and len(seen) < 30:
        try:
            seen += [m for m in json.loads(b.recv(timeout=0.5)) if m["type"] == "danmaku"]
        except TimeoutError:
            break
    assert seen and all(m["user"] == wa["user"] for m in seen)
    assert [m["seq"] for m in seen] == sorted(m["seq"] for m in seen)
    assert len(seen) < 100  # sampled: at most fanout_max per tick
    a.close()
    b.close()


def test_viewer_count_is_reported(server):
    with Collector(server.host_url) as host:
        sockets = [viewer(server.viewer_url)[0] for _ in range(4)]
        wait_for(
            lambda: any(e["type"] == "viewer_count" and e["count"] == 4 for e in host.events())
        )
        for ws in sockets:
            ws.close()


def test_host_replays_from_since_and_restarts_for_another_hub(server):
    ws, _ = viewer(server.viewer_url)
    for i in range(20):
        ws.send(json.dumps({"v": 1, "type": "danmaku", "text": f"m{i}"}))
    wait_for(lambda: server.hub.stats()["head"] >= 21)
    with Collector(server.host_url, since=15) as host:
        wait_for(lambda: host.seqs() and host.seqs()[-1] >= 21)
        assert host.seqs()[0] == 16
    with Collector(server.host_url, since=15, hub_id="another-run") as host:
        wait_for(lambda: host.seqs() and host.seqs()[-1] >= 21)
        assert host.seqs()[0] == 1
        assert any(k == "connected" and "restarted" in m for k, m in host.statuses)
    ws.close()


def test_a_host_too_far_behind_gets_a_gap_then_the_rest():
    with HubServer(
        TOKEN, HubLimits(viewer_rate=1000, viewer_burst=1000, log_size=50).for_load_test()
    ) as srv:
        ws, _ = viewer(srv.viewer_url)
        for i in range(99):
            ws.send(json.dumps({"v": 1, "type": "like", "count": 1 + i % 5}))
        wait_for(lambda: srv.hub.stats()["head"] == 100)
        with Collector(srv.host_url, since=10) as host:
            wait_for(lambda: host.seqs() and host.seqs()[-1] == 100)
            events = host.events()
            assert events[0] == {**events[0], "type": "gap", "from": 11, "to": 50, "seq": 50}
            assert [e["seq"] for e in events[1:]] == list(range(51, 101))
            assert any(k == "gap" and "11–50" in m for k, m in host.statuses)
        ws.close()


def test_event_log_ring():
    log = EventLog(4)
    for seq in range(1, 11):
        log.append(seq, str(seq).encode())
    assert (log.oldest, log.head) == (7, 10)
    assert log.read(6, 10) == [b"7", b"8", b"9", b"10"]
    assert log.read(8, 1) == [b"9"] and log.read(10, 5) == []
    assert log.read(0, 2) == [b"7", b"8"]  # clipped to what is retained
    with pytest.raises(ValueError):
        log.append(12, b"x")


def test_token_bucket():
    bucket = TokenBucket(rate=2, burst=3, now=0.0)
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.take(0.5) and not bucket.take(0.5)
    assert [bucket.take(100.0) for _ in range(4)] == [True, True, True, False]


def test_a_viewer_that_stops_reading_only_misses_frames_itself():
    import asyncio

    from app.bench.blast import _open

    limits = HubLimits(viewer_buffer_bytes=16 * 1024).for_load_test()
    with HubServer(TOKEN, limits) as srv, Collector(srv.host_url) as host:
        stuck = asyncio.new_event_loop()
        stuck.run_until_complete(_open(srv.viewer_url))  # connected, never reads again
        reader, _ = viewer(srv.viewer_url)
        text = "秒杀" * 240  # ~3 KB per frame as escaped JSON
        for i in range(4000):
            host.client.send({"v": 1, "type": "announcement", "text": f"{i} {text}"})
            if i % 200 == 0:  # keep the reading viewer's side drained
                wait_for(lambda i=i: srv.hub.counters["broadcasts"] > i)
        last = recv_until(
            reader, lambda m: m["type"] == "announcement" and m["text"].startswith("3999 "), 30
        )
        assert last["seq"] > 4000
        assert srv.hub.counters["viewer_frames_dropped"] > 0  # for the stuck viewer only
        wait_for(lambda: host.client.last_seq == srv.hub.stats()["head"])
        stuck.close()
        reader.close()
