"""A log line that repeats at most once per interval, with the count of what it stood for.

Under attack the same failure happens thousands of times a second; one line per interval says
everything a maintainer needs without filling the disk (or the terminal) with copies."""

from __future__ import annotations

import logging
import time


class ThrottledLog:
    def __init__(self, logger: logging.Logger, interval_s: float = 10.0) -> None:
        self.logger = logger
        self.interval_s = interval_s
        self._last: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}

    def warning(self, key: str, message: str, *args: object) -> bool:
        """Log `message % args` unless `key` was logged less than `interval_s` ago; True if
        logged. The next line for `key` says how many were suppressed in between."""
        now = time.monotonic()
        last = self._last.get(key)
        if last is not None and now - last < self.interval_s:
            self._suppressed[key] = self._suppressed.get(key, 0) + 1
            return False
        self._last[key] = now
        skipped = self._suppressed.pop(key, 0)
        if skipped:
            self.logger.warning(message + " (%d more since the last report)", *args, skipped)
        else:
            self.logger.warning(message, *args)
        return True
