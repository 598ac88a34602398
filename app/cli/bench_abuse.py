"""`livedesk bench abuse`: issue 11's figures, measured against a real `livedesk relay` process.

- **storm**: hostile viewers loop connect → 10 danmaku of 500 emoji → close at `--rate`
  messages/s (default 10,000) from `--addresses` loopback addresses for `--seconds`; the relay's
  peak RSS against the target (< 400 MB), its idle RSS (the anchor in this run) and the issue's
  1.16 GB; what the host received per second.
- **whep_flood**: real aiortc viewers join one after another while `--flood-addresses` send
  candidate-less WHEP offers as fast as they are answered; viewers admitted and their time to
  connect, against the same viewers joining with no flood (the anchor in this run).
- **cpu**: the relay's CPU per hostile session (pending offers held at every cap, refreshed as
  they time out) and per refused 700-m-line offer, against one real publisher's session (360p,
  the anchor in this run; the issue saw 1.7 % for a publisher, 51 % after 11 m-line offers).
- **publisher_outage**: that publisher while the relay is killed for `--outage-s` (20) and then
  `--long-outage-s` (62): seconds from the relay's return to live again (target ≤ 3 s; the issue
  saw 7.4 s), and whether it was still trying at 60 s (the issue saw it give up).

One JSON object on stdout; the relay's stderr line count is in it too (a flood must not flood
the log).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import IO, Any

import psutil

from app.frozen import module_command

RSS_TARGET_MB = 400.0
ISSUE_STORM_RSS_MB = 1160.0  # the issue: 218 MB → 1.16 GB in 15 s
ISSUE_BACK_LIVE_S = 7.4
BACK_LIVE_TARGET_S = 3.0
GIVE_UP_CHECK_S = 60.0
STORM_TEXT = "😀" * 500  # ≈ 6 KB per logged event once escaped, as in the issue


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("abuse")
    parser.add_argument("--seconds", type=float, default=15.0, help="storm length (default 15)")
    parser.add_argument(
        "--rate", type=int, default=10_000, help="storm messages/s offered (default 10,000)"
    )
    parser.add_argument(
        "--addresses", type=int, default=100, help="storm source addresses (default 100)"
    )
    parser.add_argument(
        "--flood-s", type=float, default=15.0, help="WHEP flood length (default 15)"
    )
    parser.add_argument(
        "--flood-addresses", type=int, default=16, help="WHEP flood source addresses (default 16)"
    )
    parser.add_argument(
        "--outage-s", type=float, default=20.0, help="first relay outage (default 20; 0 = skip)"
    )
    parser.add_argument(
        "--long-outage-s",
        type=float,
        default=62.0,
        help="second relay outage, past 60 s (default 62; 0 = skip)",
    )
    parser.add_argument(
        "--only",
        default="storm,whep_flood,cpu,publisher_outage",
        help="comma-separated parts to run (default all)",
    )
    parser.set_defaults(handler=run)


# ---- the relay under test ------------------------------------------------------------------


class RelayProcess:
    """`livedesk relay` in a child process, so its memory and CPU are its own."""

    def __init__(self, port: int = 0) -> None:
        self.token = secrets.token_urlsafe(16)
        self.host_token = secrets.token_urlsafe(16)
        self.port = port
        self.stderr: IO[str] = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open across restarts
            "w+",
            prefix="relay-",
            suffix=".log",
            delete=not os.environ.get("LIVEDESK_BENCH_KEEP_LOGS"),
        )
        self.info: dict[str, Any] = {}
        self._proc: subprocess.Popen[str] | None = None

    def start(self) -> float:
        """Start (again, on the same port); the monotonic time it was ready."""
        env = {
            **os.environ,
            "LIVEDESK_RELAY_TOKEN": self.token,
            "LIVEDESK_HOST_TOKEN": self.host_token,
        }
        self._proc = subprocess.Popen(
            [*module_command("app"), "relay", "--port", str(self.port)],
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            env=env,
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("the relay did not start (see its stderr)")
        ready = time.monotonic()
        self.info = json.loads(line)
        self.port = int(self.info["whip"].rsplit(":", 1)[1].split("/")[0])
        self.ps = psutil.Process(self._proc.pid)
        return ready

    def kill(self) -> None:
        """Gone without a word (no DELETE, no close): what a crash or a pulled cable looks like."""
        if self._proc is not None:
            self._proc.send_signal(signal.SIGKILL)
            self._proc.wait(10)
            self._proc = None

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(10)
            self._proc = None

    def rss_mb(self) -> float:
        return float(self.ps.memory_info().rss) / 2**20

    def cpu_s(self) -> float:
        times = self.ps.cpu_times()
        return float(times.user + times.system)

    def stderr_lines(self) -> int:
        self.stderr.seek(0)
        return sum(1 for _ in self.stderr)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def _cpu_pct(relay: RelayProcess, seconds: float) -> float:
    """The relay's CPU over the next `seconds`, in % of one core."""
    cpu0, t0 = relay.cpu_s(), time.monotonic()
    await asyncio.sleep(seconds)
    return 100.0 * (relay.cpu_s() - cpu0) / (time.monotonic() - t0)


