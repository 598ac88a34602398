"""Which new WHIP/WHEP session the relay takes, so that no one can lock viewers out.

An offer costs nothing to send and a session costs a UDP socket and a share of a core until it
connects or times out. Sessions that have not connected yet ("pending") are therefore bounded
three ways: offers per address per second (a token bucket, so reconnecting does not reset it),
pending sessions per address, and pending sessions in total. Only connected viewers fill the
relay: when the room left (`max_viewers` minus connected viewers) or the total pending cap is
used up by pending sessions, the oldest pending viewer of the address holding the most is
closed to make room. A flood of candidate-less offers from many addresses then evicts its own
sessions, while a real viewer, which connects within a second, gets in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from streaming.interaction.ratelimit import KeyedBuckets


class PendingAware(Protocol):
    kind: str  # "whip" or "whep"
    address: str
    created: float
    connected_at: float | None


@dataclass(frozen=True)
class AdmissionLimits:
    offer_rate: float = 2.0  # offers/s from one address (token bucket refill)
    offer_burst: int = 8
    max_pending_per_address: int = 4  # unfinished sessions one address may hold
    max_pending: int = 32  # unfinished sessions in total (each holds a socket)
    max_keys: int = 100_000  # addresses remembered for the offer rate (LRU)


class Admission:
    def __init__(self, max_viewers: int, limits: AdmissionLimits | None = None) -> None:
        self.max_viewers = max_viewers
        self.limits = limits or AdmissionLimits()
        self._offers: KeyedBuckets[str] = KeyedBuckets(
            self.limits.offer_rate, self.limits.offer_burst, self.limits.max_keys
        )

    def admit(
        self, kind: str, address: str, sessions: Mapping[str, PendingAware], now: float
    ) -> list[str]:
        """Raise a 429/503 (plain words) if a `kind` session from `address` may not start now;
        otherwise the ids of pending viewer sessions to close first to make room for it."""
        pending = {sid: s for sid, s in sessions.items() if s.connected_at is None}
        per_address = Counter(s.address for s in pending.values())
        if per_address[address] >= self.limits.max_pending_per_address:
            raise _too_many("Too many unfinished sessions from your address; wait a few seconds.")
        if not self._offers.take(address, now):
            raise _too_many("Too many offers from your address; wait a few seconds.")
        if kind != "whep":
            return []
        connected = sum(1 for s in sessions.values() if s.kind == "whep" and s.connected_at)
        room = min(self.max_viewers - connected, self.limits.max_pending)
        if room <= 0:
            raise web.HTTPServiceUnavailable(
                text="This relay is full; try again later.", headers={"Retry-After": "10"}
            )
        viewers = {sid: s for sid, s in pending.items() if s.kind == "whep"}
        evict: list[str] = []
        while len(viewers) >= room:
            sid = max(viewers, key=lambda k: (per_address[viewers[k].address], -viewers[k].created))
            per_address[viewers[sid].address] -= 1
            del viewers[sid]
            evict.append(sid)
        return evict


def _too_many(text: str) -> web.HTTPTooManyRequests:
    return web.HTTPTooManyRequests(text=text, headers={"Retry-After": "5"})
