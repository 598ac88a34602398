"""Publishing to (and watching from) a Janus VideoRoom through Janus's native HTTP API.

Janus is an SFU hosts can run themselves. Its HTTP API is request/response plus a long poll:
create a session, attach a handle to `janus.plugin.videoroom`, send plugin messages (with an
SDP "jsep" when there is one); asynchronous answers and events come back on
`GET /janus/<session>` and are matched to requests by their `transaction`. A session dies after
Janus's session timeout (60 s by default) without traffic, so a keepalive goes out every 25 s.

`JanusSignalling` plugs into `streaming.publisher.Publisher` like `WhipSignalling` does:
`negotiate(offer)` opens a session, joins the room as a publisher with our offer and returns
Janus's answer; `close()` leaves, detaches and destroys the session. `JanusSubscriber` is the
viewer side (Janus offers, we answer), used by tests and by `livedesk bench latency`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from streaming.whip import IceServer, WhipError

log = logging.getLogger(__name__)

VIDEOROOM = "janus.plugin.videoroom"
KEEPALIVE_S = 25.0
DEFAULT_TIMEOUT_S = 10.0
# VideoRoom error codes worth a specific reaction (janus_videoroom.c).
_NO_SUCH_ROOM = 426
_NO_SUCH_FEED = 428
_UNAUTHORIZED = (433, 403)

Json = dict[str, Any]


class JanusError(WhipError):
    """A Janus failure in plain words (a `WhipError`, so the publisher handles both alike)."""

    def __init__(self, message: str, code: int | None = None, retryable: bool = False) -> None:
        super().__init__(message, None)
        self.code = code
        self.retryable = retryable


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class JanusSession:
    """One Janus session: requests, the event long poll and the keepalive."""

    def __init__(
        self, url: str, token: str | None = None, timeout_s: float = DEFAULT_TIMEOUT_S
    ) -> None:
        if urlsplit(url).scheme not in ("http", "https"):
            raise JanusError(f"The Janus address must start with http:// or https:// ({url!r}).")
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self._token = token
        self._http: aiohttp.ClientSession | None = None
        self.session_id: int | None = None
        self._pending: dict[str, asyncio.Future[Json]] = {}
        self._listeners: dict[int, Callable[[Json], None]] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def __repr__(self) -> str:  # the token stays out of logs
        return f"JanusSession({_origin(self.url)}, id={self.session_id})"

    async def open(self) -> None:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
        reply = await self._post(self.url, {"janus": "create"})
        self.session_id = int(reply["data"]["id"])
        self._tasks = [
            asyncio.ensure_future(self._poll()),
            asyncio.ensure_future(self._keepalive()),
        ]

    async def attach(self, plugin: str = VIDEOROOM) -> JanusHandle:
        reply = await self._post(self._session_url(), {"janus": "attach", "plugin": plugin})
        return JanusHandle(self, int(reply["data"]["id"]))

    async def destroy(self) -> None:
        """End the session on the server and stop polling (best effort, never raises)."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self.session_id is not None and self._http is not None:
            with contextlib.suppress(JanusError, aiohttp.ClientError, asyncio.TimeoutError):
                await self._post(self._session_url(), {"janus": "destroy"})
        self.session_id = None
        for future in self._pending.values():
            if not future.done():
                future.set_exception(JanusError("The Janus session was closed."))
        self._pending.clear()
        if self._http is not None:
            await self._http.close()
            self._http = None

    # -- plumbing --------------------------------------------------------------------------

    def _session_url(self) -> str:
        if self.session_id is None:
            raise JanusError("The Janus session is not open.")
        return f"{self.url}/{self.session_id}"

    def _stamp(self, body: Json) -> str:
        transaction = secrets.token_hex(8)
        body["transaction"] = transaction
        if self._token:
            body["token"] = self._token
        return transaction

    async def _post(self, url: str, body: Json) -> Json:
        """A request whose reply comes straight back ("success", "ack" or "error")."""
        self._stamp(body)
        reply = await self._http_json("POST", url, body)
        _raise_for_error(reply)
        return reply

    async def _exchange(self, url: str, body: Json) -> Json:
        """A request Janus acknowledges at once and answers later through the event poll."""
        transaction = self._stamp(body)
        future: asyncio.Future[Json] = asyncio.get_running_loop().create_future()
        self._pending[transaction] = future
        try:
            reply = await self._http_json("POST", url, body)
            _raise_for_error(reply)
            if reply.get("janus") != "ack":
                return reply  # a synchronous plugin answer
            try:
                event = await asyncio.wait_for(future, self.timeout_s)
            except TimeoutError:
                raise JanusError(
                    f"Janus at {_origin(self.url)} accepted the request but did not answer "
                    f"within {self.timeout_s:.0f} s.",
                    retryable=True,
                ) from None
            _raise_for_error(event)
            return event
        finally:
            self._pending.pop(transaction, None)

    async def _http_json(self, method: str, url: str, body: Json | None = None) -> Json:
        assert self._http is not None
        try:
            async with self._http.request(
                method, url, json=body, timeout=aiohttp.ClientTimeout(total=self.timeout_s + 35)
            ) as response:
                if response.status != 200:
                    raise JanusError(
                        f"Janus at {_origin(self.url)} answered HTTP {response.status}; is this "
                        "the Janus HTTP API address (usually ending in /janus)?",
                        retryable=response.status >= 500,
                    )
                try:
                    data = await response.json(content_type=None)
                except ValueError:
                    data = None
        except aiohttp.ClientConnectionError as exc:
            raise JanusError(
                f"Cannot reach Janus at {_origin(self.url)} ({type(exc).__name__}).", retryable=True
            ) from None
        except TimeoutError:
            raise JanusError(
                f"Janus at {_origin(self.url)} did not answer in time.", retryable=True
            ) from None
        if not isinstance(data, dict) or "janus" not in data:
            raise JanusError(f"The server at {_origin(self.url)} does not speak the Janus API.")
        return data

    async def _poll(self) -> None:
        """The long poll: every asynchronous answer and event arrives here."""
        while self.session_id is not None:
            try:
                url = f"{self._session_url()}?maxev=10"
                if self._token:
                    url += f"&token={self._token}"
                assert self._http is not None
                async with self._http.get(url, timeout=aiohttp.ClientTimeout(total=70)) as resp:
                    gone = resp.status == 404
                    data = None if gone else await resp.json(content_type=None)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a dropped poll is retried; requests time out on their own
                log.info("Janus event poll failed: %s", type(exc).__name__)
                await asyncio.sleep(1.0)
                continue
            if gone or (isinstance(data, dict) and data.get("janus") == "error"):
                # The session is gone (timed out, server restarted): fail what waits on it
                # and stop polling, rather than asking again in a tight loop.
                error = JanusError("Janus lost our session.", 458, retryable=True)
                for future in self._pending.values():
                    if not future.done():
                        future.set_exception(error)
                log.info("Janus event poll ended: the session is gone")
                return
            if not isinstance(data, (dict, list)):
                await asyncio.sleep(1.0)  # not an answer we understand; do not spin
                continue
            for event in data if isinstance(data, list) else [data]:
                if isinstance(event, dict):
                    self._dispatch(event)

    def _dispatch(self, event: Json) -> None:
        future = self._pending.get(event.get("transaction", ""))
        if future is not None and not future.done() and event.get("janus") != "ack":
            future.set_result(event)
            return
        listener = self._listeners.get(int(event.get("sender", 0) or 0))
        if listener is not None:
            listener(event)

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(KEEPALIVE_S)
            try:
                await self._post(self._session_url(), {"janus": "keepalive"})
            except JanusError as exc:
                log.info("Janus keepalive failed: %s", exc.message)


