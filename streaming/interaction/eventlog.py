"""The hub's bounded event log: a ring of the last `size` encoded events, indexed by seq.

It is both the replay buffer for reconnecting hosts and every host's send queue (a host's
cursor is the last seq it was sent), so memory stays bounded however slow a host is: a host that
falls more than `size` events behind gets a `gap` event instead of unbounded buffering.
"""

from __future__ import annotations


class EventLog:
    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("the event log needs room for at least one event")
        self.size = size
        self.head = 0  # last seq assigned; seqs start at 1
        self._slots: list[bytes] = [b""] * size

    @property
    def oldest(self) -> int:
        """The oldest seq still retained (head + 1 when the log is empty)."""
        return max(1, self.head - self.size + 1)

    def append(self, seq: int, data: bytes) -> None:
        """Store the event `data` (which embeds its seq) under the next seq, `head + 1`."""
        if seq != self.head + 1:
            raise ValueError(f"seq {seq} is not the next one ({self.head + 1})")
        self._slots[seq % self.size] = data
        self.head = seq

    def read(self, after: int, limit: int) -> list[bytes]:
        """Up to `limit` retained events with seq > after, oldest first (caller checks `oldest`)."""
        first = max(after + 1, self.oldest)
        last = min(self.head, first + limit - 1)
        if last < first:
            return []
        i, j = first % self.size, last % self.size
        if i <= j:
            return self._slots[i : j + 1]
        return self._slots[i:] + self._slots[: j + 1]
