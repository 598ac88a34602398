"""The host view (overlay + queue panel) and the assistant window on one AudienceState, driven
with pytest-qt through the real worker thread and pipeline: every action in one window shows
in the other, and viewers' markup is shown literally everywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF, QImage
from PySide6.QtWidgets import QWidget

from app.danmaku.journal import Journal, JournalReader, new_show_path
from app.danmaku.pipeline import Pipeline
from app.danmaku.state import AudienceState
from app.danmaku.worker import DanmakuWorker
from widgets.assistant_window import AssistantWindow
from widgets.danmaku_overlay import DanmakuOverlay
from widgets.question_queue import QuestionQueueWidget

INJECTIONS = [
    "<b>bold</b>",
    "<img src=x onerror=alert(1)>",
    "<a href='#top'>点我</a>",  # with a URL it would be hidden as spam
    "<qt><font color=red>red</font></qt>",
    "&lt;escaped&gt; &amp;",
]


class Show:
    def __init__(self, sent: list[dict[str, Any]]) -> None:
        self.journal = Journal(new_show_path())
        self.reader = JournalReader(self.journal.path)
        self.pipeline = Pipeline(self.journal, send=sent.append, reader=self.reader)
        self.worker = DanmakuWorker(self.pipeline)
        self.worker.start()
        self.state = AudienceState(self.worker)
        self.preview = QWidget()
        self.preview.resize(960, 540)
        self.overlay = DanmakuOverlay(self.state, self.preview, lanes=6)
        self.host_queue = QuestionQueueWidget(self.state)
        self.assistant = AssistantWindow(self.state)
        self.seq = 0

    def say(self, *items: tuple[str, str]) -> None:
        events = []
        for user, text in items:
            self.seq += 1
            events.append(
                {
                    "seq": self.seq,
                    "v": 1,
                    "type": "danmaku",
                    "ts": 1_764_170_000_000 + self.seq * 20,
                    "user": {"id": user, "name": f"观众{user}"},
                    "text": text,
                }
            )
        self.worker.feed(json.dumps(events, ensure_ascii=False))

    def close(self) -> None:
        self.worker.stop()
        self.journal.close()
        self.reader.close()


@pytest.fixture
def show(qtbot: Any) -> Iterator[Show]:
    sent: list[dict[str, Any]] = []
    s = Show(sent)
    s.sent = sent  # type: ignore[attr-defined]
    qtbot.addWidget(s.preview)
    qtbot.addWidget(s.host_queue)
    qtbot.addWidget(s.assistant)
    s.preview.show()
    s.assistant.show()
    yield s
    s.close()


def _queue_texts(widget: QuestionQueueWidget) -> list[str]:
    return [q.text for q in widget.model.rows]


def test_both_windows_follow_one_state(show: Show, qtbot: Any) -> None:
    show.say(
        ("1", "能用花呗吗"),
        ("2", "可以用花呗吗"),
        ("3", "包邮吗"),
        ("4", "我刚下班"),
        ("5", "加V看福利 xyz8899"),
    )
    qtbot.waitUntil(
        lambda: len(show.host_queue.model.rows) == 2 and len(show.assistant.model.lines) == 4
    )
    assert (
        _queue_texts(show.host_queue)
        == _queue_texts(show.assistant.queue)
        == ["能用花呗吗", "包邮吗"]
    )
    assert show.host_queue.model.rows[0].count == 2
    assert all("xyz8899" not in line.text for line in show.assistant.model.lines)  # spam hidden

    # Pin from the assistant window: the host panel shows it pinned, viewers are told.
    show.assistant.queue.select_ids([show.assistant.queue.model.rows[1].id])
    qtbot.mouseClick(show.assistant.queue.buttons["pin"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: show.host_queue.pinned_label.text() == "Pinned: 包邮吗")
    assert show.host_queue.model.rows[0].status == "pinned"
    assert show.sent[-1]["type"] == "pin" and show.sent[-1]["text"] == "包邮吗"  # type: ignore[attr-defined]

    # Answer from the host panel: gone from both queues, pin cleared in both.
    show.host_queue.select_ids([show.host_queue.model.rows[0].id])
    qtbot.mouseClick(show.host_queue.buttons["answer"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _queue_texts(show.assistant.queue) == ["能用花呗吗"])
    assert show.assistant.queue.pinned_label.text() == "Nothing pinned"

    # Block a sender from the assistant stream: their lines leave both windows.
    row = next(i for i, line in enumerate(show.assistant.model.lines) if line.user_id == "4")
    show.assistant.stream.setCurrentIndex(show.assistant.proxy.index(row, 0))
    qtbot.mouseClick(show.assistant.block_user_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: all(line.user_id != "4" for line in show.assistant.model.lines))
    assert all(line.user_id != "4" for line in show.state.lines())
    assert all(item.line.user_id != "4" for item in show.overlay._items)

    # Delete one message.
    row = next(i for i, line in enumerate(show.assistant.model.lines) if line.text == "包邮吗")
    show.assistant.stream.setCurrentIndex(show.assistant.proxy.index(row, 0))
    qtbot.mouseClick(show.assistant.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: all(line.text != "包邮吗" for line in show.state.lines()))

    # Block a word in the assistant window: later messages with it reach neither window.
    show.assistant.word_box.setText("花呗")
    show.assistant.word_box.returnPressed.emit()
    qtbot.waitUntil(lambda: show.state.filters.blocked_words == ["花呗"])
    assert [
        show.assistant.blocked_words.item(i).text()
        for i in range(show.assistant.blocked_words.count())
    ] == ["花呗"]
    show.say(("6", "花 呗 分期吗"), ("7", "掉色吗"))
    qtbot.waitUntil(lambda: "掉色吗" in _queue_texts(show.host_queue))
    assert all("分期" not in line.text for line in show.state.lines())

    # Search finds answered questions too (and the journal's messages).
    show.assistant.queue.search_box.setText("包邮")
    show.assistant.queue.search_box.returnPressed.emit()
    qtbot.waitUntil(lambda: [q.status for q in show.assistant.queue.model.rows] == ["answered"])
    show.assistant.filter_box.setText("包邮")
    show.assistant.filter_box.returnPressed.emit()
    qtbot.waitUntil(lambda: show.assistant.history.count() == 1)


def test_merge_in_host_panel_shows_in_assistant(show: Show, qtbot: Any) -> None:
    show.say(("1", "几号链接是裙子"), ("2", "裙子是几号"), ("3", "裙子在哪个链接"))
    qtbot.waitUntil(lambda: len(show.host_queue.model.rows) >= 2)
    ids = [q.id for q in show.host_queue.model.rows]
    show.host_queue.select_ids(ids)
    qtbot.mouseClick(show.host_queue.buttons["merge"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(show.assistant.queue.model.rows) == 1)
    assert show.assistant.queue.model.rows[0].count == 3


def test_overlay_caps_lines_and_never_samples_questions_away(show: Show, qtbot: Any) -> None:
    chatter = [(str(100 + i), f"随便聊聊{i}") for i in range(300)]
    show.say(*chatter[:150], ("q1", "这个有黑色吗"), *chatter[150:], ("q2", "保质期多久"))
    shown_questions: list[str] = []
    show.overlay.on_first_paint = lambda lines: shown_questions.extend(
        x.text for x in lines if x.kind == "question"
    )
    qtbot.waitUntil(
        lambda: sorted(shown_questions) == sorted(["这个有黑色吗", "保质期多久"]), timeout=15000
    )
    assert len({item.lane for item in show.overlay._items}) <= show.overlay.lanes
    assert show.overlay.sampled_out > 200  # the rest of the chatter was sampled away


def test_injection_strings_show_literally(show: Show, qtbot: Any) -> None:
    show.overlay.set_speed(10)
    show.say(*[(str(i), text) for i, text in enumerate(INJECTIONS)], ("9", "<b>会缩水吗</b>"))
    qtbot.waitUntil(lambda: len(show.assistant.model.lines) == len(INJECTIONS) + 1)
    stream = [
        show.assistant.proxy.index(i, 0).data() for i in range(show.assistant.proxy.rowCount())
    ]
    for text in INJECTIONS:
        assert f"观众{INJECTIONS.index(text)}: {text}" in stream
    qtbot.waitUntil(lambda: len(show.overlay.visible_texts()) == 6)
    assert sorted(show.overlay.visible_texts()) == sorted([*INJECTIONS, "<b>会缩水吗</b>"])
    qtbot.waitUntil(lambda: len(show.host_queue.model.rows) == 1)
    index = show.host_queue.model.index(0, 0)
    assert index.data() == "<b>会缩水吗</b>"
    assert "&lt;b&gt;" in index.data(Qt.ItemDataRole.ToolTipRole)
    show.host_queue.select_ids([show.host_queue.model.rows[0].id])
    qtbot.mouseClick(show.host_queue.buttons["pin"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: show.assistant.queue.pinned_label.text() == "Pinned: <b>会缩水吗</b>")
    assert show.assistant.queue.pinned_label.textFormat() == Qt.TextFormat.PlainText


def test_overlay_paints_markup_as_characters(qtbot: Any) -> None:
    """Painted ink reaches as far as the literal "<b>bold</b>" does, not just "bold"."""
    from app.danmaku.pipeline import Line
    from app.danmaku.state import NoSource

    state = AudienceState(NoSource())
    parent = QWidget()
    parent.resize(800, 200)
    qtbot.addWidget(parent)
    overlay = DanmakuOverlay(state, parent, lanes=2, speed=10)
    overlay.add_lines([Line(1, 0, "u", "n", "<b>bold</b>", "chat")])
    overlay._step()
    for item in overlay._items:
        item.x = 10.0
    image = QImage(overlay.size(), QImage.Format.Format_ARGB32)
    image.fill(0)
    overlay.render(image)
    metrics = QFontMetricsF(overlay._font)
    ink = [
        x
        for x in range(image.width())
        for y in range(0, image.height(), 2)
        if image.pixelColor(x, y).alpha() > 0
    ]
    assert ink and max(ink) - min(ink) > metrics.horizontalAdvance("bold") * 1.8
    assert abs((max(ink) - min(ink)) - metrics.horizontalAdvance("<b>bold</b>")) < 12


def test_new_questions_show_at_once_in_panel_and_overlay_strip(show: Show, qtbot: Any) -> None:
    """A question nobody asked before is on screen at once, whatever the chatter and however
    low it ranks: in the panel's "Just asked" lines and the overlay's question strip."""
    resets: list[bool] = []
    show.host_queue.model.modelReset.connect(lambda: resets.append(True))
    show.say(*[(str(100 + i), "包邮吗") for i in range(20)])  # a popular question ranks first
    qtbot.waitUntil(
        lambda: bool(show.host_queue.model.rows) and show.host_queue.model.rows[0].count == 20
    )
    show.say(
        *[(str(200 + i), f"闲聊一下{i}") for i in range(200)], ("q", "探针7号 这个有几种颜色?")
    )
    qtbot.waitUntil(lambda: "探针7号 这个有几种颜色?" in show.host_queue.just_asked.text())
    assert show.host_queue.model.rows[0].text == "包邮吗"  # the new one ranks low in the table ...
    qtbot.waitUntil(
        lambda: "探针7号 这个有几种颜色?" in show.overlay.visible_texts()
    )  # ... and is on the overlay
    show.say(("r", "包邮吗?"))  # another ask of a known question only raises its count
    qtbot.waitUntil(lambda: show.host_queue.model.rows[0].count == 21)
    assert "包邮吗" not in show.host_queue.just_asked.text().split("\n")[1]
    assert not resets  # the table changed in place


def test_overlay_redraws_counts_within_a_budget(qtbot: Any) -> None:
    from app.danmaku.pipeline import Line
    from app.danmaku.state import NoSource
    from widgets import danmaku_overlay

    state = AudienceState(NoSource())
    parent = QWidget()
    parent.resize(800, 600)
    qtbot.addWidget(parent)
    overlay = DanmakuOverlay(state, parent, lanes=8, speed=10)
    lines = [Line(i, 0, "u", "n", f"六六六{i}", "chat") for i in range(8)]
    overlay.add_lines(lines)
    overlay._step()
    assert len(overlay.visible_texts()) == 8
    for line in lines:
        line.count = 5
    for item in overlay._items:
        item.rendered_at = 0.0  # drawn long ago: due for a redraw
    overlay._recount(lines)
    overlay._step()
    redrawn = [t for t in overlay.visible_texts() if t.endswith("×5")]
    assert len(redrawn) == danmaku_overlay._RECOUNTS_PER_FRAME
    qtbot.waitUntil(lambda: all(t.endswith("×5") for t in overlay.visible_texts()))


def test_overlay_launches_only_fresh_chat(qtbot: Any) -> None:
    import time

    from app.danmaku.pipeline import Line
    from app.danmaku.state import NoSource
    from widgets import danmaku_overlay

    state = AudienceState(NoSource())
    parent = QWidget()
    parent.resize(800, 600)
    qtbot.addWidget(parent)
    overlay = DanmakuOverlay(state, parent, lanes=3, speed=10)  # a lane to spare: staleness decides
    overlay.add_lines([Line(1, 0, "u", "n", "旧的", "chat")])
    time.sleep(danmaku_overlay._FRESH_S + 0.05)
    overlay.add_lines([Line(2, 0, "u", "n", "新的", "chat"), Line(3, 0, "u", "n", "最新", "chat")])
    overlay._step()
    assert sorted(overlay.visible_texts()) == ["新的", "最新"]


def test_question_strip_puts_new_questions_before_known_ones(qtbot: Any) -> None:
    import time

    from app.danmaku.pipeline import Line
    from app.danmaku.state import NoSource
    from widgets import danmaku_overlay

    state = AudienceState(NoSource())
    parent = QWidget()
    parent.resize(800, 600)
    qtbot.addWidget(parent)
    overlay = DanmakuOverlay(state, parent, lanes=2)
    long_ago = time.perf_counter() - danmaku_overlay.QUESTION_REPEAT_S - 1
    for cluster in (1, 2, 3):  # shown once, long ago: due for another round
        overlay._remember_shown(cluster)
        overlay._cluster_shown_at[cluster] = long_ago
    new = Line(40, 0, "u", "n", "新问题吗", "question", question=4)
    known = [Line(40 + c, 0, "u", "n", f"老问题{c}吗", "question", question=c) for c in (1, 2, 3)]
    overlay.add_lines([new, *known])  # the new one is the oldest waiting
    overlay._step()
    shown = overlay.visible_texts()
    assert (
        len(shown) == danmaku_overlay.QUESTION_ROWS
        and "新问题吗" in shown
        and "老问题1吗" not in shown
    )
