"""Moderation that reaches viewers: the host's block lists, sent over the host channel, keep
blocked words, blocked senders and contact spam off real viewer connections, while the host
still receives everything."""

from __future__ import annotations

import json
import time

import pytest

from streaming.interaction import rules
from streaming.interaction.hub import HubLimits, InteractionHub
from streaming.interaction.moderation import ViewerModeration
from streaming.interaction.serve import HubServer
from tests.interaction_support import TOKEN, Collector, viewer, wait_for

CLEAN = ["包邮吗", "这个颜色好看", "158 100斤穿什么码", "主播好美", "敏感肌能用吗"]
BLOCKED_WORD = ["今天的苹果好甜", "苹 果 多少钱", "蘋果到了吗"]  # separators, traditional form
SPAM = [
    "加群 738291045 免费领",
    "加V看朋友圈",
    "看这里 http://t.cn/abc123",
    "免费领面膜 +微 6 6 8 8 2 2",
    "私信我拿内部价",
    "联系方式看我签名",
]


@pytest.fixture
def server():
    limits = HubLimits(viewer_rate=1000, viewer_burst=1000, fanout_hz=20).for_load_test()
    with HubServer(TOKEN, limits) as srv:
        yield srv


def _lists(srv: HubServer, host: Collector, **fields: object) -> None:
    before = srv.hub.counters["moderation_updates"]
    host.client.send({"v": 1, "type": "moderation", **fields})
    wait_for(lambda: srv.hub.counters["moderation_updates"] > before)


def _danmaku_seen(ws, seconds: float) -> list[dict]:
    seen: list[dict] = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            frame = json.loads(ws.recv(timeout=left))
        except TimeoutError:
            break
        seen += [m for m in frame if m.get("type") == "danmaku"]
    return seen


def test_a_viewer_never_receives_blocked_words_senders_or_contact_spam(server):
    with Collector(server.host_url) as host:
        sender, _ = viewer(server.viewer_url)
        pest, pest_welcome = viewer(server.viewer_url)
        audience, _ = viewer(server.viewer_url)
        _lists(server, host, blocked_words=["苹果"], blocked_users=[pest_welcome["user"]["id"]])
        bad = set(BLOCKED_WORD + SPAM)
        for round_ in range(20):  # 20 rounds of everything: the sampler sees plenty of each
            for text in CLEAN + BLOCKED_WORD + SPAM:
                sender.send(json.dumps({"v": 1, "type": "danmaku", "text": f"{text}"}))
            pest.send(json.dumps({"v": 1, "type": "danmaku", "text": f"我很正常 {round_}"}))
        seen = _danmaku_seen(audience, 3.0)
        texts = {m["text"] for m in seen}
        assert texts & set(CLEAN)  # the room still talks
        assert not texts & bad
        assert not any(m["user"] == pest_welcome["user"] for m in seen)
        assert server.hub.counters["moderated"] > 0
        # The host's view is unchanged: every message, blocked or not, reaches the host.
        want = 20 * (len(CLEAN) + len(BLOCKED_WORD) + len(SPAM)) + 20
        wait_for(lambda: sum(e["type"] == "danmaku" for e in host.events()) == want)
        host_texts = {e["text"] for e in host.events() if e["type"] == "danmaku"}
        assert bad <= host_texts
        assert not any(e["type"] == "moderation" for e in host.events())  # never logged
        for ws in (sender, pest, audience):
            ws.close()


def test_lists_are_replaced_and_never_broadcast(server):
    with Collector(server.host_url) as host:
        sender, _ = viewer(server.viewer_url)
        audience, _ = viewer(server.viewer_url)
        _lists(server, host, blocked_words=["秒杀"])
        _lists(server, host, blocked_words=[], hide_spam=False)  # unblocked, spam allowed
        sender.send(json.dumps({"v": 1, "type": "danmaku", "text": "秒杀几点开始"}))
        sender.send(json.dumps({"v": 1, "type": "danmaku", "text": "加V看朋友圈"}))
        seen = _danmaku_seen(audience, 1.5)
        assert {m["text"] for m in seen} == {"秒杀几点开始", "加V看朋友圈"}
        late, _ = viewer(server.viewer_url)  # sticky broadcasts only: no lists
        assert all(m["type"] != "moderation" for m in _danmaku_seen(late, 0.3))
        for ws in (sender, audience, late):
            ws.close()


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"blocked_words": "加群"}, "'blocked_words' must be a list"),
        ({"blocked_words": [""]}, "'blocked_words' must be a list"),
        ({"blocked_users": ["u" * 65]}, "'blocked_users' must be a list"),
        ({"hide_spam": "yes"}, "'hide_spam' must be true or false"),
    ],
)
def test_malformed_lists_are_refused_in_plain_words(fields, words):
    with pytest.raises(rules.ProtocolError, match=words):
        rules.check({"v": 1, "type": "moderation", **fields}, rules.HOST_SEND)


