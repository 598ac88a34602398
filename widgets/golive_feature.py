"""Installs "Go live" into the main window: the controller on the core (`core.golive`) and
its panel as a dock. With no relay configured, the built-in relay starts right after the
window opens (its viewer page is then ready before the host goes live)."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QCoreApplication, QTimer

from app.golive import GoLiveController
from widgets.golive_panel import GoLivePanel

log = logging.getLogger(__name__)


def install(window: Any, core: Any) -> None:
    controller = GoLiveController(core, parent=core)
    core.golive = controller
    panel = GoLivePanel(controller)
    window.add_dock("Go live", panel)
    window.golive_panel = panel

    def start_relay() -> None:
        if controller.settings["mode"] == "whip" and not controller.target_url():
            try:
                controller.start_embedded_relay()
            except Exception as exc:  # the console works without it; say why
                log.warning("built-in relay did not start: %s", exc)
                controller.notice.emit(f"The built-in relay could not start: {exc}")

    QTimer.singleShot(0, start_relay)
    app = QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(controller.shutdown)
