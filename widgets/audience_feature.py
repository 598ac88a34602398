"""The audience views in the main window: danmaku over the preview, the question queue as a
dock, an Audience menu (assistant window, hub connection, danmaku look).

The show's audience itself — the child process reading the hub, the shared `AudienceState` — is
`core.audience` (`app/audience_controller.py`); this module only shows it. If the last show's
journal was never closed, the host is asked — without blocking the window — whether to resume
it; the controller starts reading only after the answer.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.audience_controller import AudienceController
from app.console_core import ConsoleCore
from widgets.assistant_window import AssistantWindow
from widgets.danmaku_overlay import DanmakuOverlay
from widgets.main_window import MainWindow
from widgets.question_queue import QuestionQueueWidget

log = logging.getLogger(__name__)

SECTION = "audience"
DEFAULTS: dict[str, Any] = {"lanes": 10, "opacity": 0.9, "speed": 200}


class _CloseWatcher(QObject):
    """Ends the show (journal closed as finished) when the console window closes."""

    def __init__(self, views: AudienceViews) -> None:
        super().__init__()
        self._views = views

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            self._views.close()
        return False


class AudienceViews(QObject):
    """The overlay, the questions dock, the assistant window and the resume question, all
    views of `core.audience`. Parented to the window (found with `findChild`)."""

    def __init__(self, window: MainWindow, core: ConsoleCore) -> None:
        super().__init__(window)
        self.setObjectName("audience-views")
        self._closer = _CloseWatcher(self)
        self.window = window
        self.controller: AudienceController = core.audience
        self._core = core
        self.look = {**DEFAULTS, **core.settings.section(SECTION)}
        state = self.controller.state
        self.assistant: AssistantWindow | None = None
        self.overlay = DanmakuOverlay(
            state,
            window.preview,
            lanes=int(self.look["lanes"]),
            speed=float(self.look["speed"]),
            opacity=float(self.look["opacity"]),
        )
        self.overlay.show()
        self.queue = QuestionQueueWidget(state)
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.queue, 1)
        column.addLayout(self._overlay_controls())
        window.add_dock(self.tr("Questions"), panel)
        for title, handler in (
            (self.tr("Assistant window"), self.open_assistant),
            (self.tr("Connect to audience hub…"), self.ask_hub),
            (self.tr("Import block list…"), self.import_lists),
            (self.tr("Export block list…"), self.export_lists),
        ):
            action = QAction(title, window)
            action.triggered.connect(handler)
            window.add_action(self.tr("Audience"), action)
        state.notice.connect(window.show_notice)
        self.controller.notice.connect(window.show_notice)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.close)
        window.installEventFilter(self._closer)
        self.resume_box: QMessageBox | None = None
        crashed = self.controller.crashed_show()
        if crashed is None:
            self.controller.begin()
        else:
            self._offer_resume(crashed)

    # --- show lifecycle -------------------------------------------------------------------
    def _offer_resume(self, path: Path) -> None:
        box = QMessageBox(self.window)
        box.setWindowTitle(self.tr("Resume the show?"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            self.tr(
                "The last show did not close properly. Resume it, with its question queue, "
                "filters and counters, and read the messages that arrived meanwhile?"
            )
        )
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        yes = QMessageBox.StandardButton.Yes
        box.finished.connect(
            lambda _result: self._answered(
                path if box.standardButton(box.clickedButton()) == yes else None, path
            )
        )
        self.resume_box = box
        box.open()

    def _answered(self, resume: Path | None, crashed: Path) -> None:
        self.resume_box = None
        self.controller.begin(resume, crashed)

    def close(self) -> None:
        """The console closes: an unanswered question leaves the crashed show resumable."""
        if self.resume_box is not None:
            box, self.resume_box = self.resume_box, None
            box.finished.disconnect()
            box.done(0)
        self.controller.close()
        if self.assistant is not None:
            self.assistant.close()

    # --- actions --------------------------------------------------------------------------
    def open_assistant(self) -> AssistantWindow:
        if self.assistant is None:
            self.assistant = AssistantWindow(self.controller.state)
        self.assistant.show()
        self.assistant.raise_()
        return self.assistant

    def ask_hub(self) -> None:
        url, ok = QInputDialog.getText(
            self.window,
            self.tr("Audience hub"),
            self.tr("Host endpoint (ws://…/ws/host):"),
            QLineEdit.EchoMode.Normal,
            self.controller.hub_url,
        )
        if not ok or not url.strip():
            return
        token, ok = QInputDialog.getText(
            self.window,
            self.tr("Audience hub"),
            self.tr("Host token:"),
            QLineEdit.EchoMode.Password,
        )
        if ok and token:
            self.controller.connect_hub(url, token)

    def import_lists(self, path: str | None = None) -> None:
        """Add the words and users of a text file (one a line) to the block lists."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self.window, self.tr("Import block list"), "", self.tr("Text files (*.txt)")
            )
        if not path:
            return
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            self.window.show_notice(
                self.tr("Could not read {0}: it must be a UTF-8 text file.").format(path)
            )
            return
        count = self.controller.import_lists(text)
        self.window.show_notice(self.tr("{0} entries added to the block lists.").format(count))

    def export_lists(self, path: str | None = None) -> None:
        """Write the block lists to a text file (one entry a line)."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self.window,
                self.tr("Export block list"),
                "blocklist.txt",
                self.tr("Text files (*.txt)"),
            )
        if not path:
            return
        try:
            Path(path).write_text(self.controller.export_lists(), encoding="utf-8")
        except OSError:
            self.window.show_notice(self.tr("Could not write {0}.").format(path))
            return
        self.window.show_notice(self.tr("Block lists saved to {0}.").format(path))

    def _overlay_controls(self) -> QFormLayout:
        form = QFormLayout()
        for name, label, low, high, scale in (
            ("lanes", self.tr("Danmaku lines"), 1, 20, 1.0),
            ("opacity", self.tr("Opacity"), 10, 100, 100.0),
            ("speed", self.tr("Speed"), 40, 600, 1.0),
        ):
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setRange(low, high)
            slider.setValue(round(float(self.look[name]) * scale))
            slider.valueChanged.connect(
                lambda value, n=name, s=scale: self._set_overlay(n, value / s)
            )
            form.addRow(label, slider)
        return form

    def _set_overlay(self, name: str, value: float) -> None:
        if name == "lanes":
            self.overlay.set_lanes(int(value))
        elif name == "opacity":
            self.overlay.set_opacity(value)
        else:
            self.overlay.set_speed(value)
        self.look[name] = value
        self._core.settings.update_section(SECTION, {name: value})


def install(window: MainWindow, core: ConsoleCore) -> None:
    """Add the audience views of `core.audience` to `window`."""
    AudienceViews(window, core)
