"""Rate limits and connection caps that hold across reconnects, for the hub, the relay and edges.

A limit kept on the connection is reset by reconnecting, so every limit here is keyed: by viewer
identity (the server-assigned id; resumable ids make it survive reconnects) and by source
address. Keys are kept in a bounded LRU so a flood of new addresses costs a fixed amount of
memory: a forgotten key starts with a full bucket, which is what an idle key would have anyway
once its bucket refilled.

All functions take `now` (a monotonic clock in seconds) from the caller: cheap, testable, and
the same on every caller's loop. Nothing here is async or thread-safe; call it from one loop.
"""

from __future__ import annotations

import ipaddress
from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K")


class TokenBucket:
    """`rate` tokens/s with bursts of `burst`: the classic token bucket."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.tokens = float(burst)
        self.stamp = now

    def take(self, now: float, cost: float = 1.0) -> bool:
        """Spend `cost` tokens if there are that many (refilled for the time since the last
        call)."""
        tokens = self.tokens + (now - self.stamp) * self.rate
        self.stamp = now
        if tokens > self.burst:
            tokens = self.burst
        if tokens < cost:
            self.tokens = tokens
            return False
        self.tokens = tokens - cost
        return True

    def full_at(self, now: float) -> bool:
        """True if the bucket would be full now: forgetting it loses nothing."""
        return self.tokens + (now - self.stamp) * self.rate >= self.burst


class KeyedBuckets(Generic[K]):
    """One `TokenBucket` per key, at most `max_keys` of them (least recently used forgotten)."""

    def __init__(self, rate: float, burst: int, max_keys: int = 100_000) -> None:
        if rate <= 0 or burst < 1 or max_keys < 1:
            raise ValueError("a rate limit needs rate > 0, burst >= 1 and room for a key")
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self._buckets: OrderedDict[K, TokenBucket] = OrderedDict()

    def take(self, key: K, now: float, cost: float = 1.0) -> bool:
        """Spend from `key`'s bucket; False when that key is over its limit."""
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = TokenBucket(self.rate, self.burst, now)
            self._buckets[key] = bucket
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
        return bucket.take(now, cost)

    def __len__(self) -> int:
        return len(self._buckets)


class ConnectionCaps(Generic[K]):
    """Counts open connections per key (an address) and in total; refuses past the caps.

    `open(key)` is True when the connection may proceed — the caller must then `close(key)`
    exactly once when it ends. A refused connection is not counted and must not be closed."""

    def __init__(self, per_key: int, total: int | None = None) -> None:
        if per_key < 1 or (total is not None and total < 1):
            raise ValueError("connection caps must allow at least one connection")
        self.per_key = per_key
        self.total = total
        self.open_total = 0
        self._open: dict[K, int] = {}

    def open(self, key: K) -> bool:
        n = self._open.get(key, 0)
        if n >= self.per_key or (self.total is not None and self.open_total >= self.total):
            return False
        self._open[key] = n + 1
        self.open_total += 1
        return True

    def close(self, key: K) -> None:
        n = self._open.get(key, 0)
        if n <= 0:
            raise ValueError(f"close() without a matching open() for {key!r}")
        if n == 1:
            del self._open[key]
        else:
            self._open[key] = n - 1
        self.open_total -= 1

    def count(self, key: K) -> int:
        return self._open.get(key, 0)


@dataclass(frozen=True)
class AddressLimits:
    """Per-source-address limits. An address may be many people (a NAT, a campus), hence
    higher than one viewer's; a load test from one machine lifts them (`unlimited()`)."""

    message_rate: float = 20.0  # messages/s from one address, all its connections together
    message_burst: int = 40
    connect_rate: float = 5.0  # new WebSocket connections/s from one address
    connect_burst: int = 20
    max_connections: int = 64  # open HTTP/WebSocket connections from one address
    max_keys: int = 100_000  # addresses remembered (LRU); bounds the limiter's memory

    @classmethod
    def unlimited(cls) -> AddressLimits:
        """For load tests and benches: one machine plays thousands of viewers."""
        return cls(1e9, 10**9, 1e9, 10**9, 10**9)


def address_key(peer: object) -> str:
    """The key a peer is limited under: its IP address, IPv6 grouped by /64 (one subscriber
    usually owns a whole /64, so per-address limits on single IPv6 addresses are moot).
    `peer` is what `transport.get_extra_info("peername")` gives (a tuple, or None)."""
    host = peer[0] if isinstance(peer, tuple) and peer else None
    if not isinstance(host, str):
        return "unknown"
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


class ViewerLimiter:
    """What a hub or an edge asks before taking a viewer's connection or message.

    - `connect(address, now)`: may this address open another viewer connection now?
    - `message(identity, address, now)`: may this viewer send one more message? Both the
      viewer's bucket and its address's bucket must have a token; a viewer over its own limit
      does not spend its neighbours' (address) budget.
    - `join(address, now)`: should this connection's arrival be logged? A `join` costs one
      message token of the address, so a reconnect storm cannot fill the log with joins.
    """

    def __init__(self, viewer_rate: float, viewer_burst: int, address: AddressLimits) -> None:
        self.viewers: KeyedBuckets[str] = KeyedBuckets(viewer_rate, viewer_burst, address.max_keys)
        self.addresses: KeyedBuckets[str] = KeyedBuckets(
            address.message_rate, address.message_burst, address.max_keys
        )
        self.connects: KeyedBuckets[str] = KeyedBuckets(
            address.connect_rate, address.connect_burst, address.max_keys
        )

    def connect(self, address: str, now: float) -> bool:
        return self.connects.take(address, now)

    def message(self, identity: str, address: str, now: float) -> bool:
        return self.viewers.take(identity, now) and self.addresses.take(address, now)

    def join(self, address: str, now: float) -> bool:
        return self.addresses.take(address, now)
