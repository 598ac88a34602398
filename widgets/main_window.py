"""The host's console window: the live preview in the middle, panels docked around it.

Features add themselves through the small public API — `add_dock`, `add_action`, `preview`
(overlays are children of it), `closing` — from their `install(window, core)` listed in
widgets/features.py. A feature that fails to install is reported in the window and skipped;
the console still opens.

The first layout is made to fit a 1366×768 laptop: Go live on top of the left column with the
other panels tabbed under it, the questions on the right, the preview between; a larger screen
gives the extra room to the questions. The window is never larger than the screen's available
area, even when a saved geometry came from a bigger screen.

Closing the window ends the show: when live, only after the host confirms; then `closing` is
emitted (features close their windows, the assistant's included) and the console's process
exits (`app/cli/console.py`).
"""

from __future__ import annotations

import importlib
import logging
import traceback
from collections.abc import Sequence

from PySide6.QtCore import QByteArray, QChildEvent, QEvent, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QGuiApplication,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QStyle,
    QTabBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import i18n
from app.console_core import ConsoleCore
from app.on_air import OnAirClock
from widgets.device_picker import DevicePicker
from widgets.level_meter import LevelMeter
from widgets.on_air import OnAirBadge, OnAirStatus
from widgets.preview import PreviewWidget

log = logging.getLogger(__name__)

SECTION = "window"
STATUS_REFRESH_MS = 500
#: The docks of the first layout, by stable name (`add_dock(name=…)`): the left column's top
#: panel, the panels tabbed under it (first one in front) and the right column's.
LEFT_TOP = "golive"
LEFT_TABS = ("devices", "scenes", "layers", "voice", "mix")
RIGHT = ("studio", "questions")
#: Column widths of the first layout as a share of the window width, with a floor in pixels.
LEFT_SHARE, LEFT_MIN = 0.22, 320
RIGHT_SHARE, RIGHT_MIN = 0.32, 400


def _needed(dock: QDockWidget) -> int:
    """The height `dock` needs to show its panel without scrolling (title bar included)."""
    content = dock.widget()
    inner = content.widget() if isinstance(content, QScrollArea) else None
    content = inner if inner is not None else content
    title = dock.style().pixelMetric(QStyle.PixelMetric.PM_TitleBarHeight, None, dock)
    return content.sizeHint().height() + title + 24  # the dock's frame and margins


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
        close.setText(self.tr("Dismiss"))
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.hide()

    def show_notice(self, text: str) -> None:
        if self.notices and self.notices[-1] == text and self.isVisible():
            return
        self.notices.append(text)
        self.label.setText(text)
        self.setToolTip("\n".join(self.notices[-10:]))
        self.show()

    def withdraw(self, text: str) -> None:
        """A problem that is over (the bad file was replaced): its notice goes."""
        if self.notices and self.notices[-1] == text:
            self.hide()


