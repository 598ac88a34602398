"""Block lists from the console's windows reach the hub (viewers stop seeing what the host
blocked), belong to the host's account rather than one show, and read / write as text."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from app.console_core import ConsoleCore
from app.danmaku import blocklists
from app.settings import Settings
from streaming.interaction.hub import HubLimits
from streaming.interaction.serve import HubServer
from tests.interaction_support import TOKEN, viewer
from widgets.audience_feature import AudienceViews
from widgets.main_window import MainWindow

FEATURE = ("widgets.audience_feature:install",)
EMPTY = {"blocked_words": [], "blocked_users": [], "hide_spam": True}


def _console(qtbot: Any) -> tuple[MainWindow, ConsoleCore, AudienceViews]:
    core = ConsoleCore()
    window = MainWindow(core, features=FEATURE)
    qtbot.addWidget(window)
    window.show()
    found = window.findChild(AudienceViews)
    assert found is not None
    return window, core, found


def _received(ws: Any, seconds: float) -> set[str]:
    texts: set[str] = set()
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            frame = json.loads(ws.recv(timeout=left))
        except TimeoutError:
            break
        texts |= {m["text"] for m in frame if m.get("type") == "danmaku"}
    return texts


def test_blocked_in_the_assistant_window_is_kept_off_viewers_and_survives_a_new_show(
    qtbot: Any, memory_keyring: object
) -> None:
    limits = HubLimits(viewer_rate=1000, viewer_burst=1000, fanout_hz=20).for_load_test()
    with HubServer(TOKEN, limits) as hub:
        window, core, views = _console(qtbot)
        try:
            core.audience.connect_hub(hub.host_url, TOKEN)
            pest, pest_welcome = viewer(hub.viewer_url)
            pest.send(json.dumps({"v": 1, "type": "danmaku", "text": "今天人好多"}))
            assistant = views.open_assistant()
            qtbot.waitUntil(lambda: assistant.model.rowCount() == 1, timeout=10_000)
            assistant.stream.setCurrentIndex(assistant.proxy.index(0, 0))
            assistant.block_user_button.click()
            assistant.word_box.setText("苹果")
            assistant.word_box.returnPressed.emit()
            pest_id = pest_welcome["user"]["id"]
            qtbot.waitUntil(
                lambda: (
                    hub.hub.moderation.blocks_sender(pest_id)
                    and not hub.hub.moderation.allows("u0", "苹果", 0.0)
                ),
                timeout=10_000,
            )
            qtbot.waitUntil(lambda: core.audience.state.filters.blocked_users == [pest_id])
        finally:
            window.close()
            core.shutdown()
        saved = blocklists.load(Settings(), blocklists.account(hub.host_url))
        assert saved == blocklists.BlockLists(["苹果"], [pest_id])

        hub.hub.moderation.update(EMPTY)  # as a restarted hub: it forgot the lists
        window, core, views = _console(qtbot)  # the next show, same account
        try:
            qtbot.waitUntil(
                lambda: core.audience.state.filters.blocked_words == ["苹果"], timeout=10_000
            )
            assert core.audience.state.filters.blocked_users == [pest_id]
            qtbot.waitUntil(lambda: hub.hub.moderation.blocks_sender(pest_id), timeout=10_000)
            sender, _ = viewer(hub.viewer_url)
            audience, _ = viewer(hub.viewer_url)
            for i in range(30):
                sender.send(json.dumps({"v": 1, "type": "danmaku", "text": f"苹 果 {i} 元"}))
                sender.send(json.dumps({"v": 1, "type": "danmaku", "text": f"好看 {i}"}))
                pest.send(json.dumps({"v": 1, "type": "danmaku", "text": f"大家好 {i}"}))
            seen = _received(audience, 2.0)
            assert any(t.startswith("好看") for t in seen)
            assert not any("苹" in t or t.startswith("大家好") for t in seen)
            for ws in (sender, audience, pest):
                ws.close()
        finally:
            window.close()
            core.shutdown()


def test_lists_import_and_export_as_text(qtbot: Any, tmp_path: Path) -> None:
    window, core, views = _console(qtbot)
    try:
        source = tmp_path / "list.txt"
        source.write_text("# 我的屏蔽词\n加群\n\n刷单\n@u77\n加群\n", encoding="utf-8")
        views.import_lists(str(source))
        qtbot.waitUntil(lambda: core.audience.state.filters.blocked_words == ["加群", "刷单"])
        assert core.audience.state.filters.blocked_users == ["u77"]
        assert window.notice_bar.notices[-1].startswith("3 ")
        out = tmp_path / "out.txt"
        views.export_lists(str(out))
        assert blocklists.from_text(out.read_text("utf-8")) == blocklists.BlockLists(
            ["加群", "刷单"], ["u77"]
        )
        views.import_lists(str(tmp_path / "missing.txt"))
        assert "Could not read" in window.notice_bar.notices[-1]
        assert "Errno" not in window.notice_bar.notices[-1]
    finally:
        window.close()
        core.shutdown()
    # The built-in hub numbers its anonymous viewers afresh each run: only words are kept.
    kept = blocklists.load(Settings(), blocklists.BUILT_IN)
    assert kept == blocklists.BlockLists(["加群", "刷单"], [])


@pytest.mark.parametrize(
    ("text", "words", "users"),
    [
        ("微信\r\n@ u1 \r\n", ["微信"], ["u1"]),
        ("#only a comment\n@\n", [], []),
        ("  加 群 \n加 群\n", ["加 群"], []),
    ],
)
def test_block_list_text_form(text: str, words: list[str], users: list[str]) -> None:
    assert blocklists.from_text(text) == blocklists.BlockLists(words, users)
