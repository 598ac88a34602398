"""The console's estimate of the relay's clock, so a countdown ends at one instant everywhere.

NTP-style: each exchange gives t0 (sent, local), t1/t2 (received/answered, relay) and t3
(answer received, local); offset = ((t1 − t0) + (t2 − t3)) / 2, round trip = (t3 − t0) − (t2 −
t1). Queueing makes round trips asymmetric and the offset wrong by up to half the extra delay,
so only the exchanges with the smallest round trips are trusted: the estimate is the median
offset of the lowest-RTT quarter of a sliding window. Re-estimated through the show, it
follows drift.
"""

from __future__ import annotations

import statistics
import threading
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Exchange:
    t0: float  # local send, ms
    t1: float  # relay receive, ms
    t2: float  # relay send, ms
    t3: float  # local receive, ms

    @property
    def offset(self) -> float:
        return ((self.t1 - self.t0) + (self.t2 - self.t3)) / 2.0

    @property
    def rtt(self) -> float:
        return (self.t3 - self.t0) - (self.t2 - self.t1)


class ClockEstimate:
    """relay time = local time + `offset_ms`; `error_ms` bounds it by half the best RTT."""

    def __init__(self, window: int = 64, keep_fraction: float = 0.25) -> None:
        self._samples: deque[Exchange] = deque(maxlen=window)
        self._keep = keep_fraction
        self._lock = threading.Lock()  # added on the network thread, read on any

    def add(self, exchange: Exchange) -> None:
        if exchange.rtt < 0 or exchange.t3 < exchange.t0:
            return  # a clock stepped mid-exchange: not evidence of anything
        with self._lock:
            self._samples.append(exchange)

    @property
    def samples(self) -> int:
        return len(self._samples)

    def _ranked(self) -> list[Exchange]:
        with self._lock:
            return sorted(self._samples, key=lambda e: e.rtt)

    @property
    def offset_ms(self) -> float | None:
        ranked = self._ranked()
        if not ranked:
            return None
        return statistics.median(e.offset for e in ranked[: max(1, int(len(ranked) * self._keep))])

    @property
    def error_ms(self) -> float | None:
        """Half the best round trip: the true offset lies within ± this of some best sample."""
        ranked = self._ranked()
        return ranked[0].rtt / 2.0 if ranked else None

    def to_relay(self, local_ms: float) -> float:
        return local_ms + (self.offset_ms or 0.0)

    def to_local(self, relay_ms: float) -> float:
        return relay_ms - (self.offset_ms or 0.0)
