"""Installs the voice chain into the console: the controller on the core (`core.voice`), the
chain on the microphone path (`core.media.set_audio_processor`), and the Voice panel as a dock."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

from app.voice_controller import VoiceController
from widgets.voice_panel import VoicePanel


def install(window: Any, core: Any) -> None:
    controller = VoiceController(core.settings, parent=core)
    core.voice = controller
    controller.attach(core.media)
    panel = VoicePanel(controller)
    window.add_dock("Voice", panel)
    window.voice_panel = panel
    controller.problem.connect(lambda text: window.show_notice(f"Voice: {text}"))
    app = QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(controller.detach)
