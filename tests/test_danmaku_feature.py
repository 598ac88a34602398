"""The audience feature installed into the real console window: overlay over the preview,
questions dock, assistant window on the same state, hub connection, and the offer to resume a
show whose journal was left open by a crash."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QDockWidget, QMessageBox

from app.console_core import ConsoleCore
from app.danmaku.journal import resumable_show
from app.danmaku.service import AudienceService
from streaming.interaction.hub import HubLimits
from streaming.interaction.serve import HubServer
from tests.interaction_support import TOKEN, viewer
from widgets.assistant_window import AssistantWindow
from widgets.audience_feature import AudienceViews
from widgets.danmaku_overlay import DanmakuOverlay
from widgets.main_window import MainWindow

FEATURE = ("widgets.audience_feature:install",)


@pytest.fixture
def console(qtbot: Any) -> Iterator[tuple[MainWindow, ConsoleCore]]:
    core = ConsoleCore()
    window = MainWindow(core, features=FEATURE)
    qtbot.addWidget(window)
    window.show()
    yield window, core
    window.close()
    core.shutdown()


def views(window: MainWindow) -> AudienceViews:
    found = window.findChild(AudienceViews)
    assert found is not None
    return found


def _menu_action(window: MainWindow, title: str) -> Any:
    return next(
        a for a in window.findChildren(type(window.menuBar().actions()[0])) if a.text() == title
    )


def test_install_adds_overlay_dock_and_assistant(
    console: tuple[MainWindow, ConsoleCore], qtbot: Any
) -> None:
    window, core = console
    assert window.feature_errors == {}
    overlay = window.preview.findChild(DanmakuOverlay)
    assert overlay is not None and overlay.geometry() == window.preview.rect()
    assert any(d.windowTitle() == "Questions" for d in window.findChildren(QDockWidget))
    _menu_action(window, "Assistant window").trigger()
    assistant = views(window).assistant
    assert isinstance(assistant, AssistantWindow) and assistant.isVisible()
    assert assistant.state is core.audience.state is views(window).queue.state


def test_feature_reads_a_real_hub(console: tuple[MainWindow, ConsoleCore], qtbot: Any) -> None:
    window, core = console
    with HubServer(TOKEN, HubLimits(viewer_rate=1000, viewer_burst=1000).for_load_test()) as hub:
        core.audience.service.connect(hub.host_url, TOKEN)
        ws, _ = viewer(hub.viewer_url)
        for text in ("能用花呗吗", "可以用花呗吗", "主播好美"):
            ws.send(json.dumps({"v": 1, "type": "danmaku", "text": text}))
        qtbot.waitUntil(
            lambda: [q.count for q in core.audience.state.questions] == [2], timeout=10000
        )
        queue = views(window).queue
        qtbot.waitUntil(lambda: [q.text for q in queue.model.rows] == ["能用花呗吗"])
        ws.close()


def test_offers_to_resume_a_crashed_show(qtbot: Any) -> None:
    crashed = AudienceService()
    crashed.worker.feed(
        json.dumps(
            [
                {
                    "seq": i,
                    "v": 1,
                    "type": "danmaku",
                    "ts": 1_764_170_000_000 + i,
                    "user": {"id": f"u{i}", "name": "n"},
                    "text": "包邮吗",
                }
                for i in range(1, 4)
            ],
            ensure_ascii=False,
        )
    )
    crashed.worker.command("block_word", word="刷单")
    crashed.worker.drain()
    crashed.journal.flush()
    crashed.worker.stop()  # the journal is never closed: as after kill -9
    crashed.reader.close()
    assert resumable_show() == crashed.path

    core = ConsoleCore()
    window = MainWindow(core, features=FEATURE)
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.waitUntil(lambda: views(window).resume_box is not None)
        box = views(window).resume_box
        assert isinstance(box, QMessageBox) and box.isVisible()
        assert box.parentWidget() is window  # on the window, not in a corner of the screen
        assert core.audience.service is None  # nothing is read before the host decides
        box.button(QMessageBox.StandardButton.Yes).click()
        qtbot.waitUntil(
            lambda: [(q.text, q.count) for q in core.audience.state.questions] == [("包邮吗", 3)]
        )
        assert core.audience.state.filters.blocked_words == ["刷单"]
        assert core.audience.service.path == crashed.path
    finally:
        window.close()
        core.shutdown()
    assert resumable_show() is None


def test_reads_the_built_in_relays_hub(qtbot: Any) -> None:
    """With Go live's built-in relay running, the console reads its hub without any setup."""
    core = ConsoleCore()
    window = MainWindow(core, features=("widgets.golive_feature:install", *FEATURE))
    qtbot.addWidget(window)
    window.show()
    core.start_built_in_relay()
    try:
        qtbot.waitUntil(lambda: core.golive.embedded is not None, timeout=10000)
        qtbot.waitUntil(
            lambda: core.audience.service.hub_url == core.golive.embedded.info["interaction_host"]
        )
        info = core.golive.embedded.info
        ws, _ = viewer(info["interaction"])
        ws.send(json.dumps({"v": 1, "type": "danmaku", "text": "<b>适合敏感肌吗</b>"}))
        qtbot.waitUntil(
            lambda: [q.text for q in core.audience.state.questions] == ["<b>适合敏感肌吗</b>"],
            timeout=10000,
        )
        ws.close()
    finally:
        window.close()
        core.shutdown()


def test_declining_resume_starts_a_new_show_and_stops_offering(qtbot: Any) -> None:
    crashed = AudienceService()
    crashed.worker.stop()
    crashed.journal.flush()
    core = ConsoleCore()
    window = MainWindow(core, features=FEATURE)
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.waitUntil(lambda: views(window).resume_box is not None)
        views(window).resume_box.button(QMessageBox.StandardButton.No).click()
        qtbot.waitUntil(lambda: core.audience.service is not None)
        assert core.audience.service.path != crashed.path
    finally:
        window.close()  # closing the console ends the show
        core.shutdown()
    assert core.audience.service is None
    assert resumable_show() is None
