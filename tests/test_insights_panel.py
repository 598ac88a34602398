"""The Insights panel: charts follow a journal being written (≤ 2 refreshes a second), and in
the real console they follow a running `livedesk audience` through the built-in relay's hub;
Bookmark puts a marker on the charts; Report… writes the report of the running show."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices

from app.console_core import ConsoleCore
from app.insights.live import LiveInsights, LiveView
from capture.devices import SYNTHETIC_TONE, SYNTHETIC_VIDEO
from tests.insights_support import ShowWriter, write_show
from widgets.insights_panel import InsightsPanel
from widgets.main_window import MainWindow

FEATURES = ("widgets.audience_feature:install", "widgets.insights_feature:install")


def test_charts_follow_a_journal_being_written(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "show.sqlite"
    write_show(path, minutes=4, ended=False)
    panel = InsightsPanel()
    qtbot.addWidget(panel)
    live = LiveInsights(lambda: path, parent=panel)
    views: list[tuple[float, LiveView]] = []
    # Stamped where it is sent (the worker), not where the GUI happens to deliver it.
    live.updated.connect(
        lambda v: views.append((time.monotonic(), v)), Qt.ConnectionType.DirectConnection
    )
    live.updated.connect(panel.show_view)
    live.start()
    try:
        qtbot.waitUntil(lambda: panel.view is not None, timeout=10_000)
        first = panel.view
        assert first is not None and len(first.minutes) == 4
        assert sum(first.series["messages"]) == 10 + 10 + 10 + 40
        assert [k for _, k, _ in first.markers].count("bookmark") == 1
        assert "能用花呗吗" in panel.questions.labels
        assert any("3号链接" in label for label in panel.mentions.labels)
        # The show goes on: more minutes reach the charts without a restart.
        writer = ShowWriter(path)
        t0 = int(time.time() * 1000)
        writer.send(*(writer.danmaku(t0 + i, "包邮吗", 900 + i) for i in range(30)))
        writer.close(ended=False)
        qtbot.waitUntil(
            lambda: panel.view is not None and panel.view.events > first.events, timeout=10_000
        )
        assert sum(panel.view.series["questions"]) > sum(first.series["questions"])
    finally:
        live.stop()
    stamps = [t for t, _ in views]
    assert all(b - a >= 0.4 for a, b in itertools.pairwise(stamps))  # ≤ 2 Hz


@pytest.fixture
def console(qtbot, monkeypatch) -> Iterator[tuple[ConsoleCore, MainWindow]]:
    import json

    from app.paths import config_dir

    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "settings.json").write_text(
        json.dumps({"media": {"camera": SYNTHETIC_VIDEO, "microphone": SYNTHETIC_TONE}}),
        encoding="utf-8",
    )
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    core = ConsoleCore()
    window = MainWindow(core, features=FEATURES)
    window.opened = opened  # type: ignore[attr-defined]
    qtbot.addWidget(window)
    core.start()
    window.show()
    assert not window.feature_errors
    yield core, window
    window.close()
    core.shutdown()


def test_console_charts_a_running_audience_bookmarks_and_reports(console, qtbot) -> None:
    core, window = console
    panel = window.findChild(InsightsPanel)
    assert panel is not None
    info = core.golive.start_embedded_relay()
    hub = core.golive.embedded.server.relay.hub
    qtbot.waitUntil(lambda: hub.stats()["hosts"] >= 1, timeout=20_000)
    audience = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "audience",
            "--url",
            info["interaction"],
            "--viewers",
            "8",
            "--rate",
            "20",
            "--duration",
            "4",
            "--seed",
            "3",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ},
    )
    try:
        qtbot.waitUntil(
            lambda: panel.view is not None and sum(panel.view.series["messages"]) >= 20,
            timeout=30_000,
        )
    finally:
        audience.wait(30)
    panel.bookmark_text.setText("上链接 #3")
    panel.bookmark_button.click()
    qtbot.waitUntil(
        lambda: (
            panel.view is not None
            and ("bookmark", "上链接 #3") in [(k, label) for _, k, label in panel.view.markers]
        ),
        timeout=15_000,
    )
    panel.report_button.click()
    qtbot.waitUntil(lambda: bool(window.opened), timeout=60_000)
    html = Path(window.opened[0].toLocalFile())
    assert html.name == "report.html" and html.is_file()
    assert html.read_text(encoding="utf-8").count("<img") >= 3  # the charts
    assert panel.report_button.isEnabled()
