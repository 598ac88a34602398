"""The console's media: which camera and microphone feed it, and the buses everyone reads.

Consumers subscribe to `video`, `raw_audio` (the microphone as captured) or `audio` (after the
voice chain) once; switching devices re-points the buses while the show runs. A device that
cannot open, or goes away mid-show, is replaced by the labelled synthetic source and the host is
told why in plain words (`notice`); the console keeps running. Device choices and the camera
mode are saved in the settings section "media".

Status from sources arrives on their threads; it is re-emitted as Qt signals, which Qt delivers
on the GUI thread, where all switching happens.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from app.i18n import translated
from app.settings import Settings
from capture import devices
from capture.bus import MediaBus
from capture.camera import CameraMode
from capture.media import AUDIO_RATE, AudioBlock, VideoFrame
from capture.registry import Opening, open_source
from capture.source import Source, SourceState, SourceStatus
from streaming.notice import message_of

log = logging.getLogger(__name__)

SECTION = "media"
AudioProcessor = Callable[[AudioBlock], AudioBlock]


class MediaController(QObject):
    #: A problem the host must read (device failed, fell back, processor broke). Plain words.
    notice = Signal(str)
    #: A device problem's notice (its text) that is over: the host picked a device that works.
    notice_cleared = Signal(str)
    #: (kind "video"/"audio", state value, message) whenever the active source's status changes.
    status_changed = Signal(str, str, str)
    #: The active device of a kind changed: (kind, device id).
    device_changed = Signal(str, str)
    _source_status = Signal(str, object, object)  # (kind, source, SourceStatus), cross-thread

    def __init__(self, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.video: MediaBus[VideoFrame] = MediaBus("video")
        self.raw_audio: MediaBus[AudioBlock] = MediaBus("raw audio")
        self.audio: MediaBus[AudioBlock] = MediaBus("audio")
        self.raw_audio.subscribe(self._process_audio)
        self.raw_audio.on_status(self.audio.forward_status)
        self._processor: AudioProcessor | None = None
        self._processor_lock = threading.Lock()
        self._problems: dict[str, str] = {}  # kind -> the notice of its last device problem
        self.video_device = ""
        self.audio_device = ""
        self._source_status.connect(self._on_source_status)

    # -- devices --------------------------------------------------------------------------
    def video_devices(self) -> list[devices.Device]:
        return devices.list_cameras() + devices.synthetic_video_devices()

    def audio_devices(self) -> list[devices.Device]:
        return devices.list_microphones() + devices.synthetic_audio_devices()

    def camera_mode(self) -> CameraMode:
        saved = self.settings.section(SECTION).get("camera_mode", {})
        try:
            return CameraMode(**saved)
        except TypeError:
            return CameraMode()

    def start(self) -> None:
        """Open the saved devices (or sensible defaults) and start the buses."""
        saved = self.settings.section(SECTION)
        cameras = devices.list_cameras()
        mics = devices.list_microphones()
        default_video = cameras[0].id if cameras else devices.SYNTHETIC_VIDEO
        default_audio = mics[0].id if mics else devices.SYNTHETIC_TONE
        self.video.start()
        self.raw_audio.start()
        self.select_video(saved.get("camera") or default_video, remember=False)
        self.select_audio(saved.get("microphone") or default_audio, remember=False)

    def stop(self) -> None:
        self.video.attach(None)
        self.raw_audio.attach(None)
        self.video.stop()
        self.raw_audio.stop()

    def select_video(self, device_id: str, remember: bool = True) -> bool:
        """Switch the camera while running. False (and a notice) if it could not be set up."""
        return self._select("video", device_id, remember)

    def select_audio(self, device_id: str, remember: bool = True) -> bool:
        """Switch the microphone while running."""
        return self._select("audio", device_id, remember)

    def _select(self, kind: str, device_id: str, remember: bool) -> bool:
        video = kind == "video"
        try:
            source = open_source(
                "video" if video else "audio", device_id, Opening(camera_mode=self.camera_mode())
            )
        except ValueError as exc:
            what = (
                QCoreApplication.translate(
                    "MediaController", "Camera {device}: {reason}. Keeping the current picture."
                )
                if video
                else QCoreApplication.translate(
                    "MediaController", "Microphone {device}: {reason}. Keeping the current one."
                )
            ).format(device=device_id, reason=translated(message_of(exc)))
            self.notice.emit(what)
            if not (self.video_device if video else self.audio_device):
                self._fallback(kind)
            return False
        self._attach(kind, device_id, source)
        if remember:
            self.settings.update_section(SECTION, {"camera" if video else "microphone": device_id})
        return True

    def set_camera_mode(self, mode: CameraMode) -> bool:
        """Ask the camera for another mode (re-opens it); remembered if valid."""
        self.settings.update_section(
            SECTION,
            {
                "camera_mode": {
                    "width": mode.width,
                    "height": mode.height,
                    "fps": mode.fps,
                    "fourcc": mode.fourcc,
                }
            },
        )
        if self.video_device.startswith("camera:"):
            return self.select_video(self.video_device, remember=False)
        return True

    def _attach(self, kind: str, device_id: str, source: Source[Any]) -> None:
        source.on_status(lambda status: self._source_status.emit(kind, source, status))
        bus = self.video if kind == "video" else self.raw_audio
        if kind == "video":
            self.video_device = device_id
        else:
            self.audio_device = device_id
        bus.attach(source)
        self.device_changed.emit(kind, device_id)

    def _fallback(self, kind: str) -> None:
        if kind == "video":
            self._attach(
                kind, devices.SYNTHETIC_VIDEO, open_source("video", devices.SYNTHETIC_VIDEO)
            )
        else:
            silence = devices.SYNTHETIC_SILENCE
            self._attach(kind, silence, open_source("audio", silence))

    def _on_source_status(self, kind: str, source: Source[Any], status: SourceStatus) -> None:
        bus = self.video if kind == "video" else self.raw_audio
        if bus.source is not source:
            return  # a late report from a device already switched away from
        self.status_changed.emit(kind, status.state.value, translated(status.message))
        warning = source.mode_warning
        if status.state == SourceState.RUNNING and warning:
            # e.g. the camera cannot do 1080p30: it runs, but say so
            self.notice.emit(translated(warning))
        device = self.video_device if kind == "video" else self.audio_device
        fixed = not device.startswith("synthetic")  # a device of the host's, not the stand-in
        if status.state == SourceState.RUNNING and fixed and kind in self._problems:
            self.notice_cleared.emit(self._problems.pop(kind))
        if status.state not in (SourceState.FAILED, SourceState.ENDED):
            return
        if kind == "video":
            text = QCoreApplication.translate(
                "MediaController",
                "Camera problem: {reason} Showing the SYNTHETIC test pattern instead; pick "
                "another device in Devices.",
            )
        else:
            text = QCoreApplication.translate(
                "MediaController",
                "Microphone problem: {reason} Using SYNTHETIC silence instead; pick "
                "another device in Devices.",
            )
        self._problems[kind] = text.format(reason=translated(status.message))
        self.notice.emit(self._problems[kind])
        self._fallback(kind)

    # -- audio processing -----------------------------------------------------------------
    def set_audio_processor(self, fn: AudioProcessor | None) -> None:
        """Plug the voice chain in (or out). It runs on the microphone thread for each block;
        if it raises, it is unplugged, the host is told, and raw audio flows on."""
        with self._processor_lock:
            self._processor = fn

    def _process_audio(self, block: AudioBlock) -> None:
        fn = self._processor
        if fn is not None:
            try:
                block = fn(block)
            except Exception as exc:
                log.exception("audio processor failed")
                with self._processor_lock:
                    if self._processor is fn:
                        self._processor = None
                self.notice.emit(
                    QCoreApplication.translate(
                        "MediaController",
                        "The voice processing failed ({reason}) and was switched off; "
                        "the microphone is sent unprocessed.",
                    ).format(reason=exc)
                )
        self.audio.publish(block)

    # -- figures for the status bar -------------------------------------------------------
    def video_fps(self) -> float:
        return self.video.counter.rate()

    def dropped_frames(self) -> int:
        """Frames the camera failed to deliver (the preview counts its own drops)."""
        source = self.video.source
        return source.dropped if source is not None else 0

    def sample_rate(self) -> int:
        source = self.raw_audio.source
        return source.sample_rate if source is not None and source.sample_rate else AUDIO_RATE

    def video_label(self) -> str:
        return self.video.source.label if self.video.source is not None else "none"

    def audio_label(self) -> str:
        return self.raw_audio.source.label if self.raw_audio.source is not None else "none"