# ---- storm -----------------------------------------------------------------------------------


def _storm_connection(host: str, port: int) -> bytes:
    """What one storm client writes: the upgrade, 10 masked danmaku frames (pipelined)."""
    from streaming.interaction.wsframe import text_frame

    payload = json.dumps({"v": 1, "type": "danmaku", "text": STORM_TEXT}, ensure_ascii=False)
    head = (
        f"GET /ws/viewer HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n"
    ).encode()
    return head + text_frame(payload.encode(), masked=True) * 10


_CLOSE_FRAME = b"\x88\x82\x00\x00\x00\x00\x03\xe8"  # masked (zero key) close, 1000


async def _storm_client(port: int, source: str, data: bytes, outcome: Counter[str]) -> None:
    """One storm connection: upgrade, 10 frames and the close frame in one write, then read
    until the hub closes (closing with unread data would reset the connection, and a reset
    discards what the hub had not read yet: the probe's clients closed cleanly)."""
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0)), 5
        )
    except (OSError, TimeoutError):
        outcome["connect_failed"] += 1
        return
    try:
        writer.write(data + _CLOSE_FRAME)
        line = await asyncio.wait_for(reader.readline(), 5)
        status = line.split(b" ", 2)[1].decode() if line.count(b" ") >= 2 else "none"
        outcome[status] += 1
        while await asyncio.wait_for(reader.read(65536), 5):
            pass
    except (OSError, TimeoutError, asyncio.IncompleteReadError):
        outcome["error"] += 1
    finally:
        writer.close()


async def _host_counter(relay: RelayProcess, counts: Counter[str]) -> None:
    """The host's console: reads every event the hub logs (`/ws/host`, token in the header)
    until cancelled."""
    import aiohttp

    url = relay.base.replace("http", "ws", 1) + "/ws/host"
    headers = {"Authorization": f"Bearer {relay.host_token}"}
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(url, headers=headers, max_msg_size=0) as ws,
    ):
        async for message in ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            for event in json.loads(message.data):
                counts[event.get("type", "?")] += 1


async def storm(args: argparse.Namespace) -> dict[str, Any]:
    relay = RelayProcess()
    relay.start()
    try:
        await asyncio.sleep(1.0)
        idle_mb = relay.rss_mb()
        events: Counter[str] = Counter()
        host = asyncio.ensure_future(_host_counter(relay, events))
        data = _storm_connection("127.0.0.1", relay.port)
        sources = [f"127.0.{1 + i // 250}.{2 + i % 250}" for i in range(args.addresses)]
        outcome: Counter[str] = Counter()
        per_s = args.rate / 10  # connections per second, 10 messages each
        rss: list[float] = []
        inflight: set[asyncio.Task[None]] = set()
        started = time.monotonic()
        next_sample, n = started, 0
        while (now := time.monotonic()) - started < args.seconds:
            due = int((now - started) * per_s)
            while n < due and len(inflight) < 2000:
                task = asyncio.ensure_future(
                    _storm_client(relay.port, sources[n % len(sources)], data, outcome)
                )
                inflight.add(task)
                task.add_done_callback(inflight.discard)
                n += 1
            if now >= next_sample:
                rss.append(relay.rss_mb())
                next_sample += 0.25
            await asyncio.sleep(0.002)
        elapsed = time.monotonic() - started
        await asyncio.gather(*inflight, return_exceptions=True)
        await asyncio.sleep(1.0)
        rss.append(relay.rss_mb())
        host.cancel()
        await asyncio.gather(host, return_exceptions=True)
        peak = max(rss)
        return {
            "seconds": round(elapsed, 1),
            "addresses": args.addresses,
            "offered_msg_per_s": round(10 * n / elapsed),
            "connections_per_s": round(n / elapsed),
            "answers": dict(outcome),
            "host_received_per_s": {k: round(v / elapsed, 1) for k, v in events.items()},
            "rss_idle_mb": round(idle_mb, 1),
            "rss_peak_mb": round(peak, 1),
            "rss_end_mb": round(rss[-1], 1),
            "target_mb": RSS_TARGET_MB,
            "issue_mb": ISSUE_STORM_RSS_MB,
            "ratio_peak_vs_idle": round(peak / idle_mb, 2),
            "ratio_peak_vs_issue": round(peak / ISSUE_STORM_RSS_MB, 3),
            "meets_target": peak < RSS_TARGET_MB,
            "relay_stderr_lines": relay.stderr_lines(),
        }
    finally:
        relay.stop()


