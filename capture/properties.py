"""Settings described once.

A part's settings (a voice stage, a source, a layer, a filter, an output) are a frozen dataclass
whose fields are declared with `setting(...)`: type, default, range, unit and label live in that
one declaration. Everything else is derived from it — clamping (`validated`), loading from a
settings file (`from_dict`, which never raises), saving (`to_dict`) and the panel that edits them
(`widgets/property_form.py`) — as OBS's properties describe a source and its UI is generated.

Frozen, so one thread can hand a new set to another by swapping one reference.

    @dataclass(frozen=True, slots=True)
    class GainSettings:
        gain_db: float = setting(0.0, "Gain", minimum=-30.0, maximum=30.0, unit="dB")
        mode: str = setting("soft", "Mode", choices=(("soft", "Soft"), ("hard", "Hard")))
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

T = TypeVar("T")

_KEY = "livedesk.property"
_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")


class Kind(Enum):
    BOOL = "bool"
    INT = "int"
    FLOAT = "float"
    CHOICE = "choice"  # one of `choices`' values (a string)
    TEXT = "text"
    PATH = "path"  # a file; `file_filter` says which (Qt's "Images (*.png *.jpg)" form)
    COLOR = "color"  # "#RRGGBB" or "#AARRGGBB"


@dataclass(frozen=True, slots=True)
class Property:
    """One setting as a panel shows it and a settings file stores it. `label`, `unit`,
    `help` and the choices' labels are English source text; views translate them."""

    name: str
    kind: Kind
    default: Any
    label: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    help: str = ""
    multiline: bool = False
    file_filter: str = ""

    def coerce(self, value: Any) -> Any:
        """`value` made valid for this setting (numbers clamped to the range), or `None` when
        it cannot be (wrong type, NaN, unknown choice): the caller keeps what it had."""
        kind = self.kind
        if kind is Kind.BOOL:
            return value if isinstance(value, bool) else None
        if kind in (Kind.INT, Kind.FLOAT):
            if isinstance(value, bool) or not isinstance(value, int | float):
                return None
            if not math.isfinite(value):
                return None
            if self.minimum is not None:
                value = max(value, self.minimum)
            if self.maximum is not None:
                value = min(value, self.maximum)
            return round(value) if kind is Kind.INT else float(value)
        if not isinstance(value, str):
            return None
        if kind is Kind.CHOICE:
            return value if value in self.choice_values() else None
        if kind is Kind.COLOR:
            return value.upper() if _COLOR.match(value) else None
        return value

    def choice_values(self) -> tuple[str, ...]:
        return tuple(v for v, _ in self.choices)


def setting(
    default: Any,
    label: str,
    *,
    kind: Kind | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
    unit: str = "",
    step: float | None = None,
    choices: tuple[tuple[str, str], ...] = (),
    help: str = "",
    multiline: bool = False,
    file_filter: str = "",
) -> Any:
    """A dataclass field carrying its description. The kind follows the default's type unless
    given (PATH and COLOR are strings a panel edits differently); a string with `choices` is a
    CHOICE. Returns `Any` so that `x: float = setting(1.0, …)` type-checks."""
    if kind is None:
        kind = _kind_of(default, choices)
    prop = Property(
        name="",
        kind=kind,
        default=default,
        label=label,
        unit=unit,
        minimum=minimum,
        maximum=maximum,
        step=step,
        choices=choices,
        help=help,
        multiline=multiline,
        file_filter=file_filter,
    )
    if prop.coerce(default) != default:
        raise ValueError(f"default {default!r} is not valid for {label!r}")
    return dataclasses.field(default=default, metadata={_KEY: prop})


def _kind_of(default: Any, choices: tuple[tuple[str, str], ...]) -> Kind:
    if isinstance(default, bool):
        return Kind.BOOL
    if isinstance(default, int):
        return Kind.INT
    if isinstance(default, float):
        return Kind.FLOAT
    if isinstance(default, str):
        return Kind.CHOICE if choices else Kind.TEXT
    raise TypeError(f"no property kind for a default of type {type(default).__name__}")


_described: dict[type, tuple[Property, ...]] = {}


def properties(cls: type) -> tuple[Property, ...]:
    """The described settings of a settings class, in declaration order (fields declared
    without `setting()` are not settings a person edits, and are skipped)."""
    found = _described.get(cls)
    if found is None:
        found = tuple(
            dataclasses.replace(f.metadata[_KEY], name=f.name)
            for f in dataclasses.fields(cls)
            if isinstance(f.metadata.get(_KEY), Property)
        )
        _described[cls] = found
    return found


def from_dict(cls: type[T], data: Any) -> T:
    """Settings from a settings file's dict. Never raises: unknown keys are ignored, missing
    or invalid values take the default, numbers are clamped — a hand-edited or older file can't
    stop the show."""
    if not isinstance(data, dict):
        return cls()
    values: dict[str, Any] = {}
    for prop in properties(cls):
        if prop.name in data:
            value = prop.coerce(data[prop.name])
            if value is not None:
                values[prop.name] = value
    return cls(**values)


def to_dict(settings: Any) -> dict[str, Any]:
    """The described settings as plain JSON values."""
    return {p.name: getattr(settings, p.name) for p in properties(type(settings))}


def validated(settings: T, **changes: Any) -> T:
    """A copy with `changes` applied, each made valid (clamped); an invalid value raises
    `ValueError` naming the setting, since this is a programming error, not a file's."""
    by_name = {p.name: p for p in properties(type(settings))}
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        prop = by_name.get(name)
        if prop is None:
            raise ValueError(f"{type(settings).__name__} has no setting {name!r}")
        coerced = prop.coerce(value)
        if coerced is None:
            raise ValueError(f"{value!r} is not a valid value for {name!r}")
        clean[name] = coerced
    return dataclasses.replace(settings, **clean)  # type: ignore[type-var]
