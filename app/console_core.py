"""`ConsoleCore`: the show, which the windows only view.

It builds and owns one typed controller per part of the show — media (devices and buses),
voice (the chain on the microphone), go-live (publisher and built-in relay) and audience (the
danmaku child process and its shared state) — and starts and stops them in order. The host's
and the assistant's windows are views of these; `widgets/*_feature.py` never create one.

The same core runs without windows (`livedesk publish`): a headless show is the console with
no views, so what a benchmark measures is what a host gets.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTimer

from app.audience_controller import AudienceController
from app.golive import GoLiveController
from app.media_controller import MediaController
from app.program_controller import ProgramController
from app.settings import Settings
from app.voice_controller import VoiceController

log = logging.getLogger(__name__)


class ConsoleCore(QObject):
    def __init__(
        self,
        settings: Settings | None = None,
        parent: QObject | None = None,
        scene_file: Path | None = None,
        save_scenes: bool = True,
    ) -> None:
        """`scene_file`: the saved scenes to show instead of the show's own; `save_scenes`
        False leaves the scene file as it is (a headless show)."""
        super().__init__(parent)
        self.settings = settings if settings is not None else Settings()
        self.media = MediaController(self.settings, self)
        self.voice = VoiceController(self.settings, parent=self)
        self.program = ProgramController(
            self.settings, self.media, self, show_file=scene_file, persist=save_scenes
        )
        self.golive = GoLiveController(self, parent=self)
        self.audience = AudienceController(self.settings, self.golive, parent=self)

    def start(self, built_in_relay: bool = True, devices: bool = True) -> None:
        """Put the voice chain on the microphone, open the saved devices (unless `devices` is
        False: the caller has attached sources to the media buses) and start the program.
        With `built_in_relay` (the console), the relay on this computer starts right after,
        when no relay is configured, so its viewer page is ready before the host goes live."""
        self.voice.attach(self.media)
        if devices:
            self.media.start()
        else:
            self.media.video.start()
            self.media.raw_audio.start()
        self.program.start()
        if built_in_relay:
            QTimer.singleShot(0, self.start_built_in_relay)

    def start_built_in_relay(self) -> None:
        """Start the built-in relay unless the host publishes elsewhere; a failure is told to
        the host (the console works without it)."""
        golive = self.golive
        if golive.settings["mode"] != "whip" or golive.target_url():
            return
        try:
            golive.start_embedded_relay()
        except Exception as exc:
            log.warning("built-in relay did not start: %s", exc)
            golive.notice.emit(
                QCoreApplication.translate(
                    "ConsoleCore", "The built-in relay could not start: {error}"
                ).format(error=exc)
            )

    def shutdown(self) -> None:
        """End the show: stop publishing, close the audience journal, stop the devices and
        write pending settings (nothing may be lost on exit). Safe to call twice."""
        self.golive.shutdown()
        self.audience.close()
        self.program.stop()
        self.voice.detach()
        self.media.stop()
        self.settings.flush()
