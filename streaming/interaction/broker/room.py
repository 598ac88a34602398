"""One room on the broker: its JetStream stream, its subjects, and how events are stored.

Everything said in a room goes into one stream, so the stream's sequence is the room's `seq`:
viewer events on `livedesk.ROOM.v.TYPE`, host broadcasts on `livedesk.ROOM.h.TYPE` (one subject
per type, so an edge finds the latest pin, countdown… for a viewer who joins late), the room's
viewer count on `livedesk.ROOM.c`. Edges announce how many viewers they carry on the core
(not stored) subject `livedesk-edges.ROOM`, and share each tick's sample of danmaku for viewers
on `livedesk-sample.ROOM.EDGE`: every edge reading every viewer event back would cost each edge
the whole room's traffic, for the few dozen a second viewers are shown.

An event is stored as the hub's event JSON without its `seq` (`{"v":1,"type":…}`); whoever reads
it back puts the stream sequence in front, so `seq` stays the first key as hosts expect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

_ROOM = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class RoomConfig:
    """The room's stream: how much it keeps and on how many NATS nodes."""

    room: str = "main"
    replicas: int = 1  # 3 on a 3-node cluster: a node may die without losing a message
    max_msgs: int = 5_000_000  # retained events (the replay a reconnecting host can get)
    max_bytes: int = 2 * 2**30
    max_age_s: float = 24 * 3600.0
    duplicate_window_s: float = 30.0  # a retried publish within this is stored once

    def __post_init__(self) -> None:
        if not _ROOM.fullmatch(self.room):
            raise ValueError("a room name is 1–64 letters, digits, '-' or '_'")
        if not 1 <= self.replicas <= 5:
            raise ValueError("a stream has 1 to 5 replicas")

    @property
    def stream(self) -> str:
        return f"LIVEDESK_{self.room}"

    @property
    def prefix(self) -> str:
        return f"livedesk.{self.room}"

    def viewer_subject(self, kind: str) -> str:
        return f"{self.prefix}.v.{kind}"

    def host_subject(self, kind: str) -> str:
        return f"{self.prefix}.h.{kind}"

    @property
    def count_subject(self) -> str:
        return f"{self.prefix}.c"

    @property
    def edges_subject(self) -> str:
        return f"livedesk-edges.{self.room}"

    def sample_subject(self, edge: str) -> str:
        return f"livedesk-sample.{self.room}.{edge}"

    @property
    def all_subjects(self) -> str:
        return f"{self.prefix}.>"

    def stream_config(self) -> StreamConfig:
        return StreamConfig(
            name=self.stream,
            subjects=[self.all_subjects],
            max_msgs=self.max_msgs,
            max_bytes=self.max_bytes,
            max_age=self.max_age_s,
            discard=DiscardPolicy.OLD,
            storage=StorageType.FILE,
            num_replicas=self.replicas,
            duplicate_window=self.duplicate_window_s,
        )


async def ensure_stream(js: JetStreamContext, room: RoomConfig) -> str:
    """Create the room's stream unless it exists; returns the room's hub id.

    The id names this incarnation of the stream (its creation time): every edge reports the
    same one, and a stream deleted and made again gets a new one, so hosts read it from 1."""
    try:
        info = await js.stream_info(room.stream)
    except NotFoundError:
        info = await js.add_stream(room.stream_config())
    created = info.created
    stamp = int(created.timestamp() * 1_000_000) if created is not None else 0
    return f"{room.room}-{stamp:x}"


def with_seq(seq: int, stored: bytes) -> bytes:
    """The event as hosts and viewers get it: the stored JSON with `seq` put first."""
    return b'{"seq":%d,%b' % (seq, stored[1:])
