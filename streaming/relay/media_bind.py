"""Media sockets that follow the relay's bind address.

aioice gathers host candidates on every interface except loopback, so a relay started with
`--host 127.0.0.1` (reachable from this machine only) still opened UDP sockets on the LAN
address. `media_addresses(bind_host)` is a context manager: peer connections whose candidates
are gathered inside it (`setLocalDescription`) bind only to the addresses the HTTP side binds
to. It is a context variable, so a publisher in the same process (the console runs the
embedded relay and the publisher side by side) is unaffected.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import socket
from collections.abc import Callable, Iterator

import aioice.ice

_WILDCARDS = ("", "0.0.0.0", "::")
_chosen: contextvars.ContextVar[tuple[str, ...] | None] = contextvars.ContextVar(
    "livedesk_media_addresses", default=None
)
_original: Callable[[bool, bool], list[str]] = aioice.ice.get_host_addresses


def _host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    chosen = _chosen.get()
    if chosen is None:
        return _original(use_ipv4, use_ipv6)
    return [a for a in chosen if (use_ipv6 if ":" in a else use_ipv4)]


aioice.ice.get_host_addresses = _host_addresses


def bind_addresses(bind_host: str) -> tuple[str, ...] | None:
    """The addresses media may bind to for an HTTP bind address; None means all."""
    host = bind_host.strip().strip("[]")
    if host in _WILDCARDS:
        return None
    try:
        return (str(ipaddress.ip_address(host)),)
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_UDP)
    return tuple(dict.fromkeys(str(info[4][0]) for info in infos))


@contextlib.contextmanager
def media_addresses(addresses: tuple[str, ...] | None) -> Iterator[None]:
    """Within this block, gathered ICE host candidates use only `addresses` (None: all)."""
    token = _chosen.set(addresses)
    try:
        yield
    finally:
        _chosen.reset(token)