class MainWindow(QMainWindow):
    #: The host confirmed closing: features close their windows and stop their parts.
    closing = Signal()

    def __init__(self, core: ConsoleCore, features: Sequence[str] | None = None) -> None:
        super().__init__()
        self.core = core
        self._menus: dict[str, QMenu] = {}
        self._docks: dict[str, QDockWidget] = {}
        self._closed = False
        self._shown = False

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
        # The left column's tabbed docks: a slimmer tab, so five English names fit 320 px whole.
        self.setStyleSheet("QMainWindow > QTabBar::tab { padding: 4px 7px; }")

        self.quit_action = QAction(self.tr("Quit"), self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))  # StandardKey.Quit is empty on Windows
        self.quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.quit_action.triggered.connect(self.close)
        self.add_action(self.tr("File"), self.quit_action)

        self.raw_camera_action = QAction(self.tr("Preview the raw camera"), self)
        self.raw_camera_action.setCheckable(True)
        self.raw_camera_action.setToolTip(
            self.tr("Show the camera as captured instead of the program viewers see")
        )
        self.raw_camera_action.toggled.connect(
            lambda raw: self.preview.attach(core.media.video if raw else core.program.video)
        )
        self.add_action(self.tr("View"), self.raw_camera_action)
        self._language_menu()

        self.devices = DevicePicker(core.media)
        self.meter = LevelMeter()
        self.meter.attach(core.media.audio)
        panel = QWidget()
        panel_layout = QVBoxLayout(panel)
        panel_layout.addWidget(self.devices)
        panel_layout.addWidget(QLabel(self.tr("Microphone level")))
        panel_layout.addWidget(self.meter)
        panel_layout.addStretch(1)
        self.add_dock(self.tr("Devices"), panel, name="devices")

        self.on_air = OnAirClock(core.golive, self)
        self.on_air_badge = OnAirBadge(self.on_air, self.preview)
        self.on_air_status = OnAirStatus(self.on_air, self)
        # Permanent: a passing status message must not hide it.
        self.statusBar().addPermanentWidget(self.on_air_status)
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
        core.media.notice_cleared.connect(self.notice_bar.withdraw)
        if core.settings.load_error:
            self.show_notice(core.settings.load_error)

        from widgets.features import FEATURES

        #: "module:function" → plain-words error, for features that failed to install.
        self.feature_errors: dict[str, str] = {}
        self.install_features(FEATURES if features is None else features)
        self.on_air_badge.raise_()  # over the features' overlays
        self._restore_geometry()  # after the features: restoreState() places existing docks only
        self.refresh_status()

    # -- public API for features ----------------------------------------------------------
    def add_dock(
        self,
        title: str,
        widget: QWidget,
        area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea,
        scroll: bool = True,
        name: str = "",
    ) -> QDockWidget:
        """Dock `widget` in a titled panel the host can move, close and re-open (View menu).
        Panels scroll rather than add up, so several tall docks still fit a laptop screen;
        `scroll=False` keeps a small panel always fully visible. `name` (untranslated, stable
        across languages; the title by default) is what the saved layout and the first
        layout (`LEFT_TABS`, …) know it by."""
        dock = QDockWidget(title, self)
        name = name or title
        dock.setObjectName(f"dock:{name}")  # saveState() needs stable names
        self._docks[name] = dock
        if scroll:
            scroller = QScrollArea()
            scroller.setWidgetResizable(True)
            scroller.setFrameShape(QFrame.Shape.NoFrame)
            scroller.setWidget(widget)
            widget = scroller
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.add_action(self.tr("View"), dock.toggleViewAction())
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
                    self.tr(
                        "The panel {module} could not be loaded ({error}); "
                        "the rest of the console works."
                    ).format(module=module_name, error=exc)
                )

    # -- language ---------------------------------------------------------------------------
    def _language_menu(self) -> None:
        """View ▸ Language: follow the system, or a language; applies at the next start (the
        windows are built in one language)."""
        menu = QMenu(self.tr("Language (语言)"), self)
        group = QActionGroup(self)
        chosen = i18n.saved_language(self.core.settings)
        choices = ((i18n.AUTO, self.tr("Same as the system")), *i18n.LANGUAGES)
        for value, label in choices:
            action = QAction(label, group)
            action.setCheckable(True)
            action.setChecked(value == chosen)
            action.setData(value)
            menu.addAction(action)
        group.triggered.connect(self._language_chosen)
        self._menus[self.tr("View")].addMenu(menu)
        self.language_menu = menu

    def _language_chosen(self, action: QAction) -> None:
        i18n.save_language(self.core.settings, str(action.data()))
        self.show_notice(
            self.tr("The language changes the next time LiveDesk opens.")
            + " / 下次打开 LiveDesk 时切换语言。"
        )

    # -- status bar -------------------------------------------------------------------------
    def _on_status(self, kind: str, state: str, message: str) -> None:
        if kind == "video":
            self._capture_state = state
        if message:
            self.statusBar().showMessage(message, 8000)
        self.refresh_status()

    def _capture_state_text(self) -> str:
        return {
            "starting": self.tr("starting"),
            "running": self.tr("running"),
            "stopped": self.tr("stopped"),
            "failed": self.tr("failed"),
            "ended": self.tr("ended"),
        }.get(self._capture_state, self._capture_state)

    def refresh_status(self) -> None:
        media = self.core.media
        dropped = media.dropped_frames() + self.preview.dropped_frames
        self._status["capture"].setText(
            self.tr("Capture: {state} ({device})").format(
                state=self._capture_state_text(), device=media.video_label()
            )
        )
        self._status["fps"].setText(f"{media.video_fps():.1f} fps")
        self._status["dropped"].setText(self.tr("dropped {count}").format(count=dropped))
        self._status["audio"].setText(self.tr("Mic: {device}").format(device=media.audio_label()))
        self._status["rate"].setText(f"{media.sample_rate() / 1000:g} kHz")

    def status_text(self) -> str:
        """Everything the status bar shows, in one line (tests and the self-test read it)."""
        labels = (self.on_air_status, *self._status.values())
        return " | ".join(label.text() for label in labels)

    # -- geometry ---------------------------------------------------------------------------
    def available(self) -> QRect:
        """The screen area a window may use (without panels and docks of the desktop)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 768)

    def fit_to_screen(self) -> None:
        """Never larger than the available screen, and on it."""
        area = self.available()
        frame = self.frameGeometry().size() - self.geometry().size()  # title bar, borders
        width = min(self.width(), area.width() - frame.width())
        height = min(self.height(), area.height() - frame.height())
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        x = min(max(self.x(), area.left()), area.right() - self.frameGeometry().width() + 1)
        y = min(max(self.y(), area.top()), area.bottom() - self.frameGeometry().height() + 1)
        self.move(x, y)

    def _restore_geometry(self) -> None:
        saved = self.core.settings.section(SECTION)
        geometry, state = saved.get("geometry"), saved.get("state")
        if isinstance(geometry, str):
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode("ascii")))
        else:
            self.setGeometry(self.available())
        self.fit_to_screen()
        if not (
            isinstance(state, str)
            and self.restoreState(QByteArray.fromBase64(state.encode("ascii")))
        ):
            self.arrange()

    def arrange(self) -> None:
        """The first layout (see the module's docstring), for the window's current size."""
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        right = Qt.DockWidgetArea.RightDockWidgetArea
        docks = self._docks
        top = docks.get(LEFT_TOP)
        tabs = [docks[n] for n in LEFT_TABS if n in docks]
        column = [top] if top is not None else []
        for dock in [*column, *tabs]:
            self.addDockWidget(left, dock)
        if tabs:
            if top is not None:
                self.splitDockWidget(top, tabs[0], Qt.Orientation.Vertical)
            for dock in tabs[1:]:
                self.tabifyDockWidget(tabs[0], dock)
        for name in RIGHT:
            if name in docks:
                self.addDockWidget(right, docks[name])
        known = {LEFT_TOP, *LEFT_TABS, *RIGHT}
        behind = top or (tabs[0] if tabs else None)
        for name, dock in docks.items():  # other features' panels: tabbed behind Go live,
            if name not in known and behind is not None:  # both tab rows fit 320 px
                self.tabifyDockWidget(behind, dock)
        for front in (top, *tabs[:1]):
            if front is not None:
                front.raise_()  # Go live and Devices in front
        width = self.width()
        sides = [d for d in (top or (tabs[0] if tabs else None),) if d is not None]
        widths = [max(LEFT_MIN, round(width * LEFT_SHARE))]
        questions = docks.get("questions")
        if questions is not None:
            sides.append(questions)
            widths.append(max(RIGHT_MIN, round(width * RIGHT_SHARE)))
        if sides:
            self.resizeDocks(sides, widths, Qt.Orientation.Horizontal)
        if top is not None and tabs:
            # The Go live panel gets what it needs to show whole if the panel in front below
            # keeps what it needs (and both tab rows); at least 55 %: its core controls.
            height = self.height()
            rows = 2 * (self.fontMetrics().height() + 12)
            share = max(round(height * 0.55), min(_needed(top), height - _needed(tabs[0]) - rows))
            self.resizeDocks([top, tabs[0]], [share, height - share], Qt.Orientation.Vertical)

    def save_geometry(self) -> None:
        self.core.settings.update_section(
            SECTION,
            {
                "geometry": bytes(self.saveGeometry().toBase64().data()).decode("ascii"),
                "state": bytes(self.saveState().toBase64().data()).decode("ascii"),
            },
        )

    # -- closing ---------------------------------------------------------------------------
    def confirm_close(self) -> bool:
        """While on air, closing ends the stream for every viewer: ask first."""
        if not self.core.golive.busy:
            return True
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("End the show?"),
            self.tr(
                "You are live. Quitting stops the stream for every viewer and closes "
                "LiveDesk. Quit now?"
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown:  # now the frame (title bar, borders) is known: fit it too
            self._shown = True
            self.fit_to_screen()

    def close_now(self) -> None:
        """Close without asking (the process is ending anyway)."""
        if not self._closed:
            self._closed = True
            self.save_geometry()
            self.closing.emit()
        self.close()

    def childEvent(self, event: QChildEvent) -> None:
        """Tabbed docks' bars (made by Qt as docks are tabbed): names whole, never "Devi…";
        a bar with more tabs than room scrolls instead."""
        super().childEvent(event)
        bar = event.child()
        if event.type() == QEvent.Type.ChildPolished and isinstance(bar, QTabBar):
            bar.setElideMode(Qt.TextElideMode.ElideNone)
            bar.setUsesScrollButtons(True)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed and not self.confirm_close():
            event.ignore()
            return
        if not self._closed:
            self._closed = True
            self.save_geometry()
            self.closing.emit()
        super().closeEvent(event)
