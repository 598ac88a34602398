"""Scrolling danmaku over the live preview.

Chatter and cheers scroll in at most `lanes` lanes. When more arrive than fit they are sampled:
a free lane takes the newest line that arrived less than `_FRESH_S` ago, so what scrolls by is
always current (a line the host sees seconds late is noise). A line that has crossed and is
asked again ("好看" from another viewer, counted on that line rather than made a new one) is
current again: it may scroll by once more with its new count, so the lanes stay as busy as
the room when most of what arrives repeats what was said.

Questions do not wait for a lane: they appear at once in a strip of `QUESTION_ROWS` rows at the
top, newest first, each held at least `_MIN_HOLD_S` so it can be read. When more are asked than
the strip can show readably, questions never shown before go first, newest first, and any that
waited `_PENDING_S` are left to the queue panel, which lists and counts every ask. Each question cluster is shown
once per `QUESTION_REPEAT_S`.

Each line is drawn only when it is launched, with QPainter.drawText (plain text: a viewer's
"<b>" shows as the characters it is, never as markup), into a pixmap; frames then only blit
pixmaps, which is hundreds of times cheaper than shaping CJK text every frame. A count change
("×12") redraws a line at most every `_RECOUNT_S`, a few lines per frame, so a storm of repeats
costs the GUI thread a bounded amount per frame.
"""

