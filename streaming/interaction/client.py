"""The host side of the interaction channel: one WebSocket to the hub, kept alive on its own.

`HostClient` runs its own asyncio loop on a background thread, hands every frame of events to
`on_frame(text)` undecoded (the danmaku pipeline decodes it once), remembers the last seq it
delivered and, when the connection drops, reconnects with backoff and asks the hub for
everything after that seq, so nothing is lost. Host broadcasts go out through `send(event)`,
queued while disconnected. Wire format: docs/interaction-protocol.md.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import aiohttp

from streaming.interaction import rules
from streaming.interaction.clock import ClockEstimate, Exchange

log = logging.getLogger(__name__)

_SEQ = '{"seq":'
#: Clock exchanges: a quick burst on connecting, then one every few seconds to follow drift.
_CLOCK_BURST = 8
_CLOCK_BURST_GAP_S = 0.05
_CLOCK_EVERY_S = 2.0


def _wall_ms() -> float:
    return time.time() * 1000.0


StatusCallback = Callable[[str, str], None]


def last_seq_of(frame: str) -> int:
    """The seq of the last event in a hub frame, without decoding it; 0 if it has none.

    The hub writes `seq` first in every event, and a quote inside user text is always escaped,
    so the last `{"seq":` in a frame is the last event's."""
    i = frame.rfind(_SEQ)
    if i < 0:
        return 0
    start = i + len(_SEQ)
    end = frame.find(",", start)
    try:
        return int(frame[start:end])
    except ValueError:
        return 0


