"""Issue 11's probes against the real interaction hub (loopback, bounded in count and time):
reconnect storms, per-address caps, byte-bounded log, Origin/Host checks, token in URL,
unmasked frames, slow and silent connections, malformed HTTP."""

from __future__ import annotations

import json
import logging
import socket
import struct
import time

import pytest
from interaction_support import TOKEN, Collector
from waiting import wait_for
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from streaming.guard.connections import ServerLimits
from streaming.interaction.eventlog import EventLog
from streaming.interaction.hub import HubLimits
from streaming.interaction.ratelimit import AddressLimits, ConnectionCaps, KeyedBuckets, address_key
from streaming.interaction.serve import HubServer

SMALL = AddressLimits(
    message_rate=20, message_burst=40, connect_rate=5, connect_burst=20, max_connections=8
)


@pytest.fixture
def hub():
    with HubServer(
        TOKEN,
        HubLimits(per_address=SMALL),
        server_limits=ServerLimits(
            idle_timeout_s=1.0, max_connections_per_address=SMALL.max_connections
        ),
    ) as srv:
        yield srv


def _raw(port: int, source: str = "127.0.0.1") -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))


def _read_all(sock: socket.socket, timeout: float = 5.0) -> bytes:
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return data


def test_reconnecting_does_not_reset_the_rate_limit(hub):
    """The probe: connect → 10 messages → close, in a loop. Before: 3,958 msg/s accepted."""
    with Collector(hub.host_url) as host:
        started = time.monotonic()
        refused = 0
        while time.monotonic() - started < 2.0:
            try:
                ws = connect(hub.viewer_url, open_timeout=5, legacy=True)
            except InvalidStatus as exc:
                assert exc.response.status_code == 429
                refused += 1
                continue
            for i in range(10):
                ws.send(json.dumps({"v": 1, "type": "danmaku", "text": f"刷屏{i}" * 50}))
            ws.close()
        elapsed = time.monotonic() - started
        time.sleep(0.5)
        events = host.events()
    danmaku = sum(e["type"] == "danmaku" for e in events)
    joins = sum(e["type"] == "join" for e in events)
    budget = SMALL.message_burst + SMALL.message_rate * (elapsed + 0.5)
    assert 0 < danmaku + joins <= budget, (danmaku, joins, budget)
    assert refused > 0  # new connections per second are limited per address too
    assert joins <= SMALL.connect_burst + SMALL.connect_rate * elapsed


