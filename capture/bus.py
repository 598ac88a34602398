"""`MediaBus`: a source that stays in place while the device behind it changes.

Consumers (preview, meters, encoder, recorder) subscribe to a bus once; switching camera or
microphone only re-points the bus. The bus forwards items and status on the device's thread and
counts what passes through, which is where the status bar's frame rate comes from.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

from capture.source import Source, SourceState, SourceStatus

T = TypeVar("T")


class RateCounter:
    """Items per second over a sliding window; fed on a media thread, read from anywhere."""

    def __init__(self, window_s: float = 1.0) -> None:
        self._window_s = window_s
        self._times: deque[float] = deque(maxlen=1024)
        self.total = 0

    def tick(self) -> None:
        self._times.append(time.monotonic())
        self.total += 1

    def rate(self) -> float:
        now = time.monotonic()
        recent = [t for t in list(self._times) if now - t <= self._window_s]
        if len(recent) < 2:
            return 0.0
        span = recent[-1] - recent[0]
        return (len(recent) - 1) / span if span > 0 else 0.0


class MediaBus(Source[T], Generic[T]):
    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label
        self._source: Source[T] | None = None
        self._detach: list[Callable[[], None]] = []
        self._running = False
        self._switch_lock = threading.Lock()
        self.counter = RateCounter()

    @property
    def source(self) -> Source[T] | None:
        """The device currently feeding the bus."""
        return self._source

    def attach(self, source: Source[T] | None) -> None:
        """Feed the bus from `source` from now on; the previous one is stopped. If the bus is
        running, the new source is started here."""
        with self._switch_lock:
            old, self._source = self._source, source
            for undo in self._detach:
                undo()
            self._detach = []
            if old is not None:
                old.stop()
            if source is None:
                self._set_status(SourceState.STOPPED)
                return
            self._detach = [source.subscribe(self.publish), source.on_status(self.forward_status)]
            if self._running:
                source.start()

    def publish(self, item: T) -> None:
        """Hand an item to every subscriber (used by the attached source, and by buses that are
        fed by a processing stage rather than a device)."""
        self.counter.tick()
        self._emit(item)

    def forward_status(self, status: SourceStatus) -> None:
        """Report a status on this bus: the attached device's, or for buses fed by a
        processing stage, the status of the bus upstream."""
        self._set_status(status.state, status.message)

    def start(self) -> None:
        with self._switch_lock:
            self._running = True
            if self._source is not None:
                self._source.start()

    def stop(self) -> None:
        with self._switch_lock:
            self._running = False
            if self._source is not None:
                self._source.stop()