# ---- WHEP flood --------------------------------------------------------------------------------


async def _post_offer(url: str, sdp: str, source: str | None = None) -> tuple[int, str]:
    import aiohttp

    connector = aiohttp.TCPConnector(local_addr=(source, 0) if source else None)
    try:
        async with (
            aiohttp.ClientSession(connector=connector) as http,
            http.post(url, data=sdp, headers={"Content-Type": "application/sdp"}) as response,
        ):
            return response.status, await response.text()
    except aiohttp.ClientError:
        return 0, ""


async def _bare_offer() -> str:
    """A browser-like recvonly offer with its candidates removed (the probe's 298 bytes+)."""
    from aiortc import RTCPeerConnection

    pc = RTCPeerConnection()
    pc.addTransceiver("video", direction="recvonly")
    pc.addTransceiver("audio", direction="recvonly")
    await pc.setLocalDescription(await pc.createOffer())
    sdp = pc.localDescription.sdp
    await pc.close()
    return "".join(
        line + "\r\n"
        for line in sdp.splitlines()
        if line and not line.startswith(("a=candidate", "a=end-of-candidates"))
    )


async def _join(url: str, timeout_s: float = 10.0) -> tuple[Any, float | None]:
    """A real viewer: its peer connection (left open) and its seconds to connect, or None."""
    from aiortc import RTCPeerConnection, RTCSessionDescription

    viewer = RTCPeerConnection()
    viewer.addTransceiver("video", direction="recvonly")
    viewer.addTransceiver("audio", direction="recvonly")
    started = time.monotonic()
    await viewer.setLocalDescription(await viewer.createOffer())
    status, answer = await _post_offer(url, viewer.localDescription.sdp)
    if status != 201:
        return viewer, None
    await viewer.setRemoteDescription(RTCSessionDescription(answer, "answer"))
    while viewer.connectionState != "connected":
        if time.monotonic() - started > timeout_s or viewer.connectionState == "failed":
            return viewer, None
        await asyncio.sleep(0.02)
    return viewer, time.monotonic() - started


async def _joins(url: str, count: int, interval_s: float) -> list[float | None]:
    viewers, times = [], []
    for _ in range(count):
        viewer, took = await _join(url)
        viewers.append(viewer)
        times.append(took)
        await asyncio.sleep(interval_s)
    await asyncio.gather(*(v.close() for v in viewers))
    return times


async def _flood(url: str, sdp: str, sources: list[str], until: Callable[[], bool]) -> Counter[str]:
    """Each source posts candidate-less offers back to back, as fast as it is answered."""
    answers: Counter[str] = Counter()

    async def one(source: str) -> None:
        while not until():
            status, _ = await _post_offer(url, sdp, source)
            answers[str(status)] += 1

    await asyncio.gather(*(one(s) for s in sources))
    return answers


def _connect_summary(times: list[float | None]) -> dict[str, Any]:
    ok = [t for t in times if t is not None]
    return {
        "admitted": len(ok),
        "tried": len(times),
        "connect_median_s": round(statistics.median(ok), 3) if ok else None,
    }