def test_the_hub_refuses_malformed_lists_and_keeps_the_old_ones(server):
    with Collector(server.host_url) as host:
        _lists(server, host, blocked_words=["苹果"])
        host.client._outgoing.append('{"v":1,"type":"moderation","blocked_users":[3]}')
        host.client.send({"v": 1, "type": "announcement", "text": "wake the sender"})
        wait_for(lambda: any(k == "error" and "blocked_users" in m for k, m in host.statuses))
    assert not server.hub.moderation.allows("u1", "苹果多少钱", 0.0)


def test_the_client_sends_the_latest_lists_again_after_a_reconnect(server):
    with Collector(server.host_url) as host:
        _lists(server, host, blocked_words=["苹果"])
        _lists(server, host, blocked_words=["香蕉"])
        host.client.simulate_drop()
        wait_for(lambda: server.hub.counters["moderation_updates"] >= 3)
        wait_for(lambda: sum(k == "connected" for k, _ in host.statuses) >= 2)
    assert server.hub.counters["moderation_updates"] == 3  # the latest only, once
    assert not server.hub.moderation.allows("u1", "香蕉", 0.0)
    assert server.hub.moderation.allows("u1", "苹果", 0.0)


def test_spam_is_withheld_before_any_host_sent_lists():
    moderation = ViewerModeration()
    assert not moderation.allows("u1", "加群 738291045 免费领", 0.0)
    assert moderation.allows("u1", "包邮吗", 0.0)
    assert not moderation.blocks_sender("u1")


def test_pinyin_and_look_alikes_of_a_blocked_word_are_caught():
    moderation = ViewerModeration()
    moderation.update({"blocked_words": ["微信"], "blocked_users": ["u9"], "hide_spam": False})
    for text in ("威信多少", "薇 信", "weixin号", "ＷＥＩＸＩＮ"):
        assert not moderation.allows("u1", text, 0.0), text
    assert moderation.blocks_sender("u9")
    assert moderation.allows("u2", "今天天气好", 0.0)


def test_withheld_lines_leave_the_sample_full():
    hub = InteractionHub(TOKEN)
    hub.moderation.update({"blocked_words": ["苹果"], "blocked_users": [], "hide_spam": True})
    for seq in range(1, 10_001):  # two of every three withheld
        text = f"正常的话 {seq}" if seq % 3 == 0 else f"苹果 {seq}"
        hub._offer_sample((seq, "u1", text, text.encode()))
    sent = hub._moderated(hub._sample)
    # the reservoir holds 60 lines, ~20 of them allowed: close to a full tick of 30, where a
    # reservoir of 30 would leave ~10
    assert len(sent) >= 12
    assert all(d.startswith("正常的话".encode()) for d in sent)
    assert sent == sorted(sent, key=lambda d: int(d.split()[1]))


def test_viewers_get_questions_marked_and_the_host_log_unchanged(server):
    with Collector(server.host_url) as host:
        sender, _ = viewer(server.viewer_url)
        audience, _ = viewer(server.viewer_url)
        for text in ("甜不甜", "主播好美"):
            sender.send(json.dumps({"v": 1, "type": "danmaku", "text": text}))
        kinds = {m["text"]: m.get("kind") for m in _danmaku_seen(audience, 1.0)}
        assert kinds == {"甜不甜": "question", "主播好美": None}
        wait_for(lambda: sum(e["type"] == "danmaku" for e in host.events()) == 2)
        assert all("kind" not in e for e in host.events())
        for ws in (sender, audience):
            ws.close()
