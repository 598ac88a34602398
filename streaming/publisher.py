"""The WebRTC publisher: the console's video and processed audio to a relay, over aiortc.

It is an `Output` of the one encode (`streaming/encode_hub.py`): aiortc only packetizes the
packets the hub encoded, and a viewer's keyframe request (PLI/FIR) reaches the hub's encoder.
It runs on an asyncio loop thread of its own (never the GUI thread) and reports through two
callbacks, called on that thread: `on_state(state, message)` and `on_stats(PublishStats)`
once a second. How the offer reaches the media server is a small pluggable `Signalling`
(WHIP here; Janus VideoRoom in `streaming/janus.py`): the publisher only needs
`negotiate(offer_sdp) -> answer_sdp` and `close()`.

Connection loss is noticed from the relay's RTCP receiver reports stopping (aiortc's own ICE
consent check takes ~30 s); the publisher then reconnects with a fresh session, retrying every
`RECONNECT_RETRY_MAX_S` at most (so it is live again within seconds of the relay's return), until
stopped — or for `reconnect_window_s` if a caller sets one.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)

from capture.media import AudioBlock, VideoFrame
from capture.source import Source
from streaming.abr.adapter import Adapter, adaptive_profile
from streaming.abr.feedback import FeedbackCounters
from streaming.abr.memory import RateMemory
from streaming.abr.pacer import Pacer
from streaming.abr.rtcp import SenderReports
from streaming.encode_hub import EncodeHub
from streaming.encoder import EncodedPacket
from streaming.h264 import PROFILES
from streaming.loop_thread import LoopThread
from streaming.media_tracks import EncodedTrack
from streaming.notice import Notice, message_of
from streaming.output import Figures, Output, OutputState
from streaming.rendition_feed import RenditionFeed
from streaming.rtp_clock import RtpCaptureClock
from streaming.simulcast import LOW_PROFILES, main_rendition, track_id
from streaming.whip import IceServer, WhipClient, WhipError, WhipSession, url_origin

log = logging.getLogger(__name__)

RESOLUTIONS: dict[str, tuple[int, int]] = {
    name: (p.width, p.height) for name, p in PROFILES.items()
}


PublishState = OutputState  # the publisher's states are every output's


class Signalling(Protocol):
    """One way of getting an SDP answer for our offer from a media server."""

    async def ice_servers(self) -> list[IceServer]:
        """STUN/TURN servers to gather candidates with (may be empty)."""
        ...

    async def negotiate(self, offer_sdp: str) -> str:
        """Start a session with `offer_sdp`; return the server's SDP answer. Raises
        `WhipError` (or a subclass) with a plain-words message on failure. May be called
        again after `close()` to start a new session (reconnect)."""
        ...

    async def close(self) -> None:
        """End the current session on the server (best effort, never raises)."""
        ...


class WhipSignalling:
    """Signalling over WHIP (RFC 9725)."""

    def __init__(self, url: str, token: str | None = None, timeout_s: float = 10.0) -> None:
        self._client = WhipClient(url, token, timeout_s=timeout_s)
        self.relay = url_origin(url)  # what the learned rate is kept under
        self._session: WhipSession | None = None
        self._ice: list[IceServer] | None = None

    async def ice_servers(self) -> list[IceServer]:
        # Link headers of the last POST (RFC 9725) win; before the first, ask with OPTIONS.
        if self._ice is None:
            self._ice = await self._client.discover_ice_servers()
        return self._ice

    async def negotiate(self, offer_sdp: str) -> str:
        self._session = await self._client.offer(offer_sdp)
        if self._session.ice_servers:
            self._ice = self._session.ice_servers
        return self._session.answer_sdp

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            try:
                await session.delete()
            except WhipError as exc:
                log.info("WHIP session not deleted: %s", exc.message)
        await self._client.close()


class FailoverSignalling:
    """Several ingest URLs, as platforms give them: a primary and backups. Each offer goes to
    the current one; after `fail_after` failures in a row there (or at once, before the first
    session anywhere) it moves to the next, round the list, and `notice` says so in plain
    words. A relay that is only briefly gone keeps its publisher: one failure is not enough."""

    def __init__(self, choices: list[tuple[str, Signalling]], fail_after: int = 2) -> None:
        if not choices:
            raise ValueError("give at least one ingest URL")
        self._choices = choices
        self.fail_after = fail_after
        self.index = 0
        self.notice = ""
        self._failures = 0
        self._connected_once = False

    @property
    def current(self) -> Signalling:
        return self._choices[self.index][1]

    @property
    def relay(self) -> str:
        return str(getattr(self.current, "relay", ""))

    def where(self) -> str:
        """Which ingest is in use, for the host: empty on the primary."""
        if self.index == 0:
            return ""
        return f"backup ingest {self.index + 1} ({self._choices[self.index][0]})"

    async def ice_servers(self) -> list[IceServer]:
        return await self.current.ice_servers()

    async def negotiate(self, offer_sdp: str) -> str:
        last: WhipError | None = None
        for _ in range(len(self._choices)):
            try:
                answer = await self.current.negotiate(offer_sdp)
            except WhipError as exc:
                if not exc.retryable:
                    raise
                last = exc
                if not self.failed():
                    raise
                continue
            self._connected_once = True
            return answer
        assert last is not None
        raise last

    def failed(self) -> bool:
        """Count a failure on the current ingest; True when it moved to the next one."""
        self._failures += 1
        if len(self._choices) < 2 or (self._connected_once and self._failures < self.fail_after):
            return False
        before = self._choices[self.index][0]
        self.index = (self.index + 1) % len(self._choices)
        self._failures = 0
        label = self._choices[self.index][0]
        self.notice = f"{before} kept failing; moving to ingest {self.index + 1} ({label})."
        log.info("publisher: %s", self.notice)
        return True

    async def close(self) -> None:
        await self.current.close()


@dataclass
class PublishStats:
    """The sending figures shown to the host, once a second."""

    elapsed_s: float = 0.0
    wall_s: float = 0.0  # time.time() of the figures: benches line them up with other clocks
    video_kbps: float = 0.0
    audio_kbps: float = 0.0
    extra_video_kbps: float = 0.0  # the fixed extra renditions' video, together
    fps: float = 0.0
    width: int = 0
    height: int = 0
    rtt_ms: float | None = None
    packets_lost: int = 0
    loss_percent: float = 0.0
    nack_count: int = 0
    pli_count: int = 0
    frames_sent: int = 0
    frames_dropped: int = 0
    #: The adaptive-bitrate figures: good / fair / poor, rung, target, reason for the last change.
    quality: str = ""
    rendition: str = ""
    target_kbps: int = 0
    reason: str = ""
    reason_cause: str = ""  # the reason's key (streaming/abr/controller.py REASONS)
    reason_figure: int = 0
    queue_ms: int = 0  # the controller's queuing delay (RTT above its base)

    def to_dict(self) -> dict[str, float | int | None]:
        return asdict(self)


@dataclass(frozen=True)
class PublishOptions:
    resolution: str = "1080p"
    connect_timeout_s: float = 15.0
    #: No RTCP receiver report from the relay for this long means the connection is lost.
    silence_timeout_s: float = 5.0
    #: How long to keep trying to reconnect after losing a live connection (None: until stopped).
    reconnect_window_s: float | None = None
    #: Follow the link (streaming/abr): bitrate and picture size from the relay's feedback.
    adaptive: bool = True
    #: The rate to start at (bps); None: the learned rate for this relay, else the profile's.
    start_bitrate: int | None = None
    #: Where learned rates are kept (None: not kept).
    rate_memory: Path | None = None
    #: Fixed low renditions (`streaming.simulcast.LOW_PROFILES` keys) sent as more video
    #: tracks beside the main one, for a relay that gives each viewer what its link carries.
    renditions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.resolution not in RESOLUTIONS:
            raise ValueError(
                f"resolution must be one of {', '.join(RESOLUTIONS)}, not {self.resolution!r}"
            )
        height = min(RESOLUTIONS[self.resolution])
        for name in self.renditions:
            if name not in LOW_PROFILES:
                raise ValueError(
                    f"a rendition must be one of {', '.join(LOW_PROFILES)}, not {name!r}"
                )
            if min(LOW_PROFILES[name].width, LOW_PROFILES[name].height) >= height:
                raise ValueError(
                    f"the {name} rendition must be smaller than the {self.resolution} picture"
                )
        if len(set(self.renditions)) != len(self.renditions):
            raise ValueError("each rendition may be given once")


#: A cut to under this fraction of the rate drops the video queued for the old one (pacer).
FLUSH_BELOW = 0.5
RECONNECT_RETRY_FIRST_S = 0.5  # first retry after a loss
RECONNECT_RETRY_MAX_S = 1.0  # retries never wait longer (unless the relay says Retry-After)


class ConnectionLost(Exception):
    """The media connection to the relay stopped (message in plain words)."""


class NegotiationFailed(Exception):
    """The relay's answer could not be used (not retryable: a broken or incompatible relay)."""


