"""`ConsoleCore`: the state of one running console, which the windows only view.

It owns the settings and the media; later features (publisher, danmaku, show state) attach
their own objects here so that the host's and the assistant's windows see the same show.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from app.media_controller import MediaController
from app.settings import Settings


class ConsoleCore(QObject):
    def __init__(self, settings: Settings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings if settings is not None else Settings()
        self.media = MediaController(self.settings, self)

    def start(self) -> None:
        self.media.start()

    def shutdown(self) -> None:
        """Stop the devices and write pending settings (nothing may be lost on exit)."""
        self.media.stop()
        self.settings.flush()
