"""The one contract every media source fulfils: camera, microphone, file, synthetic.

A source runs on its own thread and pushes each `VideoFrame` or `AudioBlock` to its subscribers,
on that thread. Subscribers must return quickly (hand the item to a bounded queue or a
`LatestSlot`); a slow consumer must never stall capture. A source never raises into its
consumers: failures (device unplugged, file ended) become a `SourceStatus` with a message a
host can read.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

from streaming.notice import Notice

log = logging.getLogger(__name__)

T = TypeVar("T")


class SourceState(Enum):
    STOPPED = "stopped"
    STARTING = "starting"
    RUNNING = "running"
    ENDED = "ended"  # a file reached its end, a device went away
    FAILED = "failed"  # could not open, unsupported mode
    RECONNECTING = "reconnecting"  # a live stream dropped; trying again (the message says why)


@dataclass(frozen=True, slots=True)
class SourceStatus:
    state: SourceState
    message: str = ""


class Source(Generic[T]):
    """Base class: subscriber bookkeeping and status reporting. Subclasses implement
    `start()`/`stop()` and call `_emit()` from their capture thread."""

    #: Human-readable name shown in pickers and the status bar, e.g. "Synthetic test pattern".
    label: str = "source"
    #: Items lost before delivery (a full hand-off queue, a frame the device failed to give).
    dropped: int = 0
    #: Said once running when the source runs otherwise than asked (a camera that cannot do
    #: 1080p30 runs at what it can); "" when it runs as asked.
    mode_warning: str = ""
    #: Samples per second of an audio source's blocks; 0 for a video source.
    sample_rate: int = 0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._consumers: list[Callable[[T], None]] = []
        self._status_listeners: list[Callable[[SourceStatus], None]] = []
        self._status = SourceStatus(SourceState.STOPPED)

    def subscribe(self, consumer: Callable[[T], None]) -> Callable[[], None]:
        """Call `consumer(item)` for every item from now on; returns the unsubscribe function."""
        with self._lock:
            self._consumers = [*self._consumers, consumer]

        def unsubscribe() -> None:
            with self._lock:
                self._consumers = [c for c in self._consumers if c is not consumer]

        return unsubscribe

    def on_status(self, listener: Callable[[SourceStatus], None]) -> Callable[[], None]:
        with self._lock:
            self._status_listeners = [*self._status_listeners, listener]

        def remove() -> None:
            with self._lock:
                self._status_listeners = [x for x in self._status_listeners if x is not listener]

        return remove

    @property
    def status(self) -> SourceStatus:
        return self._status

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def _emit(self, item: T) -> None:
        for consumer in self._consumers:  # copy-on-write list: safe without the lock
            try:
                consumer(item)
            except Exception:  # a broken consumer must not take capture down
                log.exception("consumer of %s failed", self.label)

    def _set_status(self, state: SourceState, message: str = "") -> None:
        self._status = SourceStatus(state, message)
        for listener in self._status_listeners:
            try:
                listener(self._status)
            except Exception:
                log.exception("status listener of %s failed", self.label)


class ThreadSource(Source[T]):
    """A source whose work is one loop, `_run()`, on its own thread until `_stop` is set: the
    shape of every capture device here. Subclasses acquire what must exist before the loop
    (a PortAudio stream) in `_acquire()` and release it in `_release()`."""

    join_timeout_s = 3.0

    def __init__(self) -> None:
        super().__init__()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._set_status(SourceState.STARTING, Notice("Opening {device}…", device=self.label))
        if not self._acquire():
            return
        self._thread = threading.Thread(target=self._run, name=self.label, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._release()
        thread, self._thread = self._thread, None
        if thread is None:
            return
        thread.join(timeout=self.join_timeout_s)
        self._set_status(SourceState.STOPPED)

    def _acquire(self) -> bool:
        """Acquire before the loop starts; False (after setting a FAILED status) gives up."""
        return True

    def _release(self) -> None:
        """Release what `_acquire()` acquired; called from `stop()` before the loop is joined."""

    def _run(self) -> None:
        raise NotImplementedError


class LatestSlot(Generic[T]):
    """A one-item mailbox that keeps only the newest item: the way media reaches a consumer that
    may be slower than the source (the preview, a network sender). Memory stays flat; stale items
    are dropped and counted."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: T | None = None
        self.dropped = 0

    def put(self, item: T) -> None:
        with self._cond:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self._cond.notify()

    def take(self, timeout: float | None = None) -> T | None:
        """The newest item, or None if none arrived within `timeout` seconds."""
        with self._cond:
            if self._item is None:
                self._cond.wait(timeout)
            item, self._item = self._item, None
            return item
