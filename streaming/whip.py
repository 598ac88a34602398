"""WHIP (RFC 9725) and WHEP HTTP signalling: one SDP offer/answer exchange over HTTP.

The same client serves both directions: WHIP publishes (our offer is sendonly), WHEP plays
(our offer is recvonly); the HTTP rules are identical. What the relay does is turned into
errors a host can act on (`WhipError` and its subclasses, each with a plain-words message).
The bearer token is sent only in the Authorization header: it never appears in an error
message, a log line or a repr, and URLs are shown as their origin only (some services put
a stream key in the path).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import aiohttp
from multidict import CIMultiDictProxy

from streaming.notice import Notice, template

log = logging.getLogger(__name__)

SDP_TYPE = "application/sdp"
SDPFRAG_TYPE = "application/trickle-ice-sdpfrag"
MAX_REDIRECTS = 5
DEFAULT_TIMEOUT_S = 10.0


# ---------------------------------------------------------------------------- errors


class WhipError(Exception):
    """A signalling failure with a message a host can read. `retryable` says whether trying
    again later can help (a busy or restarting relay) or the host must fix something first
    (a wrong token, a wrong URL)."""

    retryable = False

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class WhipBadRequest(WhipError):
    """400: the relay could not parse what we sent."""


class WhipUnauthorized(WhipError):
    """401: missing or wrong token."""


class WhipForbidden(WhipError):
    """403: the token is known but may not publish/play here."""


class WhipNotFound(WhipError):
    """404: no WHIP/WHEP endpoint (or session) at this URL."""


class WhipNotAllowed(WhipError):
    """405: the relay does not offer this operation (e.g. PATCH for ICE)."""


class WhipConflict(WhipError):
    """409: someone is already publishing this stream."""


class WhipPreconditionFailed(WhipError):
    """412: our ETag is stale; the ICE session changed."""


class WhipUnprocessable(WhipError):
    """422: the relay understood the offer but cannot accept its media."""


class WhipRateLimited(WhipError):
    """429: too many attempts; `retry_after` seconds to wait (None if not given)."""

    retryable = True

    def __init__(self, message: str, status: int | None, retry_after: float | None) -> None:
        super().__init__(message, status)
        self.retry_after = retry_after


class WhipServerError(WhipError):
    """5xx: the relay failed internally or is overloaded."""

    retryable = True


class WhipTimeout(WhipError):
    """The relay did not answer in time."""

    retryable = True


class WhipUnreachable(WhipError):
    """No connection: wrong host/port, relay not running, network down."""

    retryable = True


class WhipProtocolError(WhipError):
    """The relay answered, but not the way WHIP/WHEP requires."""


def url_origin(url: str) -> str:
    """scheme://host[:port] only, for messages (paths and queries may hold stream keys)."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, (when - datetime.now(UTC)).total_seconds())


#: Status → (error class, what it means in plain words); "{http}" becomes "HTTP 4xx".
_STATUS_ERRORS: dict[int, tuple[type[WhipError], str]] = {
    400: (
        WhipBadRequest,
        template("The relay at {where} rejected the request as malformed ({http})."),
    ),
    401: (
        WhipUnauthorized,
        template("The relay at {where} refused the token ({http}). Check the token."),
    ),
    403: (
        WhipForbidden,
        template(
            "The relay at {where} does not allow this token here ({http}). "
            "Check that the token is for this stream."
        ),
    ),
    404: (
        WhipNotFound,
        template("The relay at {where} has nothing at this address ({http}). Check the relay URL."),
    ),
    405: (WhipNotAllowed, template("The relay at {where} does not support this ({http}).")),
    409: (
        WhipConflict,
        template(
            "The relay at {where} says this stream is already being published ({http}). "
            "Stop the other publisher or use another stream."
        ),
    ),
    412: (
        WhipPreconditionFailed,
        template("The relay at {where} says the session changed meanwhile ({http})."),
    ),
    422: (
        WhipUnprocessable,
        template(
            "The relay at {where} cannot accept our media ({http}): it may not support H.264 "
            "video or Opus audio."
        ),
    ),
}


def error_for_status(status: int, url: str, retry_after: str | None = None) -> WhipError:
    """The error (class and plain-words message) for an HTTP status the relay returned."""
    where = url_origin(url)
    known = _STATUS_ERRORS.get(status)
    if known is not None:
        cls, sentence = known
        return cls(Notice(sentence, where=where, http=f"HTTP {status}"), status)
    if status == 429:
        seconds = _retry_after(retry_after)
        return WhipRateLimited(
            Notice(
                "The relay at {where} is limiting attempts (HTTP 429); trying again in {seconds:.0f} s.",
                where=where,
                seconds=seconds,
            )
            if seconds is not None
            else Notice(
                "The relay at {where} is limiting attempts (HTTP 429); trying again in a moment.",
                where=where,
            ),
            status,
            seconds,
        )
    if 500 <= status <= 599:
        return WhipServerError(
            Notice(
                "The relay at {where} had an internal problem (HTTP {status}). Try again shortly.",
                where=where,
                status=status,
            ),
            status,
        )
    return WhipProtocolError(
        Notice(
            "The relay at {where} answered with unexpected HTTP status {status}.",
            where=where,
            status=status,
        ),
        status,
    )


