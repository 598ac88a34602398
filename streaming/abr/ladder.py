"""The resolution/frame-rate ladder the controller's bitrate drives.

A rung is taken when the target reaches its floor; stepping up needs the target to stay 15 %
above a better rung's floor for `UP_AFTER_S` (then straight to the best such rung), stepping down happens at once when the target falls
below the current rung's floor. The gap between the two is the hysteresis that stops a rate
flapping around one floor from switching the picture (each switch costs a keyframe)."""

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
        self._up_since: float | None = None

    @property
    def rung(self) -> Rung:
        return self.rungs[self.index]

    def start_at(self, bps: int) -> Rung:
        """The rung for a starting rate (no hysteresis yet)."""
        self.index = next(
            (i for i, r in enumerate(self.rungs) if bps >= r.floor_bps), len(self.rungs) - 1
        )
        return self.rung

    def choose(self, bps: int, at: float) -> Rung:
        """The rung for target `bps` at time `at` (seconds)."""
        while self.index + 1 < len(self.rungs) and bps < self.rung.floor_bps:
            self.index += 1
            self._up_since = None
        best = next(
            (i for i, r in enumerate(self.rungs) if bps >= r.floor_bps * UP_MARGIN), self.index
        )
        if best < self.index:
            if self._up_since is None:
                self._up_since = at
            elif at - self._up_since >= UP_AFTER_S:
                self.index = best  # straight to the best rung the rate carries: one keyframe
                self._up_since = None
        else:
            self._up_since = None
        return self.rung
