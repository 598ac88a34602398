"""The resolution/frame-rate ladder the controller's bitrate drives.

A rung is taken when the target reaches its floor; stepping up to a better rung needs the
target to have stayed 15 % above *that* rung's floor for `UP_AFTER_S` (the best rung so earned
is taken at once: one keyframe), stepping down happens at once when the target falls below the
current rung's floor. The gap between the two is the hysteresis that stops a rate flapping
around one floor from switching the picture (each switch costs a keyframe); timing each rung on
its own keeps a fast ramp from jumping to a rung whose floor it crossed a moment ago."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rung:
    name: str
    width: int
    height: int
    fps: int
    floor_bps: int


LADDER: tuple[Rung, ...] = (
    Rung("1080p30", 1920, 1080, 30, 2_500_000),
    Rung("720p30", 1280, 720, 30, 1_200_000),
    Rung("540p30", 960, 540, 30, 700_000),
    Rung("360p30", 640, 360, 30, 350_000),
    Rung("360p15", 640, 360, 15, 0),
)
UP_MARGIN = 1.15
UP_AFTER_S = 2.0


class Ladder:
    """Picks a rung for each target bitrate; `top` is the best rung allowed (the configured
    resolution)."""

    def __init__(self, rungs: tuple[Rung, ...] = LADDER, top: int = 0) -> None:
        self.rungs = rungs[top:]
        self.index = 0
        self._above_since: dict[int, float] = {}  # better rung → since when the rate carries it

    @property
    def rung(self) -> Rung:
        return self.rungs[self.index]

    def start_at(self, bps: int) -> Rung:
        """The rung for a starting rate (no hysteresis yet)."""
        self._above_since.clear()
        self.index = next(
            (i for i, r in enumerate(self.rungs) if bps >= r.floor_bps), len(self.rungs) - 1
        )
        return self.rung

    def choose(self, bps: int, at: float) -> Rung:
        """The rung for target `bps` at time `at` (seconds)."""
        while self.index + 1 < len(self.rungs) and bps < self.rung.floor_bps:
            self.index += 1
        for i in range(self.index):
            if bps >= self.rungs[i].floor_bps * UP_MARGIN:
                self._above_since.setdefault(i, at)
            else:
                self._above_since.pop(i, None)
        earned = [i for i, since in self._above_since.items() if at - since >= UP_AFTER_S]
        if earned:
            self.index = min(earned)
        self._above_since = {i: t for i, t in self._above_since.items() if i < self.index}
        return self.rung
