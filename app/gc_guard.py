"""Runs Python's cyclic garbage collector on the GUI thread only.

The collector normally runs on whichever thread happens to allocate when a threshold is
crossed — with capture, audio, network and danmaku threads, usually not the GUI thread. If a
reference cycle holds a Qt widget (a panel whose slot refers back to it, a feature object
holding its window), collecting it destroys the widget on that thread, and Qt crashes
(widgets may only be destroyed on the GUI thread; seen as a segfault in
`QAbstractItemView::~QAbstractItemView` during the test suite). So automatic collection is
switched off and a GUI timer collects instead, with the same generation thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_MS = 500


class GuiThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_MS) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        """Collect the oldest generation whose count passed its threshold (as gc would)."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                gc.collect(generation)
                return

    def stop(self) -> None:
        """Back to Python's automatic collection (e.g. when the GUI shuts down)."""
        self._timer.stop()
        gc.enable()
