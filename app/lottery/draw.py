"""The draw: winners as a deterministic function of a secret seed and the entrant list.

Fairness rests on commit-reveal. At the start the console publishes `commitment(seed)`; when
entries close it publishes `entrant_digest(entrants)`; at the draw it reveals the seed. Viewers
who kept the commitment can check that the seed was fixed before anyone entered, and anyone with
the entrant list can recompute the winners — docs/lottery.md states the function so that a
third party can re-implement it without this code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Iterator

#: Domain-separation label mixed into every random block (bump it if the function changes).
LABEL = b"livedesk-lottery-v1"
SEED_BYTES = 32


def new_seed() -> bytes:
    return secrets.token_bytes(SEED_BYTES)


def commitment(seed: bytes) -> str:
    """SHA-256 of the seed, hex: published before entries open."""
    return hashlib.sha256(seed).hexdigest()


def canonical_entrants(entrants: Iterable[str]) -> list[str]:
    """Distinct entrant ids in code-point order: the list the digest and the draw both use."""
    return sorted(set(entrants))


def entrant_digest(entrants: Iterable[str]) -> str:
    """SHA-256 (hex) of the canonical entrant ids, each followed by a newline, UTF-8."""
    body = "".join(f"{e}\n" for e in canonical_entrants(entrants))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _blocks(seed: bytes, digest: str, rules: bytes) -> Iterator[int]:
    """64-bit integers: the first 8 bytes (big-endian) of HMAC-SHA256(key=seed, LABEL | digest
    (32 raw bytes) | SHA-256(rules) (32 raw bytes) | counter), counter an 8-byte big-endian
    integer from 0. Mixing in the rules makes a changed keyword, window or prize change the
    winners, so a tampered result file cannot pass verification."""
    prefix = LABEL + bytes.fromhex(digest) + hashlib.sha256(rules).digest()
    counter = 0
    while True:
        mac = hmac.new(seed, prefix + counter.to_bytes(8, "big"), hashlib.sha256).digest()
        yield int.from_bytes(mac[:8], "big")
        counter += 1


def _below(blocks: Iterator[int], bound: int) -> int:
    """Uniform in [0, bound): rejection sampling, so no id is favoured by modulo bias."""
    limit = (1 << 64) - (1 << 64) % bound
    while True:
        value = next(blocks)
        if value < limit:
            return value % bound


def pick_winners(seed: bytes, entrants: Iterable[str], count: int, rules: bytes) -> list[str]:
    """The first `count` places of a Fisher–Yates shuffle (place i swapped with i + uniform(n-i))
    of the canonical entrant list driven by `_blocks`; fewer winners when fewer entrants."""
    pool = canonical_entrants(entrants)
    blocks = _blocks(seed, entrant_digest(pool), rules)
    for place in range(min(count, len(pool))):
        other = place + _below(blocks, len(pool) - place)
        pool[place], pool[other] = pool[other], pool[place]
    return pool[: max(0, min(count, len(pool)))]
