"""The live preview: paints the newest video frame, scaled to fit without distortion.

Frames arrive on the capture thread and go into a `LatestSlot`; the first frame after a paint
also posts one queued signal to the GUI thread. However slow painting is, at most one frame
waits and at most one wake-up is in the event queue: stale frames are dropped (and counted),
memory stays flat. The frame's pixels are wrapped by a QImage without copying (BGR888) and
scaled by the painter at draw time, which is the cheapest path Qt offers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from capture.bus import RateCounter
from capture.media import VideoFrame, now_ns
from capture.source import LatestSlot, Source


def fit_rect(src_w: int, src_h: int, dst: QRect) -> QRect:
    """The largest rectangle of aspect src_w:src_h centred in `dst` (letter/pillar-boxing)."""
    if src_w <= 0 or src_h <= 0 or dst.width() <= 0 or dst.height() <= 0:
        return QRect()
    scale = min(dst.width() / src_w, dst.height() / src_h)
    w, h = max(1, round(src_w * scale)), max(1, round(src_h * scale))
    return QRect(dst.x() + (dst.width() - w) // 2, dst.y() + (dst.height() - h) // 2, w, h)


class PreviewWidget(QWidget):
    #: Internal wake-up, emitted on the capture thread, delivered queued on the GUI thread.
    _frame_ready = Signal()
    #: Emitted on the GUI thread after a frame was painted: (pts_ns, painted_ns).
    frame_painted = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 180)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._slot: LatestSlot[VideoFrame] = LatestSlot()
        self._pending = threading.Event()
        self._frame: VideoFrame | None = None
        self._image: QImage | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._painted = RateCounter()
        self._fresh = False  # the frame taken has not been painted yet
        self._readout_font = QFont(self.font())
        self._readout_font.setPointSize(10)
        #: Shown when there is no frame yet (e.g. "Starting camera…").
        self.placeholder = self.tr("No video")
        self._frame_ready.connect(self._take_frame, Qt.ConnectionType.QueuedConnection)

    # -- feeding --------------------------------------------------------------------------
    def attach(self, source: Source[VideoFrame] | None) -> None:
        """Show frames from `source` (normally the console's video bus)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if source is not None:
            self._unsubscribe = source.subscribe(self.offer)

    def offer(self, frame: VideoFrame) -> None:
        """Called on the capture thread: keep only the newest frame, wake the GUI once."""
        self._slot.put(frame)
        if not self._pending.is_set():
            self._pending.set()
            self._frame_ready.emit()

    def _take_frame(self) -> None:
        self._pending.clear()
        frame = self._slot.take(timeout=0)
        if frame is None:
            return
        image = frame.image
        h, w = image.shape[:2]
        # Wraps the numpy buffer (no copy); `self._frame` keeps the buffer alive while shown.
        self._image = QImage(image.data, w, h, image.strides[0], QImage.Format.Format_BGR888)
        self._frame = frame
        self._fresh = True
        self.update()

    # -- figures --------------------------------------------------------------------------
    @property
    def dropped_frames(self) -> int:
        """Frames replaced by a newer one before they could be painted."""
        return self._slot.dropped

    @property
    def painted_frames(self) -> int:
        return self._painted.total

    def painted_fps(self) -> float:
        return self._painted.rate()

    @property
    def frame_size(self) -> tuple[int, int] | None:
        return (self._frame.width, self._frame.height) if self._frame is not None else None

    # -- painting -------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(16, 16, 16))
        frame, image = self._frame, self._image
        if frame is None or image is None:
            painter.setPen(QColor(200, 200, 200))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.placeholder)
            painter.end()
            return
        painter.drawImage(fit_rect(frame.width, frame.height, self.rect()), image)
        if self._fresh:  # repaints (an overlay, a resize) are not frames: fps as captured
            self._fresh = False
            self._painted.tick()
        painter.setFont(self._readout_font)
        text = self.readout()
        box = painter.fontMetrics().boundingRect(text).adjusted(-6, -3, 6, 3)
        box.moveBottomRight(self.rect().bottomRight() + QPoint(-8, -8))
        painter.fillRect(box, QColor(0, 0, 0, 160))
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()
        self.frame_painted.emit(frame.pts_ns, now_ns())

    def readout(self) -> str:
        """The FPS/resolution text as painted (for the status bar and tests)."""
        size = self.frame_size
        if size is None:
            return self.placeholder
        return f"{size[0]}×{size[1]} · {self._painted.rate():.1f} fps"