class HostClient:
    """Connects the console to a hub's `/ws/host`; see the module docstring."""

    def __init__(
        self,
        url: str,
        token: str,
        on_frame: Callable[[str], None],
        *,
        on_status: StatusCallback | None = None,
        since: int = 0,
        hub_id: str | None = None,
        backoff: tuple[float, float] = (0.2, 5.0),
        send_queue: int = 1000,
        clock_every_s: float = _CLOCK_EVERY_S,
    ) -> None:
        self.url = url
        self._token = token
        self._on_frame = on_frame
        self._on_status = on_status or (lambda kind, message: None)
        self._last_seq = since
        self._hub_id = hub_id
        self._backoff = backoff
        self._outgoing: deque[str] = deque(maxlen=send_queue)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._wake_sender: asyncio.Event | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ready = threading.Event()
        self._moderation: str | None = None
        #: The room's clock as seen from here (flash-sale countdowns end on it).
        self.clock = ClockEstimate()
        self._clock_every_s = clock_every_s

    # ---- public, any thread ----------------------------------------------------------------

    @property
    def last_seq(self) -> int:
        """The seq of the last event handed to `on_frame` (the resume point)."""
        return self._last_seq

    @property
    def hub_id(self) -> str | None:
        """Which run of the hub the seqs belong to (journal it next to the seq)."""
        return self._hub_id

    @property
    def connected(self) -> bool:
        return self._ws is not None and not self._ws.closed

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the host client is already running")
        self._thread = threading.Thread(target=self._run, name="livedesk-host-client", daemon=True)
        self._thread.start()
        self._ready.wait(5.0)

    def stop(self, timeout: float = 5.0) -> None:
        """Close the connection and end the thread (queued broadcasts not yet sent are dropped)."""
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(self._request_stop)
            except RuntimeError:
                pass  # the loop already ended
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None

    def send(self, event: dict[str, Any]) -> None:
        """Queue a host broadcast (pin, announcement, countdown, lottery, product) or the
        block lists for the hub (`moderation`).

        Checked with the hub's own rules first: a malformed event raises ValueError in plain
        words here, instead of an error from the hub later."""
        kind, _ = rules.check(event, rules.HOST_SEND)
        text = json.dumps(event, separators=(",", ":"))
        if kind == "moderation":
            self._moderation = text  # sent again first on every reconnect: a hub may restart
        self._outgoing.append(text)
        loop, wake = self._loop, self._wake_sender
        if loop is not None and wake is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:
                pass

    def simulate_drop(self) -> None:
        """Abort the transport under the connection, as a network failure would (for tests)."""
        loop, ws = self._loop, self._ws
        if loop is not None and ws is not None:
            loop.call_soon_threadsafe(_abort, ws)

    # ---- network thread --------------------------------------------------------------------

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        finally:
            loop.close()
            self._status("stopped", "disconnected from the audience hub")

    async def _main(self) -> None:
        self._stopping = asyncio.Event()
        self._wake_sender = asyncio.Event()
        self._ready.set()
        delay = self._backoff[0]
        async with aiohttp.ClientSession() as session:
            while not self._stopping.is_set():
                self._status("connecting", f"connecting to {self.url}")
                try:
                    if await self._session(session):
                        delay = self._backoff[0]
                    reason = "the hub closed the connection"
                except aiohttp.WSServerHandshakeError as exc:
                    reason = (
                        "the hub refused the host token"
                        if exc.status == 401
                        else f"the hub refused the connection (HTTP {exc.status})"
                    )
                except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                    reason = f"connection failed: {exc or type(exc).__name__}"
                finally:
                    self._ws = None
                if self._stopping.is_set():
                    break
                self._status(
                    "reconnecting",
                    f"{reason}; reconnecting in {delay:.1f} s from event {self._last_seq}",
                )
                try:
                    await asyncio.wait_for(self._stopping.wait(), delay)
                except TimeoutError:
                    pass
                delay = min(delay * 2, self._backoff[1])

    async def _session(self, session: aiohttp.ClientSession) -> bool:
        """One connection's life; True if it got as far as the hub's hello."""
        params = {"since": str(self._last_seq)}
        if self._hub_id:
            params["hub"] = self._hub_id
        async with session.ws_connect(
            self.url,
            params=params,
            headers={"Authorization": f"Bearer {self._token}"},
            heartbeat=10.0,
            max_msg_size=0,
            compress=0,
        ) as ws:
            self._ws = ws
            if self._stopping is not None and self._stopping.is_set():
                return False
            if self._moderation is not None and self._moderation not in self._outgoing:
                await ws.send_str(self._moderation)
            sender = asyncio.create_task(self._send_queued(ws))
            clock = asyncio.create_task(self._exchange_clocks(ws))
            greeted = False
            try:
                async for msg in ws:
                    if msg.type != aiohttp.WSMsgType.TEXT:
                        break
                    greeted = self._on_text(msg.data) or greeted
            finally:
                sender.cancel()
                clock.cancel()
            return greeted

    def _request_stop(self) -> None:
        assert self._stopping is not None
        self._stopping.set()
        if self._ws is not None:
            self._closing = asyncio.ensure_future(self._ws.close())  # held until it runs

    def _on_text(self, text: str) -> bool:
        """Deliver one frame; True if it was the hub's hello."""
        seq = last_seq_of(text)
        if seq == 0:
            return self._on_control(text)
        if seq <= self._last_seq:
            return (
                False  # already delivered (cannot happen with a correct hub; never deliver twice)
            )
        if text.startswith('"v":1,"type":"gap"', text.find(",") + 1):
            gap = json.loads(text)[0]
            self._status(
                "gap", f"events {gap['from']}–{gap['to']} were lost: the hub no longer had them"
            )
        try:
            self._on_frame(text)
        except Exception:
            log.exception("the frame consumer failed on events up to %d", seq)
        self._last_seq = seq
        return False

    def _on_control(self, text: str) -> bool:
        try:
            message = json.loads(text)[0]
            kind = message["type"]
        except (ValueError, LookupError, TypeError):
            self._status("error", "the hub sent a frame this console does not understand")
            return False
        if kind == "hello":
            hub = str(message.get("hub"))
            if self._hub_id is not None and hub != self._hub_id:
                self._last_seq = 0  # the hub replays a new run from its start
                self._hub_id = hub
                self._status(
                    "connected",
                    "connected; the audience hub had restarted, so its "
                    "events are read again from the start",
                )
                return True
            self._hub_id = hub
            self._status(
                "connected", f"connected to the audience hub (from event {self._last_seq})"
            )
            return True
        if kind == rules.TIME:
            self._on_time(message)
            return False
        if kind == "error":
            self._status("error", f"the hub refused a broadcast: {message.get('message')}")
        return False

    async def _exchange_clocks(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Ask the hub for its time now and then; the answers feed `self.clock`."""
        sent = 0
        while not ws.closed:
            await ws.send_str(json.dumps({"v": 1, "type": rules.TIME, "t0": _wall_ms()}))
            sent += 1
            await asyncio.sleep(_CLOCK_BURST_GAP_S if sent < _CLOCK_BURST else self._clock_every_s)

    def _on_time(self, message: dict[str, Any]) -> None:
        arrived = _wall_ms()
        try:
            exchange = Exchange(
                float(message["t0"]), float(message["t1"]), float(message["t2"]), arrived
            )
        except (LookupError, TypeError, ValueError):
            return
        self.clock.add(exchange)

    async def _send_queued(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        assert self._wake_sender is not None
        while not ws.closed:
            while self._outgoing:
                await ws.send_str(self._outgoing[0])
                self._outgoing.popleft()
            self._wake_sender.clear()
            await self._wake_sender.wait()

    def _status(self, kind: str, message: str) -> None:
        try:
            self._on_status(kind, message)
        except Exception:
            log.exception("status callback failed")


def _abort(ws: aiohttp.ClientWebSocketResponse) -> None:
    conn = ws._response.connection
    if conn is not None and conn.transport is not None:
        conn.transport.abort()
