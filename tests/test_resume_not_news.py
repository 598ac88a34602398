"""After a crash and a resume, what was said before is history: the queue panel lists the old
questions but does not call them "just asked", and the overlay does not scroll them again as
new; what arrives after the resume is news as usual."""

from __future__ import annotations

from typing import Any

from app.danmaku.journal import Journal, JournalReader
from app.danmaku.pipeline import Pipeline
from app.danmaku.state import AudienceState
from app.danmaku.worker import DanmakuWorker
from tests.test_danmaku_windows import Show
from widgets.danmaku_overlay import DanmakuOverlay
from widgets.question_queue import QuestionQueueWidget


def test_questions_from_before_a_resume_are_not_shown_as_new(qtbot: Any) -> None:
    before = Show([])
    qtbot.addWidget(before.preview)
    qtbot.addWidget(before.host_queue)
    qtbot.addWidget(before.assistant)
    before.say(("1", "包邮吗"), ("2", "甜不甜"), ("3", "主播好漂亮"))
    qtbot.waitUntil(lambda: len(before.host_queue.model.rows) == 2, timeout=5000)
    path = before.journal.path
    before.worker.stop()  # the console dies: the journal is left as it was

    journal, reader = Journal(path), JournalReader(path)
    pipeline = Pipeline(journal, send=lambda _m: None, reader=reader)
    pipeline.restore(reader)
    worker = DanmakuWorker(pipeline)
    worker.start()
    try:
        state = AudienceState(worker)
        overlay = DanmakuOverlay(state, before.preview, lanes=6)
        panel = QuestionQueueWidget(state)
        qtbot.addWidget(panel)
        qtbot.waitUntil(lambda: len(panel.model.rows) == 2, timeout=5000)
        qtbot.wait(300)  # the restored recent stream has been delivered by now
        assert panel.just_asked_lines == []
        assert not [t for t in overlay.visible_texts() if "包邮吗" in t or "甜不甜" in t]
        assert not overlay._questions and not overlay._recent  # nothing waiting to be shown

        resumed = Show.__new__(Show)  # say() on the resumed worker, numbering after the journal
        resumed.worker, resumed.seq = worker, pipeline.last_seq
        resumed.say(("4", "敏感肌能用吗"))
        qtbot.waitUntil(lambda: len(panel.just_asked_lines) == 1, timeout=5000)
        assert panel.just_asked_lines[0].text == "敏感肌能用吗"
    finally:
        worker.stop()
        journal.close()
        reader.close()
        before.journal.close()
        before.reader.close()