class JanusHandle:
    """A plugin handle within a session."""

    def __init__(self, session: JanusSession, handle_id: int) -> None:
        self.session = session
        self.handle_id = handle_id
        self.events: asyncio.Queue[Json] = asyncio.Queue(maxsize=100)
        session._listeners[handle_id] = self._on_event

    def _on_event(self, event: Json) -> None:
        if self.events.full():
            self.events.get_nowait()  # keep the newest: old media/slowlink notes are stale
        self.events.put_nowait(event)

    def _url(self) -> str:
        return f"{self.session._session_url()}/{self.handle_id}"

    async def message(self, body: Json, jsep: Json | None = None) -> tuple[Json, Json | None]:
        """A plugin request; returns the plugin's data and the jsep that came with it."""
        request: Json = {"janus": "message", "body": body}
        if jsep is not None:
            request["jsep"] = jsep
        reply = await self.session._exchange(self._url(), request)
        data = reply.get("plugindata", {}).get("data", {})
        if "error_code" in data or "error" in data:
            code = data.get("error_code")
            raise JanusError(_plugin_message(code, str(data.get("error", ""))), code=code)
        return data, reply.get("jsep")

    async def trickle_done(self) -> None:
        """Tell Janus our offer/answer already holds every ICE candidate."""
        await self.session._post(
            self._url(), {"janus": "trickle", "candidate": {"completed": True}}
        )

    async def detach(self) -> None:
        self.session._listeners.pop(self.handle_id, None)
        with contextlib.suppress(JanusError):
            await self.session._post(self._url(), {"janus": "detach"})


