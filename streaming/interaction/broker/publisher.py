"""Publishing into the room's stream: asynchronous, batched, and retried until stored.

Handlers call `put` (never blocks); one task hands messages to the NATS client, which batches
them into few socket writes, and keeps up to `max_in_flight` waiting for JetStream's
acknowledgement at once. A message whose acknowledgement does not come within `ack_timeout_s`
(its node died, the connection dropped) is published again with the same `Nats-Msg-Id`, so the
stream stores it exactly once: nothing lost to a cut, nothing doubled by the retry.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from collections.abc import Callable
from functools import partial

from nats.js import JetStreamContext
from nats.js.api import PubAck

MSG_ID = "Nats-Msg-Id"


class StreamPublisher:
    """Call `start()` on the running loop, `put()` from handlers, `close()` at the end."""

    def __init__(
        self,
        js: JetStreamContext,
        *,
        max_queued: int = 200_000,
        max_in_flight: int = 4000,
        ack_timeout_s: float = 3.0,
        on_stored: Callable[[str, bytes, int], None] | None = None,
    ) -> None:
        """`on_stored(subject, payload, seq)` is called once per message the stream stored."""
        self._js = js
        self._on_stored = on_stored
        self.max_queued = max_queued
        self.max_in_flight = max_in_flight
        self.ack_timeout_s = ack_timeout_s
        self._queue: deque[tuple[str, bytes, str]] = deque()
        self._in_flight: dict[str, tuple[str, bytes, float, asyncio.Future[PubAck]]] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.counters: Counter[str] = Counter()

    @property
    def pending(self) -> int:
        """Messages not yet acknowledged by the stream (queued or in flight)."""
        return len(self._queue) + len(self._in_flight)

    def start(self) -> None:
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
        for *_, future in self._in_flight.values():
            future.cancel()

    async def _run(self) -> None:
        queue, in_flight = self._queue, self._in_flight
        while True:
            while queue and len(in_flight) < self.max_in_flight:
                subject, payload, msg_id = queue.popleft()
                try:
                    future = await self._js.publish_async(
                        subject, payload, headers={MSG_ID: msg_id}
                    )
                except Exception:  # the client's buffer is full while it reconnects
                    queue.appendleft((subject, payload, msg_id))
                    self.counters["publish_stalled"] += 1
                    await asyncio.sleep(0.1)
                    break
                in_flight[msg_id] = (subject, payload, time.monotonic(), future)
                future.add_done_callback(partial(self._acked, msg_id))
            self._expire(time.monotonic())
            self._wake.clear()
            if queue and len(in_flight) < self.max_in_flight:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), 0.25)
            except TimeoutError:
                pass

    def _acked(self, msg_id: str, future: asyncio.Future[PubAck]) -> None:
        entry = self._in_flight.get(msg_id)
        if entry is None or entry[3] is not future:
            return  # a retry of this message is on its way; the stream keeps one copy
        del self._in_flight[msg_id]
        if future.cancelled() or future.exception() is not None:
            self.counters["retried"] += 1
            self._queue.appendleft((entry[0], entry[1], msg_id))
            self._wake.set()
            return
        ack = future.result()
        if ack.duplicate:
            self.counters["duplicates"] += 1
            return
        self.counters["stored"] += 1
        if self._on_stored is not None:
            self._on_stored(entry[0], entry[1], ack.seq)

    def _expire(self, now: float) -> None:
        """Give up waiting for acknowledgements older than the timeout (cancelling them frees
        the client's slot); `_acked` queues them again."""
        limit = now - self.ack_timeout_s
        stale = []
        for _, _, sent_at, future in self._in_flight.values():  # oldest first
            if sent_at >= limit:
                break
            stale.append(future)
        for future in stale:
            future.cancel()
