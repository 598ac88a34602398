"""Issue 11's probes against the real embedded relay (loopback only, bounded in count and time):
WHEP floods of candidate-less offers, m-line amplification, malformed bodies, body and idle
timeouts, third-party STUN and media bind addresses, Host checks, separate tokens, PLI storms,
and the file-descriptor limit."""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import socket
import subprocess
import sys
import time

import aiohttp
import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from golive_support import TOKEN
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from streaming.guard.connections import ServerLimits
from streaming.loop_thread import LoopThread
from streaming.relay import RelayServer
from streaming.relay.fanout import VIEWER_PLI_MIN_INTERVAL_S, FanOut

HOST_TOKEN = "relay-test-host-token"
ATTACKER = "127.0.0.2"  # another loopback address: the host's own viewers are not it


class Relay:
    """A relay on its own loop thread with short timeouts, so each probe takes seconds."""

    def __init__(self) -> None:
        self.thread = LoopThread("abuse-relay")
        self.server = RelayServer(
            "127.0.0.1", 0, TOKEN, host_token=HOST_TOKEN, limits=ServerLimits(idle_timeout_s=1.0)
        )
        self.relay = self.server.relay
        self.relay.pending_timeout_s = 1.5
        self.relay.body_timeout_s = 1.0
        self.info = self.thread.run(self.server.start())
        self.base = self.relay.base_url

    def close(self) -> None:
        try:
            self.thread.run(self.server.stop(), timeout=10)
        finally:
            self.thread.stop()


@pytest.fixture
def relay():
    running = Relay()
    yield running
    running.close()


@pytest.fixture(scope="module")
def offer() -> str:
    """A real browser-like recvonly offer (audio + video), with its candidates."""

    async def make() -> str:
        pc = RTCPeerConnection()
        pc.addTransceiver("video", direction="recvonly")
        pc.addTransceiver("audio", direction="recvonly")
        await pc.setLocalDescription(await pc.createOffer())
        sdp = pc.localDescription.sdp
        await pc.close()
        return sdp

    return asyncio.run(make())


def candidate_less(sdp: str) -> str:
    return "".join(
        line + "\r\n"
        for line in sdp.splitlines()
        if line and not line.startswith(("a=candidate", "a=end-of-candidates"))
    )


async def post(
    url: str,
    body: str | bytes,
    content_type: str = "application/sdp",
    source: str | None = None,
) -> tuple[int, str]:
    connector = aiohttp.TCPConnector(local_addr=(source, 0) if source else None)
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        session.post(url, data=body, headers={"Content-Type": content_type}) as response,
    ):
        return response.status, await response.text()


def _raw(port: int, source: str = "127.0.0.1") -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))


