"""Settings described once: kinds, clamping, loading that never raises, round trips."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from capture.properties import Kind, from_dict, properties, setting, to_dict, validated


@dataclass(frozen=True, slots=True)
class Sample:
    on: bool = setting(True, "On")
    gain_db: float = setting(0.0, "Gain", minimum=-30.0, maximum=30.0, unit="dB")
    lanes: int = setting(10, "Lanes", minimum=1, maximum=20)
    mode: str = setting("soft", "Mode", choices=(("soft", "Soft"), ("hard", "Hard")))
    title: str = setting("", "Title")
    image: str = setting("", "Image", kind=Kind.PATH, file_filter="Images (*.png *.jpg)")
    tint: str = setting("#FF000000", "Tint", kind=Kind.COLOR)
    internal: int = 3  # not described: not a person's setting


def test_kinds_follow_the_defaults_and_skip_undescribed_fields() -> None:
    kinds = {p.name: p.kind for p in properties(Sample)}
    assert kinds == {
        "on": Kind.BOOL,
        "gain_db": Kind.FLOAT,
        "lanes": Kind.INT,
        "mode": Kind.CHOICE,
        "title": Kind.TEXT,
        "image": Kind.PATH,
        "tint": Kind.COLOR,
    }
    gain = properties(Sample)[1]
    assert (gain.minimum, gain.maximum, gain.unit, gain.label) == (-30.0, 30.0, "dB", "Gain")


def test_from_dict_clamps_and_ignores_what_it_cannot_use() -> None:
    s = from_dict(
        Sample,
        {
            "on": "yes",  # wrong type: default kept
            "gain_db": 99,  # clamped
            "lanes": 2.6,  # rounded
            "mode": "loud",  # unknown choice: default kept
            "tint": "#00ff00",
            "internal": 9,  # not a setting: ignored
            "unknown": 1,
        },
    )
    assert s == Sample(on=True, gain_db=30.0, lanes=3, mode="soft", tint="#00FF00")


@given(st.dictionaries(st.sampled_from([p.name for p in properties(Sample)]), st.from_type(object)))
def test_from_dict_never_raises(data: dict[str, object]) -> None:
    s = from_dict(Sample, data)
    assert -30.0 <= s.gain_db <= 30.0 and 1 <= s.lanes <= 20


@pytest.mark.parametrize("data", [None, [], "x", 3, {"gain_db": float("nan")}])
def test_from_dict_of_garbage_is_the_default(data: object) -> None:
    assert from_dict(Sample, data) == Sample()


def test_round_trip_through_json() -> None:
    s = validated(Sample(), gain_db=-6.5, mode="hard", title="包邮 🎁", tint="#80112233")
    assert from_dict(Sample, json.loads(json.dumps(to_dict(s)))) == s
    assert "internal" not in to_dict(s)


def test_validated_clamps_and_refuses_nonsense() -> None:
    assert validated(Sample(), gain_db=-100.0).gain_db == -30.0
    with pytest.raises(ValueError, match="mode"):
        validated(Sample(), mode="loud")
    with pytest.raises(ValueError, match="nope"):
        validated(Sample(), nope=1)


def test_an_invalid_default_is_refused_where_it_is_declared() -> None:
    with pytest.raises(ValueError, match="Gain"):
        setting(50.0, "Gain", minimum=0.0, maximum=10.0)
