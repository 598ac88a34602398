"""Scrolling danmaku over the live preview.

At most `lanes` lines of text cross the picture at once. When more arrive than fit, chatter and
cheers are sampled — a free lane takes a random one of the few most recent, so what scrolls by
is always fresh — while questions wait for a free lane and take it first: they are never
sampled away in favour of chatter. Each question cluster crosses the screen once per
`QUESTION_REPEAT_S` (its entry in the queue panel counts every ask), and while questions wait
the danmaku scroll faster (up to 3×) so the wait stays short.

Each line is drawn once, with QPainter.drawText (plain text: a viewer's "<b>" shows as the
characters it is, never as markup), into a pixmap; frames then only blit pixmaps, which is
hundreds of times cheaper than shaping CJK text at a new sub-pixel position every frame.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QWidget

from app.danmaku.pipeline import Line
from app.danmaku.state import AudienceState

FRAME_MS = 33
_GAP_PX = 40.0
_FRESH_S = 0.3  # chatter older than this when a lane frees is not worth showing
QUESTION_REPEAT_S = 30.0
_MAX_BOOST = 3.0
_COLORS = {"question": QColor("#ffe14d"), "cheer": QColor("#9fe6ff"), "chat": QColor("white")}


_SHADOW = QColor(0, 0, 0, 200)


@dataclass(slots=True)
class _Item:
    line: Line
    text: str
    pixmap: QPixmap
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
        lanes: int = 10,
        speed: float = 200.0,
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
        self._cluster_shown_at: dict[int, float] = {}
        self._recent: deque[tuple[float, Line]] = deque()
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
        now = time.perf_counter()
        for line in lines:
            if line.kind == "question":
                self._queue_question(line)
            else:
                self._recent.append((now, line))
        while len(self._recent) > self._lanes:
            self._recent.popleft()
            self.sampled_out += 1
        if not self._timer.isActive():
            self._last_step = time.perf_counter()
            self._timer.start()

    def _queue_question(self, line: Line) -> None:
        cluster = line.question
        if cluster is not None:
            if cluster in self._waiting_question_ids:
                return  # already waiting for a lane
            shown = self._cluster_shown_at.get(cluster)
            if shown is not None and time.perf_counter() - shown < QUESTION_REPEAT_S:
                return  # crossed the screen moments ago; the queue panel counts this ask
            self._waiting_question_ids[cluster] = line
        self._questions.append(line)

    def _remember_shown(self, cluster: int) -> None:
        now = time.perf_counter()
        self._cluster_shown_at[cluster] = now
        if len(self._cluster_shown_at) > 4096:  # keep only the ones that still matter
            self._cluster_shown_at = {
                c: t for c, t in self._cluster_shown_at.items() if now - t < QUESTION_REPEAT_S
            }

    def _forget_question(self, line: Line) -> None:
        if line.question is not None and self._waiting_question_ids.get(line.question) is line:
            del self._waiting_question_ids[line.question]

    def _recount(self, lines: list[Line]) -> None:
        for line in lines:
            item = self._by_line.get(line.id)
            if item is not None:
                item.text = _label(line)
                item.pixmap = self._render(item.text, line.kind)
                item.width = float(item.pixmap.width())

    def _remove(self, line_ids: list[int]) -> None:
        gone = set(line_ids)
        self._items = [i for i in self._items if i.line.id not in gone]
        self._by_line = {k: v for k, v in self._by_line.items() if k not in gone}
        self._recent = deque((t, line) for t, line in self._recent if line.id not in gone)
        kept = deque(line for line in self._questions if line.id not in gone)
        for line in self._questions:
            if line.id in gone:
                self._forget_question(line)
        self._questions = kept
        self.update()

    # --- animation --------------------------------------------------------------------------
    def _step(self) -> None:
        now = time.perf_counter()
        boost = min(_MAX_BOOST, 1.0 + len(self._questions) / self._lanes)
        dx = self.speed * boost * (now - self._last_step)
        self._last_step = now
        for item in self._items:
            item.x -= dx
        survivors = [i for i in self._items if i.x + i.width > 0]
        if len(survivors) != len(self._items):
            self._items = survivors
            self._by_line = {i.line.id: i for i in survivors}
        self._fill_lanes()
        if not self._items and not self._questions and not self._recent:
            self._timer.stop()
        self.update()

    def _fill_lanes(self) -> None:
        width = float(self.width())
        stale = time.perf_counter() - _FRESH_S
        while self._recent and self._recent[0][0] < stale:
            self._recent.popleft()
            self.sampled_out += 1
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
                if line.question is not None:
                    self._remember_shown(line.question)
            elif self._recent:
                pick = self._rng.randrange(len(self._recent))
                line = self._recent[pick][1]
                del self._recent[pick]
            else:
                break
            text = _label(line)
            pixmap = self._render(text, line.kind)
            item = _Item(line, text, pixmap, float(pixmap.width()), width, lane)
            self._items.append(item)
            self._by_line[line.id] = item
            self.shown += 1

    def _render(self, text: str, kind: str) -> QPixmap:
        """The line as a transparent pixmap: a dark shadow, then the text in its kind's colour."""
        m = self._metrics
        image = QImage(int(m.horizontalAdvance(text)) + 4, int(m.height()) + 4, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(0)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setFont(self._font)
        painter.setPen(_SHADOW)
        painter.drawText(QPointF(1.5, m.ascent() + 1.5), text)
        painter.setPen(_COLORS.get(kind, _COLORS["chat"]))
        painter.drawText(QPointF(0.0, m.ascent()), text)
        painter.end()
        return QPixmap.fromImage(image)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt naming
        if not self._items:
            return
        painter = QPainter(self)
        painter.setOpacity(self.opacity)
        lane_h = max(1.0, min(self.height() / self._lanes, self._metrics.height() * 1.4))
        first: list[Line] = []
        for item in self._items:
            painter.drawPixmap(QPointF(round(item.x), item.lane * lane_h + 4), item.pixmap)
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
        parent = self.parentWidget()
        if parent is not None and watched is parent and event.type() == QEvent.Type.Resize:
            self.setGeometry(parent.rect())
        return False


def _label(line: Line) -> str:
    return f"{line.text} ×{line.count}" if line.count > 1 else line.text
