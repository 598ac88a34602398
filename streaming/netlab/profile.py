"""Impairment profiles as data: a list of steps, each holding from its `at_s` on."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Step:
    """The link from `at_s` seconds on: a bottleneck of `rate_kbps` (0: unlimited) with a
    `queue_ms` drop-tail buffer, `loss` random loss (0–1), bursts of `burst` packets lost
    together, and `delay_ms` ± `jitter_ms` one-way delay."""

    at_s: float = 0.0
    rate_kbps: float = 0.0
    loss: float = 0.0
    burst: int = 1
    delay_ms: float = 0.0
    jitter_ms: float = 0.0
    queue_ms: float = 300.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    steps: tuple[Step, ...]

    def at(self, t: float) -> Step:
        current = self.steps[0]
        for step in self.steps:
            if step.at_s <= t:
                current = step
        return current

    @property
    def duration_s(self) -> float:
        return self.steps[-1].at_s

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "steps": [s.to_dict() for s in self.steps]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        return cls(str(data["name"]), tuple(Step(**s) for s in data["steps"]))


class Dropper:
    """Random loss with bursts: a loss starts with probability loss/burst, then `burst`
    packets in a row go (the mean loss stays `loss`)."""

    def __init__(self, seed: int = 1) -> None:
        self._random = random.Random(seed)
        self._left = 0

    def drop(self, step: Step) -> bool:
        if self._left > 0:
            self._left -= 1
            return True
        if step.loss > 0 and self._random.random() < step.loss / max(1, step.burst):
            self._left = max(1, step.burst) - 1
            return True
        return False


def _mbps(rate: float) -> float:
    return rate * 1000


#: The issue's profiles: drops, recovery and loss; `at_s` of the last step is the end.
PROFILES: dict[str, Profile] = {
    "drop_1.5": Profile(
        "drop_1.5",
        (Step(0, _mbps(6)), Step(15, _mbps(1.5)), Step(35, _mbps(1.5))),
    ),
    "drop_0.3": Profile(
        "drop_0.3",
        (Step(0, _mbps(6)), Step(15, _mbps(0.3)), Step(35, _mbps(0.3))),
    ),
    "recovery": Profile(
        "recovery",
        (Step(0, _mbps(0.3)), Step(15, _mbps(6)), Step(35, _mbps(6))),
    ),
    "loss_10": Profile(
        "loss_10",
        (Step(0, _mbps(6)), Step(10, _mbps(6), loss=0.10), Step(35, _mbps(6), loss=0.10)),
    ),
}