def _raise_for_error(reply: Json) -> None:
    if reply.get("janus") == "error":
        error = reply.get("error", {})
        code = error.get("code")
        reason = str(error.get("reason", "unknown error"))
        if code == 403:
            raise JanusError(f"Janus refused the request: {reason} (check the token).", code)
        if code == 458:  # session gone (timed out or server restarted)
            raise JanusError(f"Janus lost our session: {reason}.", code, retryable=True)
        raise JanusError(f"Janus refused the request: {reason}.", code)


def _plugin_message(code: int | None, reason: str) -> str:
    if code == _NO_SUCH_ROOM:
        return f"There is no such Janus room ({reason})."
    if code in _UNAUTHORIZED:
        return f"Janus refused to let us in: {reason} (check the room PIN or token)."
    if code == _NO_SUCH_FEED:
        return f"Nobody is publishing to that Janus room ({reason})."
    return f"The Janus VideoRoom refused the request: {reason} (error {code})."


def _media_rejected(sdp: str, kind: str) -> bool:
    """Whether the answer turned down our `kind` section (port 0, or Janus's way: inactive),
    e.g. because the room wants another codec."""
    section: list[str] = []
    for line in sdp.splitlines():
        if line.startswith("m="):
            if section:
                break
            if line.startswith(f"m={kind} "):
                section = [line]
        elif section:
            section.append(line)
    if not section:
        return False
    return section[0].split()[1] == "0" or "a=inactive" in section


