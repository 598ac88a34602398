"""The "Go live" controller: what the host's Go live / Stop buttons drive.

It owns the publisher (which runs on its own loop thread) and, when no relay is configured,
an embedded relay on this computer so a newcomer sees the whole loop on one machine. Views
observe it through signals, all delivered on the GUI thread; nothing here blocks that thread
(stopping, which waits for the relay to confirm, happens on a worker thread).

It also owns the one encode of the program (`hub`, see streaming/encode_hub.py) that the main
stream, the other destinations (`destinations`, app/destinations.py) and the recording
(`recording`, app/recording.py) all share.

Settings (section "golive", never the token): mode ("whip" or "janus"), whip_url, janus_url,
janus_room, resolution, embedded_port. Tokens live in the OS keyring (app/secrets.py).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from app import secrets
from app.destinations import DestinationsController
from app.i18n import translated
from app.paths import config_dir
from app.recording import RecordingController
from streaming.encode_hub import EncodeHub
from streaming.encoder import EncoderChoice
from streaming.h264 import PROFILES, VideoProfile
from streaming.notice import message_of
from streaming.publisher import (
    RESOLUTIONS,
    Publisher,
    PublishOptions,
    PublishState,
    PublishStats,
    Signalling,
    WhipSignalling,
)
from streaming.whip import url_origin

RATE_MEMORY_FILE = "learned-bitrates.json"  # streaming/abr/memory.py: a show starts at full quality

log = logging.getLogger(__name__)

SECTION = "golive"
DEFAULTS: dict[str, Any] = {
    "mode": "whip",
    "whip_url": "",
    "janus_url": "",
    "janus_room": 1234,
    "resolution": "1080p",
    "embedded_port": 8787,
}


class EmbeddedRelay:
    """The built-in relay, served from its own loop thread (127.0.0.1 only)."""

    def __init__(self, port: int) -> None:
        from streaming.loop_thread import LoopThread
        from streaming.relay import RelayServer

        self.thread = LoopThread("embedded-relay")
        try:
            self.server = RelayServer("127.0.0.1", port)
            self.info: dict[str, Any] = self.thread.run(self.server.start(), timeout=10)
        except OSError:  # the port is taken (another console, a `livedesk relay`): any port
            self.server = RelayServer("127.0.0.1", 0)
            self.info = self.thread.run(self.server.start(), timeout=10)

    @property
    def token(self) -> str:
        return self.server.token

    @property
    def host_token(self) -> str:
        """The audience hub's token (a different secret from the publish token)."""
        return self.server.host_token

    def stop(self) -> None:
        try:
            self.thread.run(self.server.stop(), timeout=5)
        finally:
            self.thread.stop()