StateCallback = Callable[[PublishState, str], None]
StatsCallback = Callable[[PublishStats], None]


class Publisher(Output):
    """Publishes `video` and `audio` (either may be None) through `signalling`, encoded by
    `hub` (shared with the other outputs; by default one of the publisher's own)."""

    name = "webrtc"

    def __init__(
        self,
        signalling: Signalling,
        video: Source[VideoFrame] | None,
        audio: Source[AudioBlock] | None,
        options: PublishOptions | None = None,
        on_state: StateCallback | None = None,
        on_stats: StatsCallback | None = None,
        hub: EncodeHub | None = None,
    ) -> None:
        super().__init__()
        if video is None and audio is None:
            raise ValueError("nothing to publish: give a video or an audio source")
        self.signalling = signalling
        self.video = video
        self.audio = audio
        self.options = options or PublishOptions()
        self.video_profile = PROFILES[self.options.resolution] if video is not None else None
        self.adapter: Adapter | None = None
        if self.video_profile is not None and self.options.adaptive:
            relay = str(getattr(signalling, "relay", ""))
            memory = RateMemory(self.options.rate_memory) if self.options.rate_memory else None
            start = self.options.start_bitrate
            if start is None and memory is not None and relay:
                start = memory.recall(relay)
            self.video_profile = adaptive_profile(self.video_profile, start)
            self.adapter = Adapter(self.video_profile, relay, memory)
        self.audio_codec = "opus" if audio is not None else None
        #: The fixed extra renditions, each its own output of the hub and track of the session.
        self.feeds = [RenditionFeed(n) for n in self.options.renditions if video is not None]
        self._main_track_id = (
            track_id(main_rendition(self.options.resolution, PROFILES[self.options.resolution]))
            if self.feeds
            else None
        )
        self._own_hub = hub is None
        self.hub = hub if hub is not None else EncodeHub(video, audio)
        self._on_state = on_state
        self._on_stats = on_stats
        self.stats = PublishStats()
        self._loop_thread: LoopThread | None = None
        self._task: asyncio.Task[None] | None = None
        self._live_since: float | None = None
        self._tracks: dict[str, EncodedTrack] = {}
        self._tracks_lock = threading.Lock()
        self._pacer: Pacer | None = None

    # -- the Output side, on the encoder's threads --------------------------------------------

    def on_packet(self, packet: EncodedPacket) -> None:
        with self._tracks_lock:
            track = self._tracks.get(packet.kind)
        if track is not None:
            track.push(packet)

    def figures(self) -> Figures:
        return {**self.stats.to_dict()}

    # -- control, from any thread ------------------------------------------------------------

    def start(self) -> None:
        """Begin publishing in the background; returns at once."""
        if self._loop_thread is not None:
            return
        self.hub.add(self)
        for feed in self.feeds:
            self.hub.add(feed)
        self._loop_thread = LoopThread("publisher")
        self._loop_thread.loop.call_soon_threadsafe(self._spawn)

    def _spawn(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self.run())

    def stop(self, timeout: float = 10.0) -> None:
        """Stop publishing, end the session on the relay (DELETE) and wait for the clean-up,
        at most `timeout` seconds."""
        thread, self._loop_thread = self._loop_thread, None
        if thread is None:
            return
        try:
            thread.run(self._cancel(), timeout)
        except Exception:  # a clean-up that overran must not block the caller forever
            log.warning("publisher clean-up did not finish in %.0f s", timeout)
        thread.stop()
        self.hub.remove(self)
        for feed in self.feeds:
            self.hub.remove(feed)
        if self._own_hub:
            self.hub.stop()

    async def _cancel(self) -> None:
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    # -- the loop ------------------------------------------------------------------------------

    async def run(self) -> None:
        """Connect, stay live, reconnect after losses; ends in FAILED or (cancelled) IDLE."""
        lost_at: float | None = None
        delay = RECONNECT_RETRY_FIRST_S
        try:
            self._set_state(PublishState.CONNECTING, Notice("Connecting to the relay…"))
            while True:
                try:
                    await self._session()
                    raise ConnectionLost(Notice("The relay closed the connection."))
                except (ConnectionLost, WhipError) as exc:
                    message = message_of(exc)
                    was_live = self._live_since is not None
                    self._live_since = None
                    if lost_at is None and not was_live:
                        self._set_state(PublishState.FAILED, message)
                        return
                    if isinstance(exc, WhipError) and not exc.retryable:
                        self._set_state(PublishState.FAILED, message)
                        return
                    if was_live:
                        lost_at, delay = time.monotonic(), RECONNECT_RETRY_FIRST_S
                    assert lost_at is not None
                    window = self.options.reconnect_window_s
                    if window is not None and time.monotonic() - lost_at > window:
                        self._set_state(
                            PublishState.FAILED,
                            Notice(
                                "Gave up reconnecting after {window:.0f} s. Last problem: {message}",
                                window=window,
                                message=message,
                            ),
                        )
                        return
                    wait_s = getattr(exc, "retry_after", None) or delay
                    self._set_state(
                        PublishState.RECONNECTING,
                        Notice(
                            "Connection lost ({message}) Reconnecting in {wait} s…",
                            message=message,
                            wait=max(1, round(wait_s)),
                        ),
                    )
                    await asyncio.sleep(wait_s)
                    delay = min(delay * 2, RECONNECT_RETRY_MAX_S)
                except NegotiationFailed as exc:
                    self._set_state(PublishState.FAILED, message_of(exc))
                    return
        except asyncio.CancelledError:
            self._set_state(PublishState.IDLE, Notice("Stopped."))
            raise
        except Exception as exc:  # never let an unexpected error vanish silently
            log.exception("publisher failed")
            self._set_state(PublishState.FAILED, Notice("Unexpected error: {exc}", exc=str(exc)))

    async def _session(self) -> None:
        """One session: offer, answer, connect, then watch it until it is lost."""
        ice = await self.signalling.ice_servers()
        config = RTCConfiguration(
            iceServers=[
                RTCIceServer(urls=s.urls, username=s.username, credential=s.credential) for s in ice
            ]
        )
        pc = RTCPeerConnection(config)
        video_track: EncodedTrack | None = None
        audio_track: EncodedTrack | None = None
        extra_tracks: list[EncodedTrack] = []
        counters = FeedbackCounters(self.request_keyframe)
        if self.adapter is not None:  # without adaptation (--no-adapt) no controller runs
            counters.on_report = lambda: self._adapt(counters)
        reports: asyncio.Task[None] | None = None
        try:
            if self.video is not None:
                video_track = EncodedTrack("video", self.request_keyframe, self._main_track_id)
                transceiver = pc.addTransceiver(video_track, direction="sendonly")
                transceiver.setCodecPreferences(_codecs("video", "video/H264"))
                counters.watch(transceiver.sender, self._capture_timed(video_track, transceiver))
                extra_tracks = [self._add_rendition(pc, feed) for feed in self.feeds]
            if self.audio is not None:
                audio_track = EncodedTrack("audio")
                transceiver = pc.addTransceiver(audio_track, direction="sendonly")
                transceiver.setCodecPreferences(_codecs("audio", "audio/opus"))
                SenderReports(transceiver.sender, self._capture_timed(audio_track, transceiver))
            with self._tracks_lock:
                self._tracks = {t.kind: t for t in (video_track, audio_track) if t is not None}
            await pc.setLocalDescription(await pc.createOffer())
            answer = await self.signalling.negotiate(pc.localDescription.sdp)
            try:
                await pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))
            except Exception as exc:
                raise NegotiationFailed(
                    Notice(
                        "The relay's answer is not a usable WebRTC description ({error}).",
                        error=f"{type(exc).__name__}: {str(exc)[:120]}",
                    )
                ) from None
            if video_track is not None and self.adapter is not None:
                self._pace(pc)
            await self._wait_connected(pc)
            if counters.sender_reports is not None and self.adapter is not None:
                reports = asyncio.ensure_future(counters.sender_reports.run())
            self._live_since = time.monotonic()
            where = getattr(self.signalling, "where", lambda: "")()
            self._set_state(
                PublishState.LIVE,
                Notice("Live via {where}.", where=where) if where else Notice("Live."),
            )
            await self._watch(pc, video_track, counters)
        finally:
            if reports is not None:
                reports.cancel()
            self._pacer = None
            with self._tracks_lock:
                self._tracks = {}
            for feed in self.feeds:
                feed.use(None)
            await pc.close()
            for track in (video_track, audio_track, *extra_tracks):
                if track is not None:
                    track.stop()  # aiortc only stops tracks whose sender had started
            await self.signalling.close()

    def _add_rendition(self, pc: RTCPeerConnection, feed: RenditionFeed) -> EncodedTrack:
        """`feed`'s rendition on a video track of its own, named for the relay; a keyframe
        request (PLI/FIR) on that track reaches that rendition's encoder."""
        track = EncodedTrack("video", feed.request_keyframe, track_id(feed.rendition))
        transceiver = pc.addTransceiver(track, direction="sendonly")
        transceiver.setCodecPreferences(_codecs("video", "video/H264"))
        transceiver.sender._send_keyframe = feed.request_keyframe  # type: ignore[method-assign]
        SenderReports(transceiver.sender, self._capture_timed(track, transceiver))
        feed.use(track)
        return track

    async def _wait_connected(self, pc: RTCPeerConnection) -> None:
        deadline = time.monotonic() + self.options.connect_timeout_s
        while pc.connectionState != "connected":
            if pc.connectionState in ("failed", "closed"):
                raise ConnectionLost(Notice("The media connection to the relay failed (ICE/DTLS)."))
            if time.monotonic() > deadline:
                raise ConnectionLost(
                    Notice(
                        "The relay answered, but no media connection came up within "
                        "{timeout:.0f} s (a firewall, or a TURN server may be needed).",
                        timeout=self.options.connect_timeout_s,
                    )
                )
            await asyncio.sleep(0.05)

    async def _watch(
        self, pc: RTCPeerConnection, video: EncodedTrack | None, counters: FeedbackCounters
    ) -> None:
        """Every second: gather stats, report them, and check the relay is still there."""
        meter = _RateMeter()
        last_report: float | None = None  # servers that never send reports are not watched
        reports_seen = counters.reports_seen
        while True:
            await asyncio.sleep(1.0)
            if pc.connectionState in ("failed", "closed"):
                raise ConnectionLost(Notice("The media connection to the relay failed."))
            stats = await self._collect(pc, video, counters, meter)
            if stats.latest_report is not None:
                last_report = max(last_report or 0.0, stats.latest_report)
            silent = 0.0 if last_report is None else time.monotonic() - last_report
            if silent > self.options.silence_timeout_s:
                raise ConnectionLost(
                    Notice(
                        "The relay stopped confirming our media {silent:.0f} s ago.", silent=silent
                    )
                )
            if self.adapter is not None:
                if counters.reports_seen == reports_seen:  # no report this second: NACKs only
                    self._adapt(counters, stats.figures.video_kbps * 1000)
                reports_seen = counters.reports_seen
                self._show_quality(stats.figures)
            self.stats = stats.figures
            if self._on_stats is not None:
                self._on_stats(stats.figures)

    async def _collect(
        self,
        pc: RTCPeerConnection,
        video: EncodedTrack | None,
        counters: FeedbackCounters,
        meter: _RateMeter,
    ) -> _Collected:
        figures = PublishStats(
            elapsed_s=time.monotonic() - (self._live_since or time.monotonic()),
            wall_s=time.time(),
            nack_count=counters.nacks,
            pli_count=counters.plis,
        )
        latest_report: float | None = None
        for index, sender in enumerate(pc.getSenders()):
            extra = sender.kind == "video" and sender.track is not video
            for report in (await sender.getStats()).values():
                if report.type == "outbound-rtp":
                    kbps = meter.kbps(f"sender{index}", report.bytesSent)
                    if extra:
                        figures.extra_video_kbps += kbps
                    elif sender.kind == "video":
                        figures.video_kbps = kbps
                    else:
                        figures.audio_kbps = kbps
                elif report.type == "remote-inbound-rtp" and not extra:
                    age = time.time() - report.timestamp.timestamp()
                    seen = time.monotonic() - max(0.0, age)
                    latest_report = seen if latest_report is None else max(latest_report, seen)
                    if (
                        sender.kind == "video" or figures.rtt_ms is None
                    ) and report.roundTripTime is not None:
                        figures.rtt_ms = round(report.roundTripTime * 1000, 1)
                    if sender.kind == "video" or self.video is None:
                        figures.packets_lost = max(0, report.packetsLost)
                        figures.loss_percent = round(report.fractionLost * 100 / 256, 2)
        if video is not None:
            figures.fps = meter.rate("frames", video.frames_sent)
            figures.frames_sent = video.frames_sent
            figures.frames_dropped = video.dropped + self.hub.frames_dropped
            if video.last_size:
                figures.width, figures.height = video.last_size
        return _Collected(figures, latest_report)

    def _capture_timed(self, track: EncodedTrack, transceiver: Any) -> RtpCaptureClock:
        """The clock that has the sender's reports tell capture time (streaming/rtp_clock.py:
        without it Chromium plays the sound 20–50 ms behind the picture)."""
        clock = RtpCaptureClock(transceiver.sender, track.kind, self.hub.origin_ns)
        track.on_sent = clock.frame_sent
        return clock

    def _pace(self, pc: RTCPeerConnection) -> None:
        """Spread each video frame's packets at 2.5 × the controller's target (see pacer)."""
        adapter = self.adapter
        assert adapter is not None
        for transceiver in pc.getTransceivers():
            if transceiver.kind == "video":
                sender = transceiver.sender
                ssrcs = {sender._ssrc, sender._rtx_ssrc}
                self._pacer = Pacer(lambda: adapter.controller.target_bps, ssrcs, sender._rtx_ssrc)
                self._pacer.install(sender.transport)

    def _adapt(self, counters: FeedbackCounters, sent_bps: float | None = None) -> None:
        """One controller step, run as each receiver report arrives (every 0.1 s from our
        relay): the first report that shows a drop acts on it. A cut to under half drops the
        stale video still on its way out and asks for a keyframe at the new rate (pacer)."""
        assert self.adapter is not None and self.video_profile is not None
        feedback = counters.feedback(time.monotonic(), sent_bps)
        before, target = self.adapter.rung, self.adapter.controller.target_bps
        quality = self.adapter.tick(feedback, self.hub.encoder(self.video_profile))
        if self.audio_codec is not None:
            self.hub.set_audio_bitrate(self.audio_codec, self.adapter.audio_bps)
        if self.adapter.controller.target_bps < target * FLUSH_BELOW and self._pacer is not None:
            self._pacer.flush()
            self.request_keyframe()
            log.info("publisher: rate cut to %d kbps, stale video dropped", quality.target_kbps)
        if self.adapter.rung != before:
            log.info("publisher picture now %s: %s", quality.rung, quality.reason)

    def _show_quality(self, figures: PublishStats) -> None:
        assert self.adapter is not None
        quality = self.adapter.quality()
        figures.quality, figures.rendition = quality.grade, quality.rung
        figures.target_kbps, figures.reason = quality.target_kbps, quality.reason
        figures.reason_cause, figures.reason_figure = quality.cause, quality.figure
        figures.queue_ms = round(self.adapter.controller.queuing_delay_s * 1000)

    def _set_state(self, state: PublishState, message: str) -> None:
        self.set_state(state, message)
        log.info("publisher %s: %s", state.value, message)
        if self._on_state is not None:
            try:
                self._on_state(state, message)
            except Exception:
                log.exception("publisher state listener failed")


@dataclass
class _Collected:
    figures: PublishStats
    latest_report: float | None


class _RateMeter:
    """Per-second rates from cumulative counters."""

    def __init__(self) -> None:
        self._last: dict[str, tuple[float, int]] = {}

    def rate(self, key: str, total: int) -> float:
        now = time.monotonic()
        then, before = self._last.get(key, (now, total))
        self._last[key] = (now, total)
        return round((total - before) / (now - then), 1) if now > then else 0.0

    def kbps(self, key: str, total_bytes: int) -> float:
        return round(self.rate(key, total_bytes) * 8 / 1000, 1)


def _codecs(kind: str, mime: str) -> list[Any]:
    """Our capabilities for `kind` limited to `mime` (plus RTX for retransmissions)."""
    caps = RTCRtpSender.getCapabilities(kind).codecs
    return [c for c in caps if c.mimeType.lower() in (mime.lower(), f"{kind}/rtx")]
