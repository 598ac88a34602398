"""Protocol fuzzing against the real hub and the real host client (hypothesis): garbage, wrong
types, huge frames, invalid UTF-8, binary frames, bidi and control characters from viewers, and
garbage from a host. The hub never crashes, answers the sender, and keeps serving everyone else;
the client's seq tracking cannot be fooled by what viewers type."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from streaming.interaction.client import last_seq_of
from streaming.interaction.hub import HubLimits
from streaming.interaction.serve import HubServer
from tests.interaction_support import TOKEN, Collector, viewer
from tests.waiting import wait_for

SCHEMA = json.loads(Path("streaming/interaction/schema.json").read_text(encoding="utf-8"))
HOST_FRAME = Draft202012Validator({"$ref": "#/$defs/host_frame", "$defs": SCHEMA["$defs"]})
NASTY = '\u202e\u202d\u2066\u200b\u200f\ufeff\x00\x07\x1b\r\n\t\ud800\udfff\U0001f600<script>"\\'

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(alphabet=st.characters(), max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
typed_objects = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["danmaku", "like", "gift", "order", "join", "pin", "viewer_count", "gap", ""]
        )
    },
    optional={
        "v": json_values,
        "text": json_values,
        "count": json_values,
        "gift": json_values,
        "value": json_values,
        "product_id": json_values,
        "quantity": json_values,
        "sent_at": json_values,
        "user": json_values,
        "seq": json_values,
    },
)
nasty_text = st.text(alphabet=st.sampled_from(NASTY) | st.characters(), max_size=300)
frames = st.one_of(
    st.text(max_size=200),  # arbitrary text, mostly not JSON
    json_values.map(lambda v: json.dumps(v)),
    typed_objects.map(lambda v: json.dumps(v)),
    nasty_text.map(lambda t: json.dumps({"v": 1, "type": "danmaku", "text": t or "x"})),
    st.integers(4097, 20_000).map(
        lambda n: json.dumps({"v": 1, "type": "danmaku", "text": "长" * n})
    ),
    st.binary(max_size=300),  # binary frames (invalid UTF-8 and all)
    st.binary(min_size=1, max_size=200).map(
        lambda b: ("text-bytes", b"\xff" + b)
    ),  # invalid UTF-8 text
    st.integers(65_537, 200_000).map(lambda n: "x" * n),  # over the connection's message limit
)


@pytest.fixture(scope="module")
def hub():
    limits = HubLimits(viewer_rate=1e6, viewer_burst=10**6).for_load_test()
    with HubServer(TOKEN, limits) as srv, Collector(srv.host_url) as host:
        canary, _ = viewer(srv.viewer_url)
        yield srv, host, canary
        canary.close()


class Fuzzer:
    """One viewer connection for fuzz frames, replaced when the hub closes it (as it must for
    protocol violations)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.ws = viewer(url)[0]

    def send(self, frame) -> None:
        if self.ws.close_code is not None or self.ws.state.name != "OPEN":
            self.ws = viewer(self.url)[0]
        try:
            if isinstance(frame, tuple):
                self.ws.send(frame[1], text=True)
            else:
                self.ws.send(frame)
        except ConnectionClosed:
            self.ws = viewer(self.url)[0]


@pytest.fixture(scope="module")
def fuzzer(hub):
    srv, _, _ = hub
    fuzzer = Fuzzer(srv.viewer_url)
    yield fuzzer
    fuzzer.ws.close()


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(frame=frames)
def test_viewer_garbage_never_breaks_the_hub(hub, fuzzer, frame):
    srv, host, canary = hub
    fuzzer.send(frame)
    # Everyone else is still served: the canary's next message reaches the host.
    _chirp(srv, host, canary)


_chirps = iter(range(10**9))


def _chirp(srv, host, canary) -> None:
    text = f"canary {next(_chirps)}"
    start = len(host.frames)
    canary.send(json.dumps({"v": 1, "type": "danmaku", "text": text}))
    wait_for(lambda: any(text in f for f in host.frames[start:]), timeout=10)


def test_after_fuzzing_host_stream_is_whole_and_valid(hub, fuzzer):
    srv, host, _ = hub
    wait_for(lambda: host.client.last_seq == srv.hub.stats()["head"], timeout=10)
    assert host.seqs() == list(range(1, srv.hub.stats()["head"] + 1))
    for frame in host.frames:
        HOST_FRAME.validate(json.loads(frame))
    rejected = {k for k, n in srv.hub.counters.items() if k.startswith("rejected.") and n}
    assert {"rejected.bad_json", "rejected.too_big", "rejected.binary"} <= rejected


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    text=st.text(min_size=1, max_size=120)
    | st.sampled_from(['{"seq":999999999,', '"},{"seq":7,"v":1', '\\"seq\\":5', '[{"seq":1}]'])
)
def test_viewer_text_cannot_fool_the_clients_seq_tracking(hub, text):
    _srv, host, canary = hub
    start = len(host.frames)
    canary.send(json.dumps({"v": 1, "type": "danmaku", "text": text}))

    def arrived() -> bool:
        events = [e for f in host.frames[start:] for e in json.loads(f)]
        return any(e["type"] == "danmaku" and e["text"] == text for e in events)

    wait_for(arrived, timeout=10)  # the text arrives exactly as typed
    for frame in host.frames[start:]:
        assert last_seq_of(frame) == json.loads(frame)[-1]["seq"]
    wait_for(lambda: host.client.last_seq == last_seq_of(host.frames[-1]), timeout=5)


host_objects = st.fixed_dictionaries(
    {
        "v": st.just(1),
        "type": st.sampled_from(
            ["pin", "announcement", "countdown", "lottery", "product", "danmaku"]
        ),
    },
    optional={
        "question_id": json_values,
        "text": json_values,
        "id": json_values,
        "label": json_values,
        "ends_at": json_values,
        "keyword": json_values,
        "prize": json_values,
        "winners": json_values,
        "title": json_values,
        "url": json_values,
        "price": json_values,
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(event=host_objects)
def test_host_client_send_checks_before_the_wire(hub, event):
    srv, host, _ = hub
    before = srv.hub.counters["broadcasts"]
    try:
        host.client.send(event)
    except ValueError as exc:
        assert str(exc)  # plain words
        return
    wait_for(lambda: srv.hub.counters["broadcasts"] == before + 1, timeout=10)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(frame=st.one_of(st.text(max_size=100), json_values.map(json.dumps), st.binary(max_size=50)))
def test_host_garbage_gets_errors_and_the_hub_stays_up(hub, frame):
    srv, host, canary = hub
    with connect(
        srv.host_url,
        additional_headers={"Authorization": f"Bearer {TOKEN}"},
        open_timeout=5,
        max_size=None,
    ) as raw:
        assert json.loads(raw.recv(timeout=5))[0]["type"] == "hello"
        raw.send(frame)
        reply = json.loads(raw.recv(timeout=5))
        assert reply[0]["type"] in ("error", "gap") or "seq" in reply[0]
    _chirp(srv, host, canary)
