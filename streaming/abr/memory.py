"""The bitrate last learned for each relay, so the next show starts where the last one ran
(full quality at once) instead of probing up from a low start as browsers do."""

from __future__ import annotations

import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)


class RateMemory:
    """A small JSON file: relay address → last good target bitrate (bps)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, int]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return (
            {str(k): int(v) for k, v in data.items() if isinstance(v, int)}
            if isinstance(data, dict)
            else {}
        )

    def recall(self, relay: str) -> int | None:
        return self._read().get(relay)

    def remember(self, relay: str, bps: int) -> None:
        data = self._read()
        data[relay] = int(bps)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(data, indent=1), "utf-8")
        except OSError as exc:
            log.info("learned bitrate not saved: %s", exc)