from __future__ import annotations

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
_FRESH_S = 0.15  # chatter older than this when a lane frees is not worth showing
QUESTION_REPEAT_S = 30.0
QUESTION_ROWS = 3
_MIN_HOLD_S = 0.5  # a question stays in the strip at least this long
_HOLD_S = 6.0  # ... and leaves after this long
_PENDING_S = 3.0  # a question not shown by then is left to the queue panel
_RECOUNT_S = 0.5
_RECOUNTS_PER_FRAME = 3
_STRIP_BG = QColor(0, 0, 0, 110)
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
    dirty: bool = False
    rendered_at: float = 0.0
    shown_at: float = 0.0


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
        self._questions: deque[tuple[float, Line]] = deque()  # waiting for the strip, oldest first
        self._waiting_question_ids: dict[int, Line] = {}
        self._strip: list[_Item | None] = [None] * QUESTION_ROWS
        self._cluster_shown_at: dict[int, float] = {}
        self._ever_shown: set[int] = set()  # clusters the strip has shown at least once
        self._recent: deque[tuple[float, Line]] = deque()
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
            if line.restored:
                continue  # from before a resume: minutes old, not news for the screen
            if line.kind == "question":
                self._queue_question(line)
            else:
                self._recent.append((now, line))
        self._waiting_changed()

    def _waiting_changed(self) -> None:
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
        self._questions.append((time.perf_counter(), line))

    def _remember_shown(self, cluster: int) -> None:
        now = time.perf_counter()
        self._cluster_shown_at[cluster] = now
        self._ever_shown.add(cluster)
        if len(self._cluster_shown_at) > 4096:  # keep only the ones that still matter
            self._cluster_shown_at = {
                c: t for c, t in self._cluster_shown_at.items() if now - t < QUESTION_REPEAT_S
            }

    def _forget_question(self, line: Line) -> None:
        if line.question is not None and self._waiting_question_ids.get(line.question) is line:
            del self._waiting_question_ids[line.question]

    def _recount(self, lines: list[Line]) -> None:
        """Marks a line on screen (`_redraw_counts` redraws a bounded number per frame); a
        chatter line not on screen waits for a lane again, as if just said."""
        now = time.perf_counter()
        waiting = {line.id for _, line in self._recent}
        offered = False
        for line in lines:
            item = self._by_line.get(line.id)
            if item is not None:
                item.dirty = True
            elif line.kind != "question" and line.id not in waiting:
                self._recent.append((now, line))
                offered = True
        if offered:
            self._waiting_changed()

    def _redraw_counts(self) -> None:
        due = time.perf_counter() - _RECOUNT_S
        budget = _RECOUNTS_PER_FRAME
        for item in self._by_line.values():
            if budget == 0:
                return
            if item.dirty and item.rendered_at < due:
                item.dirty = False
                item.text = _label(item.line)
                item.pixmap = self._render(item.text, item.line.kind)
                item.width = float(item.pixmap.width())
                item.rendered_at = time.perf_counter()
                budget -= 1

    def _remove(self, line_ids: list[int]) -> None:
        gone = set(line_ids)
        self._items = [i for i in self._items if i.line.id not in gone]
        self._by_line = {k: v for k, v in self._by_line.items() if k not in gone}
        self._strip = [None if i is not None and i.line.id in gone else i for i in self._strip]
        self._recent = deque((t, line) for t, line in self._recent if line.id not in gone)
        kept = deque((t, line) for t, line in self._questions if line.id not in gone)
        for _, line in self._questions:
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
        strip = [i if i is not None and now - i.shown_at < _HOLD_S else None for i in self._strip]
        if len(survivors) != len(self._items) or strip != self._strip:
            self._items, self._strip = survivors, strip
            self._by_line = {i.line.id: i for i in (*survivors, *strip) if i is not None}
        self._fill_strip(now)
        self._fill_lanes()
        self._redraw_counts()
        if not self._items and not self._questions and not self._recent and not self._strip_count():
            self._timer.stop()
        self.update()

    def _strip_count(self) -> int:
        return sum(1 for i in self._strip if i is not None)

    def _fill_strip(self, now: float) -> None:
        """The newest waiting question never shown before (else the newest waiting one) into the
        row shown longest (empty rows first): a new question beats another round of a known one."""
        while self._questions and now - self._questions[0][0] > _PENDING_S:
            self._forget_question(self._questions.popleft()[1])
        while self._questions:
            row = min(range(QUESTION_ROWS), key=lambda r: _shown_at(self._strip[r]))
            held = self._strip[row]
            if held is not None and now - held.shown_at < _MIN_HOLD_S:
                return
            waiting = len(self._questions)
            pick = next(
                (
                    i
                    for i in range(waiting - 1, -1, -1)
                    if self._questions[i][1].question not in self._ever_shown
                ),
                waiting - 1,
            )
            line = self._questions[pick][1]
            del self._questions[pick]
            self._forget_question(line)
            if line.question is not None:
                self._remember_shown(line.question)
            text = _label(line)
            pixmap = self._render(text, line.kind)
            item = _Item(
                line, text, pixmap, float(pixmap.width()), 12.0, row, rendered_at=now, shown_at=now
            )
            if held is not None:
                self._by_line.pop(held.line.id, None)
            self._strip[row] = item
            self._by_line[line.id] = item
            self.shown += 1

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
            if not self._recent:
                break
            line = self._recent.pop()[1]  # the newest: fresher than anything else waiting
            text = _label(line)
            pixmap = self._render(text, line.kind)
            item = _Item(
                line,
                text,
                pixmap,
                float(pixmap.width()),
                width,
                lane,
                rendered_at=time.perf_counter(),
            )
            self._items.append(item)
            self._by_line[line.id] = item
            self.shown += 1

    def _render(self, text: str, kind: str) -> QPixmap:
        """The line as a transparent pixmap: a dark shadow, then the text in its kind's colour."""
        m = self._metrics
        # Room for the widest count from the start: a repeat redraws the line no wider, so it
        # never runs into the next one in its lane.
        base = text.rsplit(" ×", 1)[0] if " ×" in text else text
        width = max(m.horizontalAdvance(text), m.horizontalAdvance(f"{base} ×{MAX_COUNT_SHOWN}+"))
        image = QImage(
            int(width) + 4,
            int(m.height()) + 4,
            QImage.Format.Format_ARGB32_Premultiplied,
        )
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

    def paintEvent(self, event: QPaintEvent) -> None:
        strip = [i for i in self._strip if i is not None]
        if not self._items and not strip:
            return
        painter = QPainter(self)
        painter.setOpacity(self.opacity)
        row_h = self._metrics.height() * 1.3
        strip_h = QUESTION_ROWS * row_h + 4
        lane_h = max(
            1.0, min((self.height() - strip_h) / self._lanes, self._metrics.height() * 1.4)
        )
        first: list[Line] = []
        if strip:
            painter.fillRect(0, 0, self.width(), round(strip_h), _STRIP_BG)
        for item in strip:
            painter.drawPixmap(QPointF(item.x, item.lane * row_h + 4), item.pixmap)
        for item in self._items:
            painter.drawPixmap(
                QPointF(round(item.x), strip_h + item.lane * lane_h + 4), item.pixmap
            )
        for item in (*strip, *self._items):
            if not item.painted:
                item.painted = True
                first.append(item.line)
        painter.end()
        if first and self.on_first_paint is not None:
            self.on_first_paint(first)

    def visible_texts(self) -> list[str]:
        """What is on screen now: the question strip, then the scrolling lanes (tests)."""
        return [item.text for item in (*self._strip, *self._items) if item is not None]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        parent = self.parentWidget()
        if parent is not None and watched is parent and event.type() == QEvent.Type.Resize:
            self.setGeometry(parent.rect())
        return False


def _shown_at(item: _Item | None) -> float:
    return -1.0 if item is None else item.shown_at


MAX_COUNT_SHOWN = 999


def _label(line: Line) -> str:
    """The text and its repeat count, "×999+" at most: the count never outgrows the room
    `_render` keeps for it."""
    if line.count <= 1:
        return line.text
    count = f"{line.count}" if line.count <= MAX_COUNT_SHOWN else f"{MAX_COUNT_SHOWN}+"
    return f"{line.text} ×{count}"
