"""The interaction hub: aiohttp WebSocket routes between viewers and the host console.

Viewers (`/ws/viewer`) send danmaku, likes, gifts and orders; the hub checks their shape,
stamps them with `seq`, `ts` and the viewer's server-assigned `user`, appends them to a bounded
log and wakes the hosts. Hosts (`/ws/host?since=SEQ`, bearer token in the header) read that log
from their
cursor — replay and live delivery are the same loop — in batches (one JSON array per frame), and
send broadcasts that reach every viewer. The wire format is docs/interaction-protocol.md.

Abuse is bounded where it would cost: messages are limited per viewer and per source address
(`ratelimit.ViewerLimiter`, so reconnecting does not reset them), new connections per address
per second, the log by count and bytes; pages from other origins may not connect. Served by
`streaming.guard.connections.serve` (as `serve.py` and the relay do), connections are also
capped per address, time out when idle, and close on unmasked client frames (RFC 6455).

Everything runs on the aiohttp event loop; handlers do no blocking work.
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import json
import random
import secrets
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from aiohttp import WSMsgType, web

from streaming.guard.http import HostPolicy
from streaming.interaction import rules
from streaming.interaction.eventlog import EventLog
from streaming.interaction.moderation import ViewerModeration
from streaming.interaction.ratelimit import AddressLimits, ViewerLimiter, address_key
from streaming.interaction.results import RESULT_PATH, LotteryResults
from streaming.interaction.sale import SaleDesk, refusal_message
from streaming.interaction.stock import StockUpdate
from streaming.interaction.wsframe import text_frame

VIEWER_PATH = "/ws/viewer"
HOST_PATH = "/ws/host"
_TEXT = WSMsgType.TEXT
HOST_BUFFER_BYTES = 16 * 2**20
HOST_MAX_MESSAGE_BYTES = 2 * 2**20  # an authenticated host's block lists may be long
CLOSE_TIMEOUT_S = 2.0  # a peer that does not answer the close handshake is dropped after this
YIELD_EVERY = 32  # viewer messages handled before the viewer's task lets others run
FULL = "full"  # error code: this hub (or edge) already serves `max_viewers`
FULL_CLOSE_CODE = 1013  # RFC 6455 "try again later"
SESSION_PARAM = "session"  # /ws/viewer?session=…: the `session` of an earlier welcome


@dataclass(frozen=True)
class HubLimits:
    """Tunables. The defaults suit a real show; a load-test relay raises the viewer rate."""

    viewer_rate: float = 5.0  # messages/s per viewer (token bucket refill), across reconnects
    viewer_burst: int = 10  # bucket size
    max_frame_chars: int = (
        4096  # longer frames get a `too_big` error (counted in characters: cheap)
    )
    max_message_bytes: int = 65536  # larger frames close the connection (1009)
    log_size: int = 200_000  # retained events: 20 s at 10,000 msg/s
    log_max_bytes: int = 64 * 2**20  # …and at most this many bytes of them
    host_batch: int = 1000  # events per host frame at most
    fanout_hz: float = 5.0  # how often viewers get a sample of others' danmaku
    fanout_max: int = 30  # danmaku per sample
    viewer_buffer_bytes: int = 256 * 1024  # a slower viewer misses frames beyond this
    max_viewers: int = 20_000  # viewer connections served; the next is told "full" and closed
    per_address: AddressLimits = field(
        default_factory=AddressLimits
    )  # `AddressLimits.unlimited()` for load tests

    def for_load_test(self) -> HubLimits:
        """The same limits without the per-address ones: one machine plays many viewers."""
        return replace(self, per_address=AddressLimits.unlimited())


# One encoder, made once (json.dumps with arguments builds a new one per call). ensure_ascii
# keeps every frame valid UTF-8 even when a client sent a lone surrogate escape ("\ud800"),
# which json.loads accepts but UTF-8 cannot encode.
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True).encode


def _frame(*objs: Any) -> bytes:
    return _dumps(list(objs)).encode()


def now_ms() -> int:
    return int(time.time() * 1000)


def event_tail(kind: str, fields_json: str, user_json: str | None, ts: int | None = None) -> str:
    """An event's JSON after its `{"seq":N,`: version, type, time (`ts`, default now), user,
    then its fields."""
    text = f'"v":1,"type":"{kind}","ts":{now_ms() if ts is None else ts}'
    if user_json is not None:
        text += ',"user":' + user_json
    return text + ("," + fields_json[1:] if len(fields_json) > 2 else "}")


class _Host:
    """A host connection: control messages waiting to go out and the event that wakes its
    sender (which also reads the log)."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.outbox: deque[bytes] = deque()
        self.wake = asyncio.Event()

    def push(self, frame: bytes) -> None:
        self.outbox.append(frame)
        self.wake.set()


