"""Open the real console on a screen of a given size in a given language, optionally go live
on the built-in relay, save a screenshot and print the layout's figures as one JSON object.

    QT_QPA_PLATFORM=offscreen:configfile=SCREEN.json python -m tests.console_screenshot \
        LANGUAGE OUT.png [--live]

Run in its own process by tests/test_console_layout.py: the screen size is fixed when Qt
starts, and the test process's screen is 800×600.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QScrollArea, QTabBar, QWidget


def fully_visible(widget: QWidget) -> bool:
    """Shown and not clipped by a scroll area or the window edge."""
    return widget.isVisible() and widget.visibleRegion().boundingRect() == widget.rect()


def cut_tabs(window: QWidget) -> list[str]:
    """Tab names shown shorter than they are (elided: "Devi…")."""
    return [
        bar.tabText(i)
        for bar in window.findChildren(QTabBar)
        if bar.isVisible()
        for i in range(bar.count())
        if bar.tabRect(i).width() < bar.tabSizeHint(i).width()
    ]


def scrolls_sideways(widget: QWidget) -> bool:
    """`widget` sits in a scroll area that is wider than its view (a sideways scroll bar)."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    return parent is not None and parent.horizontalScrollBar().maximum() > 0


class OpenConsole:
    """The real console, shown in `language`, its core started; `wait` runs Qt's loop."""

    def __init__(self, language: str) -> None:
        from app import i18n
        from app.console_core import ConsoleCore
        from app.settings import Settings
        from widgets.fonts import install_cjk_font
        from widgets.main_window import MainWindow

        self.app = QApplication(sys.argv[:1])
        install_cjk_font(self.app)
        self.translators = i18n.install(self.app, language)
        self.core = ConsoleCore(Settings())
        self.window = MainWindow(self.core)
        self.core.start()
        self.window.show()

    def wait(self, seconds: float, until: Callable[[], bool] | None = None) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not (until is not None and until()):
            self.app.processEvents()
            time.sleep(0.01)

    def close(self) -> None:
        from app import i18n

        self.window.close_now()
        self.core.shutdown()
        i18n.uninstall(self.app, self.translators)


def main(argv: list[str]) -> int:
    language, out = argv[0], argv[1]
    live = "--live" in argv
    from widgets.audience_feature import AudienceViews
    from widgets.golive_panel import GoLivePanel

    console = OpenConsole(language)
    core, window, wait = console.core, console.window, console.wait
    wait(2.0)
    if live:
        wait(10.0, lambda: core.golive.embedded is not None)
        core.golive.go_live()
        wait(20.0, lambda: core.golive.state.value == "live")
        wait(2.5)  # time on air ticks, the badge shows it
    panel = window.findChild(GoLivePanel)
    audience = window.findChild(AudienceViews, "audience-views")
    assert panel is not None and audience is not None
    table = audience.queue.table
    row_height = table.verticalHeader().defaultSectionSize()
    screen = window.screen().availableGeometry()
    figures = {
        "screen": [screen.width(), screen.height()],
        "window": [window.frameGeometry().width(), window.frameGeometry().height()],
        "inside_screen": screen.contains(window.frameGeometry()),
        "go_live_visible": fully_visible(panel.go_button),
        "state_visible": fully_visible(panel.state_label),
        "question_rows": table.viewport().height() // row_height,
        "question_table_visible": fully_visible(audience.queue.buttons["pin"]),
        "preview": [window.preview.width(), window.preview.height()],
        "state": core.golive.state.value,
        "title": window.windowTitle(),
        "badge_visible": window.on_air_badge.isVisible(),
        "badge": window.on_air_badge.text(),
        "status": window.status_text(),
        "cut_tabs": cut_tabs(window),
        "golive_scrolls_sideways": scrolls_sideways(panel),
    }
    window.grab().save(out)
    console.close()
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
