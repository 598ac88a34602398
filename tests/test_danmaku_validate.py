"""Validation of hub frames: bad input is rejected or cleaned and counted, never a crash; and the
hand-written validator agrees with the protocol's JSON Schema (streaming/interaction/schema.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.danmaku.validate import MAX_TEXT, Validator

SCHEMA = json.loads(
    (Path(__file__).parents[1] / "streaming" / "interaction" / "schema.json").read_text("utf-8")
)
EVENT_SCHEMA = {**SCHEMA, "$ref": "#/$defs/event"}
EVENT_SCHEMA.pop("anyOf", None)
USER = {"id": "u1", "name": "观众1"}


def danmaku(text: Any = "能用花呗吗", **extra: Any) -> dict[str, Any]:
    return {
        "seq": 1,
        "v": 1,
        "type": "danmaku",
        "ts": 1764170000000,
        "user": USER,
        "text": text,
        **extra,
    }


def frame(*events: Any) -> str:
    return json.dumps(list(events), ensure_ascii=False)


def test_valid_frame_of_mixed_events() -> None:
    v = Validator()
    events = v.decode_frame(
        frame(
            danmaku(sent_at=1764169999990),
            {
                "seq": 2,
                "v": 1,
                "type": "gift",
                "ts": 1,
                "user": USER,
                "gift": "火箭",
                "count": 1,
                "value": 50,
            },
            {
                "seq": 3,
                "v": 1,
                "type": "order",
                "ts": 1,
                "user": USER,
                "product_id": "p3",
                "quantity": 2,
            },
            {"seq": 4, "v": 1, "type": "viewer_count", "ts": 1, "count": 10000},
            {"seq": 5, "v": 1, "type": "gap", "ts": 1, "from": 1, "to": 5},
            {"seq": 6, "v": 1, "type": "pin", "ts": 1, "question_id": "q1", "text": None},
        )
    )
    assert [e.type for e in events] == ["danmaku", "gift", "order", "viewer_count", "gap", "pin"]
    assert events[0].text == "能用花呗吗" and events[0].user_name == "观众1"
    assert events[1].data == {"gift": "火箭", "count": 1, "value": 50}
    assert not v.rejected and not v.cleaned


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xff\xfe[1]", "bad_utf8"),
        ("not json", "bad_json"),
        ("[" * 100_000, "too_deep"),
        ('{"v": 1}', "not_array"),
    ],
)
def test_bad_frames_are_counted(raw: str | bytes, reason: str) -> None:
    v = Validator()
    assert v.decode_frame(raw) == []
    assert v.rejected == {reason: 1}


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (42, "not_object"),
        ({**danmaku(), "v": 2}, "bad_version"),
        ({**danmaku(), "v": True}, "bad_version"),
        ({k: x for k, x in danmaku().items() if k != "seq"}, "missing_field"),
        (danmaku(seq=0), "out_of_range"),
        ({**danmaku(), "seq": "1"}, "wrong_type"),
        ({**danmaku(), "seq": True}, "wrong_type"),
        (danmaku(text=None), "missing_field"),
        (danmaku(text=["x"]), "wrong_type"),
        (danmaku(text="\u202e\u200b\x00"), "empty_text"),
        ({**danmaku(), "user": "u1"}, "wrong_type"),
        ({**danmaku(), "user": {"id": "", "name": "x"}}, "bad_user_id"),
        ({**danmaku(), "type": "teleport"}, "unknown_type"),
        ({"seq": 2, "v": 1, "type": "like", "ts": 1, "user": USER, "count": 0}, "out_of_range"),
        ({"seq": 2, "v": 1, "type": "like", "ts": 1, "user": USER, "count": 1.5}, "wrong_type"),
        (
            {"seq": 2, "v": 1, "type": "gift", "ts": 1, "user": USER, "gift": "g", "count": 1},
            "missing_field",
        ),
    ],
)
def test_bad_events_are_rejected_and_counted_the_rest_kept(event: Any, reason: str) -> None:
    v = Validator()
    events = v.decode_frame(frame(danmaku(seq=1), event, danmaku(seq=3)))
    assert [e.seq for e in events] == [1, 3]
    assert v.rejected == {reason: 1}


def test_text_is_cleaned_and_capped() -> None:
    v = Validator()
    text = "a\u202eb\u2066c\u200bd\x07e\ud800f\ng" + "长" * 600
    (event,) = v.decode_frame(frame(danmaku(text=text, user={"id": "u1", "name": "\u202e名" * 30})))
    assert event.text.startswith("abcdef g")
    assert len(event.text) == MAX_TEXT and len(event.user_name) <= 64
    assert "\u202e" not in event.user_name
    event.text.encode("utf-8")  # no lone surrogate survives
    for reason in ("bidi_controls", "zero_width", "control_chars", "surrogates", "truncated"):
        assert v.cleaned[reason] >= 1, reason


def test_lone_surrogate_escape_from_the_wire() -> None:
    v = Validator()
    raw = (
        '[{"seq":1,"v":1,"type":"danmaku","ts":1,"user":{"id":"u1","name":"x"},"text":"\\ud800ok"}]'
    )
    (event,) = v.decode_frame(raw)
    assert event.text == "ok" and v.cleaned["surrogates"] == 1


# --- agreement with the JSON Schema --------------------------------------------------------
_BASES = [
    danmaku(),
    danmaku(sent_at=1764169999990),
    {"seq": 2, "v": 1, "type": "like", "ts": 1, "user": USER, "count": 3},
    {
        "seq": 2,
        "v": 1,
        "type": "gift",
        "ts": 1,
        "user": USER,
        "gift": "火箭",
        "count": 1,
        "value": 0.1,
    },
    {"seq": 2, "v": 1, "type": "order", "ts": 1, "user": USER, "product_id": "p1", "quantity": 1},
    {"seq": 2, "v": 1, "type": "join", "ts": 1, "user": USER},
    {"seq": 2, "v": 1, "type": "viewer_count", "ts": 1, "count": 0},
    {"seq": 2, "v": 1, "type": "gap", "ts": 1, "from": 1, "to": 2},
    {"seq": 2, "v": 1, "type": "pin", "ts": 1, "question_id": "q1", "text": "能用花呗吗"},
    {"seq": 2, "v": 1, "type": "announcement", "ts": 1, "text": ""},
    {
        "seq": 2,
        "v": 1,
        "type": "lottery",
        "ts": 1,
        "id": "l",
        "keyword": "k",
        "prize": "p",
        "ends_at": 9,
        "winners": ["u1"],
    },
    {
        "seq": 2,
        "v": 1,
        "type": "product",
        "ts": 1,
        "id": "p",
        "title": "t",
        "url": "u",
        "price": 9.9,
    },
]
_FIELDS = [
    "v",
    "type",
    "seq",
    "ts",
    "user",
    "text",
    "sent_at",
    "count",
    "gift",
    "value",
    "product_id",
    "quantity",
    "from",
    "to",
    "question_id",
    "winners",
    "price",
    "extra",
]
_VALUES = st.one_of(
    st.sampled_from(
        [
            None,
            True,
            False,
            0,
            1,
            -1,
            2,
            64,
            65,
            1000,
            1001,
            10001,
            0.5,
            -0.5,
            "",
            "x",
            "1",
            "长" * 65,
            "x" * 501,
            [],
            ["u1"],
            [1],
            {},
            {"id": "u2"},
            {"id": 3, "name": "n"},
            {"id": "u3", "name": "n" * 65},
            {"id": "u4", "name": "\u202e"},
            "\u202e\u200b",
        ]
    ),
    st.text(max_size=12),
)


@st.composite
def _mutated(draw: st.DrawFn) -> dict[str, Any]:
    event = dict(draw(st.sampled_from(_BASES)))
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from(_FIELDS))
        if draw(st.booleans()) and name in event:
            del event[name]
        else:
            event[name] = draw(_VALUES)
    return event


@settings(max_examples=1500, deadline=None)
@given(_mutated())
def test_validator_agrees_with_schema(event: dict[str, Any]) -> None:
    """Every event the schema accepts is accepted, except text that cleaning leaves empty; every
    event the validator accepts the schema accepts, except danmaku text over the schema's 500
    characters, which the validator cuts to 200 (the protocol's cap-and-truncate)."""
    schema_ok = jsonschema.Draft202012Validator(EVENT_SCHEMA).is_valid(event)
    v = Validator()
    mine = v.decode_event(event)
    if schema_ok and mine is None:
        assert set(v.rejected) <= {"empty_text"}, (event, v.rejected)
    if mine is not None and not schema_ok:
        assert event["type"] == "danmaku" and len(event["text"]) > 500, (event, mine)
        assert v.cleaned["truncated"] == 1
