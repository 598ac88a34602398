"""Request-level rules: which names a server answers to, which pages may open its WebSockets,
how a body is read, and how errors are answered.

- **Host allow-list** (DNS rebinding): a page on evil.example whose name resolves to 127.0.0.1
  reaches the relay with `Host: evil.example`; only the server's own names and configured ones
  are served.
- **Origin check**: a WebSocket has no CORS, so any page can open one to 127.0.0.1 unless the
  server checks `Origin` (browsers always send it; other clients usually do not).
- **Errors**: a malformed request gets a 4xx with a reason in plain words; anything unexpected
  is logged once, with a request id, and the client gets a 500 naming that id and nothing else.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import secrets
import socket
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from aiohttp import web

from streaming.guard.throttled_log import ThrottledLog

log = logging.getLogger(__name__)
_throttled = ThrottledLog(log)

BODY_TIMEOUT_S = 10.0
_WILDCARDS = ("", "0.0.0.0", "::")
_RESOURCE_ERRNOS = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)


def _hostname(value: str) -> str:
    """'Example.COM:8787' → 'example.com'; '[::1]:80' → '::1'."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value.rstrip(".")


def _local_addresses() -> set[str]:
    """Every address of this machine (for a server bound to all of them)."""
    import ifaddr  # aioice's dependency, so always present with aiortc

    found: set[str] = set()
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            found.add(ip.ip if isinstance(ip.ip, str) else ip.ip[0])
    return found


class HostPolicy:
    """The names a server answers to and the page origins that may open its WebSockets.

    Its own names: the bind address, loopback names when bound to loopback, every local address
    and the machine's name when bound to all addresses; plus `extra_hosts` (names or addresses
    a reverse proxy or DNS uses) and `extra_origins` (pages elsewhere allowed to embed it)."""

    def __init__(
        self,
        bind_host: str,
        extra_hosts: Iterable[str] = (),
        extra_origins: Iterable[str] = (),
    ) -> None:
        names = {_hostname(h) for h in extra_hosts if h.strip()}
        bind = _hostname(bind_host) if bind_host else ""
        loopback = {"localhost", "127.0.0.1", "::1"}
        if bind in _WILDCARDS:
            names |= loopback | _local_addresses()
            hostname = socket.gethostname().lower()
            names |= {hostname, f"{hostname}.local"}
        else:
            names.add(bind)
            if bind == "localhost" or _is_loopback(bind):
                names |= loopback
        self.hosts = frozenset(names)
        self.origins = frozenset(o.strip().rstrip("/").lower() for o in extra_origins if o.strip())

    def host_allowed(self, host_header: str | None) -> bool:
        """A missing Host (HTTP/1.0 clients) is allowed: browsers always send one."""
        return not host_header or _hostname(host_header) in self.hosts

    def origin_allowed(self, origin: str | None) -> bool:
        """No Origin: not a browser page, allowed. Otherwise one of ours or a configured one;
        `null` (sandboxed frames, files) never."""
        if origin is None:
            return True
        origin = origin.strip().rstrip("/").lower()
        if origin in self.origins:
            return True
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and (parts.hostname or "") in self.hosts


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def guard_middlewares(
    policy: HostPolicy | None,
) -> list[Callable[..., Awaitable[web.StreamResponse]]]:
    """The middlewares every LiveDesk server installs: Host allow-list, then errors."""

    @web.middleware
    async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException:
            raise
        except (asyncio.CancelledError, ConnectionError):
            raise
        except OSError as exc:
            if exc.errno not in _RESOURCE_ERRNOS:
                return internal_error(request)
            _throttled.warning(
                "resources", "out of system resources (%s): requests refused", exc.strerror
            )
            raise web.HTTPServiceUnavailable(
                text="The server is busy; try again shortly.", headers={"Retry-After": "5"}
            ) from None
        except Exception:
            return internal_error(request)

    @web.middleware
    async def hosts(request: web.Request, handler: Handler) -> web.StreamResponse:
        if policy is not None and not policy.host_allowed(request.headers.get("Host")):
            raise web.HTTPMisdirectedRequest(
                text="This server does not answer to that name (Host header)."
            )
        return await handler(request)

    return [errors, hosts]


def internal_error(request: web.BaseRequest, exc: BaseException | None = None) -> web.Response:
    """The one log line (with the traceback and a request id) and the plain 500 naming that
    id, for a request the server failed: nothing internal reaches the client."""
    request_id = secrets.token_hex(4)
    log.error(
        "request %s failed: %s %s",
        request_id,
        request.method,
        request.path,
        exc_info=exc if exc is not None else True,
    )
    return web.Response(
        status=500,
        text=f"Something went wrong on the server (request id {request_id}).",
        headers={"X-Request-Id": request_id},
    )


async def read_text(request: web.Request, limit: int, timeout_s: float = BODY_TIMEOUT_S) -> str:
    """The body as text, or a plain-words 4xx: too large (413), not sent in time (408), an
    unknown charset or bytes that are not in it (400)."""
    declared = request.content_length
    if declared is not None and declared > limit:
        raise web.HTTPRequestEntityTooLarge(
            limit, declared, text=f"The body is larger than {limit} bytes."
        )
    try:
        body = await asyncio.wait_for(request.read(), timeout_s)
    except TimeoutError:
        raise web.HTTPRequestTimeout(
            text=f"The body did not arrive within {timeout_s:.0f} s.",
            headers={"Connection": "close"},
        ) from None
    if len(body) > limit:
        raise web.HTTPRequestEntityTooLarge(
            limit, len(body), text=f"The body is larger than {limit} bytes."
        )
    charset = request.charset or "utf-8"
    try:
        return body.decode(charset)
    except LookupError:
        raise web.HTTPBadRequest(text=f"Unknown charset “{charset[:40]}”; send UTF-8.") from None
    except UnicodeDecodeError:
        raise web.HTTPBadRequest(text=f"The body is not valid {charset[:40]} text.") from None
