"""The hub's bounded event log: a ring of the last encoded events, indexed by seq.

It is both the replay buffer for reconnecting hosts and every host's send queue (a host's
cursor is the last seq it was sent), so memory stays bounded however slow a host is: a host that
falls behind what is retained gets a `gap` event instead of unbounded buffering.

The log is bounded twice: at most `size` events and at most `max_bytes` of encoded events. The
count alone is not a bound on memory — 200,000 events of 6 KB each are 1.2 GB — so the oldest
events are dropped as soon as either bound is passed.
"""

from __future__ import annotations


class EventLog:
    def __init__(self, size: int, max_bytes: int | None = None) -> None:
        if size < 1:
            raise ValueError("the event log needs room for at least one event")
        if max_bytes is not None and max_bytes < 1:
            raise ValueError("the event log's byte budget must be positive")
        self.size = size
        self.max_bytes = max_bytes
        self.head = 0  # last seq assigned; seqs start at 1
        self.bytes = 0  # encoded bytes retained
        self._oldest = 1
        self._slots: list[bytes] = [b""] * size

    @property
    def oldest(self) -> int:
        """The oldest seq still retained (head + 1 when the log is empty)."""
        return self._oldest

    def append(self, seq: int, data: bytes) -> None:
        """Store the event `data` (which embeds its seq) under the next seq, `head + 1`."""
        if seq != self.head + 1:
            raise ValueError(f"seq {seq} is not the next one ({self.head + 1})")
        slots, size = self._slots, self.size
        if seq - self._oldest >= size:  # the ring is full: the oldest event makes room
            self._drop_oldest()
        slots[seq % size] = data
        self.head = seq
        self.bytes += len(data)
        if self.max_bytes is not None:
            while self.bytes > self.max_bytes and self._oldest < seq:
                self._drop_oldest()

    def _drop_oldest(self) -> None:
        i = self._oldest % self.size
        self.bytes -= len(self._slots[i])
        self._slots[i] = b""
        self._oldest += 1

    def read(self, after: int, limit: int) -> list[bytes]:
        """Up to `limit` retained events with seq > after, oldest first (caller checks `oldest`)."""
        first = max(after + 1, self._oldest)
        last = min(self.head, first + limit - 1)
        if last < first:
            return []
        i, j = first % self.size, last % self.size
        if i <= j:
            return self._slots[i : j + 1]
        return self._slots[i:] + self._slots[: j + 1]
