"""Per-user settings in one readable JSON file, one section per feature.

Each feature owns a section and fills in its own defaults: `section(name)` returns a copy,
`update_section(name, values)` merges and schedules a save. Saves are debounced (many slider
moves → one write) and atomic (write a temp file, then rename) so a crash never leaves half a
file. A corrupt file is never fatal: it is moved aside, the problem is reported through
`load_error`, and defaults are used.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from app.paths import config_dir, private_dir, write_private_text

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.json"
SAVE_DELAY_S = 0.5


class Settings:
    def __init__(self, path: Path | None = None, save_delay_s: float = SAVE_DELAY_S) -> None:
        self.path = path or config_dir() / SETTINGS_FILE
        self._save_delay_s = save_delay_s
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        #: Plain-words description of why the file could not be used, or "" if it loaded fine.
        self.load_error = ""
        self._data: dict[str, dict[str, Any]] = self._load()

    def _load(self) -> dict[str, dict[str, Any]]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
                raise ValueError("the top level must be an object of sections")
            return data
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            aside = self.path.with_name(self.path.name + ".corrupt")
            try:
                os.replace(self.path, aside)
                kept = f" The broken file was kept as {aside}."
            except OSError:
                kept = ""
            self.load_error = (
                f"Settings file {self.path} could not be read ({exc}); using defaults.{kept}"
            )
            log.warning(self.load_error)
            return {}

    def section(self, name: str) -> dict[str, Any]:
        """A copy of the section (empty if never saved); callers apply their own defaults."""
        with self._lock:
            return copy.deepcopy(self._data.get(name, {}))

    def update_section(self, name: str, values: dict[str, Any]) -> None:
        """Merge `values` into the section and save soon."""
        with self._lock:
            self._data.setdefault(name, {}).update(copy.deepcopy(values))
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self._save_delay_s, self.flush)
            self._timer.daemon = True
            self._timer.start()

    def flush(self) -> None:
        """Write pending changes now (called on exit so nothing is lost)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            text = json.dumps(self._data, indent=2, ensure_ascii=False, sort_keys=True)
        try:
            private_dir(self.path.parent)
            write_private_text(self.path, text + "\n")
        except OSError:
            log.exception("could not save settings to %s", self.path)
