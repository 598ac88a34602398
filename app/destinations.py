"""More destinations at once (同时推多个平台): RTMP pushes to the platforms beside the main
WHIP/Janus stream, each with its own Start/Stop, state and figures, all fed by the one encode
of the Go live controller's hub (`GoLiveController.hub`), so a destination added costs no encode.

Settings (section "destinations", never a key): `items`, a list of {id, name, preset, url}.
Stream keys (推流码) live in the OS keyring under the destination's URL and id. States arrive on
the outputs' threads and reach views through queued signals on the GUI thread.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app import secrets
from app.i18n import translated
from streaming.output import Output, OutputState
from streaming.rtmp import RtmpOutput, push_target

SECTION = "destinations"


@dataclass(frozen=True, slots=True)
class Preset:
    """A platform's push URL form, as its live console (or OBS guide) hands it out."""

    key: str
    name: str
    url: str  # filled in when the platform's URL is the same for everyone
    hint: str  # the form of the URL when it is per room


PRESETS: tuple[Preset, ...] = (
    Preset(
        "douyin", "抖音 Douyin", "", "rtmp://push-rtmp-….douyincdn.com/stage/ (直播伴侣 → 推流地址)"
    ),
    Preset("kuaishou", "快手 Kuaishou", "", "rtmp://open-push.voip.yximgs.com/gifshow/ (推流地址)"),
    Preset("bilibili", "哔哩哔哩 Bilibili", "rtmp://live-push.bilivideo.com/live-bvc/", ""),
    Preset(
        "taobao", "淘宝直播 Taobao Live", "", "rtmp://livepush.….taobao.com/… (淘宝直播 PC 中控台)"
    ),
    Preset(
        "channels",
        "视频号 Video Channels",
        "",
        "rtmp://….livepush.myqcloud.com/trtc_… (视频号助手)",
    ),
    Preset("youtube", "YouTube", "rtmp://a.rtmp.youtube.com/live2", ""),
    Preset("custom", "RTMP server", "", "rtmp://host[:port]/app"),
)
PRESET_BY_KEY = {p.key: p for p in PRESETS}


@dataclass(frozen=True, slots=True)
class Destination:
    id: str
    name: str
    preset: str
    url: str


def _key_slot(destination: Destination) -> str:
    return f"{destination.url}#{destination.id}"


class DestinationsController(QObject):
    """The list of RTMP destinations and the outputs of those started."""

    #: the list changed (added, removed)
    changed = Signal()
    #: (destination id, state value, plain-words message)
    state_changed = Signal(str, str, str)
    #: (destination id, figures), once a second while started
    figures_updated = Signal(str, dict)
    #: a problem the host should read (keyring unavailable)
    notice = Signal(str)

    _output_state = Signal(str, str, str)  # cross-thread: (id, state, message)

    def __init__(self, golive: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.golive = golive
        self.settings = golive.core.settings
        stored = self.settings.section(SECTION).get("items", [])
        self.items: list[Destination] = [Destination(**item) for item in stored]
        self.outputs: dict[str, RtmpOutput] = {}
        self.states: dict[str, tuple[str, str]] = {}
        self._session_keys: dict[str, str] = {}
        self._closed = threading.Event()
        self._output_state.connect(self._on_output_state)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)

    # ---- the list --------------------------------------------------------------------------

    def add(self, name: str, preset: str, url: str, key: str) -> Destination:
        """Add a destination; `url` must be rtmp(s)://…, the key goes to the keyring."""
        try:
            push_target(url, key)
        except ValueError as exc:  # the URL is not one: say so in the console's language
            raise ValueError(translated(exc.args[0])) from None
        if preset not in PRESET_BY_KEY:
            raise ValueError(f"unknown preset {preset!r}")
        destination = Destination(
            uuid.uuid4().hex[:8], name.strip() or PRESET_BY_KEY[preset].name, preset, url.strip()
        )
        self.items.append(destination)
        self.set_key(destination, key)
        self._save()
        return destination

    def remove(self, destination_id: str) -> None:
        self.stop(destination_id)
        found = self.find(destination_id)
        self.items = [d for d in self.items if d.id != destination_id]
        if found is not None:
            try:
                secrets.delete_token(_key_slot(found))
            except secrets.SecretStoreError:
                pass
        self._save()

    def find(self, destination_id: str) -> Destination | None:
        return next((d for d in self.items if d.id == destination_id), None)

    def key_for(self, destination: Destination) -> str:
        slot = _key_slot(destination)
        return self._session_keys.get(slot) or secrets.get_token(slot) or ""

    def set_key(self, destination: Destination, key: str) -> None:
        slot = _key_slot(destination)
        self._session_keys.pop(slot, None)
        try:
            secrets.set_token(slot, key.strip())
        except secrets.SecretStoreError as exc:
            self._session_keys[slot] = key.strip()
            self.notice.emit(str(exc))

    def _save(self) -> None:
        self.settings.update_section(SECTION, {"items": [asdict(d) for d in self.items]})
        self.changed.emit()

    # ---- start / stop ----------------------------------------------------------------------

    def state_of(self, destination_id: str) -> tuple[str, str]:
        return self.states.get(destination_id, (OutputState.IDLE.value, ""))

    def start(self, destination_id: str) -> None:
        destination = self.find(destination_id)
        if destination is None or destination_id in self.outputs:
            return
        try:
            output = RtmpOutput(
                destination.url,
                self.key_for(destination),
                self.golive.profile(),
                label=destination.name,
            )
        except ValueError as exc:
            self._set(destination_id, OutputState.FAILED.value, translated(exc.args[0]))
            return
        output.on_state(self._from_output_thread(destination_id))
        self.outputs[destination_id] = output
        self.golive.hub.start_output(output)
        self._timer.start()

    def stop(self, destination_id: str) -> None:
        output = self.outputs.pop(destination_id, None)
        if output is None:
            return
        if not self.outputs:
            self._timer.stop()
        hub = self.golive.hub
        threading.Thread(
            target=hub.stop_output, args=(output,), name="destination-stop", daemon=True
        ).start()

    def stop_all(self) -> None:
        for destination_id in list(self.outputs):
            self.stop(destination_id)

    def shutdown(self) -> None:
        self._closed.set()
        for output in list(self.outputs.values()):
            self.golive.hub.stop_output(output, timeout=3)
        self.outputs.clear()

    # ---- from the outputs' threads ---------------------------------------------------------

    def _from_output_thread(self, destination_id: str) -> Any:
        def listener(_output: Output, state: OutputState, message: str) -> None:
            if not self._closed.is_set():
                self._output_state.emit(destination_id, state.value, translated(message))

        return listener

    @Slot(str, str, str)
    def _on_output_state(self, destination_id: str, state: str, message: str) -> None:
        if state == OutputState.FAILED.value and destination_id in self.outputs:
            self.stop(destination_id)  # a failed push is over; Start tries again
        self._set(destination_id, state, message)

    def _set(self, destination_id: str, state: str, message: str) -> None:
        self.states[destination_id] = (state, message)
        self.state_changed.emit(destination_id, state, message)

    def _tick(self) -> None:
        for destination_id, output in list(self.outputs.items()):
            self.figures_updated.emit(destination_id, dict(output.figures()))
