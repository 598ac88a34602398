"""The voice chain's stages, registered once, and the chain's settings built from them.

Each stage module declares its settings (a frozen dataclass whose fields are described with
`capture.properties.setting`: default, range, unit, label) and a `KIND` (name, title, settings
class, constructor). `STAGES` below lists them in processing order: that line is the only
place a new stage is added. Clamping, loading from the settings file (never raises), saving,
the controller and the Voice panel's controls all derive from those descriptions.

Settings are frozen, so the GUI thread hands a new set to the audio thread by swapping one
reference.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVar

from capture import properties
from capture.voice import agc, denoise, gate, limiter
from capture.voice.stage import StageKind

# Order: noise is removed first so the AGC measures (and lifts) the voice, not the room; the
# gate after the AGC so its threshold means the same at any microphone distance; the limiter
# last so nothing can push the output over the ceiling.
STAGES: tuple[StageKind, ...] = (denoise.KIND, agc.KIND, gate.KIND, limiter.KIND)
STAGE_NAMES = tuple(kind.name for kind in STAGES)
KINDS = {kind.name: kind for kind in STAGES}

S = TypeVar("S")


def _defaults() -> tuple[Any, ...]:
    return tuple(kind.settings() for kind in STAGES)


@dataclass(frozen=True, slots=True)
class ChainSettings:
    """Every stage's settings, in `STAGES` order."""

    stages: tuple[Any, ...] = dataclasses.field(default_factory=_defaults)

    def stage(self, name: str) -> Any:
        """Settings of the stage called `name` ("denoise", "agc", …)."""
        return self.stages[STAGE_NAMES.index(_known(name))]

    def of(self, cls: type[S]) -> S:
        """Settings of the stage whose settings class is `cls` (typed access)."""
        for s in self.stages:
            if type(s) is cls:
                return s  # type: ignore[no-any-return]
        raise KeyError(cls.__name__)

    def enabled(self, name: str) -> bool:
        return bool(self.stage(name).enabled)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {
            kind.name: properties.to_dict(s) for kind, s in zip(STAGES, self.stages, strict=True)
        }

    @classmethod
    def from_dict(cls, data: Any) -> ChainSettings:
        """From the settings file's "voice" section; never raises (see capture/properties.py)."""
        data = data if isinstance(data, dict) else {}
        return cls(tuple(properties.from_dict(k.settings, data.get(k.name)) for k in STAGES))

    def with_enabled(self, stage: str, enabled: bool) -> ChainSettings:
        """A copy with stage `stage` switched on or off."""
        return self.with_values(stage, enabled=enabled)

    def with_values(self, stage: str, **values: Any) -> ChainSettings:
        """A copy with some of one stage's settings changed, each clamped to its range (an
        unknown setting or a value of the wrong type raises ValueError)."""
        return self.with_stage(properties.validated(self.stage(stage), **values))

    def with_stage(self, settings: Any) -> ChainSettings:
        """A copy with one stage's whole settings replaced (found by their class)."""
        index = next(i for i, s in enumerate(self.stages) if type(s) is type(settings))
        stages = list(self.stages)
        stages[index] = settings
        return ChainSettings(tuple(stages))


def _known(name: str) -> str:
    if name not in KINDS:
        raise ValueError(f"unknown voice stage {name!r}")
    return name
