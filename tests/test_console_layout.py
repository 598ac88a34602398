"""The console as a host opens it on a 1366×768 laptop and a 1920×1080 screen, in Chinese and in
English: it fits the screen, Go live, the live state and at least six question rows are in
sight without scrolling, the on-air badge, title and status bar say LIVE with the time; and
quitting (with the assistant window open and minimised, while live) ends the process, and
Ctrl+Q pressed in the assistant window quits too, asking first while live.

Each console runs in its own process (the screen size is fixed when Qt starts). Screenshots go
to $LIVEDESK_SCREENSHOTS if set (to look at them), else to the test's tmp folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.console_core import ConsoleCore
from widgets.audience_feature import AudienceViews
from widgets.main_window import MainWindow

ROOT = Path(__file__).resolve().parent.parent
MIN_QUESTION_ROWS = 6
QUIT_WITHIN_S = 20.0


def _env(tmp_path: Path, platform: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": platform,
        "LIVEDESK_CONFIG_DIR": str(tmp_path / "config"),
        "LIVEDESK_DATA_DIR": str(tmp_path / "data"),
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    ("width", "height", "language", "live"),
    [
        (1366, 768, "zh_CN", True),
        (1366, 768, "en", False),
        (1920, 1080, "zh_CN", False),
        (1920, 1080, "en", True),
    ],
)
def test_the_console_fits_the_screen(
    tmp_path: Path, width: int, height: int, language: str, live: bool
) -> None:
    shot = (
        _screenshots(tmp_path) / f"console-{width}x{height}-{language}{'-live' if live else ''}.png"
    )
    command = ["tests.console_screenshot", language, str(shot), *(["--live"] if live else [])]
    figures = _run_on_screen(tmp_path, width, height, command)
    assert figures["inside_screen"], figures
    assert figures["go_live_visible"] and figures["state_visible"], figures
    assert figures["question_rows"] >= MIN_QUESTION_ROWS, figures
    assert figures["question_table_visible"], figures
    assert not figures["cut_tabs"] and not figures["golive_scrolls_sideways"], figures
    assert shot.stat().st_size > 10_000
    if width == 1920:  # the big screen's room goes to the questions
        assert figures["question_rows"] >= 15, figures
    on_air = "● 直播中" if language == "zh_CN" else "● LIVE"
    if live:
        assert figures["state"] == "live"
        assert figures["badge_visible"] and figures["badge"].startswith(on_air), figures
        assert figures["title"].startswith(on_air) and figures["status"].startswith(on_air)
    else:
        assert not figures["badge_visible"]
        assert figures["title"] == (
            "LiveDesk 直播控制台" if language == "zh_CN" else "LiveDesk live console"
        )


def _screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("LIVEDESK_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _run_on_screen(tmp_path: Path, width: int, height: int, module: list[str]) -> dict:
    """Run `python -m MODULE…` on an offscreen screen of that size; its last line's JSON."""
    screen = tmp_path / "screen.json"
    screen.write_text(
        json.dumps(
            {
                "screens": [
                    {"name": "s", "x": 0, "y": 0, "width": width, "height": height}
                    | {"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}
                ]
            }
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", *module],
        env=_env(tmp_path, f"offscreen:configfile={screen}"),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("width", "height", "language"),
    [(1366, 768, "zh_CN"), (1366, 768, "en"), (1920, 1080, "zh_CN"), (1920, 1080, "en")],
)
def test_the_sale_lottery_and_product_docks_fit(
    tmp_path: Path, width: int, height: int, language: str
) -> None:
    """The commerce docks, with products in them and a field in error, show whole: no text cut
    off, no sideways scrolling, no elided tab."""
    prefix = _screenshots(tmp_path) / f"commerce-{width}x{height}-{language}"
    figures = _run_on_screen(
        tmp_path, width, height, ["tests.commerce_screenshot", language, str(prefix)]
    )
    assert not figures["cut_tabs"], figures
    for dock in ("products", "sale", "lottery"):
        assert figures[dock]["visible"], figures
        assert not figures[dock]["cut"] and not figures[dock]["scrolls_sideways"], figures
        assert Path(f"{prefix}-{dock}.png").stat().st_size > 10_000


@pytest.mark.slow
def test_quitting_while_live_with_the_assistant_open_leaves_no_process(tmp_path: Path) -> None:
    console = subprocess.Popen(
        [sys.executable, "-m", "tests.console_quit"],
        env=_env(tmp_path, "offscreen"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert console.stdout is not None
        line = console.stdout.readline()  # printed just before the window is closed
        closed_at = time.monotonic()
        assert line, console.stderr.read() if console.stderr else ""
        children = json.loads(line)["children"]
        assert children, "the audience reader runs in a child process"
        code = console.wait(timeout=QUIT_WITHIN_S + 10)
        took = time.monotonic() - closed_at
    finally:
        if console.poll() is None:
            console.kill()
            console.wait()
    assert code == 0 and took < QUIT_WITHIN_S, (code, took)
    alive = [pid for pid in children if psutil.pid_exists(pid) and _running(pid)]
    assert not alive, f"left behind: {alive}"


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _ctrl_q_answering(qtbot, target: QWidget, answer: QMessageBox.StandardButton) -> str:
    """Press Ctrl+Q in `target`, answer the question it raises; returns the question."""
    asked: list[str] = []

    def reply() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            asked.append(box.text())
            box.button(answer).click()
        else:
            QTimer.singleShot(50, reply)

    target.activateWindow()  # as the window manager does again once a dialog is answered
    qtbot.waitUntil(lambda: QApplication.activeWindow() is target, timeout=5000)
    QTimer.singleShot(50, reply)
    qtbot.keyClick(target, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    return asked[0]


def test_ctrl_q_in_the_assistant_window_asks_then_ends_the_show(qtbot) -> None:
    """The assistant window has the focus when the host presses Ctrl+Q: while live the console
    asks first ("No" keeps the show going), then ends it and both windows close."""
    core = ConsoleCore()
    window = MainWindow(core)
    qtbot.addWidget(window)
    core.start()
    window.show()
    try:
        qtbot.waitUntil(lambda: core.golive.embedded is not None, timeout=15_000)
        core.golive.go_live()
        qtbot.waitUntil(lambda: core.golive.state.value == "live", timeout=20_000)
        views = window.findChild(AudienceViews, "audience-views")
        assert views is not None
        assistant = views.open_assistant()
        question = _ctrl_q_answering(qtbot, assistant, QMessageBox.StandardButton.No)
        assert "live" in question.lower()
        qtbot.wait(200)
        assert window.isVisible() and assistant.isVisible() and core.golive.busy
        _ctrl_q_answering(qtbot, assistant, QMessageBox.StandardButton.Yes)
        qtbot.waitUntil(lambda: not window.isVisible() and not assistant.isVisible(), timeout=5000)
    finally:
        window.close_now()
        core.shutdown()