class GoLiveController(QObject):
    """States: idle, connecting, live, reconnecting, failed (PublishState values)."""

    #: (state value, plain-words message)
    state_changed = Signal(str, str)
    #: PublishStats.to_dict(), once a second while live
    stats_updated = Signal(dict)
    #: whole seconds live (0 when not live)
    elapsed_changed = Signal(int)
    #: endpoint URLs of the embedded relay once it runs ({} when stopped)
    relay_info_changed = Signal(dict)
    #: a problem the host should read that is not a state change (e.g. keyring unavailable)
    notice = Signal(str)

    _publisher_state = Signal(object, object, object)  # (state, message, publisher), cross-thread
    _publisher_stats = Signal(object, object)  # (PublishStats, publisher), cross-thread

    def __init__(self, core: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.settings: dict[str, Any] = {**DEFAULTS, **core.settings.section(SECTION)}
        self.state = PublishState.IDLE
        self.message = QCoreApplication.translate("GoLiveController", "Not live.")
        self.stats: dict[str, Any] = {}
        self.embedded: EmbeddedRelay | None = None
        self._publisher: Publisher | None = None
        self._stopping: Publisher | None = None
        self._target_label = ""
        self._live_since: float | None = None
        self._session_token: dict[str, str] = {}  # tokens the keyring could not keep
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._publisher_state.connect(self._on_publisher_state)
        self._publisher_stats.connect(self._on_publisher_stats)
        self._inbox = _Inbox(self)
        self.destroyed.connect(self._inbox.close)
        self._hub: EncodeHub | None = None
        self._recording_for_live = False
        self.destinations = DestinationsController(self, parent=self)
        self.recording = RecordingController(self, parent=self)

    # ---- the one encode ------------------------------------------------------------------

    @property
    def hub(self) -> EncodeHub:
        """The program's encode, shared by every output (made on first use)."""
        if self._hub is None:
            program = self.core.program
            self._hub = EncodeHub(program.video, program.audio)
        return self._hub

    def profile(self) -> VideoProfile:
        """The rendition every output takes (one encode): the chosen resolution's."""
        return PROFILES[str(self.settings["resolution"])]

    def encoder_choice(self) -> EncoderChoice:
        """Which H.264 encoder the machine's probe chose (and what it passed over)."""
        from streaming.encoder import machine_h264_encoder

        return machine_h264_encoder()

    # ---- settings and tokens -------------------------------------------------------------

    def configure(self, **values: Any) -> None:
        """Change and persist non-secret settings (keys of DEFAULTS)."""
        unknown = set(values) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown go-live settings: {', '.join(sorted(unknown))}")
        if "resolution" in values and values["resolution"] not in RESOLUTIONS:
            raise ValueError(f"resolution must be one of {', '.join(RESOLUTIONS)}")
        self.settings.update(values)
        self.core.settings.update_section(SECTION, values)

    def target_url(self) -> str:
        key = "janus_url" if self.settings["mode"] == "janus" else "whip_url"
        return str(self.settings[key]).strip()

    def token_for(self, url: str) -> str:
        return self._session_token.get(url) or secrets.get_token(url) or ""

    def save_token(self, url: str, token: str) -> None:
        """Keep the token in the OS keyring; if there is none, for this session only."""
        self._session_token.pop(url, None)
        try:
            secrets.set_token(url, token)
        except secrets.SecretStoreError as exc:
            if token:
                self._session_token[url] = token
            self.notice.emit(str(exc))

    # ---- embedded relay ------------------------------------------------------------------

    def start_embedded_relay(self) -> dict[str, Any]:
        """Start the built-in relay if it is not running; returns its endpoint URLs."""
        if self.embedded is None:
            self.embedded = EmbeddedRelay(int(self.settings["embedded_port"]))
            log.info("embedded relay at %s", self.embedded.info["viewer"])
            self.relay_info_changed.emit(dict(self.embedded.info))
        return dict(self.embedded.info)

    # ---- going live ----------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._publisher is not None

    def go_live(self) -> None:
        """Start publishing to the configured target (the embedded relay if none)."""
        if self._publisher is not None:
            return
        try:
            signalling = self._signalling()
            options = PublishOptions(
                resolution=str(self.settings["resolution"]),
                rate_memory=config_dir() / RATE_MEMORY_FILE,
            )
        except Exception as exc:  # bad URL, bad room, bad resolution: say so, stay idle
            self._set_state(PublishState.FAILED, translated(message_of(exc)))
            return
        url = self.target_url()
        self._target_label = (
            url_origin(url)
            if url
            else QCoreApplication.translate(
                "GoLiveController", "the built-in relay (this computer)"
            )
        )
        media = self.core.program  # what viewers see and hear: the program
        inbox = self._inbox
        publisher = Publisher(
            signalling,
            media.video,
            media.audio,
            options,
            on_state=lambda s, m: inbox.state(publisher, s, m),
            on_stats=lambda st: inbox.stats(publisher, st),
            hub=self.hub,
        )
        self._publisher = publisher
        self.stats = {}
        self._set_state(
            PublishState.CONNECTING,
            QCoreApplication.translate("GoLiveController", "Connecting to the relay…"),
        )
        publisher.start()
        if self.recording.settings["while_live"] and not self.recording.recording:
            self._recording_for_live = True
            self.recording.start()

    def _signalling(self) -> Signalling:
        url = self.target_url()
        if self.settings["mode"] == "janus":
            from streaming.janus import JanusSignalling

            if not url:
                raise ValueError(
                    QCoreApplication.translate(
                        "GoLiveController", "Enter the Janus server URL first."
                    )
                )
            return JanusSignalling(
                url, int(self.settings["janus_room"]), token=self.token_for(url) or None
            )
        if not url:
            info = self.start_embedded_relay()
            assert self.embedded is not None
            return WhipSignalling(info["whip"], self.embedded.token)
        return WhipSignalling(url, self.token_for(url) or None)

    def stop(self) -> None:
        """Stop publishing. Returns at once; the state becomes idle when the relay has been
        told (or after a short timeout if it cannot be reached)."""
        publisher, self._publisher = self._publisher, None
        self._timer.stop()
        self._live_since = None
        self.elapsed_changed.emit(0)
        if self._recording_for_live:
            self._recording_for_live = False
            self.recording.stop()
        if publisher is None:
            return
        self._stopping = publisher
        self._set_state(
            PublishState.IDLE, QCoreApplication.translate("GoLiveController", "Stopping…")
        )
        _stop_in_background(publisher)

    def shutdown(self) -> None:
        """On exit: stop publishing and the embedded relay (waits briefly)."""
        self._inbox.close()
        publisher, self._publisher = self._publisher, None
        if publisher is not None:
            publisher.stop(timeout=5)
        self.destinations.shutdown()
        self.recording.shutdown()
        if self._hub is not None:
            self._hub.stop()
            self._hub = None
        if self.embedded is not None:
            self.embedded.stop()
            self.embedded = None

    # ---- from the publisher's thread (queued to ours) ------------------------------------

    @Slot(object, object, object)
    def _on_publisher_state(self, state: PublishState, message: str, publisher: object) -> None:
        message = translated(message)  # a Notice (the object signal kept it) in our language
        if publisher is self._stopping and state in (PublishState.IDLE, PublishState.FAILED):
            self._stopping = None
            if self._publisher is None:
                self._set_state(
                    PublishState.IDLE,
                    QCoreApplication.translate(
                        "GoLiveController", "Stopped. Viewers see that the stream ended."
                    ),
                )
            return
        if publisher is not self._publisher:
            return  # a stopped publisher finishing up
        if state == PublishState.LIVE:
            message = QCoreApplication.translate("GoLiveController", "Live on {target}.").format(
                target=self._target_label
            )
        if state == PublishState.LIVE and self._live_since is None:
            self._live_since = time.monotonic()
            self._timer.start()
            self.elapsed_changed.emit(0)
        elif state in (PublishState.FAILED, PublishState.IDLE):
            self._publisher = None
            _stop_in_background(publisher)  # ends its loop thread
            self._timer.stop()
            self._live_since = None
            self.elapsed_changed.emit(0)
        self._set_state(state, message)

    @Slot(object, object)
    def _on_publisher_stats(self, stats: PublishStats, publisher: object) -> None:
        if publisher is not self._publisher:
            return
        self.stats = stats.to_dict()
        self.stats_updated.emit(self.stats)

    def _tick(self) -> None:
        self.elapsed_changed.emit(self.elapsed_s())

    def elapsed_s(self) -> int:
        return int(time.monotonic() - self._live_since) if self._live_since is not None else 0

    def _set_state(self, state: PublishState, message: str) -> None:
        self.state, self.message = state, message
        self.state_changed.emit(state.value, message)


class _Inbox:
    """Carries publisher callbacks (on the publisher's thread) to the controller's queued
    signals — until `close()`: after that nothing touches the controller, which may be
    being deleted on the GUI thread at that very moment."""

    def __init__(self, controller: GoLiveController) -> None:
        self._controller: GoLiveController | None = controller
        self._lock = threading.Lock()

    def state(self, publisher: Publisher, state: PublishState, message: str) -> None:
        with self._lock:
            if self._controller is not None:
                self._controller._publisher_state.emit(state, message, publisher)

    def stats(self, publisher: Publisher, stats: PublishStats) -> None:
        with self._lock:
            if self._controller is not None:
                self._controller._publisher_stats.emit(stats, publisher)

    def close(self, *_: object) -> None:
        with self._lock:
            self._controller = None


def _stop_in_background(publisher: Any) -> None:
    """`Publisher.stop` waits for the relay (DELETE) and aiortc's clean-up: never on the GUI
    thread."""
    threading.Thread(target=publisher.stop, name="publisher-stop", daemon=True).start()
