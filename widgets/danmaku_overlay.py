"""Scrolling danmaku over the live preview.

At most `lanes` lines of text cross the picture at once. When more arrive than fit, chatter and
cheers are sampled (a small reservoir, refreshed as new ones come) while questions wait for a
free lane: they are never sampled away in favour of chatter. (If questions alone outrun the
lanes, repeats of a question already waiting are merged into it; every question is in the queue
panel regardless.) Text is drawn with QPainter.drawText, which never interprets markup: a
viewer's "<b>" shows as the four characters it is.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from app.danmaku.pipeline import Line
from app.danmaku.state import AudienceState

FRAME_MS = 33
_GAP_PX = 40.0
_QUESTION_BACKLOG = 64
_COLORS = {"question": QColor("#ffe14d"), "cheer": QColor("#9fe6ff"), "chat": QColor("white")}


@dataclass(slots=True)
class _Item:
    line: Line
    text: str
    width: float
    x: float
    lane: int
    painted: bool = False


class DanmakuOverlay(QWidget):
    """A transparent child of the preview that keeps itself the preview's size."""

    def __init__(
        self,
        state: AudienceState,
        parent: QWidget | None = None,
        lanes: int = 8,
        speed: float = 160.0,
        opacity: float = 0.9,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self._lanes = max(1, lanes)
        self.speed = speed  # pixels per second
        self.opacity = opacity
        self._font = QFont(self.font())
        self._font.setPointSize(16)
        self._font.setBold(True)
        self._metrics = QFontMetricsF(self._font)
        self._items: list[_Item] = []
        self._by_line: dict[int, _Item] = {}
        self._questions: deque[Line] = deque()
        self._waiting_question_ids: dict[int, Line] = {}
        self._sample: list[Line] = []
        self._seen_since_fill = 0
        self._rng = random.Random(7)
        self._last_step = time.perf_counter()
        #: Called at paint time with the lines painted for the first time (latency benches).
        self.on_first_paint: Callable[[list[Line]], None] | None = None
        self.shown = 0
        self.sampled_out = 0
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._step)
        state.linesAdded.connect(self.add_lines)
        state.linesChanged.connect(self._recount)
        state.linesRemoved.connect(self._remove)
        if parent is not None:
            self.setGeometry(parent.rect())
            parent.installEventFilter(self)

    # --- settings -------------------------------------------------------------------------
    @property
    def lanes(self) -> int:
        return self._lanes

    def set_lanes(self, lanes: int) -> None:
        self._lanes = max(1, lanes)

    def set_opacity(self, opacity: float) -> None:
        self.opacity = min(1.0, max(0.0, opacity))
        self.update()

    def set_speed(self, speed: float) -> None:
        self.speed = max(10.0, speed)

    # --- incoming lines -------------------------------------------------------------------
    def add_lines(self, lines: list[Line]) -> None:
        for line in lines:
            if line.kind == "question":
                self._queue_question(line)
            else:
                self._offer_sample(line)
        if not self._timer.isActive():
            self._last_step = time.perf_counter()
            self._timer.start()

    def _queue_question(self, line: Line) -> None:
        if line.question is not None and line.question in self._waiting_question_ids:
            return  # the same question is already waiting for a lane
        self._questions.append(line)
        if line.question is not None:
            self._waiting_question_ids[line.question] = line
        if len(self._questions) > _QUESTION_BACKLOG:
            old = self._questions.popleft()
            self._forget_question(old)
            self.sampled_out += 1

    def _forget_question(self, line: Line) -> None:
        if line.question is not None and self._waiting_question_ids.get(line.question) is line:
            del self._waiting_question_ids[line.question]

    def _offer_sample(self, line: Line) -> None:
        """Reservoir sampling: every non-question since the last lane fill has the same
        chance to be among the `lanes` candidates."""
        self._seen_since_fill += 1
        if len(self._sample) < self._lanes:
            self._sample.append(line)
            return
        j = self._rng.randrange(self._seen_since_fill)
        if j < self._lanes:
            self._sample[j] = line
        self.sampled_out += 1

    def _recount(self, lines: list[Line]) -> None:
        for line in lines:
            item = self._by_line.get(line.id)
            if item is not None:
                item.text = _label(line)
                item.width = self._metrics.horizontalAdvance(item.text)

    def _remove(self, line_ids: list[int]) -> None:
        gone = set(line_ids)
        self._items = [i for i in self._items if i.line.id not in gone]
        self._by_line = {k: v for k, v in self._by_line.items() if k not in gone}
        self._sample = [line for line in self._sample if line.id not in gone]
        kept = deque(line for line in self._questions if line.id not in gone)
        for line in self._questions:
            if line.id in gone:
                self._forget_question(line)
        self._questions = kept
        self.update()

    # --- animation --------------------------------------------------------------------------
    def _step(self) -> None:
        now = time.perf_counter()
        dx = self.speed * (now - self._last_step)
        self._last_step = now
        for item in self._items:
            item.x -= dx
        survivors = [i for i in self._items if i.x + i.width > 0]
        if len(survivors) != len(self._items):
            self._items = survivors
            self._by_line = {i.line.id: i for i in survivors}
        self._fill_lanes()
        if not self._items and not self._questions and not self._sample:
            self._timer.stop()
        self.update()

    def _fill_lanes(self) -> None:
        width = float(self.width())
        lane_end = [-1.0] * self._lanes
        for item in self._items:
            if item.lane < self._lanes:
                lane_end[item.lane] = max(lane_end[item.lane], item.x + item.width)
        for lane in range(self._lanes):
            if lane_end[lane] > width - _GAP_PX:
                continue
            if self._questions:
                line = self._questions.popleft()
                self._forget_question(line)
            elif self._sample:
                line = self._sample.pop(0)
            else:
                break
            text = _label(line)
            item = _Item(line, text, self._metrics.horizontalAdvance(text), width, lane)
            self._items.append(item)
            self._by_line[line.id] = item
            self.shown += 1
        if not self._sample:
            self._seen_since_fill = 0

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt naming
        if not self._items:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setOpacity(self.opacity)
        painter.setFont(self._font)
        lane_h = max(1.0, min(self.height() / self._lanes, self._metrics.height() * 1.4))
        ascent = self._metrics.ascent()
        shadow = QPen(QColor(0, 0, 0, 200))
        first: list[Line] = []
        for item in self._items:
            y = item.lane * lane_h + ascent + 4
            painter.setPen(shadow)
            painter.drawText(QPointF(item.x + 1.5, y + 1.5), item.text)
            painter.setPen(_COLORS.get(item.line.kind, _COLORS["chat"]))
            painter.drawText(QPointF(item.x, y), item.text)
            if not item.painted:
                item.painted = True
                first.append(item.line)
        painter.end()
        if first and self.on_first_paint is not None:
            self.on_first_paint(first)

    def visible_texts(self) -> list[str]:
        """What is on screen now (tests)."""
        return [item.text for item in self._items]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt naming
        if watched is self.parent() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        return False


def _label(line: Line) -> str:
    return f"{line.text} ×{line.count}" if line.count > 1 else line.text
