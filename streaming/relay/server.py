"""The embedded relay: WHIP ingest, WHEP playback, a viewer page and the interaction hub,
in one aiohttp application on 127.0.0.1 by default.

It is for rehearsal, local preview and small rooms: one host publishes (token-protected WHIP),
a handful of viewers play (WHEP) the host's encoded media forwarded as-is (`fanout.py`).
Large audiences belong on a real SFU, reached over WHIP or Janus.

HTTP rules follow RFC 9725 (WHIP) and the WHEP draft: offers are POSTed as application/sdp,
201 with a relative Location, an ETag for the ICE session, trickle ICE by PATCH with
If-Match, DELETE to end. A new authenticated publisher replaces the current one (the host's
console reconnecting after a network drop must not be locked out by its own stale session).

Hostile or careless clients are bounded (README, "Hardening"): sessions that do not connect
within `PENDING_TIMEOUT_S` are closed, offers and unfinished sessions are bounded per address
and in total (`admission.py`: a flood of offers evicts its own pending sessions, not viewers),
a viewer's offer may carry one audio, one video and one data m-line (a publisher's up to
`MAX_RENDITIONS` video ones, each a rendition, named as `streaming/simulcast.py` says), every body is
read with a timeout, every malformed request gets a 4xx in plain words, the relay uses only the
ICE servers it is given and binds media where it binds HTTP. The publish token (WHIP) and the
host token (the hub's `/ws/host`) are separate secrets.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import json
import logging
import secrets
import time
from collections import Counter
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web
from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.rtcicetransport import connection_kwargs
from aiortc.rtcrtptransceiver import RTCRtpTransceiver
from aiortc.sdp import SessionDescription, candidate_from_sdp

from streaming.abr.rtcp import ReceiverReports
from streaming.guard.connections import ServerLimits, serve
from streaming.guard.http import BODY_TIMEOUT_S, HostPolicy, guard_middlewares, read_text
from streaming.interaction.ratelimit import address_key
from streaming.relay.admission import Admission, AdmissionLimits
from streaming.relay.fanout import EncodedTap, FanOut, ForwardTrack
from streaming.relay.media_bind import bind_addresses, media_addresses
from streaming.relay.viewer_link import ViewerLink
from streaming.simulcast import Rendition, rendition_of

log = logging.getLogger(__name__)

SDP = "application/sdp"
SDPFRAG = "application/trickle-ice-sdpfrag"
STATIC_DIR = Path(str(resources.files("streaming.relay") / "static"))
MAX_VIEWERS = 50
MAX_SDP_BYTES = 64 * 1024
PUBLISHER_SILENCE_S = 5.0
PENDING_TIMEOUT_S = 5.0  # ICE + DTLS must complete within this, or the session is closed
MAX_RENDITIONS = 3  # video tracks a publisher may send, each a rendition of its program
MAX_MLINES = {  # what the relay takes per session
    "whip": {"audio": 1, "video": MAX_RENDITIONS, "application": 1},
    "whep": {"audio": 1, "video": 1, "application": 1},
}
MAX_CANDIDATES_PER_PATCH = 20

try:  # the interaction hub is a separate feature; the relay works without it
    from streaming.interaction.hub import InteractionHub
except ImportError:  # pragma: no cover - only while that feature is absent
    InteractionHub = None  # type: ignore[assignment,misc]


@dataclass
class _Session:
    """One WHIP or WHEP session: its peer connection and ICE ETag."""

    kind: str  # "whip" or "whep"
    pc: RTCPeerConnection
    address: str = "unknown"
    etag: str = field(default_factory=lambda: f'"{secrets.token_hex(8)}"')
    tracks: list[ForwardTrack] = field(default_factory=list)
    created: float = field(default_factory=time.monotonic)
    connected_at: float | None = None  # None while ICE/DTLS has not completed
    loops: list[asyncio.Task[None]] = field(default_factory=list)  # e.g. fast receiver reports
    links: list[ViewerLink] = field(default_factory=list)  # a viewer's: what its link carries
    #: A publisher's: its video transceivers by rendition ("" for an only, unnamed video).
    video: dict[str, RTCRtpTransceiver] = field(default_factory=dict)
    renditions: tuple[Rendition, ...] = ()  # a publisher's named renditions, best first


def _codecs(kind: str) -> list[Any]:
    mime = "video/h264" if kind == "video" else "audio/opus"
    return [
        c
        for c in RTCRtpSender.getCapabilities(kind).codecs
        if c.mimeType.lower() in (mime, f"{kind}/rtx")
    ]


def _parse_offer(text: str, endpoint: str) -> SessionDescription:
    """The offer, or a 400 with a reason in plain words."""
    if not text.lstrip().startswith("v=0"):
        raise web.HTTPBadRequest(text="The body is not an SDP offer (it must start with v=0).")
    kinds = Counter(
        line[2:].split(" ", 1)[0] for line in text.splitlines() if line.startswith("m=")
    )
    limits = MAX_MLINES[endpoint]
    for kind, count in kinds.items():
        if count > limits.get(kind, 0):
            allowed = ", ".join(f"{n} {k}" for k, n in limits.items())
            raise web.HTTPBadRequest(
                text=f"The offer has {count} “{kind[:20]}” media sections; "
                f"this relay takes at most {allowed}."
            )
    try:
        offer = SessionDescription.parse(text)
    except Exception:
        raise web.HTTPBadRequest(text="The SDP offer could not be parsed.") from None
    if not any(m.kind in ("audio", "video") for m in offer.media):
        raise web.HTTPBadRequest(text="The SDP offer has no audio or video.")
    return offer


class Relay:
    """The relay's state and HTTP handlers. `attach(app)` adds its routes; `info(base)` is the
    JSON the command prints and `/info` serves."""

    def __init__(
        self,
        token: str,
        max_viewers: int = MAX_VIEWERS,
        *,
        host_token: str | None = None,
        ice_servers: Sequence[RTCIceServer] = (),
        bind_host: str = "127.0.0.1",
        policy: HostPolicy | None = None,
        hub_limits: Any = None,
        admission: AdmissionLimits | None = None,
    ) -> None:
        """`token` publishes (WHIP); `host_token` reads the audience (the hub's /ws/host;
        a random one if not given — never the publish token). `ice_servers`: the only STUN or
        TURN servers the relay's peer connections use (none by default: on loopback and LAN
        host candidates suffice)."""
        if not token:
            raise ValueError("the relay needs a publish token")
        host_token = host_token or secrets.token_urlsafe(24)
        if hmac.compare_digest(host_token.encode(), token.encode()):
            raise ValueError("the host token must differ from the publish token")
        self._token = token
        self.host_token = host_token
        self.admission = Admission(max_viewers, admission)
        self.body_timeout_s = BODY_TIMEOUT_S
        self.pending_timeout_s = PENDING_TIMEOUT_S
        self.ice_servers = list(ice_servers)
        try:
            connection_kwargs(self.ice_servers)
        except ValueError as exc:
            raise ValueError(f"an ICE server URL is not usable ({exc})") from None
        self._media_addresses = bind_addresses(bind_host)
        self.fanout = FanOut()
        self.sessions: dict[str, _Session] = {}
        self.publisher_id: str | None = None
        self.published_at: float | None = None
        self.counters: Counter[str] = Counter()
        self.hub = (
            InteractionHub(host_token, hub_limits, origins=policy)
            if InteractionHub is not None
            else None
        )
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
        then see "stream ended" within seconds instead of aiortc's ~30 s ICE timeout. End
        sessions that never connected (an offer without candidates, a client that went away)
        so they do not hold a viewer place and a UDP socket."""
        while True:
            await asyncio.sleep(0.5)
            now = time.monotonic()
            for pending, session in list(self.sessions.items()):
                if session.connected_at is None and now - session.created > self.pending_timeout_s:
                    self.counters["sessions_timed_out"] += 1
                    log.info(
                        "%s session %s did not connect within %.0f s",
                        session.kind.upper(),
                        pending,
                        self.pending_timeout_s,
                    )
                    await self._end(pending)
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
                "viewers": sum(
                    1
                    for s in self.sessions.values()
                    if s.kind == "whep" and s.connected_at is not None
                ),
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
        address = address_key(
            request.transport.get_extra_info("peername") if request.transport else None
        )
        if request.content_type != SDP:
            raise web.HTTPUnsupportedMediaType(text=f"Send the offer as {SDP}.")
        try:
            evict = self.admission.admit(endpoint, address, self.sessions, time.monotonic())
        except web.HTTPException as refusal:
            self.counters[f"refused.{refusal.status}"] += 1
            raise
        text = await read_text(request, MAX_SDP_BYTES, self.body_timeout_s)
        offer = _parse_offer(text, endpoint)
        for stale in evict:
            if stale in self.sessions and self.sessions[stale].connected_at is None:
                self.counters["sessions_evicted"] += 1
                log.info("pending WHEP session %s closed to make room", stale)
                await self._end(stale)
        sid = secrets.token_urlsafe(12)
        pc = RTCPeerConnection(RTCConfiguration(iceServers=list(self.ice_servers)))
        session = _Session(endpoint, pc, address)
        try:
            if endpoint == "whip":
                self._prepare_ingest(session, offer)
            else:
                self._prepare_viewer(session, offer)
            with media_addresses(self._media_addresses):
                await pc.setRemoteDescription(RTCSessionDescription(text, "offer"))
                await pc.setLocalDescription(await pc.createAnswer())
        except web.HTTPException:
            await self._discard(session)
            raise
        except Exception as exc:
            await self._discard(session)
            log.info("%s offer refused: %s", endpoint.upper(), type(exc).__name__)
            raise web.HTTPUnprocessableEntity(
                text="Cannot accept this offer (H.264 video and Opus audio are needed)."
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

    async def _discard(self, session: _Session) -> None:
        """A session that never got an id (its offer was refused)."""
        for track in session.tracks:
            self.fanout.remove_track(track)
            track.stop()
        await session.pc.close()

    def _prepare_ingest(self, session: _Session, offer: SessionDescription) -> None:
        """Receive-only transceivers (H.264 + Opus) whose receivers feed the fan-out, each
        video one's frames as those of the rendition its track id names."""
        renditions = _renditions(offer)
        named = iter(renditions)
        for media in offer.media:
            if media.kind not in ("audio", "video"):
                continue
            transceiver = session.pc.addTransceiver(media.kind, direction="recvonly")
            transceiver.setCodecPreferences(_codecs(media.kind))
            on_frame = self.fanout.on_frame
            if media.kind == "video":
                rendition = next(named)
                name = rendition.name if rendition is not None else ""
                session.video[name] = transceiver
                on_frame = functools.partial(self.fanout.on_frame, rendition=name)
            EncodedTap.install(transceiver.receiver, EncodedTap(media.kind, on_frame))
        found = [r for r in renditions if r is not None]
        session.renditions = tuple(sorted(found, key=lambda r: -r.bitrate_bps))

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
                transceiver.sender._send_keyframe = functools.partial(  # type: ignore[method-assign]
                    self.fanout.viewer_pli, track
                )
                session.links.append(ViewerLink(transceiver.sender, track))

    async def _replace_publisher(self, sid: str) -> None:
        old, self.publisher_id = self.publisher_id, sid
        if old is not None:
            log.info("publisher %s replaced by %s", old, sid)
            await self._end(old)
        self.published_at = time.monotonic()
        session = self.sessions[sid]
        self.fanout.set_renditions(session.renditions)
        self.fanout.publisher_started(functools.partial(_send_pli, session))

    def _on_connection_state(self, sid: str) -> None:
        session = self.sessions.get(sid)
        if session is None:
            return
        state = session.pc.connectionState
        if state == "connected" and session.connected_at is None:
            session.connected_at = time.monotonic()
            if session.kind == "whip":  # the host's congestion control reacts to these
                for transceiver in session.pc.getTransceivers():
                    reports = ReceiverReports(transceiver.receiver)
                    session.loops.append(asyncio.ensure_future(reports.run()))
            for link in session.links:  # a viewer's rendition follows its own link
                session.loops.append(asyncio.ensure_future(link.run()))
        elif state in ("failed", "closed"):
            _spawn(self._end(sid))

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
        for loop in session.loops:
            loop.cancel()
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
        lines = [
            line.strip()
            for line in (await read_text(request, MAX_SDP_BYTES, self.body_timeout_s)).splitlines()
        ]
        if sum(1 for line in lines if line.startswith("a=candidate:")) > MAX_CANDIDATES_PER_PATCH:
            raise web.HTTPBadRequest(
                text=f"At most {MAX_CANDIDATES_PER_PATCH} candidates per PATCH."
            )
        mids = {t.mid for t in session.pc.getTransceivers()}
        for line in lines:
            if line.startswith("a=mid:"):
                mid = line[6:]
            elif line.startswith("a=candidate:"):
                if mid not in mids:
                    raise web.HTTPBadRequest(text="The candidate names no media of this session.")
                try:
                    candidate = candidate_from_sdp(line[2:].split(":", 1)[1])
                    candidate.sdpMid = mid
                    await session.pc.addIceCandidate(candidate)
                except (ValueError, IndexError, AssertionError, TypeError):
                    raise web.HTTPBadRequest(
                        text="Not a valid ICE candidate line (RFC 8839)."
                    ) from None
        return web.Response(status=204)


_background: set[asyncio.Future[Any]] = set()


def _spawn(work: Coroutine[Any, Any, Any]) -> None:
    """Run `work` in the background, held until it is done: the loop keeps only a weak
    reference to a task, so a bare one may be collected before it runs."""
    task = asyncio.ensure_future(work)
    _background.add(task)
    task.add_done_callback(_background.discard)


def _renditions(offer: SessionDescription) -> list[Rendition | None]:
    """The rendition each of a publisher's video m-lines names, in order (None: not named);
    with several video m-lines each must name a different one, or a 400 says so."""
    named = [rendition_of(offer.webrtc_track_id(m)) for m in offer.media if m.kind == "video"]
    names = {r.name for r in named if r is not None}
    if len(named) > 1 and len(names) < len(named):
        raise web.HTTPBadRequest(
            text=f"The offer has {len(named)} video tracks; each must name a different "
            "rendition in its track id (livedesk-NAME-WIDTHxHEIGHT-BPS)."
        )
    return named


def _send_pli(session: _Session, rendition: str) -> None:
    """Ask the publisher for a keyframe of `rendition` (RTCP PLI on that video receiver; a
    name it does not send means its first video)."""
    transceiver = session.video.get(rendition) or next(iter(session.video.values()), None)
    if transceiver is None:
        return
    ssrc = _remote_video_ssrc(transceiver, session.pc)
    if ssrc is not None:
        _spawn(transceiver.receiver._send_rtcp_pli(ssrc))


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
    """Runs a `Relay` on an aiohttp site behind the server guards; `start()`/`stop()` are
    coroutines for the caller's loop. `info` holds the endpoint URLs once started.

    `allowed_hosts`: names besides its own the relay answers to (a DNS name, a reverse
    proxy's); `allowed_origins`: pages elsewhere that may open its viewer WebSocket."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8787,
        token: str | None = None,
        *,
        host_token: str | None = None,
        ice_servers: Sequence[RTCIceServer] = (),
        allowed_hosts: Sequence[str] = (),
        allowed_origins: Sequence[str] = (),
        hub_limits: Any = None,
        limits: ServerLimits | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.token = token or secrets.token_urlsafe(24)
        self.policy = HostPolicy(host, allowed_hosts, allowed_origins)
        self.relay = Relay(
            self.token,
            host_token=host_token,
            ice_servers=ice_servers,
            bind_host=host,
            policy=self.policy,
            hub_limits=hub_limits,
        )
        self.limits = limits or ServerLimits(
            max_connections_per_address=self.relay.hub.limits.per_address.max_connections
            if self.relay.hub is not None
            else ServerLimits.max_connections_per_address
        )
        self._runner: web.AppRunner | None = None
        self.info: dict[str, Any] = {}

    @property
    def host_token(self) -> str:
        return self.relay.host_token

    async def start(self) -> dict[str, Any]:
        app = web.Application(
            client_max_size=MAX_SDP_BYTES, middlewares=guard_middlewares(self.policy)
        )
        self.relay.attach(app)
        self._runner, site = await serve(app, self.host, self.port, self.limits)
        self.port = site.port
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