async def whep_flood(args: argparse.Namespace) -> dict[str, Any]:
    relay = RelayProcess()
    relay.start()
    try:
        url = relay.info["whep"]
        quiet = _connect_summary(await _joins(url, 5, 0.2))
        sdp = await _bare_offer()
        sources = [f"127.0.9.{10 + i}" for i in range(args.flood_addresses)]
        end = time.monotonic() + args.flood_s
        flooding = asyncio.ensure_future(_flood(url, sdp, sources, lambda: time.monotonic() > end))
        await asyncio.sleep(2.0)  # the flood at full strength first
        cpu0 = relay.cpu_s()
        count = max(1, int((args.flood_s - 3.0) / 1.2))
        during = _connect_summary(await _joins(url, count, 0.5))
        answers = await flooding
        quiet_share = quiet["admitted"] / quiet["tried"]
        during_share = during["admitted"] / during["tried"]
        return {
            "seconds": args.flood_s,
            "flood_addresses": args.flood_addresses,
            "flood_answers": dict(answers),
            "flood_offers_per_s": round(sum(answers.values()) / args.flood_s, 1),
            "without_flood": quiet,
            "during_flood": during,
            "ratio_admitted": round(during_share / quiet_share, 2) if quiet_share else None,
            "relay_cpu_pct_during_flood": round(
                100 * (relay.cpu_s() - cpu0) / max(0.1, args.flood_s - 2.0), 1
            ),
            "relay_stderr_lines": relay.stderr_lines(),
        }
    finally:
        relay.stop()


# ---- CPU per hostile session, and the publisher's outages -------------------------------------


def _mline_offer(sdp: str, count: int = 700) -> str:
    head = sdp.split("m=", 1)[0]
    head = "".join(line + "\r\n" for line in head.splitlines() if not line.startswith("a=group"))
    audio = (
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:{}\r\n"
        "a=rtpmap:111 opus/48000/2\r\n"
    )
    return head + "".join(audio.format(i) for i in range(count))


async def _hold_pending(
    url: str, sdp: str, sources: list[str], until: Callable[[], bool], held: list[float]
) -> None:
    """Keep every pending place of `sources` taken, re-posting as sessions time out, at the
    pace the relay allows (a patient attacker: no retry storm)."""

    async def one(source: str) -> None:
        while not until():
            status, _ = await _post_offer(url, sdp, source)
            if status == 201:
                held.append(time.monotonic())
            await asyncio.sleep(0.5 if status == 201 else 1.0)

    await asyncio.gather(*(one(s) for s in sources))


