"""Installs the "Go live" panel, a view of the core's go-live controller (`core.golive`), as
a dock, and the recording's badge in the status bar. The controller, and the built-in relay it
starts when no relay is configured, belong to the core (`ConsoleCore.start`)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.console_core import ConsoleCore
from widgets.golive_panel import GoLivePanel, RecordingIndicator
from widgets.main_window import MainWindow


def install(window: MainWindow, core: ConsoleCore) -> None:
    panel = GoLivePanel(core.golive)
    window.add_dock(QCoreApplication.translate("GoLiveFeature", "Go live"), panel, name="golive")
    window.statusBar().addPermanentWidget(RecordingIndicator(core.golive.recording, window))