def test_per_address_connection_cap(hub):
    sockets = [
        connect(hub.viewer_url, open_timeout=5, legacy=True) for _ in range(SMALL.max_connections)
    ]
    try:
        extra = _raw(hub.port)
        extra.sendall(b"GET /ws/viewer HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = _read_all(extra)
        assert answer.startswith(b"HTTP/1.1 429") and b"Too many connections" in answer
        other = _raw(hub.port, source="127.0.0.2")  # another address is not affected
        other.sendall(b"GET /ws/host HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert _read_all(other).startswith(b"HTTP/1.1 401")
    finally:
        for ws in sockets:
            ws.close()


def test_log_is_bounded_in_bytes_with_a_gap_for_late_hosts():
    limits = HubLimits(viewer_rate=1e6, viewer_burst=10**6, log_max_bytes=200_000)
    limits = limits.for_load_test()
    with HubServer(TOKEN, limits) as srv:
        ws = connect(srv.viewer_url, open_timeout=5, legacy=True)
        text = "😀" * 500  # ≈ 6 KB per logged event once escaped
        for _ in range(200):
            ws.send(json.dumps({"v": 1, "type": "danmaku", "text": text}, ensure_ascii=False))
        wait_for(lambda: srv.hub.stats()["head"] >= 201)
        stats = srv.hub.stats()
        assert stats["log_bytes"] <= 200_000
        assert stats["oldest"] > 150  # the count (200,000) never came into it
        with Collector(srv.host_url) as host:
            wait_for(lambda: any(e["type"] == "gap" for e in host.events()))
            gap = next(e for e in host.events() if e["type"] == "gap")
        assert gap["from"] == 1 and gap["to"] == stats["oldest"] - 1
        ws.close()


def test_eventlog_drops_oldest_past_the_byte_budget():
    log = EventLog(100, max_bytes=25)
    for seq in range(1, 6):
        log.append(seq, b"0123456789")
    assert log.bytes <= 25 and log.oldest == 4 and log.read(0, 10) == [b"0123456789"] * 2
    big = EventLog(3, max_bytes=5)
    big.append(1, b"x" * 50)  # larger than the budget: kept alone, never an empty log
    assert big.oldest == 1 and big.read(0, 5) == [b"x" * 50]


def test_rate_limit_components_are_keyed_and_bounded():
    buckets: KeyedBuckets[str] = KeyedBuckets(rate=1, burst=2, max_keys=2)
    assert buckets.take("a", 0.0) and buckets.take("a", 0.0) and not buckets.take("a", 0.0)
    assert buckets.take("a", 1.0)  # refilled after a second
    buckets.take("b", 1.0)
    buckets.take("c", 1.0)
    assert len(buckets) == 2  # "a" forgotten: memory bounded whatever the addresses
    caps: ConnectionCaps[str] = ConnectionCaps(per_key=1, total=2)
    assert caps.open("x") and not caps.open("x") and caps.open("y") and not caps.open("z")
    caps.close("x")
    assert caps.open("z")
    assert address_key(("::ffff:10.0.0.1", 1, 0, 0)) == "10.0.0.1"
    assert address_key(("2001:db8::1", 1, 0, 0)) == address_key(("2001:db8::2", 1, 0, 0))


def test_origin_and_host_checks(hub):
    own = f"http://127.0.0.1:{hub.port}"
    connect(hub.viewer_url, origin=own, open_timeout=5, legacy=True).close()
    connect(hub.viewer_url, open_timeout=5, legacy=True).close()  # no Origin: not a browser page
    for origin in ("http://evil.example", "null"):
        with pytest.raises(InvalidStatus) as info:
            connect(hub.viewer_url, origin=origin, open_timeout=5, legacy=True)
        assert info.value.response.status_code == 403
    sock = _raw(hub.port)
    sock.sendall(b"GET /ws/viewer HTTP/1.1\r\nHost: rebound.example:80\r\n\r\n")
    answer = _read_all(sock, 2.0)
    assert answer.startswith(b"HTTP/1.1 421") and b"does not answer to that name" in answer


def test_host_token_only_in_the_header(hub):
    with pytest.raises(InvalidStatus) as info:
        connect(f"{hub.host_url}?token={TOKEN}", open_timeout=5, legacy=True)
    assert info.value.response.status_code == 401
    assert b"Authorization header" in info.value.response.body
    connect(
        hub.host_url, additional_headers={"Authorization": f"Bearer {TOKEN}"}, legacy=True
    ).close()


HANDSHAKE = (
    b"GET /ws/viewer HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
    b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    b"Sec-WebSocket-Version: 13\r\n\r\n"
)


def _handshake(port: int) -> socket.socket:
    sock = _raw(port)
    sock.sendall(HANDSHAKE)
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101")
    return sock


def test_unmasked_client_frames_close_with_1002(hub):
    sock = _handshake(hub.port)
    payload = json.dumps({"v": 1, "type": "danmaku", "text": "unmasked"}).encode()
    sock.sendall(struct.pack("!BB", 0x81, len(payload)) + payload)
    data = _read_all(sock, 3.0)
    close_at = data.find(b"\x88\x02")
    assert close_at >= 0 and struct.unpack("!H", data[close_at + 2 : close_at + 4])[0] == 1002
    assert hub.hub.stats()["counters"].get("accepted", 0) == 0
    pipelined = _raw(hub.port)  # frames sent with the handshake, before the 101
    pipelined.sendall(HANDSHAKE + struct.pack("!BB", 0x81, len(payload)) + payload)
    data = _read_all(pipelined, 3.0)
    assert b"\x88\x02\x03\xea" in data  # close, 1002
    assert hub.hub.stats()["counters"].get("accepted", 0) == 0
    masked = _handshake(hub.port)  # the same frame masked is fine (split in two writes)
    key = b"\x01\x02\x03\x04"
    body = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    frame = struct.pack("!BB", 0x81, 0x80 | len(payload)) + key + body
    masked.sendall(frame[:3])
    time.sleep(0.05)
    masked.sendall(frame[3:])
    wait_for(lambda: hub.hub.stats()["counters"].get("accepted", 0) == 1)
    masked.close()


def test_slow_and_silent_connections_are_closed(hub):
    silent = _raw(hub.port)
    slow = _raw(hub.port)
    slow.sendall(b"GET /ws/viewer HTTP/1.1\r\nHost: 127.0")
    started = time.monotonic()
    assert _read_all(silent, 5.0) == b""
    assert _read_all(slow, 5.0) == b""
    assert time.monotonic() - started < 4.0  # idle_timeout_s = 1 here (10 s by default)


def test_malformed_http_gets_a_plain_400_and_one_log_line(hub, caplog):
    caplog.set_level(logging.DEBUG)
    for _ in range(5):
        sock = _raw(hub.port)
        sock.sendall(b"GET /ws/viewer HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n")
        answer = _read_all(sock, 2.0)
        assert answer.startswith(b"HTTP/1.0 400") and answer.endswith(b"Malformed HTTP request.")
    assert not any(r.exc_info for r in caplog.records)
    assert sum("malformed HTTP" in r.getMessage() for r in caplog.records) == 1


def test_a_full_hub_says_so_and_a_session_keeps_the_viewer_id():
    with HubServer(TOKEN, HubLimits(max_viewers=2)) as srv:
        url = srv.viewer_url
        first = connect(url, open_timeout=5, legacy=True)
        welcome = json.loads(first.recv(timeout=5))[0]
        second = connect(url, open_timeout=5, legacy=True)
        second.recv(timeout=5)
        refused = connect(url, open_timeout=5, legacy=True)
        (error,) = json.loads(refused.recv(timeout=5))
        assert error["type"] == "error" and error["code"] == "full"
        assert "full" in error["message"]
        with pytest.raises(ConnectionClosed) as closed:
            refused.recv(timeout=5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
        first.close()
        wait_for(lambda: srv.hub.stats()["viewers"] == 1)
        back = connect(f"{url}?session={welcome['session']}", open_timeout=5, legacy=True)
        again = json.loads(back.recv(timeout=5))[0]
        assert again["user"] == welcome["user"] and again["session"] == welcome["session"]
        back.close()
        forged = welcome["session"].split(".")[0] + ".AAAAAAAAAAAAAAAAAAAAAA"
        wait_for(lambda: srv.hub.stats()["viewers"] == 1)
        stranger = connect(f"{url}?session={forged}", open_timeout=5, legacy=True)
        assert json.loads(stranger.recv(timeout=5))[0]["user"] != welcome["user"]
        stranger.close()
        second.close()
