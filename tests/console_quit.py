"""Run the real console (`livedesk`'s `run_console`) and quit it as a host would: go live on
the built-in relay, open the assistant window and minimise it, then close the console window
and answer Yes to "End the show?". Prints the console's child processes as one JSON line
before closing; tests/test_console_layout.py checks that the process and those are all gone.

    QT_QPA_PLATFORM=offscreen python -m tests.console_quit
"""

from __future__ import annotations

import argparse
import json
import sys

import psutil
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.cli.console import run_console

STEP_MS = 200


def main() -> int:
    app = QApplication(sys.argv[:1])

    def window() -> object:
        from widgets.main_window import MainWindow

        return next((w for w in app.topLevelWidgets() if isinstance(w, MainWindow)), None)

    def step() -> None:
        console = window()
        if console is None:
            return
        from widgets.audience_feature import AudienceViews

        core = console.core  # type: ignore[attr-defined]
        if core.golive.embedded is None:
            return
        if not core.golive.busy:
            core.golive.go_live()
            return
        if core.golive.state.value != "live":
            return
        timer.stop()
        views = console.findChild(AudienceViews, "audience-views")  # type: ignore[attr-defined]
        views.open_assistant().showMinimized()
        children = [p.pid for p in psutil.Process().children(recursive=True)]
        print(json.dumps({"children": children, "live": True}), flush=True)
        QTimer.singleShot(300, answer_yes)
        console.close()  # type: ignore[attr-defined]  # the title bar's ×: asks first

    def answer_yes() -> None:
        box = app.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.button(QMessageBox.StandardButton.Yes).click()
        else:
            QTimer.singleShot(100, answer_yes)

    timer = QTimer()
    timer.setInterval(STEP_MS)
    timer.timeout.connect(step)
    timer.start()
    return run_console(argparse.Namespace(self_test=False, screenshot=None))


if __name__ == "__main__":
    raise SystemExit(main())