class JanusSignalling:
    """Publisher signalling into Janus VideoRoom `room` (created, for H.264 and Opus, if it
    does not exist and Janus lets us)."""

    def __init__(
        self,
        url: str,
        room: int,
        token: str | None = None,
        pin: str | None = None,
        display: str = "LiveDesk",
        max_bitrate: int = 6_000_000,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.url = url
        self.room = room
        self._token = token
        self._pin = pin
        self.display = display
        self.max_bitrate = max_bitrate
        self.timeout_s = timeout_s
        self.feed_id: int | None = None
        self._session: JanusSession | None = None
        self._handle: JanusHandle | None = None

    def __repr__(self) -> str:
        return f"JanusSignalling({_origin(self.url)}, room={self.room})"

    async def ice_servers(self) -> list[IceServer]:
        return []  # Janus hands out no STUN/TURN over its API; its own candidates suffice

    async def negotiate(self, offer_sdp: str) -> str:
        await self.close()
        session = JanusSession(self.url, self._token, self.timeout_s)
        self._session = session
        await session.open()
        handle = await session.attach(VIDEOROOM)
        self._handle = handle
        await self._ensure_room(handle)
        body: Json = {
            "request": "joinandconfigure",
            "room": self.room,
            "ptype": "publisher",
            "display": self.display,
            "bitrate": self.max_bitrate,
        }
        if self._pin:
            body["pin"] = self._pin
        data, jsep = await handle.message(
            body, {"type": "offer", "sdp": offer_sdp, "trickle": False}
        )
        if jsep is None or jsep.get("type") != "answer":
            raise JanusError("Janus joined us to the room but sent no SDP answer.")
        self.feed_id = int(data["id"]) if "id" in data else None
        answer = str(jsep["sdp"])
        if _media_rejected(answer, "video") and "m=video" in offer_sdp:
            raise JanusError(
                f"Janus room {self.room} does not accept H.264 video; create it with "
                'videocodec = "h264".'
            )
        await handle.trickle_done()
        return answer

    async def _ensure_room(self, handle: JanusHandle) -> None:
        data, _ = await handle.message({"request": "exists", "room": self.room})
        if data.get("exists"):
            return
        create: Json = {
            "request": "create",
            "room": self.room,
            "description": "LiveDesk",
            "publishers": 3,
            "videocodec": "h264",
            "audiocodec": "opus",
            "bitrate": self.max_bitrate,
            "fir_freq": 0,
            "permanent": False,
        }
        if self._pin:
            create["pin"] = self._pin
        try:
            await handle.message(create)
        except JanusError as exc:
            raise JanusError(
                f"Janus room {self.room} does not exist and could not be created: {exc.message}",
                exc.code,
            ) from None

    async def close(self) -> None:
        handle, self._handle = self._handle, None
        session, self._session = self._session, None
        if handle is not None:
            with contextlib.suppress(JanusError):
                await handle.message({"request": "leave"})
            await handle.detach()
        if session is not None:
            await session.destroy()


class JanusSubscriber:
    """Watches one publisher's feed in a Janus VideoRoom: Janus offers, the caller answers."""

    def __init__(
        self, url: str, room: int, token: str | None = None, timeout_s: float = DEFAULT_TIMEOUT_S
    ) -> None:
        self.url = url
        self.room = room
        self._token = token
        self.timeout_s = timeout_s
        self._session: JanusSession | None = None
        self._handle: JanusHandle | None = None

    async def publishers(self) -> list[int]:
        """The feed ids publishing in the room now."""
        handle = await self._ensure_handle()
        data, _ = await handle.message({"request": "listparticipants", "room": self.room})
        return [int(p["id"]) for p in data.get("participants", []) if p.get("publisher")]

    async def first_publisher(self, timeout_s: float = 10.0) -> int:
        """The first feed publishing in the room, waiting up to `timeout_s` for one to join
        (a viewer may open the room before the host goes live)."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            feeds = await self.publishers()
            if feeds:
                return feeds[0]
            if asyncio.get_running_loop().time() >= deadline:
                raise JanusError(f"Nobody is publishing in Janus room {self.room}.")
            await asyncio.sleep(0.2)

    async def offer(self, feed: int) -> str:
        """Ask Janus for `feed`; returns Janus's SDP offer."""
        handle = await self._ensure_handle()
        _, jsep = await handle.message(
            {
                "request": "join",
                "room": self.room,
                "ptype": "subscriber",
                "streams": [{"feed": feed}],
            }
        )
        if jsep is None or jsep.get("type") != "offer":
            raise JanusError("Janus let us subscribe but sent no SDP offer.")
        return str(jsep["sdp"])

    async def answer(self, answer_sdp: str) -> None:
        handle = await self._ensure_handle()
        await handle.message(
            {"request": "start"}, {"type": "answer", "sdp": answer_sdp, "trickle": False}
        )
        await handle.trickle_done()

    async def _ensure_handle(self) -> JanusHandle:
        if self._handle is None:
            self._session = JanusSession(self.url, self._token, self.timeout_s)
            await self._session.open()
            self._handle = await self._session.attach(VIDEOROOM)
        return self._handle

    async def close(self) -> None:
        handle, self._handle = self._handle, None
        session, self._session = self._session, None
        if handle is not None:
            await handle.detach()
        if session is not None:
            await session.destroy()
