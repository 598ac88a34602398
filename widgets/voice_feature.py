"""Installs the Voice panel, a view of the core's voice chain (`core.voice`), as a dock."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.console_core import ConsoleCore
from widgets.main_window import MainWindow
from widgets.voice_panel import VoicePanel


def install(window: MainWindow, core: ConsoleCore) -> None:
    panel = VoicePanel(core.voice)
    window.add_dock(QCoreApplication.translate("VoiceFeature", "Voice"), panel, name="voice")
    core.voice.problem.connect(
        lambda text: window.show_notice(
            QCoreApplication.translate("VoiceFeature", "Voice: {problem}").format(problem=text)
        )
    )