# ---------------------------------------------------------------------------- ICE servers


@dataclass(frozen=True, slots=True)
class IceServer:
    """A STUN/TURN server the relay told us to use (RFC 9725 section 4.6, Link headers)."""

    urls: str
    username: str | None = None
    credential: str | None = None

    def __repr__(self) -> str:  # credentials stay out of logs
        return f"IceServer({self.urls!r}{', with credentials' if self.credential else ''})"


_LINK_PARAM = re.compile(r'\s*;\s*([A-Za-z0-9_\-\*]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^;,]*))?')


def parse_ice_servers(link_headers: list[str]) -> list[IceServer]:
    """The `rel="ice-server"` entries of one or more Link header values (RFC 8288 syntax:
    comma-separated `<uri>; param=value` entries, values optionally quoted)."""
    servers: list[IceServer] = []
    for header in link_headers:
        pos = 0
        while True:
            start = header.find("<", pos)
            if start < 0:
                break
            end = header.find(">", start)
            if end < 0:
                break
            uri = header[start + 1 : end].strip()
            pos = end + 1
            params: dict[str, str] = {}
            while True:
                match = _LINK_PARAM.match(header, pos)
                if not match:
                    break
                value = (match.group(2) or "").strip()
                if value.startswith('"') and value.endswith('"') and len(value) >= 2:
                    value = re.sub(r"\\(.)", r"\1", value[1:-1])
                params[match.group(1).lower()] = value
                pos = match.end()
            rels = params.get("rel", "").lower().split()
            if "ice-server" in rels and re.match(r"^(stun|stuns|turn|turns):", uri, re.I):
                servers.append(IceServer(uri, params.get("username"), params.get("credential")))
            comma = header.find(",", pos)
            if comma < 0:
                break
            pos = comma + 1
    return servers


# ---------------------------------------------------------------------------- client


@dataclass
class WhipSession:
    """A created WHIP/WHEP session: its resource URL (absolute), the SDP answer, the ICE
    servers the relay suggested, and the ETag that guards PATCH requests."""

    client: WhipClient
    resource_url: str
    answer_sdp: str
    etag: str | None = None
    ice_servers: list[IceServer] = field(default_factory=list)
    accept_patch: bool = False
    deleted: bool = False

    async def trickle(self, sdpfrag: str) -> None:
        """Send late ICE candidates (PATCH, If-Match: the current ETag; 204 expected)."""
        if self.etag is None:
            raise WhipNotAllowed("The relay gave no ETag, so it takes no ICE updates.")
        await self.client._request(
            "PATCH",
            self.resource_url,
            sdpfrag,
            SDPFRAG_TYPE,
            {"If-Match": self.etag},
            expect=(204, 200),
        )

    async def restart_ice(self, sdpfrag: str) -> str:
        """ICE restart (RFC 9725 section 4.4.2): PATCH with new ufrag/pwd and `If-Match: *`;
        the relay answers 200 with its own new ufrag/pwd and a new ETag, which is kept for
        later PATCHes. Returns the relay's sdpfrag."""
        _status, headers, body = await self.client._request(
            "PATCH", self.resource_url, sdpfrag, SDPFRAG_TYPE, {"If-Match": "*"}, expect=(200,)
        )
        new_etag = headers.get("ETag")
        if not new_etag:
            raise WhipProtocolError(
                f"The relay at {url_origin(self.resource_url)} restarted ICE without a new ETag."
            )
        self.etag = new_etag
        return body

    async def delete(self) -> None:
        """End the session on the relay (DELETE). Idempotent; a session that is already gone
        (404) counts as deleted."""
        if self.deleted:
            return
        self.deleted = True
        try:
            await self.client._request(
                "DELETE", self.resource_url, None, None, {}, expect=(200, 202, 204)
            )
        except WhipNotFound:
            pass


