"""The embedded relay: WHIP ingest, WHEP playback, a viewer page and the interaction hub,
in one aiohttp application on 127.0.0.1 by default.

It is for rehearsal, local preview and small rooms: one host publishes (token-protected WHIP),
a handful of viewers play (WHEP) the host's encoded media forwarded as-is (`fanout.py`).
Large audiences belong on a real SFU, reached over WHIP or Janus.

HTTP rules follow RFC 9725 (WHIP) and the WHEP draft: offers are POSTed as application/sdp,
201 with a relative Location, an ETag for the ICE session, trickle ICE by PATCH with
If-Match, DELETE to end. A new authenticated publisher replaces the current one (the host's
console reconnecting after a network drop must not be locked out by its own stale session).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web
from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from aiortc.rtcrtptransceiver import RTCRtpTransceiver
from aiortc.sdp import SessionDescription, candidate_from_sdp

from streaming.relay.fanout import EncodedTap, FanOut, ForwardTrack

log = logging.getLogger(__name__)

SDP = "application/sdp"
SDPFRAG = "application/trickle-ice-sdpfrag"
STATIC_DIR = Path(str(resources.files("streaming.relay") / "static"))
MAX_VIEWERS = 50
MAX_SDP_BYTES = 64 * 1024
PUBLISHER_SILENCE_S = 5.0

try:  # the interaction hub is a separate feature; the relay works without it
    from streaming.interaction.hub import InteractionHub
except ImportError:  # pragma: no cover - only while that feature is absent
    InteractionHub = None  # type: ignore[assignment,misc]


@dataclass
class _Session:
    """One WHIP or WHEP session: its peer connection and ICE ETag."""

    kind: str  # "whip" or "whep"
    pc: RTCPeerConnection
    etag: str = field(default_factory=lambda: f'"{secrets.token_hex(8)}"')
    tracks: list[ForwardTrack] = field(default_factory=list)
    created: float = field(default_factory=time.monotonic)


def _codecs(kind: str) -> list:
    mime = "video/h264" if kind == "video" else "audio/opus"
    return [
        c
        for c in RTCRtpSender.getCapabilities(kind).codecs
        if c.mimeType.lower() in (mime, f"{kind}/rtx")
    ]


def _parse_offer(text: str) -> SessionDescription:
    """The offer, or a 400 with a reason in plain words."""
    if not text.lstrip().startswith("v=0"):
        raise web.HTTPBadRequest(text="The body is not an SDP offer (it must start with v=0).")
    try:
        offer = SessionDescription.parse(text)
    except Exception as exc:
        raise web.HTTPBadRequest(text=f"The SDP offer could not be parsed: {exc}") from None
    if not any(m.kind in ("audio", "video") for m in offer.media):
        raise web.HTTPBadRequest(text="The SDP offer has no audio or video.")
    return offer


class Relay:
    """The relay's state and HTTP handlers. `attach(app)` adds its routes; `info(base)` is the
    JSON the command prints and `/info` serves."""

    def __init__(self, token: str, max_viewers: int = MAX_VIEWERS) -> None:
        if not token:
            raise ValueError("the relay needs a publish token")
        self._token = token
        self.max_viewers = max_viewers
        self.fanout = FanOut()
        self.sessions: dict[str, _Session] = {}
        self.publisher_id: str | None = None
        self.published_at: float | None = None
        self.hub = InteractionHub(token) if InteractionHub is not None else None
        self.base_url = ""
        self._watchdog: asyncio.Task[None] | None = None

    # ---- wiring ---------------------------------------------------------------------------

    def attach(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/", self._page)
        r.add_get("/info", self._info)
        r.add_get("/status", self._status)
        r.add_get("/static/danmaku.js", self._danmaku_js)
        r.add_static("/static/", STATIC_DIR)
        for endpoint in ("whip", "whep"):
            r.add_post(f"/{endpoint}", self._post)
            r.add_options(f"/{endpoint}", self._options)
            r.add_patch(f"/{endpoint}/{{id}}", self._patch)
            r.add_delete(f"/{endpoint}/{{id}}", self._delete)
        if self.hub is not None:
            self.hub.attach(app)
        app.on_startup.append(self._startup)
        app.on_shutdown.append(self._shutdown)

    def info(self, base_url: str) -> dict[str, Any]:
        ws = base_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        return {
            "whip": f"{base_url}/whip",
            "whep": f"{base_url}/whep",
            "viewer": f"{base_url}/",
            "interaction": f"{ws}/ws/viewer" if self.hub is not None else None,
            "interaction_host": f"{ws}/ws/host" if self.hub is not None else None,
        }

    async def _startup(self, app: web.Application) -> None:
        self._watchdog = asyncio.ensure_future(self._watch_publisher())

    async def _watch_publisher(self) -> None:
        """End a publisher that stopped sending (its process died without DELETE): viewers
        then see "stream ended" within seconds instead of aiortc's ~30 s ICE timeout."""
        while True:
            await asyncio.sleep(1.0)
            sid = self.publisher_id
            if sid is None or self.published_at is None:
                continue
            quiet_since = max(self.published_at, self.fanout.last_frame_at)
            if time.monotonic() - quiet_since > PUBLISHER_SILENCE_S:
                log.info("publisher %s sent nothing for %.0f s", sid, PUBLISHER_SILENCE_S)
                await self._end(sid)

    async def _shutdown(self, app: web.Application) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        await asyncio.gather(
            *(self._end(sid) for sid in list(self.sessions)), return_exceptions=True
        )

    # ---- pages and info -------------------------------------------------------------------

    async def _page(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    async def _danmaku_js(self, request: web.Request) -> web.StreamResponse:
        """The danmaku overlay script belongs to the interaction feature; served from there."""
        for candidate in (
            Path(str(resources.files("streaming.interaction"))) / "static",
            STATIC_DIR,
        ):
            path = candidate / "danmaku.js"
            if path.is_file():
                return web.FileResponse(path, headers={"Cache-Control": "no-cache"})
        raise web.HTTPNotFound(text="no danmaku overlay installed")

    async def _info(self, request: web.Request) -> web.Response:
        return web.json_response(self.info(self.base_url or _base_url(request)))

    async def _status(self, request: web.Request) -> web.Response:
        """What the viewer page polls: is the host live, how many watch."""
        return web.json_response(
            {
                "live": self.publisher_id is not None,
                "live_for_s": round(time.monotonic() - self.published_at, 1)
                if self.published_at is not None
                else None,
                "viewers": sum(1 for s in self.sessions.values() if s.kind == "whep"),
            },
            headers={"Cache-Control": "no-cache"},
        )

    # ---- WHIP / WHEP ----------------------------------------------------------------------

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), self._token.encode()
        )

    def _require_token(self, request: web.Request) -> None:
        if not self._authorized(request):
            raise web.HTTPUnauthorized(
                text="A valid publish token is required (Authorization: Bearer …).",
                headers={"WWW-Authenticate": 'Bearer realm="livedesk"'},
            )

    async def _options(self, request: web.Request) -> web.Response:
        return web.Response(status=204, headers={"Allow": "OPTIONS, POST", "Accept-Post": SDP})

    async def _post(self, request: web.Request) -> web.Response:
        endpoint = request.path.strip("/")
        if endpoint == "whip":
            self._require_token(request)
        elif sum(1 for s in self.sessions.values() if s.kind == "whep") >= self.max_viewers:
            raise web.HTTPServiceUnavailable(
                text="This relay is full; try again later.", headers={"Retry-After": "10"}
            )
        if request.content_type != SDP:
            raise web.HTTPUnsupportedMediaType(text=f"Send the offer as {SDP}.")
        if (request.content_length or 0) > MAX_SDP_BYTES:
            raise web.HTTPRequestEntityTooLarge(MAX_SDP_BYTES, request.content_length or 0)
        offer = _parse_offer(await request.text())
        sid = secrets.token_urlsafe(12)
        pc = RTCPeerConnection()
        session = _Session(endpoint, pc)
        try:
            if endpoint == "whip":
                self._prepare_ingest(pc, offer)
            else:
                self._prepare_viewer(session, offer)
            await pc.setRemoteDescription(RTCSessionDescription(await request.text(), "offer"))
            await pc.setLocalDescription(await pc.createAnswer())
        except web.HTTPException:
            await pc.close()
            raise
        except Exception as exc:
            await pc.close()
            for track in session.tracks:
                self.fanout.remove_track(track)
            raise web.HTTPUnprocessableEntity(
                text=f"Cannot accept this offer: {exc} (H.264 video and Opus audio are needed)."
            ) from None
        self.sessions[sid] = session
        pc.on("connectionstatechange", lambda: self._on_connection_state(sid))
        if endpoint == "whip":
            await self._replace_publisher(sid)
        log.info("%s session %s created", endpoint.upper(), sid)
        return web.Response(
            status=201,
            body=pc.localDescription.sdp.encode(),
            content_type=SDP,
            headers={
                "Location": f"/{endpoint}/{sid}",
                "ETag": session.etag,
                "Accept-Patch": SDPFRAG,
            },
        )

    def _prepare_ingest(self, pc: RTCPeerConnection, offer: SessionDescription) -> None:
        """Receive-only transceivers (H.264 + Opus) whose receivers feed the fan-out."""
        for media in offer.media:
            if media.kind not in ("audio", "video"):
                continue
            transceiver = pc.addTransceiver(media.kind, direction="recvonly")
            transceiver.setCodecPreferences(_codecs(media.kind))
            EncodedTap.install(transceiver.receiver, EncodedTap(media.kind, self.fanout.on_frame))

    def _prepare_viewer(self, session: _Session, offer: SessionDescription) -> None:
        """Send-only transceivers fed by forward tracks; a viewer's PLI asks the host."""
        for media in offer.media:
            if media.kind not in ("audio", "video"):
                continue
            track = self.fanout.new_track(media.kind)
            session.tracks.append(track)
            transceiver = session.pc.addTransceiver(track, direction="sendonly")
            transceiver.setCodecPreferences(_codecs(media.kind))
            if media.kind == "video":
                transceiver.sender._send_keyframe = self.fanout.keyframe_needed  # type: ignore[method-assign]

    async def _replace_publisher(self, sid: str) -> None:
        old, self.publisher_id = self.publisher_id, sid
        if old is not None:
            log.info("publisher %s replaced by %s", old, sid)
            await self._end(old)
        self.published_at = time.monotonic()
        session = self.sessions[sid]
        self.fanout.publisher_started(lambda: _send_pli(session.pc))

    def _on_connection_state(self, sid: str) -> None:
        session = self.sessions.get(sid)
        if session is not None and session.pc.connectionState in ("failed", "closed"):
            asyncio.ensure_future(self._end(sid))

    async def _end(self, sid: str) -> None:
        session = self.sessions.pop(sid, None)
        if session is None:
            return
        if sid == self.publisher_id:
            self.publisher_id = None
            self.published_at = None
            self.fanout.publisher_stopped()
        for track in session.tracks:
            self.fanout.remove_track(track)
            track.stop()
        await session.pc.close()
        log.info("%s session %s ended", session.kind.upper(), sid)

    def _session_for(self, request: web.Request) -> tuple[str, _Session]:
        endpoint = request.path.strip("/").split("/")[0]
        sid = request.match_info["id"]
        session = self.sessions.get(sid)
        if session is None or session.kind != endpoint:
            raise web.HTTPNotFound(text="No such session (it may have ended).")
        if endpoint == "whip":
            self._require_token(request)
        return sid, session

    async def _delete(self, request: web.Request) -> web.Response:
        sid, _ = self._session_for(request)
        await self._end(sid)
        return web.Response(status=200)

    async def _patch(self, request: web.Request) -> web.Response:
        """Trickle ICE (If-Match: the ETag). ICE restarts (If-Match: *) are not supported
        by aiortc, hence 422 as RFC 9725 asks of servers that do only one of the two."""
        _, session = self._session_for(request)
        if request.content_type != SDPFRAG:
            raise web.HTTPUnsupportedMediaType(text=f"Send ICE fragments as {SDPFRAG}.")
        if_match = request.headers.get("If-Match")
        if if_match is None:
            raise web.HTTPPreconditionRequired(text="PATCH needs an If-Match header.")
        if if_match.strip() == "*":
            raise web.HTTPUnprocessableEntity(text="This relay does not support ICE restarts.")
        if if_match.strip() != session.etag:
            raise web.HTTPPreconditionFailed(text="The ICE session has changed (stale ETag).")
        mid = None
        for line in (await request.text()).splitlines():
            line = line.strip()
            if line.startswith("a=mid:"):
                mid = line[6:]
            elif line.startswith("a=candidate:"):
                candidate = candidate_from_sdp(line[2:].split(":", 1)[1])
                candidate.sdpMid = mid
                await session.pc.addIceCandidate(candidate)
        return web.Response(status=204)


