"""A queue the host can click, through the real panel on the real worker and pipeline: rows
hold still under the pointer with an "N new" marker, selected rows keep their row, P / A / N
pin, answer and move on, statuses read as statuses, and search results follow actions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication

from app.danmaku.questions import QuestionView
from app.danmaku.queue_order import settle
from tests.test_danmaku_windows import Show
from widgets.question_queue import QuestionQueueWidget


@pytest.fixture
def show(qtbot: Any) -> Iterator[Show]:
    s = Show([])
    qtbot.addWidget(s.host_queue)
    qtbot.addWidget(s.preview)
    qtbot.addWidget(s.assistant)
    s.host_queue.resize(700, 500)
    s.host_queue.show()
    yield s
    s.close()


def _texts(panel: QuestionQueueWidget) -> list[str]:
    return [q.text for q in panel.model.rows]


def _hover(panel: QuestionQueueWidget, on: bool) -> None:
    kind = QEvent.Type.Enter if on else QEvent.Type.Leave
    QApplication.sendEvent(panel.table.viewport(), QEvent(kind))


def _ask(show: Show, text: str, askers: range) -> None:
    show.say(*[(f"u{text}{i}", text) for i in askers])


def test_rows_hold_still_under_the_pointer_with_a_marker(show: Show, qtbot: Any) -> None:
    panel = show.host_queue
    _ask(show, "包邮吗", range(3))
    _ask(show, "什么时候发货", range(2))
    qtbot.waitUntil(lambda: _texts(panel) == ["包邮吗", "什么时候发货"])
    _hover(panel, True)
    _ask(show, "敏感肌能用吗", range(12))  # new, and now the most asked
    _ask(show, "什么时候发货", range(2, 6))  # re-ranked above 包邮吗
    qtbot.waitUntil(lambda: panel.waiting == 1)
    assert _texts(panel) == ["包邮吗", "什么时候发货"]  # the row aimed at is still there
    qtbot.waitUntil(lambda: [q.count for q in panel.model.rows] == [3, 6])  # counts refresh
    assert panel.new_marker.isVisible() and "1 new" in panel.new_marker.text()
    _hover(panel, False)
    assert _texts(panel) == ["敏感肌能用吗", "什么时候发货", "包邮吗"]
    assert not panel.new_marker.isVisible()


def test_the_marker_shows_what_waited_at_a_click(show: Show, qtbot: Any) -> None:
    panel = show.host_queue
    _ask(show, "包邮吗", range(2))
    qtbot.waitUntil(lambda: _texts(panel) == ["包邮吗"])
    _hover(panel, True)
    _ask(show, "有赠品吗", range(4))
    qtbot.waitUntil(lambda: panel.new_marker.isVisible())
    qtbot.mouseClick(panel.new_marker, Qt.MouseButton.LeftButton)
    assert _texts(panel) == ["有赠品吗", "包邮吗"]


def test_a_selected_row_keeps_its_row_when_the_order_changes(show: Show, qtbot: Any) -> None:
    panel = show.host_queue
    for n, text in enumerate(("包邮吗", "什么时候发货", "有赠品吗"), 1):
        _ask(show, text, range(10 - 3 * n))
    qtbot.waitUntil(lambda: _texts(panel) == ["包邮吗", "什么时候发货", "有赠品吗"])
    panel.select_ids([panel.model.rows[1].id])
    chosen = panel.selected_ids()
    _ask(show, "有赠品吗", range(20, 40))  # jumps to the top
    qtbot.waitUntil(lambda: panel.model.rows[0].text == "有赠品吗")
    assert _texts(panel) == ["有赠品吗", "什么时候发货", "包邮吗"]
    assert panel.selected_ids() == chosen and panel.model.rows[1].id == chosen[0]


def test_keys_pin_answer_and_move_on(show: Show, qtbot: Any) -> None:
    panel = show.host_queue
    _ask(show, "包邮吗", range(3))
    _ask(show, "什么时候发货", range(2))
    _ask(show, "有赠品吗", range(1))
    qtbot.waitUntil(lambda: len(panel.model.rows) == 3)
    panel.table.setFocus()
    panel.select_ids([panel.model.rows[1].id])  # 什么时候发货
    qtbot.keyClick(panel.table, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: show.state.pinned is not None)
    assert show.state.pinned.text == "什么时候发货"
    qtbot.keyClick(panel.table, Qt.Key.Key_N)  # answered; the best open one is pinned
    qtbot.waitUntil(lambda: show.state.pinned is not None and show.state.pinned.text == "包邮吗")
    qtbot.waitUntil(lambda: "什么时候发货" not in _texts(panel))
    panel.select_ids([q.id for q in panel.model.rows if q.text == "有赠品吗"])
    qtbot.keyClick(panel.table, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: _texts(panel) == ["包邮吗"])
    panel.search_box.setFocus()
    qtbot.keyClicks(panel.search_box, "Pan")  # letters typed into the search box stay text
    assert panel.search_box.text() == "Pan" and show.state.pinned.text == "包邮吗"


def test_statuses_read_as_statuses_and_search_follows_answers(show: Show, qtbot: Any) -> None:
    panel = show.host_queue
    _ask(show, "包邮吗", range(2))
    _ask(show, "包邮到新疆吗", range(1))
    qtbot.waitUntil(lambda: len(panel.model.rows) == 2)
    statuses = [panel.model.index(r, 3).data() for r in range(2)]
    assert statuses == ["Open", "Open"]
    panel.search_box.setText("包邮")
    panel.search_box.returnPressed.emit()
    qtbot.waitUntil(lambda: panel._searching is not None and len(panel.model.rows) == 2)
    panel.select_ids([panel.model.rows[0].id])
    answered = panel.model.rows[0].id
    panel.buttons["answer"].click()
    qtbot.waitUntil(
        lambda: any(q.id == answered and q.status == "answered" for q in panel.model.rows)
    )
    row = next(r for r, q in enumerate(panel.model.rows) if q.id == answered)
    assert panel.model.index(row, 3).data() == "Answered"


def _q(qid: int, count: int = 1) -> QuestionView:
    return QuestionView(qid, f"q{qid}", count, (), 0, 0, "open", False, ())


def test_settle_rules() -> None:
    shown = [_q(1), _q(2), _q(3)]
    ranked = [_q(4), _q(3, 5), _q(1)]  # 2 was answered, 4 is new
    assert settle(shown, ranked, [], hold=True) == ([_q(1), _q(2), _q(3, 5)], 1)
    assert settle(shown, ranked, [3], hold=False) == ([_q(4), _q(1), _q(3, 5)], 0)
    assert settle(shown, ranked, [2], hold=False) == (ranked, 0)  # gone: nothing to keep


def test_block_sender_on_a_collapsed_line_blocks_everyone_it_shows(show: Show, qtbot: Any) -> None:
    show.assistant.show()
    show.say(*[(f"fan{i}", "加油加油") for i in range(5)], ("other", "今天人好多"))
    assistant = show.assistant
    qtbot.waitUntil(lambda: any(line.count == 5 for line in assistant.model.lines))
    row = next(r for r, line in enumerate(assistant.model.lines) if line.count == 5)
    assistant.stream.setCurrentIndex(assistant.proxy.index(row, 0))
    assistant.block_user_button.click()
    qtbot.waitUntil(lambda: len(show.state.filters.blocked_users) == 5)
    assert sorted(show.state.filters.blocked_users) == [f"fan{i}" for i in range(5)]
    assert all(line.user_id == "other" for line in assistant.model.lines)