class WhipClient:
    """POSTs offers to one WHIP or WHEP endpoint. Uses its own aiohttp session unless one is
    given; `close()` releases it."""

    def __init__(
        self,
        endpoint: str,
        token: str | None = None,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise WhipError(
                Notice("“{endpoint}” is not an http:// or https:// URL.", endpoint=endpoint[:80])
            )
        self.endpoint = endpoint
        self._token = token or None
        self._timeout_s = timeout_s
        self._session = session
        self._own_session = session is None

    def __repr__(self) -> str:
        return f"WhipClient({url_origin(self.endpoint)}, token={'set' if self._token else 'none'})"

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def offer(self, offer_sdp: str) -> WhipSession:
        """POST the offer; return the session with the relay's answer. Follows 307/308
        redirects; the resource URL may be relative (resolved against the URL that answered)."""
        _status, headers, body, url = await self._exchange(
            "POST", self.endpoint, offer_sdp, SDP_TYPE, {}, expect=(201,)
        )
        location = headers.get("Location")
        if not location:
            raise WhipProtocolError(
                f"The relay at {url_origin(url)} accepted the offer but did not say where the "
                "session lives (no Location header)."
            )
        content_type = headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type != SDP_TYPE or not body.lstrip().startswith("v=0"):
            raise WhipProtocolError(
                f"The relay at {url_origin(url)} did not answer with an SDP description."
            )
        return WhipSession(
            client=self,
            resource_url=urljoin(url, location),
            answer_sdp=body,
            etag=headers.get("ETag"),
            ice_servers=parse_ice_servers(headers.getall("Link", [])),
            accept_patch=SDPFRAG_TYPE in headers.get("Accept-Patch", ""),
        )

    async def discover_ice_servers(self) -> list[IceServer]:
        """Ask the endpoint for its ICE servers before making an offer (OPTIONS; many relays
        answer it with the same Link headers as the POST). Any failure means "none"."""
        try:
            _, headers, _, _ = await self._exchange(
                "OPTIONS", self.endpoint, None, None, {}, expect=(200, 204)
            )
        except WhipError:
            return []
        return parse_ice_servers(headers.getall("Link", []))

    async def _request(
        self,
        method: str,
        url: str,
        body: str | None,
        content_type: str | None,
        extra: dict[str, str],
        expect: tuple[int, ...],
    ) -> tuple[int, CIMultiDictProxy[str], str]:
        status, headers, text, _ = await self._exchange(
            method, url, body, content_type, extra, expect
        )
        return status, headers, text

    async def _exchange(
        self,
        method: str,
        url: str,
        body: str | None,
        content_type: str | None,
        extra: dict[str, str],
        expect: tuple[int, ...],
    ) -> tuple[int, CIMultiDictProxy[str], str, str]:
        """One request, following 307/308 (same method and body). Returns status, headers,
        body text and the URL that finally answered."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = dict(extra)
        if content_type:
            headers["Content-Type"] = content_type
        for _hop in range(MAX_REDIRECTS + 1):
            if self._token and not _downgrades(self.endpoint, url):
                headers["Authorization"] = f"Bearer {self._token}"
            else:
                headers.pop("Authorization", None)
            try:
                async with self._session.request(
                    method,
                    url,
                    data=body,
                    headers=headers,
                    allow_redirects=False,
                    timeout=aiohttp.ClientTimeout(total=self._timeout_s),
                ) as response:
                    text = await response.text(errors="replace")
                    status, answer_headers = response.status, response.headers
            except TimeoutError:
                raise WhipTimeout(
                    Notice(
                        "The relay at {where} did not answer within {seconds:g} s.",
                        where=url_origin(url),
                        seconds=self._timeout_s,
                    )
                ) from None
            except aiohttp.ClientConnectorError as exc:
                raise WhipUnreachable(
                    Notice(
                        "Cannot reach the relay at {where} ({reason}). "
                        "Check the URL and that the relay is running.",
                        where=url_origin(url),
                        reason=_reason(exc),
                    )
                ) from None
            except aiohttp.ClientError as exc:
                raise WhipUnreachable(
                    Notice(
                        "The connection to the relay at {where} failed ({error}).",
                        where=url_origin(url),
                        error=type(exc).__name__,
                    )
                ) from None
            log.debug("%s %s -> %d", method, url_origin(url), status)
            if status in (307, 308):
                location = answer_headers.get("Location")
                if not location:
                    raise WhipProtocolError(
                        f"The relay at {url_origin(url)} redirected without saying where to."
                    )
                url = urljoin(url, location)
                continue
            if status in expect:
                return status, answer_headers, text, url
            if 300 <= status < 400:
                raise WhipProtocolError(
                    f"The relay at {url_origin(url)} redirected with HTTP {status}; WHIP only "
                    "allows 307/308.",
                    status,
                )
            raise error_for_status(status, url, answer_headers.get("Retry-After"))
        raise WhipProtocolError(
            f"The relay at {url_origin(self.endpoint)} redirected more than {MAX_REDIRECTS} times."
        )


def _downgrades(original: str, target: str) -> bool:
    """A redirect from https to plain http must not carry the token."""
    return urlsplit(original).scheme == "https" and urlsplit(target).scheme != "https"


def _reason(exc: aiohttp.ClientConnectorError) -> str:
    err = getattr(exc, "os_error", None)
    if isinstance(err, ConnectionRefusedError):
        return Notice("connection refused")
    text = getattr(err, "strerror", None) or str(err or exc)
    return text.split(" [")[0][:80]