def _send_pli(pc: RTCPeerConnection) -> None:
    """Ask the publisher for a keyframe (RTCP PLI on the video receiver)."""
    for transceiver in pc.getTransceivers():
        if transceiver.kind == "video":
            ssrc = _remote_video_ssrc(transceiver, pc)
            if ssrc is not None:
                asyncio.ensure_future(transceiver.receiver._send_rtcp_pli(ssrc))


def _remote_video_ssrc(transceiver: RTCRtpTransceiver, pc: RTCPeerConnection) -> int | None:
    remote = pc.remoteDescription
    if remote is None:
        return None
    for media in SessionDescription.parse(remote.sdp).media:
        if media.kind == "video" and media.rtp.muxId == transceiver.mid and media.ssrc:
            return media.ssrc[0].ssrc
    return None


def _base_url(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


class RelayServer:
    """Runs a `Relay` on an aiohttp site; `start()`/`stop()` are coroutines for the caller's
    loop. `info` holds the endpoint URLs once started."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8787, token: str | None = None) -> None:
        self.host, self.port = host, port
        self.token = token or secrets.token_urlsafe(24)
        self.relay = Relay(self.token)
        self._runner: web.AppRunner | None = None
        self.info: dict[str, Any] = {}

    async def start(self) -> dict[str, Any]:
        app = web.Application(client_max_size=MAX_SDP_BYTES)
        self.relay.attach(app)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError:  # port taken: leave nothing half set up
            await self.stop()
            raise
        if self.port == 0:
            server = site._server
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.relay.base_url = f"http://{host}:{self.port}"
        self.info = self.relay.info(self.relay.base_url)
        return self.info

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def info_line(self) -> str:
        return json.dumps(self.info, separators=(",", ":"))
