"""Measures how long the Qt event loop of the calling thread is kept from running.

A zero-interval single-shot timer is re-armed each time it fires; the time between arming and
firing, minus nothing, is how long the loop was busy elsewhere (painting, handling signals,
Python code holding the GIL). The p99 of these gaps is the "GUI stall" figure of the benches.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer


class StallProbe(QObject):
    def __init__(self, interval_ms: int = 5, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._interval_ms = interval_ms
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._fired)
        self._armed_at = 0.0
        self.stalls_ms: list[float] = []

    def start(self) -> None:
        self.stalls_ms.clear()
        self._arm()

    def stop(self) -> None:
        self._timer.stop()

    def _arm(self) -> None:
        self._armed_at = time.perf_counter()
        self._timer.start()

    def _fired(self) -> None:
        late = (time.perf_counter() - self._armed_at) * 1000.0 - self._interval_ms
        self.stalls_ms.append(max(0.0, late))
        self._arm()