def _read_all(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return data


def _clean(text: str) -> None:
    """A client never sees a traceback or Python's own error text."""
    for leak in ("Traceback", "Error", "None is not in list", "Exception"):
        assert leak not in text, text


def test_whep_flood_of_candidate_less_offers_locks_nobody_out(relay, offer):
    """The probe: 50 anonymous 201s, then 503 "full" for every real viewer, for 20+ minutes."""
    bare = candidate_less(offer)

    async def scenario() -> tuple[list[int], str, int]:
        statuses = []
        for _ in range(50):
            status, text = await post(relay.info["whep"], bare, source=ATTACKER)
            statuses.append(status)
            if status != 201:
                _clean(text)
        viewer = RTCPeerConnection()
        viewer.addTransceiver("video", direction="recvonly")
        viewer.addTransceiver("audio", direction="recvonly")
        await viewer.setLocalDescription(await viewer.createOffer())
        status, answer = await post(relay.info["whep"], viewer.localDescription.sdp)
        assert status == 201, answer
        await viewer.setRemoteDescription(RTCSessionDescription(answer, "answer"))
        deadline = time.monotonic() + 10
        while viewer.connectionState != "connected" and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        state = viewer.connectionState
        await asyncio.sleep(relay.relay.pending_timeout_s + 1.0)
        kept = len(relay.relay.sessions)
        await viewer.close()
        return statuses, state, kept

    statuses, state, kept = asyncio.run(scenario())
    assert statuses.count(201) == 4 and statuses.count(429) == 46
    assert state == "connected"  # the real viewer got in during the flood
    assert kept == 1  # the unfinished sessions were closed and their sockets freed
    assert relay.relay.counters["sessions_timed_out"] == 4


async def _viewer_connects(url: str, timeout_s: float = 10.0) -> str:
    """A real aiortc viewer: POST its offer, then wait for ICE + DTLS."""
    viewer = RTCPeerConnection()
    viewer.addTransceiver("video", direction="recvonly")
    viewer.addTransceiver("audio", direction="recvonly")
    try:
        await viewer.setLocalDescription(await viewer.createOffer())
        status, answer = await post(url, viewer.localDescription.sdp)
        if status != 201:
            return f"{status}: {answer}"
        await viewer.setRemoteDescription(RTCSessionDescription(answer, "answer"))
        deadline = time.monotonic() + timeout_s
        while viewer.connectionState != "connected" and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return viewer.connectionState
    finally:
        await viewer.close()


def test_flood_from_many_addresses_evicts_its_own_pending_sessions(relay, offer):
    """Per-address caps alone leave a way in: 13 addresses × 4 pending offers fill 50 places.
    Pending sessions never fill the relay; the flood's oldest make room for newcomers."""
    bare = candidate_less(offer)
    limits = relay.relay.admission.limits

    async def flood(stop: asyncio.Event, statuses: list[int]) -> None:
        while not stop.is_set():
            for i in range(16):
                status, text = await post(relay.info["whep"], bare, source=f"127.0.0.{10 + i}")
                statuses.append(status)
                if status != 201:
                    _clean(text)

    async def scenario() -> tuple[list[str], list[int], int]:
        stop, statuses = asyncio.Event(), []
        flooding = asyncio.ensure_future(flood(stop, statuses))
        await asyncio.sleep(1.0)
        states = [await _viewer_connects(relay.info["whep"]) for _ in range(3)]
        most = len(relay.relay.sessions)
        stop.set()
        await flooding
        return states, statuses, most

    states, statuses, most = asyncio.run(scenario())
    assert states == ["connected"] * 3, states
    assert statuses.count(201) > limits.max_pending  # the flood got answers: it was evicted
    assert set(statuses) <= {201, 429}, set(statuses)  # never "full"
    assert most <= limits.max_pending + 3
    assert relay.relay.counters["sessions_evicted"] > 0


def test_offer_with_hundreds_of_mlines_is_refused(relay, offer):
    """The probe: a 63 KB offer with 700 audio m-lines was answered (679 KB, 16.5 MB each)."""
    head = offer.split("m=", 1)[0].replace("a=group:BUNDLE 0 1", "a=group:BUNDLE")
    audio = (
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:{}\r\n"
        "a=rtpmap:111 opus/48000/2\r\n"
    )
    huge = head + "".join(audio.format(i) for i in range(700))
    assert 50_000 < len(huge) < 64 * 1024
    started = time.monotonic()
    status, text = asyncio.run(post(relay.info["whep"], huge))
    assert status == 400 and "at most 1 audio, 1 video, 1 application" in text
    assert time.monotonic() - started < 2.0 and relay.relay.sessions == {}


def test_malformed_requests_get_plain_4xx(relay, offer, caplog):
    caplog.set_level(logging.INFO)
    vp8_only = offer.replace("H264", "VP9").replace("opus", "PCMU")

    async def scenario() -> list[tuple[int, str]]:
        results = [
            await post(relay.info["whep"], b"v=0\r\n\xff\xfe\xfa broken\r\n"),
            await post(relay.info["whep"], offer, content_type="application/sdp; charset=x-nope"),
            await post(relay.info["whep"], vp8_only),
        ]
        status, _ = await post(relay.info["whep"], candidate_less(offer))
        assert status == 201
        sid, session = next(iter(relay.relay.sessions.items()))
        url = f"{relay.base}/whep/{sid}"
        async with aiohttp.ClientSession() as http:
            for body in (
                "a=mid:0\r\na=candidate:garbage\r\n",
                "a=mid:0\r\na=candidate:1 1 udp notanumber 10.0.0.1 9 typ host\r\n",
                "a=mid:nope\r\na=candidate:1 1 udp 1 10.0.0.1 9 typ host\r\n",
            ):
                async with http.patch(
                    url,
                    data=body,
                    headers={
                        "Content-Type": "application/trickle-ice-sdpfrag",
                        "If-Match": session.etag,
                    },
                ) as response:
                    results.append((response.status, await response.text()))
        return results

    results = asyncio.run(scenario())
    statuses = [status for status, _ in results]
    assert statuses == [400, 400, 422, 400, 400, 400], results
    for _, text in results:
        _clean(text)
    assert "not valid utf-8" in results[0][1] and "charset" in results[1][1]
    assert not any(r.exc_info for r in caplog.records)


def test_bodies_headers_and_idle_connections_time_out(relay):
    body = _raw(relay.server.port)
    body.sendall(
        b"POST /whep HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sdp\r\n"
        b"Content-Length: 60000\r\n\r\nv=0\r\n"
    )
    silent, slow = _raw(relay.server.port), _raw(relay.server.port)
    slow.sendall(b"GET /status HTTP/1.1\r\nHost: 127")
    started = time.monotonic()
    answer = _read_all(body, 6.0)
    assert answer.startswith(b"HTTP/1.1 408") and b"did not arrive" in answer
    assert _read_all(silent, 6.0) == b"" and _read_all(slow, 6.0) == b""
    assert time.monotonic() - started < 5.0


def test_no_third_party_ice_and_media_on_the_bind_address(relay, offer):
    status, answer = asyncio.run(post(relay.info["whep"], offer))
    assert status == 201
    candidates = [line for line in answer.splitlines() if line.startswith("a=candidate")]
    assert candidates and all(" 127.0.0.1 " in line for line in candidates), candidates
    assert not any("srflx" in line or "relay" in line for line in candidates)
    session = next(iter(relay.relay.sessions.values()))
    for transceiver in session.pc.getTransceivers():
        gatherer = transceiver.sender.transport.transport.iceGatherer
        assert gatherer._connection.stun_server is None
        assert gatherer._connection.turn_server is None


def test_host_allow_list_and_separate_tokens(relay):
    sock = _raw(relay.server.port)
    sock.sendall(b"GET /status HTTP/1.1\r\nHost: rebind.example:8787\r\n\r\n")
    assert _read_all(sock, 3.0).startswith(b"HTTP/1.1 421")
    host_url = relay.info["interaction_host"]
    with pytest.raises(InvalidStatus) as info:
        connect(host_url, additional_headers={"Authorization": f"Bearer {TOKEN}"}, legacy=True)
    assert info.value.response.status_code == 401  # the publish token is not the host token
    connect(
        host_url, additional_headers={"Authorization": f"Bearer {HOST_TOKEN}"}, legacy=True
    ).close()
    with pytest.raises(ValueError):
        RelayServer("127.0.0.1", 0, TOKEN, host_token=TOKEN)
    with pytest.raises(InvalidStatus) as info:
        connect(relay.info["interaction"], origin="http://evil.example", legacy=True)
    assert info.value.response.status_code == 403


def test_server_errors_are_logged_once_with_a_request_id(caplog):
    from aiohttp import web

    from streaming.guard.connections import serve
    from streaming.guard.http import HostPolicy, guard_middlewares

    async def broken(request: web.Request) -> web.Response:
        raise RuntimeError("internal detail: None is not in list")

    async def scenario() -> tuple[int, str, str]:
        app = web.Application(middlewares=guard_middlewares(HostPolicy("127.0.0.1")))
        app.router.add_get("/", broken)
        runner, site = await serve(app, "127.0.0.1", 0)
        try:
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"http://127.0.0.1:{site.port}/") as response,
            ):
                return response.status, await response.text(), response.headers["X-Request-Id"]
        finally:
            await runner.cleanup()

    status, text, request_id = asyncio.run(scenario())
    assert status == 500 and request_id in text and "internal detail" not in text
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is not None


