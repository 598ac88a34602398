"""Time on air and stream health, as the host's on-air indicators show them.

The go-live controller counts from the moment the stream first went live; a host wants the
time viewers actually had a picture, so this clock runs only while the state is "live" and
holds (marked as paused) while reconnecting. Health is one word from the sending figures, so
the indicator can be read at a glance.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.golive import GoLiveController

GOOD, FAIR, POOR = "good", "fair", "poor"
#: (loss %, round trip ms) at or under which health is good / fair; worse is poor.
HEALTH_LIMITS = {GOOD: (1.0, 250.0), FAIR: (5.0, 800.0)}
TICK_MS = 1000


def health_of(stats: dict[str, Any]) -> str:
    """GOOD, FAIR or POOR from a stats dict (`loss_percent`, `rtt_ms`); "" if not measured."""
    loss, rtt = stats.get("loss_percent"), stats.get("rtt_ms")
    if loss is None and rtt is None:
        return ""
    for name in (GOOD, FAIR):
        max_loss, max_rtt = HEALTH_LIMITS[name]
        if (loss or 0.0) <= max_loss and (rtt or 0.0) <= max_rtt:
            return name
    return POOR


class OnAirClock(QObject):
    """Emits `changed` when the state, the time on air or the health changes."""

    changed = Signal()

    def __init__(
        self,
        golive: GoLiveController,
        parent: QObject | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self.state = golive.state.value
        self.health = ""
        self._banked = 0.0  # seconds on air before the current live stretch
        self._since: float | None = None  # start of the current live stretch
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.changed)
        golive.state_changed.connect(self._on_state)
        golive.stats_updated.connect(self._on_stats)

    @property
    def live(self) -> bool:
        return self.state == "live"

    @property
    def on_air(self) -> bool:
        """Live or trying to get back: the show is on."""
        return self.state in ("live", "reconnecting")

    @property
    def paused(self) -> bool:
        return self.state == "reconnecting"

    def seconds(self) -> int:
        running = self._clock() - self._since if self._since is not None else 0.0
        return int(self._banked + running)

    def _on_state(self, state: str, _message: str) -> None:
        if self._since is not None and state != "live":
            self._banked += self._clock() - self._since
            self._since = None
        if state == "live" and self._since is None:
            self._since = self._clock()
        if state not in ("live", "reconnecting"):
            self._banked = 0.0
            self.health = ""
        if state in ("live", "reconnecting"):
            self._timer.start()
        else:
            self._timer.stop()
        self.state = state
        self.changed.emit()

    def _on_stats(self, stats: dict[str, Any]) -> None:
        health = health_of(stats)
        if health != self.health:
            self.health = health
            self.changed.emit()
