"""The Qt application a bench paints into: headless unless the caller chose a platform."""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication


def offscreen_app(name: str = "livedesk-bench") -> QCoreApplication:
    """The running QApplication, or a new one on the offscreen platform (benches need no
    display; `QT_QPA_PLATFORM` set by the caller wins)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return QApplication.instance() or QApplication([name])
