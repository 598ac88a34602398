"""Publishing into the room's stream: asynchronous, batched, and retried until stored.

Handlers call `put` (never blocks); one task hands messages to the NATS client, which batches
them into few socket writes, and keeps up to `max_in_flight` waiting for JetStream's
acknowledgement at once. When the connection comes back after a cut, everything still waiting
is published again with the same `Nats-Msg-Id` (as is anything waiting longer than
`ack_timeout_s`), so the stream stores it exactly once: nothing lost to a cut, nothing doubled
by the retry. The timeout is the time to recover from a node that died holding a message an edge on
another node sent it (there is no cut to notice then), and not shorter: on a busy machine
acknowledgements take seconds, and an early retry only adds load. While the stream has no
leader (an election after a node died) it refuses messages at once; publishing pauses
`REFUSED_PAUSE_S` after each refusal instead of spinning.

Acknowledgements come to one inbox subscription of our own and are read with two byte
searches (`"seq":`, `"duplicate":true`): the client's `publish_async` makes a future, a NUID
and a JSON decode per message, which at tens of thousands a second is most of an edge's CPU.
That subscription hands each acknowledgement over as the client's read loop parses it (the
client's one-shot "future" slot, `_AckSink`) instead of through a queue and a task per message,
and each round's messages go to the client as one pre-built block of `HPUB` commands (one
buffer append and one flush, not a header dict, a regex and a flush per message).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any, cast

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

log = logging.getLogger(__name__)

MSG_ID = "Nats-Msg-Id"
_SEQ = b'"seq":'
_DUPLICATE = b'"duplicate":true'
_HEADER = b"NATS/1.0\r\nNats-Msg-Id: "
REFUSED_PAUSE_S = 0.1

# What `on_stored` is told besides the seq: the caller's own note, kept with the message.
Note = Any
# (subject, payload, msg id, note) waiting to be published
_Queued = tuple[str, bytes, str, Note]


class _AckSink:
    """Stands in for the client's one-shot reply future on our acknowledgement inbox: the
    client calls `set_result(msg)` from its read loop for every message on the subscription,
    so each acknowledgement is handled right there (no queue, no task switch)."""

    def __init__(self, handle: Callable[[Msg], None]) -> None:
        self._handle = handle

    def cancelled(self) -> bool:
        return False

    def set_result(self, msg: Msg) -> None:
        try:
            self._handle(msg)
        except Exception:  # never into the client's read loop, which would drop the connection
            log.exception("handling a JetStream acknowledgement failed")


def hpub(subject: str, reply: str, payload: bytes, msg_id: str) -> bytes:
    """One NATS `HPUB` command: `payload` to `subject` with a `Nats-Msg-Id` header."""
    if "\r" in msg_id or "\n" in msg_id:
        msg_id = msg_id.replace("\r", "").replace("\n", "")
    header = _HEADER + msg_id.encode() + b"\r\n\r\n"
    head = f"HPUB {subject} {reply} {len(header)} {len(header) + len(payload)}\r\n"
    return head.encode() + header + payload + b"\r\n"


class StreamPublisher:
    """`await start()` on the running loop, `put()` from handlers, `close()` at the end."""

    def __init__(
        self,
        nc: NATS,
        *,
        max_queued: int = 200_000,
        max_in_flight: int = 4000,
        ack_timeout_s: float = 5.0,
        on_stored: Callable[[str, bytes, int, Note], None] | None = None,
    ) -> None:
        """`on_stored(subject, payload, seq, note)` is called once per message the stream
        stored, with the `note` it was put with."""
        self._nc = nc
        self.max_queued = max_queued
        self.max_in_flight = max_in_flight
        self.ack_timeout_s = ack_timeout_s
        self._on_stored = on_stored
        self._queue: deque[_Queued] = deque()
        # reply token → (subject, payload, msg id, note, sent at); oldest first
        self._in_flight: dict[str, tuple[str, bytes, str, Note, float]] = {}
        self._tokens = itertools.count(1)
        self._inbox = ""
        self._sub: object = None
        self._paused_until = 0.0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.counters: Counter[str] = Counter()

    @property
    def pending(self) -> int:
        """Messages not yet acknowledged by the stream (queued or in flight)."""
        return len(self._queue) + len(self._in_flight)

    async def start(self) -> None:
        self._inbox = self._nc.new_inbox()
        sink = cast(asyncio.Future[Msg], _AckSink(self._acked))
        self._sub = await self._nc.subscribe(self._inbox + ".*", future=sink)
        self._task = asyncio.create_task(self._run())

    def put(self, subject: str, payload: bytes, msg_id: str, note: Note = None) -> bool:
        """Queue one message; False (nothing queued) while `max_queued` are pending."""
        if len(self._queue) + len(self._in_flight) >= self.max_queued:
            self.counters["refused_full"] += 1
            return False
        self._queue.append((subject, payload, msg_id, note))
        if len(self._queue) == 1:
            self._wake.set()
        return True

    async def drain(self, timeout_s: float = 10.0) -> bool:
        """Wait until everything put so far is stored (or `timeout_s`); True if it was."""
        deadline = time.monotonic() + timeout_s
        while self.pending and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return not self.pending

    async def close(self) -> None:
        if self._task is not None:
            # The flag as well as the cancel: Python 3.11's wait_for can swallow a cancel that
            # lands as its wait ends (the edge's shutdown then hung for good).
            self._closing = True
            self._wake.set()
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        queue = self._queue
        while not self._closing:
            pause = self._paused_until - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            room = self.max_in_flight - len(self._in_flight)
            if queue and room > 0:
                if self._nc.is_connected:
                    await self._send_block(min(room, len(queue)))
                else:
                    await self._send_each(room)
            self._expire(time.monotonic())
            self._wake.clear()
            if queue and len(self._in_flight) < self.max_in_flight:
                await asyncio.sleep(0)  # let the sockets (and acknowledgements) in first
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), 0.25)
            except TimeoutError:
                pass

    async def _send_block(self, n: int) -> None:
        """`n` queued messages as one block of commands: one append, one flush."""
        queue, in_flight, prefix = self._queue, self._in_flight, self._inbox + "."
        tokens, now = self._tokens, time.monotonic()
        block = []
        for _ in range(n):
            subject, payload, msg_id, note = queue.popleft()
            token = str(next(tokens))
            block.append(hpub(subject, prefix + token, payload, msg_id))
            in_flight[token] = (subject, payload, msg_id, note, now)
        nc = self._nc
        await nc._send_command(b"".join(block))
        await nc._flush_pending()

    async def _send_each(self, room: int) -> None:
        """While the connection is down: through the client's publish, which buffers up to
        its `pending_size` and refuses beyond it (then we wait and keep the rest queued)."""
        queue, in_flight, prefix = self._queue, self._in_flight, self._inbox + "."
        while queue and room > 0:
            subject, payload, msg_id, note = queue.popleft()
            token = str(next(self._tokens))
            try:
                await self._nc.publish(subject, payload, prefix + token, {MSG_ID: msg_id})
            except Exception:  # the client's buffer is full while it reconnects
                queue.appendleft((subject, payload, msg_id, note))
                self.counters["publish_stalled"] += 1
                await asyncio.sleep(0.1)
                return
            in_flight[token] = (subject, payload, msg_id, note, time.monotonic())
            room -= 1

    def _acked(self, msg: Msg) -> None:
        entry = self._in_flight.pop(msg.subject[len(self._inbox) + 1 :], None)
        if entry is None:
            return  # given up on already; its retry is on its way and the stream keeps one
        data = msg.data
        i = data.find(_SEQ)
        if i < 0 or b'"error"' in data:  # no responders, or the stream refused it
            self.counters["refused"] += 1
            self._queue.appendleft(entry[:4])
            self._paused_until = time.monotonic() + REFUSED_PAUSE_S
            self._wake.set()
            return
        if _DUPLICATE in data:
            self.counters["duplicates"] += 1
        else:
            self.counters["stored"] += 1
            if self._on_stored is not None:
                end = i + len(_SEQ)
                while end < len(data) and data[end] in b"0123456789":
                    end += 1
                self._on_stored(entry[0], entry[1], int(data[i + len(_SEQ) : end]), entry[3])
        if len(self._in_flight) < self.max_in_flight:
            self._wake.set()

    def reconnected(self) -> None:
        """The connection came back (perhaps to another node): what was in flight may have
        been lost with the old one, so publish it again (the stream drops the copies)."""
        self._expire(float("inf"))
        self._wake.set()

    def _expire(self, now: float) -> None:
        """Publish again what has waited too long for its acknowledgement (same msg id)."""
        limit = now - self.ack_timeout_s
        stale = []
        for token, entry in self._in_flight.items():  # oldest first
            if entry[4] >= limit:
                break
            stale.append(token)
        for token in stale:
            self._queue.appendleft(self._in_flight.pop(token)[:4])
            self.counters["retried"] += 1
