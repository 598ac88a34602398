"""Runs the danmaku pipeline on its own thread, off the GUI thread.

The host client's network thread calls `feed(frame)`: an append to a bounded deque and a notify,
nothing more. If the pipeline ever falls behind by `max_frames` frames, `feed` blocks, which
stops the client reading its socket; the hub's retained log is then the queue and no message is
dropped. Window actions come in through `command` on the same deque, so they apply in order
with the messages around them.

In the console this thread runs inside the audience child process (`app.danmaku.process`),
so its GIL hand-offs never reach the GUI thread; `livedesk bench danmaku` measures both
arrangements.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Any

from app.danmaku.pipeline import Pipeline, Update

log = logging.getLogger(__name__)

_BATCH_FRAMES = 64  # frames taken per pipeline run (a hub frame holds up to 1,000 events)
_IDLE_TICK_S = 0.05


class DanmakuWorker:
    def __init__(self, pipeline: Pipeline, max_frames: int = 256) -> None:
        self.pipeline = pipeline
        self._inbox: deque[tuple[str, Any]] = deque()
        self._max_frames = max_frames
        self._frames = 0
        self._cond = threading.Condition()
        self._stopping = False
        self._busy = False
        self._thread: threading.Thread | None = None

    # --- any thread -----------------------------------------------------------------------
    def feed(self, frame: str | bytes) -> None:
        """Hand over one raw hub frame (the host client's `on_frame`)."""
        with self._cond:
            while self._frames >= self._max_frames and not self._stopping:
                self._cond.wait()
            self._inbox.append(("frame", frame))
            self._frames += 1
            self._cond.notify_all()

    def command(self, action: str, **args: Any) -> None:
        """Queue a window action (block_word, pin, answer, merge...; see `Pipeline`)."""
        with self._cond:
            self._inbox.append(("command", (action, args)))
            self._cond.notify_all()

    def take_update(self) -> Update:
        return self.pipeline.take_update()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the danmaku worker is already running")
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="livedesk-danmaku", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Process what is queued, then end the thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until everything fed so far has been processed (tests, benches)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._inbox and not self._busy, timeout)

    # --- worker thread ----------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._inbox:
                    if self._stopping:
                        return
                    self._cond.wait(_IDLE_TICK_S)
                items: list[tuple[str, Any]] = []
                while self._inbox and len(items) < _BATCH_FRAMES:
                    item = self._inbox.popleft()
                    items.append(item)
                    if item[0] == "frame":
                        self._frames -= 1
                self._busy = bool(items)
                self._cond.notify_all()
            try:
                self._handle(items)
            except Exception as exc:
                log.exception("danmaku batch failed")
                self.pipeline.notify(f"Some audience messages could not be processed: {exc}")
            with self._cond:
                self._busy = False
                self._cond.notify_all()

    def _handle(self, items: list[tuple[str, Any]]) -> None:
        frames: list[str | bytes] = []
        for kind, payload in items:
            if kind == "frame":
                frames.append(payload)
                continue
            if frames:
                self.pipeline.process(frames)
                frames = []
            action, args = payload
            self.pipeline.command(action, args)
        if frames:
            self.pipeline.process(frames)
        self.pipeline.tick()
