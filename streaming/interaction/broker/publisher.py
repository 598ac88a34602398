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
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter, deque
from collections.abc import Callable

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

MSG_ID = "Nats-Msg-Id"
_SEQ = b'"seq":'
_DUPLICATE = b'"duplicate":true'
REFUSED_PAUSE_S = 0.1


class StreamPublisher:
    """`await start()` on the running loop, `put()` from handlers, `close()` at the end."""

    def __init__(
        self,
        nc: NATS,
        *,
        max_queued: int = 200_000,
        max_in_flight: int = 4000,
        ack_timeout_s: float = 5.0,
        on_stored: Callable[[str, bytes, int], None] | None = None,
    ) -> None:
        """`on_stored(subject, payload, seq)` is called once per message the stream stored."""
        self._nc = nc
        self.max_queued = max_queued
        self.max_in_flight = max_in_flight
        self.ack_timeout_s = ack_timeout_s
        self._on_stored = on_stored
        self._queue: deque[tuple[str, bytes, str]] = deque()
        # reply token → (subject, payload, msg id, sent at); oldest first
        self._in_flight: dict[str, tuple[str, bytes, str, float]] = {}
        self._tokens = itertools.count(1)
        self._inbox = ""
        self._sub: object = None
        self._paused_until = 0.0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.counters: Counter[str] = Counter()

    @property
    def pending(self) -> int:
        """Messages not yet acknowledged by the stream (queued or in flight)."""
        return len(self._queue) + len(self._in_flight)

    async def start(self) -> None:
        self._inbox = self._nc.new_inbox()
        self._sub = await self._nc.subscribe(
            self._inbox + ".*", cb=self._acked, pending_msgs_limit=4 * self.max_in_flight
        )
        self._task = asyncio.create_task(self._run())

    def put(self, subject: str, payload: bytes, msg_id: str) -> bool:
        """Queue one message; False (nothing queued) while `max_queued` are pending."""
        if self.pending >= self.max_queued:
            self.counters["refused_full"] += 1
            return False
        self._queue.append((subject, payload, msg_id))
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
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        queue, in_flight, nc = self._queue, self._in_flight, self._nc
        prefix = self._inbox + "."
        while True:
            pause = self._paused_until - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            while queue and len(in_flight) < self.max_in_flight:
                subject, payload, msg_id = queue.popleft()
                token = str(next(self._tokens))
                try:
                    await nc.publish(subject, payload, prefix + token, {MSG_ID: msg_id})
                except Exception:  # the client's buffer is full while it reconnects
                    queue.appendleft((subject, payload, msg_id))
                    self.counters["publish_stalled"] += 1
                    await asyncio.sleep(0.1)
                    break
                in_flight[token] = (subject, payload, msg_id, time.monotonic())
            self._expire(time.monotonic())
            self._wake.clear()
            if queue and len(in_flight) < self.max_in_flight:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), 0.25)
            except TimeoutError:
                pass

    async def _acked(self, msg: Msg) -> None:
        entry = self._in_flight.pop(msg.subject[len(self._inbox) + 1 :], None)
        if entry is None:
            return  # given up on already; its retry is on its way and the stream keeps one
        data = msg.data
        i = data.find(_SEQ)
        if i < 0 or b'"error"' in data:  # no responders, or the stream refused it
            self.counters["refused"] += 1
            self._queue.appendleft(entry[:3])
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
                self._on_stored(entry[0], entry[1], int(data[i + len(_SEQ) : end]))
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
        for token, (_, _, _, sent_at) in self._in_flight.items():  # oldest first
            if sent_at >= limit:
                break
            stale.append(token)
        for token in stale:
            subject, payload, msg_id, _ = self._in_flight.pop(token)
            self._queue.appendleft((subject, payload, msg_id))
            self.counters["retried"] += 1