def test_clients_gone_mid_answer_are_not_logged_as_errors(caplog):
    """The reconnect storm: clients that close before the 101 made aiohttp log a 30-line
    traceback each (9,758 stderr lines in 5 s of the bench)."""
    from aiohttp import web

    from streaming.guard.connections import serve
    from streaming.guard.http import HostPolicy, guard_middlewares

    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(0.3)  # the client is gone by now
        response = web.StreamResponse()
        await response.prepare(request)
        return response

    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def scenario() -> int:
        app = web.Application(middlewares=guard_middlewares(HostPolicy("127.0.0.1")))
        app.router.add_get("/slow", slow)
        app.router.add_get("/ok", ok)
        runner, site = await serve(app, "127.0.0.1", 0)
        try:
            for _ in range(10):
                _, writer = await asyncio.open_connection("127.0.0.1", site.port)
                writer.write(b"GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                await writer.drain()
                writer.close()
            await asyncio.sleep(0.6)
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"http://127.0.0.1:{site.port}/ok") as response,
            ):
                return response.status
        finally:
            await runner.cleanup()

    caplog.set_level(logging.DEBUG)
    assert asyncio.run(scenario()) == 200
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]


def test_pli_from_a_stale_viewer_is_rate_limited_and_merged(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("streaming.relay.fanout.time.monotonic", lambda: clock[0])
    fanout = FanOut()
    sent: list[float] = []
    fanout.publisher_started(lambda _rendition: sent.append(clock[0]))
    stale = fanout.new_track("video")
    others = [fanout.new_track("video") for _ in range(10)]
    sent.clear()
    for _ in range(20):  # one PLI a second for 20 s (the probe: one keyframe a second)
        clock[0] += 1.0
        fanout.viewer_pli(stale)
    assert len(sent) <= 20 / VIEWER_PLI_MIN_INTERVAL_S + 1
    sent.clear()
    clock[0] += 10
    for track in others:  # ten viewers losing the picture at once: one keyframe
        fanout.viewer_pli(track)
    assert len(sent) == 1


@pytest.mark.slow
def test_file_descriptor_limit_is_graceful(tmp_path):
    """The probe: at the limit /status and /whep timed out and stderr got 12.9 MB in seconds.
    Now: silent sockets past the caps are refused or make room, /status answers throughout,
    and stderr gets a few lines."""
    limit = 256

    def low_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    env = {**os.environ, "LIVEDESK_RELAY_TOKEN": TOKEN, "LIVEDESK_HOST_TOKEN": HOST_TOKEN}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "relay", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=low_limit,
    )
    held: list[socket.socket] = []
    try:
        import json

        info = json.loads(proc.stdout.readline())
        port = int(info["whip"].rsplit(":", 1)[1].split("/")[0])
        statuses: list[bytes] = []
        for i in range(400):  # from five addresses: past the per-address and the total cap
            sock = _raw(port, source=f"127.0.0.{2 + i % 5}")
            held.append(sock)
        time.sleep(0.5)
        for sock in held:
            sock.setblocking(False)
            try:
                statuses.append(sock.recv(64)[:12])
            except BlockingIOError:
                statuses.append(b"open")
        assert statuses.count(b"open") <= limit
        assert b"" in statuses  # the oldest silent ones were closed to make room
        # with every place taken by silent sockets, /status still answers: the oldest
        # silent one makes room
        for _ in range(3):
            status = _raw(port)
            status.sendall(b"GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            assert _read_all(status, 5.0).startswith(b"HTTP/1.1 200")
            status.close()
        for sock in held:
            sock.close()
        held.clear()
        time.sleep(0.5)
        status = _raw(port)
        status.sendall(b"GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert _read_all(status, 5.0).startswith(b"HTTP/1.1 200")
    finally:
        for sock in held:
            sock.close()
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert len(err) < 4000 and err.count("\n") < 20, err


_TINY_SERVER = """
import asyncio, logging, resource, signal
from aiohttp import web
from streaming.guard.connections import ServerLimits, serve
logging.basicConfig()
resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
async def status(request):
    return web.Response(text="ok")
async def main():
    app = web.Application()
    app.router.add_get("/status", status)
    limits = ServerLimits(max_connections=10_000, max_connections_per_address=10_000)
    runner, site = await serve(app, "127.0.0.1", 0, limits)
    print(site.port, flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()
    await asyncio.sleep(1.5)  # where asyncio's own accept retries used to fire on a closed socket
asyncio.run(main())
"""


def _flood(port: int, count: int) -> list[socket.socket]:
    clients = []
    for _ in range(count):
        client = socket.socket()
        client.setblocking(False)
        client.connect_ex(("127.0.0.1", port))
        clients.append(client)
    return clients


def test_out_of_descriptors_clients_get_busy_at_once_and_one_log_line():
    """Caps lifted, so accept() itself runs out: asyncio alone left every client hanging, made
    /status wait a second and logged ~100 KB of tracebacks, the most when closing."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _TINY_SERVER],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(proc.stdout.readline())
        clients = _flood(port, 150)
        time.sleep(0.5)
        answers: list[bytes] = []
        for client in clients:
            try:
                answers.append(client.recv(64)[:12])
            except BlockingIOError:
                answers.append(b"open")
            client.close()
        assert answers.count(b"HTTP/1.1 503") >= 50, answers
        time.sleep(0.3)
        status = _raw(port)
        started = time.monotonic()
        status.sendall(b"GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert _read_all(status, 2.0).startswith(b"HTTP/1.1 200")
        assert time.monotonic() - started < 0.5
        status.close()
        clients = _flood(port, 150)  # out of descriptors again, then closed at once
        time.sleep(0.05)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    for client in clients:
        client.close()
    assert "Traceback" not in err and err.count("\n") <= 3, err
