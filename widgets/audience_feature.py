"""Installs the audience feature into the main window: danmaku over the preview, the question
queue as a dock, an Audience menu (assistant window, hub connection, danmaku look), and the
show's `AudienceState` on the core (`core.audience`) so every window shares it.

The audience is read from the hub set with "Connect to audience hub…" (token in the keyring), or
else from the built-in relay's hub as soon as the Go-live feature has started it.

The host client, pipeline and journal run in a child process (`app.danmaku.process`), so that
thousands of messages a second never compete with the windows for the GIL.

If the last show's journal was never closed (the console crashed or was killed), the host is
asked — without blocking the window — whether to resume it with its queue, filters and
counters; reading from the hub starts only after the answer.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFormLayout,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.danmaku.journal import Journal, resumable_show
from app.danmaku.process import AudienceProcess
from app.danmaku.state import AudienceState
from widgets.assistant_window import AssistantWindow
from widgets.danmaku_overlay import DanmakuOverlay
from widgets.question_queue import QuestionQueueWidget

log = logging.getLogger(__name__)

SECTION = "audience"
DEFAULTS: dict[str, Any] = {"hub_url": "", "lanes": 10, "opacity": 0.9, "speed": 200}


class _CloseWatcher(QObject):
    """Ends the show (journal closed as finished) when the console window closes."""

    def __init__(self, feature: AudienceFeature) -> None:
        super().__init__()
        self._feature = feature

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.Close:
            self._feature.close()
        return False


class AudienceFeature:
    """Everything the feature created, kept on `core.audience_feature` (tests reach in here)."""

    def __init__(self, window: Any, core: Any) -> None:
        self._closer = _CloseWatcher(self)
        self.window = window
        self.core = core
        self.settings = {**DEFAULTS, **core.settings.section(SECTION)}
        self.state = AudienceState(parent=core)
        self.service: AudienceProcess | None = None
        self.assistant: AssistantWindow | None = None
        self.overlay = DanmakuOverlay(
            self.state,
            window.preview,
            lanes=int(self.settings["lanes"]),
            speed=float(self.settings["speed"]),
            opacity=float(self.settings["opacity"]),
        )
        self.overlay.show()
        self.queue = QuestionQueueWidget(self.state)
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.queue, 1)
        column.addLayout(self._overlay_controls())
        window.add_dock("Questions", panel)
        for title, handler in (
            ("Assistant window", self.open_assistant),
            ("Connect to audience hub…", self.ask_hub),
        ):
            action = QAction(title, window)
            action.triggered.connect(handler)
            window.add_action("Audience", action)
        self.state.notice.connect(window.show_notice)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.close)
        window.installEventFilter(self._closer)
        self.resume_box: QMessageBox | None = None
        crashed = resumable_show()
        if crashed is None:
            self.start(None)
        else:
            self._offer_resume(crashed)

    # --- show lifecycle -------------------------------------------------------------------
    def _offer_resume(self, path: Path) -> None:
        box = QMessageBox(self.window)
        box.setWindowTitle("Resume the show?")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            "The last show did not close properly. Resume it, with its question queue, "
            "filters and counters, and read the messages that arrived meanwhile?"
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
        self.start(resume, crashed)

    def start(self, resume: Path | None, crashed: Path | None = None) -> None:
        """Open the show journal (resuming `resume`, or a new one) and connect if configured."""
        if crashed is not None and resume is None:
            Journal(crashed).close(ended=True)  # declined: do not offer it again
        self.service = AudienceProcess(resume, resume=resume is not None)
        self.state.set_source(self.service)
        self.core.audience_service = self.service
        url = str(self.settings.get("hub_url") or "")
        golive = getattr(self.core, "golive", None)
        if url:
            from app.secrets import get_token

            token = get_token(url)
            if token:
                self.service.connect(url, token)
        elif golive is not None:
            golive.relay_info_changed.connect(self._on_relay_info)
            if golive.embedded is not None:
                self._on_relay_info(dict(golive.embedded.info))

    def _on_relay_info(self, info: dict[str, Any]) -> None:
        """The built-in relay runs: read the audience from its hub (with the relay's host token)."""
        url = info.get("interaction_host")
        golive = getattr(self.core, "golive", None)
        if not url or golive is None or golive.embedded is None or self.service is None:
            return
        if self.service.hub_url is None and not self.settings.get("hub_url"):
            self.service.connect(str(url), golive.embedded.host_token)

    def close(self) -> None:
        """End the show: stop reading, commit everything, mark the journal finished."""
        if self.resume_box is not None:
            box, self.resume_box = self.resume_box, None
            box.finished.disconnect()
            box.done(0)  # unanswered: the crashed show stays resumable
        if self.service is not None:
            self.service.close(ended=True)
            self.service = None

    # --- actions --------------------------------------------------------------------------
    def open_assistant(self) -> AssistantWindow:
        if self.assistant is None:
            self.assistant = AssistantWindow(self.state)
        self.assistant.show()
        self.assistant.raise_()
        return self.assistant

    def ask_hub(self) -> None:
        url, ok = QInputDialog.getText(
            self.window,
            "Audience hub",
            "Host endpoint (ws://…/ws/host):",
            QLineEdit.EchoMode.Normal,
            str(self.settings.get("hub_url") or ""),
        )
        if not ok or not url.strip():
            return
        token, ok = QInputDialog.getText(
            self.window, "Audience hub", "Host token:", QLineEdit.EchoMode.Password
        )
        if not ok or not token:
            return
        from app.secrets import SecretStoreError, set_token

        try:
            set_token(url.strip(), token)
        except SecretStoreError as exc:
            self.window.show_notice(str(exc))
        self._save(hub_url=url.strip())
        if self.service is not None:
            self.service.connect(url.strip(), token)

    def _overlay_controls(self) -> QFormLayout:
        form = QFormLayout()
        for name, label, low, high, scale in (
            ("lanes", "Danmaku lines", 1, 20, 1.0),
            ("opacity", "Opacity", 10, 100, 100.0),
            ("speed", "Speed", 40, 600, 1.0),
        ):
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setRange(low, high)
            slider.setValue(round(float(self.settings[name]) * scale))
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
        self._save(**{name: value})

    def _save(self, **values: Any) -> None:
        self.settings.update(values)
        self.core.settings.update_section(SECTION, values)


def install(window: Any, core: Any) -> None:
    """Add the audience feature to `window`; `core.audience` is the shared AudienceState."""
    feature = AudienceFeature(window, core)
    core.audience = feature.state
    core.audience_feature = feature
