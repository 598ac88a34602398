"""Settings of every voice stage: frozen dataclasses, so the GUI thread can hand a new set to
the audio thread by swapping one reference, plus their plain-dict form for the settings file.

`from_dict` never raises: unknown keys are ignored, missing or malformed values take the
default, numbers are clamped to their range — a hand-edited or older settings file can't stop
the voice chain.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, TypeVar

METHODS = ("spectral", "rnnoise")


@dataclass(frozen=True, slots=True)
class DenoiseSettings:
    enabled: bool = True
    method: str = "spectral"  # one of METHODS
    strength_db: float = 30.0  # most a frequency bin is ever attenuated
    adapt: bool = True  # follow the room's noise during speech pauses (spectral method)


@dataclass(frozen=True, slots=True)
class AgcSettings:
    enabled: bool = True
    target_lufs: float = -16.0  # short-term loudness the voice is brought to
    max_gain_db: float = 30.0
    min_gain_db: float = -20.0
    vad_threshold_lufs: float = -60.0  # quieter hops never count as speech
    rise_time_s: float = 0.5  # time constant while the gain goes up
    fall_time_s: float = 0.2  # ... and down (too-loud speech is corrected faster)


@dataclass(frozen=True, slots=True)
class GateSettings:
    enabled: bool = False
    threshold_db: float = -50.0  # dBFS RMS over 1 ms
    ratio: float = 4.0  # 1 dB under the threshold → `ratio` dB down; large = hard gate
    range_db: float = 24.0  # most attenuation
    attack_ms: float = 2.0
    hold_ms: float = 150.0
    release_ms: float = 150.0


@dataclass(frozen=True, slots=True)
class LimiterSettings:
    enabled: bool = True
    ceiling_dbtp: float = -1.0
    release_db_per_s: float = 500.0  # 6 dB back in 12 ms: a click or plosive ducks little speech


_RANGES: dict[str, tuple[float, float]] = {
    "strength_db": (0.0, 60.0),
    "target_lufs": (-40.0, -6.0),
    "max_gain_db": (0.0, 40.0),
    "min_gain_db": (-40.0, 0.0),
    "vad_threshold_lufs": (-90.0, -20.0),
    "rise_time_s": (0.05, 10.0),
    "fall_time_s": (0.02, 10.0),
    "threshold_db": (-90.0, -10.0),
    "ratio": (1.0, 100.0),
    "range_db": (0.0, 90.0),
    "attack_ms": (0.1, 100.0),
    "hold_ms": (0.0, 2000.0),
    "release_ms": (1.0, 5000.0),
    "ceiling_dbtp": (-20.0, 0.0),
    "release_db_per_s": (1.0, 1000.0),
}

S = TypeVar("S")


def _stage_from_dict(cls: type[S], data: Any) -> S:
    default = cls()
    if not isinstance(data, dict):
        return default
    values: dict[str, Any] = {}
    for f in dataclasses.fields(default):  # type: ignore[arg-type]
        if f.name not in data:
            continue
        old, new = getattr(default, f.name), data[f.name]
        if isinstance(old, bool):
            if isinstance(new, bool):
                values[f.name] = new
        elif isinstance(old, float):
            if isinstance(new, int | float) and not isinstance(new, bool) and math.isfinite(new):
                lo, hi = _RANGES[f.name]
                values[f.name] = min(max(float(new), lo), hi)
        elif f.name == "method" and new in METHODS:
            values[f.name] = new
    return dataclasses.replace(default, **values)  # type: ignore[type-var]


@dataclass(frozen=True, slots=True)
class ChainSettings:
    denoise: DenoiseSettings = field(default_factory=DenoiseSettings)
    agc: AgcSettings = field(default_factory=AgcSettings)
    gate: GateSettings = field(default_factory=GateSettings)
    limiter: LimiterSettings = field(default_factory=LimiterSettings)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {f.name: dataclasses.asdict(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: Any) -> ChainSettings:
        data = data if isinstance(data, dict) else {}
        return cls(
            denoise=_stage_from_dict(DenoiseSettings, data.get("denoise")),
            agc=_stage_from_dict(AgcSettings, data.get("agc")),
            gate=_stage_from_dict(GateSettings, data.get("gate")),
            limiter=_stage_from_dict(LimiterSettings, data.get("limiter")),
        )

    def with_enabled(self, stage: str, enabled: bool) -> ChainSettings:
        """A copy with stage `stage` ("denoise", "agc", "gate", "limiter") switched on or off."""
        return self.with_values(stage, enabled=enabled)

    def with_values(self, stage: str, **values: Any) -> ChainSettings:
        current = getattr(self, stage)
        return dataclasses.replace(self, **{stage: dataclasses.replace(current, **values)})


STAGES = ("denoise", "agc", "gate", "limiter")
