"""The edge hub: the embedded hub's protocol, with the room's JetStream stream as its log.

An edge keeps no state a viewer or host depends on, so any number of them can serve one room,
on any machines, and any of them may die. It is an `InteractionHub` whose viewer side is
unchanged — the same origin check, connection and message rate limits, shape checks, welcome
and error frames — except where an admitted event goes: into the stream (`publisher.py`)
instead of the in-memory log. Once stored (its seq known), a danmaku goes through the hub's
own fan-out step into this tick's sample, which the edge shows its viewers and shares with the
other edges, who show it to theirs. Host broadcasts and the room's viewer count every edge
reads back from the stream (ordered consumers from the newest message) and sends to all its
viewers, as the embedded hub does.

A host (`/ws/host?since=SEQ`, same token header) is fed from a durable pull consumer that
starts after `since`; the stream sequence is the room's `seq`, so the console's resume, gap
events and exactly-once journal work as with the embedded hub. If the consumer or the
connection fails, the edge makes a new consumer from the last seq it sent. Host broadcasts are
published with a JetStream message id (the broadcast's `mid`, which the console sets), so one
sent again after a cut is stored once.

The room's viewer count: every edge announces its own count each second on a core subject;
the edge with the smallest id among those heard from recently logs the sum when it changes.

Per message, an edge parses the viewer's JSON once (orjson), writes the stored event as bytes
straight from the checked fields, and keeps the danmaku's sender and text with the publish, so
nothing is decoded again when the stream acknowledges it; the host's feed reads each event's
seq from its reply subject. Where the embedded hub has its own reasons (a lone surrogate
escape, which Python's json accepts and orjson refuses as invalid UTF-8), an edge answers
`bad_json`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import secrets
import time
from typing import Any

import orjson
from aiohttp import WSMsgType, web
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError

from streaming.guard.http import HostPolicy
from streaming.interaction import rules
from streaming.interaction.broker.host_feed import HostFeed
from streaming.interaction.broker.publisher import StreamPublisher
from streaming.interaction.broker.room import RoomConfig, ensure_stream, with_seq
from streaming.interaction.hub import (
    HubLimits,
    InteractionHub,
    _dumps,
    _Host,
    _Viewer,
)

log = logging.getLogger(__name__)

_TEXT = WSMsgType.TEXT
EDGE_TIMEOUT_S = 3.0  # an edge not heard from for this long no longer counts in the room
STALL_S = 1.0  # a host behind the stream with nothing arriving this long gets a new consumer


class EdgeHub(InteractionHub):
    """`await start()` once on the loop that serves it, then `attach(app)` as for the hub."""

    def __init__(
        self,
        nc: NATS,
        room: RoomConfig,
        host_token: str,
        limits: HubLimits | None = None,
        origins: HostPolicy | None = None,
    ) -> None:
        super().__init__(host_token, limits, origins)
        self.room = room
        self.edge_id = secrets.token_hex(6)
        self._nc = nc
        self._js = nc.jetstream(timeout=5.0)
        self._publisher = StreamPublisher(nc, on_stored=self._stored)
        self._msg_ids = itertools.count(1)
        self._consumers = itertools.count(1)
        self._sticky_seq: dict[str, int] = {}
        self._edges: dict[str, tuple[int, float]] = {}  # edge id → (viewers, heard at)
        self._subs: list[Any] = []
        self._background: set[asyncio.Future[Any]] = set()

    def _new_user_number(self) -> int:
        """Edges share no counter: a random 12-digit number (20,000 viewers collide with
        odds of 2 in 10,000). A reconnecting viewer keeps theirs through their session."""
        return 10**11 + secrets.randbelow(9 * 10**11)

    async def start(self) -> None:
        """Make sure the room's stream exists, then follow it and the other edges."""
        self.hub_id = await ensure_stream(self._js, self.room)
        await self._publisher.start()
        for subject in (self.room.host_subject("*"), self.room.count_subject):
            self._subs.append(
                await self._js.subscribe(
                    subject,
                    stream=self.room.stream,
                    ordered_consumer=True,
                    deliver_policy=DeliverPolicy.NEW,
                    cb=self._on_stream_msg,
                )
            )
        self._subs.append(await self._nc.subscribe(self.room.edges_subject, cb=self._on_beat))
        self._subs.append(
            await self._nc.subscribe(self.room.sample_subject("*"), cb=self._on_sample)
        )
        await self._load_sticky()
        self._ensure_ticker()

    async def _load_sticky(self) -> None:
        """The latest broadcast of each type, for viewers who join (one lookup per type)."""
        for kind in rules.HOST_RULES:
            try:
                msg = await self._js.get_last_msg(self.room.stream, self.room.host_subject(kind))
            except NotFoundError:
                continue
            if msg.seq is not None and msg.data is not None:
                self._set_sticky(kind, msg.seq, with_seq(msg.seq, msg.data))

    def _set_sticky(self, kind: str, seq: int, data: bytes) -> None:
        if seq > self._sticky_seq.get(kind, 0):
            self._sticky_seq[kind] = seq
            self._sticky[kind] = b"[" + data + b"]"

    def stats(self) -> dict[str, Any]:
        stats = super().stats()
        stats.update(
            edge=self.edge_id,
            room=self.room.room,
            publish=dict(self._publisher.counters),
            publish_pending=self._publisher.pending,
        )
        return stats

    async def close(self) -> None:
        await super().close()
        await self._publisher.drain(5.0)
        await self._publisher.close()
        for sub in self._subs:
            try:
                await sub.unsubscribe()
            except Exception:  # the connection is already gone: nothing left to undo
                pass
        self._subs.clear()

    def reconnected(self) -> None:
        """The NATS connection is back after a cut: publish again what was in flight."""
        self.counters["nats_reconnects"] += 1
        self._publisher.reconnected()

    # ---- into the stream -------------------------------------------------------------------

    def _publish(
        self, subject: str, stored: bytes, msg_id: str | None = None, note: Any = None
    ) -> bool:
        mid = msg_id or f"{self.edge_id}.{next(self._msg_ids)}"
        return self._publisher.put(subject, stored, mid, note)

    def _append(self, kind: str, fields_json: str, user_json: str | None) -> tuple[int, bytes]:
        """Events the hub logs on its own (a viewer's join) go to the stream; they come back to
        every edge with their seq."""
        self._publish(
            self.room.viewer_subject(kind),
            stored_event(kind, fields_json.encode(), user_json, self._clock()),
        )
        return 0, b""

    def _check(
        self, peer: _Viewer | _Host, data: str, allowed: dict[str, rules.Rule]
    ) -> tuple[str, dict[str, Any]] | None:
        try:
            return rules.check(orjson.loads(data), allowed)
        except rules.ProtocolError as exc:
            self._refuse(peer, exc.code, exc.message)
        except (ValueError, RecursionError):  # orjson.JSONDecodeError is a ValueError
            self._refuse(peer, rules.BAD_JSON, "not valid JSON")
        return None

    def _accept(self, viewer: _Viewer, kind: str, fields: dict[str, Any]) -> None:
        stored = stored_event(kind, orjson.dumps(fields), viewer.user_json, self._clock())
        note = (viewer.user["id"], fields["text"]) if kind == "danmaku" else None
        if self._publish(self.room.viewer_subject(kind), stored, note=note):
            self.counters["accepted"] += 1
        else:
            self._refuse(viewer, rules.RATE_LIMITED, "the room is very busy; send again shortly")

    def _on_host_text(self, host: _Host, data: str) -> None:
        checked = self._check(host, data, rules.HOST_RULES)
        if checked is None:
            return
        kind, fields = checked
        if kind == rules.TIME:
            self._answer_time(host, fields, self._clock())
            return
        mid = orjson.loads(data).get("mid")
        if type(mid) is not str or not 0 < len(mid) <= rules.MAX_ID:
            mid = secrets.token_hex(8)  # a console without ids: no de-duplication to ask for
        self._publish(
            self.room.host_subject(kind),
            stored_event(kind, orjson.dumps(fields), None, self._clock()),
            "h." + mid,
        )
        self.counters["broadcasts"] += 1

    # ---- out of the stream -----------------------------------------------------------------

    def _stored(self, subject: str, payload: bytes, seq: int, note: Any) -> None:
        """A message this edge published is in the stream: a danmaku (its note: sender and
        text, for the hub's moderation) goes to the fan-out."""
        if note is not None:
            self._fan_out(seq, note[0], note[1], with_seq(seq, payload))

    def _show_sample(self, payload: bytes) -> None:
        self._to_viewers(payload)
        self._spawn(self._nc.publish(self.room.sample_subject(self.edge_id), payload))

    async def _on_sample(self, msg: Msg) -> None:
        if msg.subject != self.room.sample_subject(self.edge_id):
            self._to_viewers(msg.data)

    async def _on_stream_msg(self, msg: Msg) -> None:
        """A host broadcast (kept for late joiners) or the room's count, for every viewer."""
        seq = stream_seq(msg)
        data = with_seq(seq, msg.data)
        part, _, kind = msg.subject[len(self.room.prefix) + 1 :].partition(".")
        if part == "h":
            self._set_sticky(kind, seq, data)
        self._to_viewers(b"[" + data + b"]")

    # ---- the room's viewer count -----------------------------------------------------------

    async def _on_beat(self, msg: Msg) -> None:
        try:
            beat = json.loads(msg.data)
            self._edges[str(beat["edge"])] = (int(beat["viewers"]), time.monotonic())
        except (ValueError, LookupError, TypeError):
            self.counters["bad_edge_beats"] += 1

    def _report_count(self) -> None:
        now = time.monotonic()
        mine = len(self._viewers)
        self._edges[self.edge_id] = (mine, now)
        beat = _dumps({"edge": self.edge_id, "viewers": mine}).encode()
        self._spawn(self._nc.publish(self.room.edges_subject, beat))
        alive = {e: n for e, (n, t) in self._edges.items() if now - t < EDGE_TIMEOUT_S}
        self._edges = {e: v for e, v in self._edges.items() if e in alive}
        total = sum(alive.values())
        if min(alive) == self.edge_id and total != self._last_count:
            self._last_count = total
            self._publish(
                self.room.count_subject,
                stored_event("viewer_count", b'{"count":%d}' % total, None, self._clock()),
            )

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # ---- hosts -----------------------------------------------------------------------------

    async def _head(self) -> int:
        try:
            info = await self._js.stream_info(self.room.stream)
        except Exception:
            log.warning("the room's stream is unreachable", exc_info=True)
            raise web.HTTPServiceUnavailable(
                text="The message broker cannot be reached; try again in a moment.",
                headers={"Retry-After": "2"},
            ) from None
        return int(info.state.last_seq)

    async def _feed_host(self, host: _Host, cursor: int) -> None:
        """Control messages, then the stream after `cursor`, batched, for as long as open.

        A new consumer is made from the cursor whenever the stream has events the host has not
        had and none arrived for `STALL_S` (a cut lost some deliveries), or delivery skipped
        events the stream still has."""
        ws, batch = host.ws, self.limits.host_batch
        feed: HostFeed | None = None
        quiet_since = time.monotonic()
        try:
            while not ws.closed:
                while host.outbox:
                    await ws.send_frame(host.outbox.popleft(), _TEXT)
                if feed is None:
                    feed = await self._open_feed(host, cursor)
                    quiet_since = time.monotonic()
                    if feed is None:
                        await asyncio.sleep(0.5)
                        continue
                msgs = feed.take(batch)
                if msgs:
                    cursor, complete = await self._send_events(ws, msgs, cursor)
                    if complete:
                        self._spawn(msgs[-1].ack())
                    else:
                        await feed.close()
                        feed = None
                    quiet_since = time.monotonic()
                    continue
                if time.monotonic() - quiet_since > STALL_S:
                    quiet_since = time.monotonic()
                    if await self._behind(cursor):
                        self.counters["host_feed_restarts"] += 1
                        await feed.close()
                        feed = None
                        continue
                host.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(host.wake.wait(), STALL_S)
        except (ConnectionError, RuntimeError):
            pass
        finally:
            if feed is not None:
                self._spawn(feed.close())

    async def _open_feed(self, host: _Host, cursor: int) -> HostFeed | None:
        name = f"host-{self.edge_id}-{next(self._consumers)}"
        feed = HostFeed(self._js, self.room, name, cursor, host.wake)
        try:
            await feed.open()
        except Exception:
            log.info("cannot make host consumer %s yet", name, exc_info=True)
            await feed.close()
            return None
        return feed

    async def _behind(self, cursor: int) -> bool:
        try:
            info = await self._js.stream_info(self.room.stream)
        except Exception:
            return True
        return int(info.state.last_seq) > cursor

    async def _first_seq(self) -> int:
        info = await self._js.stream_info(self.room.stream)
        return int(info.state.first_seq)

    async def _send_events(
        self, ws: web.WebSocketResponse, msgs: list[Msg], cursor: int
    ) -> tuple[int, bool]:
        """Send one frame of events after `cursor` (a `gap` frame first where the stream no
        longer has some); returns the new cursor, and False if delivery skipped events the
        stream still has (then the rest is not sent: a new consumer reads from the cursor)."""
        items: list[bytes] = []
        complete = True
        for msg in msgs:
            seq = stream_seq(msg)
            if seq <= cursor:
                continue  # redelivered after a cut: the host has it
            if seq > cursor + 1:
                first = await self._first_seq()
                if first <= cursor + 1:
                    complete = False
                    break
                if items:
                    await ws.send_frame(b"[" + b",".join(items) + b"]", _TEXT)
                    items = []
                self.counters["gaps"] += 1
                await ws.send_frame(self._gap(cursor + 1, seq - 1), _TEXT)
            items.append(with_seq(seq, msg.data))
            cursor = seq
        if items:
            await ws.send_frame(b"[" + b",".join(items) + b"]", _TEXT)
            self.counters["host_frames"] += 1
        return cursor, complete


def stored_event(kind: str, fields_json: bytes, user_json: str | None, ts: int) -> bytes:
    """The event as the stream keeps it (`event_tail`'s JSON, as bytes, without `seq`)."""
    head = b'{"v":1,"type":"%b","ts":%d' % (kind.encode(), ts)
    if user_json is not None:
        head += b',"user":' + user_json.encode()
    return head + (b"," + fields_json[1:] if len(fields_json) > 2 else b"}")


def stream_seq(msg: Msg) -> int:
    """A JetStream message's stream sequence, from its reply subject
    (`$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.…`; with a domain, two tokens
    more) without building the client's metadata object."""
    tokens = msg.reply.split(".")
    if len(tokens) == 9:
        return int(tokens[5])
    return int(msg.metadata.sequence.stream)
