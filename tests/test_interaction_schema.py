"""The JSON Schema is valid, validates every example in docs/interaction-protocol.md, agrees with
the hub's own shape rules, and every frame the real hub sends validates against it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from websockets.sync.client import connect

from streaming.interaction import rules
from streaming.interaction.hub import HubLimits
from streaming.interaction.serve import HubServer
from tests.interaction_support import TOKEN, Collector, recv_until, viewer
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "streaming/interaction/schema.json").read_text("utf-8"))
DOC = (ROOT / "docs/interaction-protocol.md").read_text("utf-8")


def validator(name: str | None = None) -> Draft202012Validator:
    schema = SCHEMA if name is None else {"$ref": f"#/$defs/{name}", "$defs": SCHEMA["$defs"]}
    return Draft202012Validator(schema)


def doc_examples() -> list:
    """Every JSON value in the doc: fenced json blocks and inline code that parses as JSON."""
    found = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", DOC, re.S)]
    for snippet in re.findall(r"`([\[{][^`]*[\]}])`", DOC):
        try:
            found.append(json.loads(snippet))
        except ValueError:
            continue  # a template with placeholders (FROM, TO, …)
    return found


def test_schema_is_valid_draft_2020_12():
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_doc_examples_validate():
    examples = doc_examples()
    assert len(examples) >= 8
    for example in examples:
        validator().validate(example)


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        (
            "event",
            {"v": 1, "type": "danmaku", "ts": 1, "user": {"id": "u", "name": "n"}, "text": "x"},
        ),
        (
            "event",
            {
                "seq": 0,
                "v": 1,
                "type": "like",
                "ts": 1,
                "user": {"id": "u", "name": "n"},
                "count": 1,
            },
        ),
        ("viewer_send", {"v": 1, "type": "danmaku", "text": 5}),
        ("viewer_send", {"v": 1, "type": "join"}),
        ("host_send", {"v": 1, "type": "pin", "text": "no id"}),
        ("host_frame", {"v": 1, "type": "like"}),
        ("host_frame", []),
        ("viewer_frame", [{"v": 1, "type": "hello", "hub": "h", "head": 0}]),
    ],
)
def test_schema_rejects(name, bad):
    assert not validator(name).is_valid(bad)


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 20_000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=80),
    st.text(min_size=490, max_size=520),
    st.lists(st.text(max_size=5), max_size=3),
    st.lists(st.text(min_size=60, max_size=70), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
FIELDS = [
    "text",
    "sent_at",
    "count",
    "gift",
    "value",
    "product_id",
    "quantity",
    "question_id",
    "id",
    "label",
    "ends_at",
    "keyword",
    "prize",
    "winners",
    "title",
    "url",
    "price",
    "blocked_words",
    "blocked_users",
    "hide_spam",
]
TYPES = [*rules.VIEWER_RULES, *rules.HOST_SEND, "join", "gap", 3, None]


@settings(max_examples=400, deadline=None)
@given(
    kind=st.sampled_from(TYPES), fields=st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=6)
)
def test_hub_rules_agree_with_the_schema(kind, fields):
    obj = {**fields, "v": 1, "type": kind}
    for rule_set, name in ((rules.VIEWER_RULES, "viewer_send"), (rules.HOST_SEND, "host_send")):
        try:
            rules.check(obj, rule_set)
            accepted = True
        except rules.ProtocolError:
            accepted = False
        assert accepted == validator(name).is_valid(obj), (name, obj)


def test_every_frame_the_hub_sends_validates():
    limits = HubLimits(
        viewer_rate=1000, viewer_burst=1000, log_size=20, fanout_hz=20
    ).for_load_test()
    with HubServer(TOKEN, limits) as srv:
        ws, _ = viewer(srv.viewer_url)
        viewer_frames: list = []
        for frame in [
            {"v": 1, "type": "danmaku", "text": "能用花呗吗", "sent_at": 1764170000000},
            {"v": 1, "type": "like", "count": 3},
            {"v": 1, "type": "gift", "gift": "火箭", "count": 1, "value": 500},
            {"v": 1, "type": "order", "product_id": "p3", "quantity": 2},
        ] * 8:
            ws.send(json.dumps(frame, ensure_ascii=False))
        ws.send("garbage")
        viewer_frames.append(recv_until(ws, lambda m: m["type"] == "error"))
        wait_for(lambda: srv.hub.stats()["head"] >= 33)
        with Collector(srv.host_url, since=1) as host:  # since=1 < oldest: starts with a gap
            for event in [
                {"v": 1, "type": "pin", "question_id": "q1", "text": "能用花呗吗"},
                {"v": 1, "type": "pin", "question_id": "q1", "text": None},
                {"v": 1, "type": "announcement", "text": "今晚八点"},
                {"v": 1, "type": "countdown", "id": "c", "label": "秒杀", "ends_at": 1764170000000},
                {
                    "v": 1,
                    "type": "lottery",
                    "id": "l",
                    "keyword": "抽奖",
                    "prize": "面膜",
                    "ends_at": 1,
                    "winners": ["u1"],
                },
                {
                    "v": 1,
                    "type": "product",
                    "id": "p3",
                    "title": "面膜",
                    "url": "https://x.invalid/p3",
                    "price": 99.9,
                },
            ]:
                host.client.send(event)
            host.client.send({"v": 1, "type": "moderation", "blocked_words": ["加群"]})
            late = viewer(srv.viewer_url)  # a join, a viewer_count, and the sticky broadcasts
            wait_for(
                lambda: {"viewer_count", "product", "gap"} <= {e["type"] for e in host.events()}
            )
            viewer_frames.append(late[1])
            with connect(
                srv.host_url,
                additional_headers={"Authorization": f"Bearer {TOKEN}"},
                open_timeout=5,
            ) as raw:
                hello = json.loads(raw.recv(timeout=5))
                raw.send("not json")
                refused = json.loads(raw.recv(timeout=5))
            for frame in [*host.frames, json.dumps([hello[0]]), json.dumps(refused)]:
                validator("host_frame").validate(json.loads(frame))
            kinds = {e["type"] for e in host.events()}
            assert kinds >= {
                "danmaku",
                "like",
                "gift",
                "order",
                "join",
                "viewer_count",
                "gap",
                "pin",
                "announcement",
                "countdown",
                "lottery",
                "product",
            }
            while len(viewer_frames) < 12:
                try:
                    viewer_frames.extend(json.loads(late[0].recv(timeout=1)))
                except TimeoutError:
                    break
            for item in viewer_frames:
                validator("viewer_frame").validate([item])
            assert {"welcome", "error", "product"} <= {m["type"] for m in viewer_frames}
            late[0].close()
        ws.close()