class _PublisherRun:
    """A 360p synthetic publisher (the console's, via WHIP) on its own loop thread."""

    def __init__(self, relay: RelayProcess) -> None:
        from capture.synthetic import SyntheticAudioSource, SyntheticVideoSource
        from streaming.publisher import Publisher, PublishOptions, WhipSignalling

        self.video = SyntheticVideoSource(640, 360, 30)
        self.audio = SyntheticAudioSource(level_dbfs=-20)
        self.states: list[tuple[float, str]] = []
        self.publisher = Publisher(
            WhipSignalling(relay.info["whip"], relay.token, timeout_s=3),
            self.video,
            self.audio,
            PublishOptions(resolution="360p"),
            on_state=lambda state, _message: self.states.append((time.monotonic(), state.value)),
        )

    def start(self) -> None:
        self.video.start()
        self.audio.start()
        self.publisher.start()

    @property
    def state(self) -> str:
        return self.publisher.state.value

    async def until(self, state: str, timeout_s: float) -> float | None:
        """The monotonic time the publisher reached `state`, or None."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.state == state:
                return time.monotonic()
            await asyncio.sleep(0.02)
        return None

    def stop(self) -> None:
        self.publisher.stop()
        self.video.stop()
        self.audio.stop()


async def cpu_and_outage(args: argparse.Namespace, parts: set[str]) -> dict[str, Any]:
    relay = RelayProcess()
    relay.start()
    publisher = _PublisherRun(relay)
    result: dict[str, Any] = {}
    try:
        idle_pct = await _cpu_pct(relay, 3.0)
        publisher.start()
        if await publisher.until("live", 20) is None:
            raise RuntimeError(f"the publisher did not go live: {publisher.publisher.message}")
        await asyncio.sleep(2.0)
        publisher_pct = await _cpu_pct(relay, 5.0) - idle_pct
        if "cpu" in parts:
            result["cpu"] = await _hostile_cpu(relay, idle_pct, publisher_pct)
        if "publisher_outage" in parts:
            result["publisher_outage"] = await _outages(
                relay, publisher, [s for s in (args.outage_s, args.long_outage_s) if s > 0]
            )
    finally:
        publisher.stop()
        relay.stop()
    return result


def _mean_pending(created: list[float], window: tuple[float, float], lifetime_s: float) -> float:
    """Sessions open on average over `window`, each living `lifetime_s` from its creation
    (a candidate-less session lives until the relay's pending timeout)."""
    start, end = window
    alive = sum(max(0.0, min(end, t + lifetime_s) - max(start, t)) for t in created)
    return alive / (end - start)


async def _hostile_cpu(
    relay: RelayProcess, idle_pct: float, publisher_pct: float
) -> dict[str, Any]:
    """Pending offers held at every cap for 10 s, then a burst of 700-m-line offers."""
    from streaming.relay.server import PENDING_TIMEOUT_S

    url = relay.info["whep"]
    sdp = await _bare_offer()
    sources = [f"127.0.8.{10 + i}" for i in range(8)]  # 8 × 4 pending: the total cap (32)
    held: list[float] = []
    end = time.monotonic() + 12.0
    holding = asyncio.ensure_future(
        _hold_pending(url, sdp, sources, lambda: time.monotonic() > end, held)
    )
    await asyncio.sleep(2.0)
    window = (time.monotonic(), time.monotonic() + 10.0)
    hostile_pct = await _cpu_pct(relay, 10.0) - idle_pct - publisher_pct
    await holding
    await asyncio.sleep(PENDING_TIMEOUT_S + 1.0)  # the last ones time out
    pending = _mean_pending(held, window, PENDING_TIMEOUT_S)
    huge = _mline_offer(sdp)
    cpu0 = relay.cpu_s()
    answers = Counter(
        str(status)
        for status, _ in await asyncio.gather(
            *(_post_offer(url, huge, f"127.0.7.{10 + i // 8}") for i in range(64))
        )
    )
    refused = answers.get("400", 0)
    mline_ms = 1000 * (relay.cpu_s() - cpu0) / max(1, refused)
    per_session = max(0.0, hostile_pct) / pending if pending else 0.0
    return {
        "relay_idle_pct": round(idle_pct, 2),
        "publisher_session_pct": round(publisher_pct, 2),
        "hostile_pending_sessions_mean": round(pending, 1),
        "hostile_offers_answered": len(held),
        "hostile_total_pct": round(hostile_pct, 2),
        "per_hostile_session_pct": round(per_session, 3),
        "ratio_hostile_session_vs_publisher": round(per_session / publisher_pct, 3)
        if publisher_pct > 0
        else None,
        "mline_offers": dict(answers),
        "cpu_ms_per_refused_mline_offer": round(mline_ms, 2),
    }


async def _outages(
    relay: RelayProcess, publisher: _PublisherRun, outages: list[float]
) -> dict[str, Any]:
    runs: list[dict[str, Any]] = []
    for outage in outages:
        relay.kill()
        killed = time.monotonic()
        noticed = await publisher.until("reconnecting", 15)
        states_during: set[str] = set()
        at_60s: str | None = None
        while (elapsed := time.monotonic() - killed) < outage:
            states_during.add(publisher.state)
            if at_60s is None and elapsed >= GIVE_UP_CHECK_S:
                at_60s = publisher.state
            await asyncio.sleep(0.25)
        back = relay.start()
        live = await publisher.until("live", 30)
        runs.append(
            {
                "outage_s": outage,
                "noticed_after_s": round(noticed - killed, 2) if noticed else None,
                "states_during": sorted(states_during),
                "state_at_60s": at_60s,
                "gave_up": "failed" in states_during or publisher.state == "failed",
                "back_live_s": round(live - back, 2) if live else None,
            }
        )
    backs: list[float] = [r["back_live_s"] for r in runs if r["back_live_s"] is not None]
    worst = max(backs) if len(backs) == len(runs) and backs else None
    return {
        "runs": runs,
        "target_s": BACK_LIVE_TARGET_S,
        "issue_s": ISSUE_BACK_LIVE_S,
        "ratio_worst_vs_issue": round(worst / ISSUE_BACK_LIVE_S, 2) if worst else None,
        "meets_target": worst is not None
        and worst <= BACK_LIVE_TARGET_S
        and not any(r["gave_up"] for r in runs),
    }


# ---- the command -------------------------------------------------------------------------------


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    parts = {p.strip() for p in args.only.split(",") if p.strip()}
    result: dict[str, Any] = {"bench": "abuse"}
    steps: list[tuple[str, Callable[[], Awaitable[dict[str, Any]]]]] = [
        ("storm", lambda: storm(args)),
        ("whep_flood", lambda: whep_flood(args)),
    ]
    for name, step in steps:
        if name in parts:
            result[name] = await step()
    if parts & {"cpu", "publisher_outage"}:
        result.update(await cpu_and_outage(args, parts))
    return result


def run(args: argparse.Namespace) -> int:
    result = asyncio.run(measure(args))
    print(json.dumps(result, ensure_ascii=False))
    return 0
