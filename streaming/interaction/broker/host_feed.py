"""One host's reading of the room's stream: a durable push consumer from the host's cursor.

The consumer is durable and replicated like the stream, so it carries on when a NATS node
dies. Messages wait in a queue here until the edge has sent them to the host; the edge then
acknowledges the last one (ack-all), and the server keeps at most `max_pending` unacknowledged,
so a slow host holds the stream back instead of filling this process's memory.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import Any

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from streaming.interaction.broker.room import RoomConfig


class HostFeed:
    """`await open()`, then `take()` what arrived (`wake` is set on arrival), `close()`."""

    def __init__(
        self,
        js: JetStreamContext,
        room: RoomConfig,
        name: str,
        cursor: int,
        wake: asyncio.Event,
        max_pending: int = 20_000,
    ) -> None:
        self._js = js
        self.room = room
        self.name = name
        self.start_after = cursor
        self.wake = wake
        self.max_pending = max_pending
        self._msgs: deque[Msg] = deque()
        self._sub: Any = None

    async def open(self) -> None:
        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=self.start_after + 1,
            ack_policy=AckPolicy.ALL,
            max_ack_pending=self.max_pending,
            ack_wait=60.0,
            inactive_threshold=60.0,  # an edge that died leaves no consumer behind for long
        )
        self._sub = await self._js.subscribe(
            self.room.all_subjects,
            stream=self.room.stream,
            durable=self.name,
            cb=self._arrived,
            manual_ack=True,
            flow_control=True,
            idle_heartbeat=5.0,
            config=config,
            pending_msgs_limit=4 * self.max_pending,
        )

    async def _arrived(self, msg: Msg) -> None:
        self._msgs.append(msg)
        self.wake.set()

    def take(self, limit: int) -> list[Msg]:
        msgs = self._msgs
        n = min(limit, len(msgs))
        return [msgs.popleft() for _ in range(n)]

    async def close(self) -> None:
        """Unsubscribe and delete the consumer (best effort: the broker may be away, then
        `inactive_threshold` removes it)."""
        self._msgs.clear()
        if self._sub is None:
            return
        with contextlib.suppress(Exception):
            await self._sub.unsubscribe()
        with contextlib.suppress(Exception):
            await self._js.delete_consumer(self.room.stream, self.name)
        self._sub = None
