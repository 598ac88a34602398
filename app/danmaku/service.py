"""One show's audience machinery, assembled: journal → pipeline on its worker thread → shared
state, fed by the host client. The console creates one; tests and benches create their own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.danmaku.journal import Journal, JournalReader, new_show_path
from app.danmaku.normalize import pinyin_skeleton
from app.danmaku.pipeline import Pipeline
from app.danmaku.worker import DanmakuWorker

log = logging.getLogger(__name__)


class AudienceService:
    """`path` is the show journal: a new one, or (`resume=True`) one left open by a crash,
    whose queue, filters, counters and recent stream are restored before anything new is read."""

    def __init__(self, path: Path | None = None, resume: bool = False) -> None:
        pinyin_skeleton("预热")  # build the pinyin table now, not when the first message waits
        self.path = path if path is not None else new_show_path()
        self.client: Any = None
        self.hub_url: str | None = None
        self.journal = Journal(self.path)
        self.reader = JournalReader(self.path)
        self.pipeline = Pipeline(
            self.journal,
            send=self._send,
            reader=self.reader,
            clock=self.room_now,
            results_dir=self.path.parent,
        )
        if resume:
            self.pipeline.restore(self.reader)
        self.worker = DanmakuWorker(self.pipeline)
        self.on_status: Callable[[str, str], None] | None = None
        self.worker.start()

    def connect(self, url: str, token: str) -> None:
        """Start reading the hub at `url` (its /ws/host endpoint) from where the journal ends;
        a hub read before is left first."""
        from streaming.interaction.client import HostClient

        if self.client is not None:
            self.client.stop()
        self.hub_url = url
        self.client = HostClient(
            url,
            token,
            self.worker.feed,
            on_status=self._status,
            since=self.pipeline.hub_since(),
            hub_id=self.pipeline.hub_id,
        )
        self.client.start()

    def room_now(self) -> float:
        """Now on the hub's clock (ms), as the host client estimates it; ours until it can."""
        local = time.time() * 1000
        return float(self.client.clock.to_relay(local)) if self.client is not None else local

    def _status(self, kind: str, message: str) -> None:
        if kind == "connected" and self.client is not None and self.client.hub_id:
            # Queued behind the frames already fed and ahead of the new run's frames.
            self.worker.command("hub", hub_id=self.client.hub_id)
        if self.on_status is not None:
            self.on_status(kind, message)

    def _send(self, event: dict[str, Any]) -> None:
        if self.client is None:
            return
        try:
            self.client.send(event)
        except ValueError as exc:
            log.warning("broadcast refused: %s", exc)

    def close(self, ended: bool = True) -> None:
        """Stop reading, process and commit everything received, close the journal."""
        if self.client is not None:
            self.client.stop()
        self.worker.stop()
        self.journal.close(ended=ended)
        self.reader.close()