class _Viewer:
    """A viewer connection. Frames are written straight to its transport; while more than
    `buffer_limit` bytes are waiting for a slow viewer, new frames for it are dropped (stale
    danmaku for that viewer only — the host's stream is never affected)."""

    def __init__(
        self,
        ws: web.WebSocketResponse,
        transport: asyncio.BaseTransport | None,
        user: dict[str, str],
        address: str,
        limits: HubLimits,
    ) -> None:
        self.ws = ws
        self.transport = transport if isinstance(transport, asyncio.WriteTransport) else None
        self.buffer_limit = limits.viewer_buffer_bytes
        self.user = user
        self.user_json = _dumps(self.user)
        self.address = address
        self.last_rate_error = 0.0

    def write(self, frame: bytes) -> bool:
        """Write a whole WebSocket frame (from `text_frame`); False if dropped."""
        transport = self.transport
        if transport is None or transport.is_closing():
            return False
        if transport.get_write_buffer_size() > self.buffer_limit:
            return False
        transport.write(frame)
        return True

    def push(self, payload: bytes) -> None:
        self.write(text_frame(payload))


class InteractionHub:
    """Attach to an aiohttp application with `attach(app)`; see the module docstring."""

    def __init__(
        self,
        host_token: str,
        limits: HubLimits | None = None,
        origins: HostPolicy | None = None,
        clock_ms: Callable[[], int] = now_ms,
    ) -> None:
        """`origins`: which pages may open the WebSockets (None: any, for tests of the hub
        alone); a served hub passes its server's `HostPolicy`. `clock_ms` is the room's clock:
        event stamps and `time` replies (tests skew it)."""
        if not host_token:
            raise ValueError("the hub needs a host token (hosts authenticate with it)")
        self.limits = limits or HubLimits()
        self.origins = origins
        self.hub_id = secrets.token_hex(6)
        self._clock = clock_ms
        self._token = host_token.encode()
        # Viewer sessions are signed with a key every hub of the room derives alike (edges
        # share no state), so a viewer keeps their id on whichever edge they reconnect to.
        self._session_key = hmac.digest(self._token, b"livedesk viewer session", "sha256")
        self._log = EventLog(self.limits.log_size, self.limits.log_max_bytes)
        self.limiter = ViewerLimiter(
            self.limits.viewer_rate, self.limits.viewer_burst, self.limits.per_address
        )
        self._viewers: set[_Viewer] = set()
        self._hosts: set[_Host] = set()
        self._next_user = 0
        self._sticky: dict[str, bytes] = {}  # latest broadcast of each type, for late joiners
        self.sales = SaleDesk()
        self.results = LotteryResults()  # drawn lotteries' result files, for viewers to check
        self._stock_news: dict[str, StockUpdate] = {}  # newest per product, sent next tick
        # Reservoir of danmaku for the next fan-out: (seq, user id, text, event bytes), twice
        # what a tick sends, so that what moderation withholds leaves enough to send.
        self._sample: list[tuple[int, str, str, bytes]] = []
        self._sample_seen = 0
        self._random = random.Random()
        self._last_count = -1
        self._ticker: asyncio.Task[None] | None = None
        self.moderation = ViewerModeration()
        self.counters: Counter[str] = Counter()

    # ---- wiring ----------------------------------------------------------------------------

    def attach(self, app: web.Application, prefix: str = "") -> None:
        """Add the viewer and host routes (under `prefix`) and close connections on shutdown."""
        app.router.add_get(prefix + VIEWER_PATH, self._viewer_handler)
        app.router.add_get(prefix + HOST_PATH, self._host_handler)
        app.router.add_get(prefix + RESULT_PATH, self.results.handler)
        app.on_shutdown.append(self._on_shutdown)

    def stats(self) -> dict[str, Any]:
        """Counters for /info, logs and benches."""
        return {
            "hub": self.hub_id,
            "head": self._log.head,
            "oldest": self._log.oldest,
            "log_bytes": self._log.bytes,
            "viewers": len(self._viewers),
            "hosts": len(self._hosts),
            "counters": dict(self.counters),
            "limits": asdict(self.limits),
        }

    async def close(self) -> None:
        """Close every connection (going away) and stop the fan-out ticker."""
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        sockets = [p.ws for p in self._viewers] + [p.ws for p in self._hosts]
        await asyncio.gather(
            *(ws.close(code=1001, message=b"hub shutting down") for ws in sockets),
            return_exceptions=True,
        )

    async def _on_shutdown(self, app: web.Application) -> None:
        await self.close()

    # ---- events into the log ---------------------------------------------------------------

    def _append(self, kind: str, fields_json: str, user_json: str | None) -> tuple[int, bytes]:
        seq = self._log.head + 1
        data = f'{{"seq":{seq},{event_tail(kind, fields_json, user_json, self._clock())}'.encode()
        self._log.append(seq, data)
        for host in self._hosts:
            host.wake.set()
        return seq, data

    def _gap(self, first: int, last: int) -> bytes:
        return f'[{{"seq":{last},"v":1,"type":"gap","ts":{self._clock()},"from":{first},"to":{last}}}]'.encode()

    # ---- viewers ---------------------------------------------------------------------------

    def _check_origin(self, request: web.Request) -> None:
        if self.origins is not None and not self.origins.origin_allowed(
            request.headers.get("Origin")
        ):
            self.counters["rejected.origin"] += 1
            raise web.HTTPForbidden(
                text="This page may not connect here (its origin is not allowed)."
            )

    async def _viewer_handler(self, request: web.Request) -> web.StreamResponse:
        limits = self.limits
        self._check_origin(request)
        address = address_key(
            request.transport.get_extra_info("peername") if request.transport else None
        )
        now = time.monotonic()
        if not self.limiter.connect(address, now):
            self.counters["rejected.connect_rate"] += 1
            raise web.HTTPTooManyRequests(
                text="Too many new connections from your address; wait a moment.",
                headers={"Retry-After": "2"},
            )
        ws = web.WebSocketResponse(
            compress=False,
            max_msg_size=limits.max_message_bytes,
            heartbeat=30.0,
            timeout=CLOSE_TIMEOUT_S,
        )
        await ws.prepare(request)
        if len(self._viewers) >= limits.max_viewers:
            return await self._refuse_full(ws)
        number = self._resumed(request.query.get(SESSION_PARAM)) or self._new_user_number()
        viewer = _Viewer(ws, request.transport, self._user(number), address, limits)
        welcome = {
            "v": 1,
            "type": "welcome",
            "user": viewer.user,
            "session": self._session(number),
            "limits": {
                "rate": limits.viewer_rate,
                "burst": limits.viewer_burst,
                "max_text": rules.MAX_TEXT,
            },
        }
        viewer.push(_frame(welcome))
        for frame in self._sticky.values():
            viewer.push(frame)
        self._viewers.add(viewer)
        self._ensure_ticker()
        if self.limiter.join(address, now):
            self._append("join", "{}", viewer.user_json)
        else:
            self.counters["joins_not_logged"] += 1
        handled = 0
        try:
            async for msg in ws:
                if msg.type == _TEXT:
                    self._on_viewer_text(viewer, msg.data)
                elif msg.type == WSMsgType.BINARY:
                    self._refuse(
                        viewer, rules.BINARY, "binary frames are not accepted; send JSON text"
                    )
                handled += 1
                if handled % YIELD_EVERY == 0:
                    # Reading a buffered message does not yield to the event loop: without this
                    # a burst from many viewers is ingested whole before the hosts get a turn.
                    await asyncio.sleep(0)
        finally:
            self._viewers.discard(viewer)
        return ws

    async def _refuse_full(self, ws: web.WebSocketResponse) -> web.WebSocketResponse:
        self.counters["rejected.full"] += 1
        message = "this server is full; reconnect in a moment (or to another address)"
        await ws.send_str(self._error_frame(FULL, message).decode())
        await ws.close(code=FULL_CLOSE_CODE, message=b"full")
        return ws

    def _new_user_number(self) -> int:
        """The next viewer's number (an edge draws one that no other edge will)."""
        self._next_user += 1
        return self._next_user

    @staticmethod
    def _user(number: int) -> dict[str, str]:
        return {"id": f"u{number}", "name": f"观众{number % 100_000}"}

    def _session(self, number: int) -> str:
        digest = hmac.digest(self._session_key, str(number).encode(), "sha256")[:16]
        return f"{number}.{base64.urlsafe_b64encode(digest).decode().rstrip('=')}"

    def _resumed(self, session: str | None) -> int | None:
        """The viewer number a session token from `_session` stands for; None if forged."""
        number, _, _ = (session or "").partition(".")
        if not number.isdigit() or len(number) > 20:
            return None
        if not hmac.compare_digest(session or "", self._session(int(number))):
            return None
        self.counters["sessions_resumed"] += 1
        return int(number)

    def _on_viewer_text(self, viewer: _Viewer, data: str) -> None:
        if len(data) > self.limits.max_frame_chars:
            self._refuse(
                viewer, rules.TOO_BIG, f"frame over {self.limits.max_frame_chars} characters"
            )
            return
        now = time.monotonic()
        if not self.limiter.message(viewer.user["id"], viewer.address, now):
            self.counters["rejected.rate_limited"] += 1
            if now - viewer.last_rate_error >= 1.0:
                viewer.last_rate_error = now
                viewer.push(self._error_frame(rules.RATE_LIMITED, "too many messages; slow down"))
            return
        received = self._clock()
        checked = self._check(viewer, data, rules.VIEWER_RULES)
        if checked is None:
            return
        kind, fields = checked
        if kind == rules.TIME:
            self._answer_time(viewer, fields, received)
            return
        if kind == "order" and not self._sell(viewer, fields, received):
            return
        self._accept(viewer, kind, fields)

    def _accept(self, viewer: _Viewer, kind: str, fields: dict[str, Any]) -> None:
        """Log an admitted viewer event and fan it out (an edge hub publishes it instead)."""
        seq, data_out = self._append(kind, _dumps(fields), viewer.user_json)
        self.counters["accepted"] += 1
        if kind == "danmaku":
            self._fan_out(seq, viewer.user["id"], fields["text"], data_out)

    def _fan_out(self, seq: int, user_id: str, text: str, data: bytes) -> None:
        """What of a logged danmaku other viewers see: sampled, then what the host's
        moderation allows (`_moderated`). The one place that decides fan-out; the host always
        gets the whole log. A blocked sender costs a set lookup here; words and spam are
        judged only for the few sampled lines, so a flood of distinct texts costs no
        classifying."""
        if self.moderation.blocks_sender(user_id):
            self.counters["moderated"] += 1
        else:
            self._offer_sample((seq, user_id, text, data))

    def _check(
        self, peer: _Viewer | _Host, data: str, allowed: dict[str, rules.Rule]
    ) -> tuple[str, dict[str, Any]] | None:
        """`(kind, fields)` of a well-formed event, or None after telling `peer` what is wrong."""
        try:
            return rules.check(json.loads(data), allowed)
        except rules.ProtocolError as exc:
            self._refuse(peer, exc.code, exc.message)
        except (ValueError, RecursionError):
            self._refuse(peer, rules.BAD_JSON, "not valid JSON")
        return None

    def _sell(self, viewer: _Viewer, fields: dict[str, Any], now: int) -> bool:
        """Whether an order goes into the log; a flash sale's orders are decided here, and
        the stock each sale leaves is what viewers see next tick."""
        decision = self.sales.order(
            viewer.user["id"], fields["product_id"], fields["quantity"], now
        )
        if decision.refused is not None:
            self._refuse(viewer, decision.refused, refusal_message(decision.refused))
            return False
        if decision.update is not None:
            fields["sale"] = decision.sale_id
            fields["remaining"] = decision.update.remaining
            if decision.update.sold_out:  # "sold out" the moment the last unit goes
                self._stock_news.pop(decision.update.product_id, None)
                self._to_viewers(self._stock_frame(decision.update))
            else:
                self._stock_news[decision.update.product_id] = decision.update
                self._ensure_ticker()
        return True

    def _stock_frame(self, update: StockUpdate) -> bytes:
        frame = _frame(
            {
                "v": 1,
                "type": "stock",
                "product_id": update.product_id,
                "version": update.version,
                "remaining": update.remaining,
            }
        )
        self._sticky["stock:" + update.product_id] = frame
        return frame

    def _answer_time(self, peer: _Viewer | _Host, fields: dict[str, Any], received: int) -> None:
        """One NTP-style exchange (a control message, not logged): the asker's t0 back, with
        the room clock's receive (t1) and send (t2) times."""
        reply = {"v": 1, "type": rules.TIME, "t0": fields["t0"], "t1": received}
        reply["t2"] = self._clock()
        peer.push(_frame(reply))

    def _refuse(self, peer: _Viewer | _Host, code: str, message: str) -> None:
        self.counters["rejected." + code] += 1
        peer.push(self._error_frame(code, message))

    @staticmethod
    def _error_frame(code: str, message: str) -> bytes:
        return _frame({"v": 1, "type": "error", "code": code, "message": message})

    def _offer_sample(self, item: tuple[int, str, str, bytes]) -> None:
        """Reservoir-sample this tick's danmaku (twice `fanout_max`, see `_moderated`)."""
        self._sample_seen += 1
        size = 2 * self.limits.fanout_max
        if len(self._sample) < size:
            self._sample.append(item)
        else:
            j = self._random.randrange(self._sample_seen)
            if j < size:
                self._sample[j] = item

    def _moderated(self, sample: list[tuple[int, str, str, bytes]]) -> list[bytes]:
        """The sampled danmaku the host's moderation lets viewers see, at most `fanout_max`,
        in seq order; questions carry `"kind": "question"`."""
        now = time.monotonic()
        allowed: list[tuple[int, bytes]] = []
        for seq, user_id, text, data in sample:
            kind = self.moderation.judge(user_id, text, now)
            if kind == "question":  # marked for viewers' pages only: the log keeps its bytes
                allowed.append((seq, data[:-1] + b',"kind":"question"}'))
            elif kind is not None:
                allowed.append((seq, data))
        self.counters["moderated"] += len(sample) - len(allowed)
        if len(allowed) > self.limits.fanout_max:
            allowed = self._random.sample(allowed, self.limits.fanout_max)
        return [data for _, data in sorted(allowed)]

    def _ensure_ticker(self) -> None:
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.create_task(self._tick_forever())

    async def _tick_forever(self) -> None:
        period = 1.0 / self.limits.fanout_hz
        ticks_per_second = max(1, round(self.limits.fanout_hz))
        tick = 0
        while True:
            await asyncio.sleep(period)
            tick += 1
            if self._stock_news:
                news, self._stock_news = self._stock_news, {}
                for update in news.values():
                    self._to_viewers(self._stock_frame(update))
            if self._sample:
                sample = self._moderated(self._sample)
                self._sample, self._sample_seen = [], 0
                if sample:
                    self._show_sample(b"[" + b",".join(sample) + b"]")
            if tick % ticks_per_second == 0:
                self._report_count()

    def _show_sample(self, payload: bytes) -> None:
        """This tick's sample of danmaku to the viewers (an edge shares it with the others)."""
        self._to_viewers(payload)

    def _report_count(self) -> None:
        """Once a second: log and show the viewer count if it changed (edges count the room)."""
        if len(self._viewers) != self._last_count:
            self._last_count = len(self._viewers)
            _, data = self._append("viewer_count", f'{{"count":{self._last_count}}}', None)
            self._to_viewers(b"[" + data + b"]")

    def _to_viewers(self, payload: bytes) -> None:
        """One frame, built once, written to every viewer."""
        frame = text_frame(payload)
        dropped = 0
        for viewer in self._viewers:
            if not viewer.write(frame):
                dropped += 1
        if dropped:
            self.counters["viewer_frames_dropped"] += dropped

    # ---- hosts -----------------------------------------------------------------------------

    def _authorized(self, request: web.Request) -> bool:
        """The bearer token, from the header only: URLs end up in logs and browser history."""
        header = request.headers.get("Authorization", "")
        offered = header[7:] if header.startswith("Bearer ") else ""
        return hmac.compare_digest(offered.encode(), self._token)

    async def _host_handler(self, request: web.Request) -> web.StreamResponse:
        self._check_origin(request)
        if "token" in request.query:
            self.counters["rejected.host_auth"] += 1
            raise web.HTTPUnauthorized(
                text="Send the host token in the Authorization header, never in the URL."
            )
        if not self._authorized(request):
            self.counters["rejected.host_auth"] += 1
            raise web.HTTPUnauthorized(text="wrong or missing host token")
        try:
            since = int(request.query.get("since", "0"))
        except ValueError:
            raise web.HTTPBadRequest(text="'since' must be a whole number") from None
        hub = request.query.get("hub")
        head = await self._head()
        if since < 0 or since > head or (hub and hub != self.hub_id):
            since = 0  # another run of the hub: its seqs started again at 1
        ws = web.WebSocketResponse(
            compress=False,
            max_msg_size=HOST_MAX_MESSAGE_BYTES,
            heartbeat=20.0,
            timeout=CLOSE_TIMEOUT_S,
        )
        await ws.prepare(request)
        if request.transport is not None:
            # The hub's event loop gives the host sender one turn per iteration, in which the
            # viewers' sockets may deliver thousands of events; a deep buffer lets that turn
            # hand the host everything pending instead of one batch.
            request.transport.set_write_buffer_limits(high=HOST_BUFFER_BYTES)
        host = _Host(ws)
        host.push(_frame({"v": 1, "type": "hello", "hub": self.hub_id, "head": head}))
        self._hosts.add(host)
        sender = asyncio.create_task(self._feed_host(host, since))
        try:
            async for msg in ws:
                if msg.type == _TEXT:
                    self._on_host_text(host, msg.data)
                elif msg.type == WSMsgType.BINARY:
                    self._refuse(
                        host, rules.BINARY, "binary frames are not accepted; send JSON text"
                    )
        finally:
            self._hosts.discard(host)
            sender.cancel()
        return ws

    async def _head(self) -> int:
        """The room's last seq (an edge asks its stream)."""
        return self._log.head

    def _on_host_text(self, host: _Host, data: str) -> None:
        received = self._clock()
        checked = self._check(host, data, rules.HOST_SEND)
        if checked is None:
            return
        kind, fields = checked
        if kind == rules.TIME:
            self._answer_time(host, fields, received)
            return
        if kind == "moderation":  # for the hub alone: viewers never see the lists
            self.moderation.update(fields)
            self.counters["moderation_updates"] += 1
            return
        if kind == "lottery_result":  # served at /lottery/<id>.json, never broadcast
            self.results.put(fields["id"], fields["result"])
            return
        sticky_key = kind
        stock: StockUpdate | None = None
        if kind == "sale":
            sticky_key = "sale:" + fields["product_id"]
            stock = self.sales.announce(
                fields["id"],
                fields["product_id"],
                fields["units"],
                fields["opens_at"],
                fields["per_viewer"],
                cancelled=fields["state"] == "cancelled",
            )
        _, data_out = self._append(kind, _dumps(fields), None)
        self.counters["broadcasts"] += 1
        frame = b"[" + data_out + b"]"
        self._sticky[sticky_key] = frame
        self._to_viewers(frame)
        if stock is not None:
            self._to_viewers(self._stock_frame(stock))

    async def _feed_host(self, host: _Host, cursor: int) -> None:
        """Send control messages, then the log from `cursor` on, batched, for as long as open."""
        ws, log_, batch = host.ws, self._log, self.limits.host_batch
        try:
            while not ws.closed:
                while host.outbox:
                    await ws.send_frame(host.outbox.popleft(), _TEXT)
                if cursor < log_.head:
                    oldest = log_.oldest
                    if cursor + 1 < oldest:
                        self.counters["gaps"] += 1
                        await ws.send_frame(self._gap(cursor + 1, oldest - 1), _TEXT)
                        cursor = oldest - 1
                    items = log_.read(cursor, batch)
                    cursor += len(items)
                    await ws.send_frame(b"[" + b",".join(items) + b"]", _TEXT)
                    self.counters["host_frames"] += 1
                    continue
                host.wake.clear()
                await host.wake.wait()
        except (ConnectionError, RuntimeError):
            pass
