"""The host's console window: the live preview in the middle, panels docked around it.

Features add themselves through the small public API — `add_dock`, `add_action`, `preview`
(overlays are children of it) — from their `install(window, core)` listed in
widgets/features.py. A feature that fails to install is reported in the window and skipped;
the console still opens.
"""

from __future__ import annotations

import importlib
import logging
import traceback
from collections.abc import Sequence

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.console_core import ConsoleCore
from widgets.device_picker import DevicePicker
from widgets.level_meter import LevelMeter
from widgets.preview import PreviewWidget

log = logging.getLogger(__name__)

SECTION = "window"
STATUS_REFRESH_MS = 500


class NoticeBar(QFrame):
    """A strip above the preview with the latest message the host must read (device gone,
    settings reset, …); dismissable. Earlier messages stay in `notices` and the tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notices: list[str] = []
        self.setStyleSheet("NoticeBar { background: #5a4a10; } QLabel { color: white; }")
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        close = QToolButton()
        close.setText("Dismiss")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.hide()

    def show_notice(self, text: str) -> None:
        self.notices.append(text)
        self.label.setText(text)
        self.setToolTip("\n".join(self.notices[-10:]))
        self.show()


class MainWindow(QMainWindow):
    def __init__(self, core: ConsoleCore, features: Sequence[str] | None = None) -> None:
        super().__init__()
        self.core = core
        self.setWindowTitle("LiveDesk 直播控制台")
        self._menus: dict[str, QMenu] = {}

        self.preview = PreviewWidget()
        self.preview.attach(core.program.video)  # what viewers see; the camera on demand
        self.notice_bar = NoticeBar()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.notice_bar)
        column.addWidget(self.preview, 1)
        self.setCentralWidget(central)

        quit_action = QAction("Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.add_action("File", quit_action)

        self.raw_camera_action = QAction(self.tr("Preview the raw camera"), self)
        self.raw_camera_action.setCheckable(True)
        self.raw_camera_action.setToolTip(
            self.tr("Show the camera as captured instead of the program viewers see")
        )
        self.raw_camera_action.toggled.connect(
            lambda raw: self.preview.attach(core.media.video if raw else core.program.video)
        )
        self.add_action("View", self.raw_camera_action)

        self.devices = DevicePicker(core.media)
        self.meter = LevelMeter()
        self.meter.attach(core.media.audio)
        panel = QWidget()
        panel_layout = QVBoxLayout(panel)
        panel_layout.addWidget(self.devices)
        panel_layout.addWidget(QLabel("Microphone level"))
        panel_layout.addWidget(self.meter)
        panel_layout.addStretch(1)
        self.add_dock("Devices", panel, scroll=False)  # meters always in sight

        self._status = {name: QLabel() for name in ("capture", "fps", "dropped", "audio", "rate")}
        for label in self._status.values():
            label.setTextFormat(Qt.TextFormat.PlainText)
            self.statusBar().addPermanentWidget(label)
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(STATUS_REFRESH_MS)
        self._status_timer.timeout.connect(self.refresh_status)
        self._status_timer.start()
        self._capture_state = "starting"
        core.media.status_changed.connect(self._on_status)
        core.media.notice.connect(self.show_notice)
        if core.settings.load_error:
            self.show_notice(core.settings.load_error)

        from widgets.features import FEATURES

        #: "module:function" → plain-words error, for features that failed to install.
        self.feature_errors: dict[str, str] = {}
        self.install_features(FEATURES if features is None else features)
        self._restore_geometry()  # after the features: restoreState() places existing docks only
        self.refresh_status()

    # -- public API for features ----------------------------------------------------------
    def add_dock(
        self,
        title: str,
        widget: QWidget,
        area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea,
        scroll: bool = True,
    ) -> QDockWidget:
        """Dock `widget` in a titled panel the host can move, close and re-open (View menu).
        Panels scroll rather than add up, so several tall docks still fit a laptop screen;
        `scroll=False` keeps a small panel always fully visible."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock:{title}")  # saveState() needs stable names
        if scroll:
            scroller = QScrollArea()
            scroller.setWidgetResizable(True)
            scroller.setFrameShape(QFrame.Shape.NoFrame)
            scroller.setWidget(widget)
            widget = scroller
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.add_action("View", dock.toggleViewAction())
        return dock

    def add_action(self, menu_title: str, action: QAction) -> None:
        """Put `action` in the menu called `menu_title` (created on first use)."""
        menu = self._menus.get(menu_title)
        if menu is None:
            menu = self.menuBar().addMenu(menu_title)
            self._menus[menu_title] = menu
        if action.parent() is None:
            action.setParent(self)
        menu.addAction(action)

    def show_notice(self, text: str) -> None:
        """Tell the host something in plain words, above the preview."""
        log.warning("notice: %s", text)
        self.notice_bar.show_notice(text)

    # -- features ---------------------------------------------------------------------------
    def install_features(self, entries: Sequence[str]) -> None:
        for entry in entries:
            module_name, _, function = entry.partition(":")
            try:
                install = getattr(importlib.import_module(module_name), function or "install")
                install(self, self.core)
            except Exception as exc:
                log.error("feature %s failed to install:\n%s", entry, traceback.format_exc())
                self.feature_errors[entry] = f"{type(exc).__name__}: {exc}"
                self.show_notice(
                    f"The panel {module_name} could not be loaded ({exc}); "
                    "the rest of the console works."
                )

    # -- status bar -------------------------------------------------------------------------
    def _on_status(self, kind: str, state: str, message: str) -> None:
        if kind == "video":
            self._capture_state = state
        if message:
            self.statusBar().showMessage(message, 8000)
        self.refresh_status()

    def refresh_status(self) -> None:
        media = self.core.media
        dropped = media.dropped_frames() + self.preview.dropped_frames
        self._status["capture"].setText(f"Capture: {self._capture_state} ({media.video_label()})")
        self._status["fps"].setText(f"{media.video_fps():.1f} fps")
        self._status["dropped"].setText(f"dropped {dropped}")
        self._status["audio"].setText(f"Mic: {media.audio_label()}")
        self._status["rate"].setText(f"{media.sample_rate() / 1000:g} kHz")

    def status_text(self) -> str:
        """Everything the status bar shows, in one line (tests and the self-test read it)."""
        return " | ".join(label.text() for label in self._status.values())

    # -- geometry ---------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        saved = self.core.settings.section(SECTION)
        geometry, state = saved.get("geometry"), saved.get("state")
        if isinstance(geometry, str):
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode("ascii")))
        else:
            self.resize(1280, 800)
        if isinstance(state, str):
            self.restoreState(QByteArray.fromBase64(state.encode("ascii")))

    def save_geometry(self) -> None:
        self.core.settings.update_section(
            SECTION,
            {
                "geometry": bytes(self.saveGeometry().toBase64().data()).decode("ascii"),
                "state": bytes(self.saveState().toBase64().data()).decode("ascii"),
            },
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_geometry()
        super().closeEvent(event)
