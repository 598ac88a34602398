"""Moderation filters through the real pipeline: blocked words (with pinyin, full-width,
separators, traditional), blocked users, flood control, duplicate/emoji/cheer collapse, spam."""

from __future__ import annotations

import json
from typing import Any

from app.danmaku.filters import Filters, collapse_key
from app.danmaku.normalize import compact, fold, pinyin_skeleton
from app.danmaku.pipeline import Pipeline

_seq = 0


def frame(*items: tuple[str, str] | tuple[str, str, int]) -> str:
    """A hub frame of danmaku from (user, text[, ts ms])."""
    global _seq
    events: list[dict[str, Any]] = []
    for item in items:
        _seq += 1
        user, text = item[0], item[1]
        ts = item[2] if len(item) > 2 else 1_764_170_000_000 + _seq  # type: ignore[misc]
        events.append(
            {
                "seq": _seq,
                "v": 1,
                "type": "danmaku",
                "ts": ts,
                "user": {"id": user, "name": user},
                "text": text,
            }
        )
    return json.dumps(events, ensure_ascii=False)


def statuses(p: Pipeline, *items: tuple[str, str]) -> list[str]:
    p.process([frame(*items)])
    assert p.last_seq == _seq
    update = p.take_update()
    shown = {line.text for line in update.lines}
    return ["shown" if text in shown else "hidden" for _user, text in items]


def blocked(f: Filters, text: str) -> bool:
    c = compact(fold(text))
    return f.blocked_word(c, pinyin_skeleton(c))


def test_blocked_word_variants() -> None:
    f = Filters()
    f.block_word("微信")
    for text in (
        "加我微信",
        "加我 微 信",
        "威信联系",
        "薇信",
        "weixin 我",
        "WEIXIN",
        "ｗｅｉｘｉｎ",
        "微-信",
    ):
        assert blocked(f, text), text
    for text in ("微笑", "信用卡能用吗", "喂"):
        assert not blocked(f, text), text
    f.block_word("电话")
    assert blocked(f, "電話多少")  # traditional
    assert f.unblock_word("微信") and not blocked(f, "加我微信")


def test_blocked_word_and_user_hide_messages_live() -> None:
    p = Pipeline()
    assert statuses(p, ("u1", "这个好用"), ("u2", "我刚下班")) == ["shown", "shown"]
    p.command("block_word", {"word": "好用"})
    p.command("block_user", {"user_id": "u2"})
    update = p.take_update()
    assert update.filters is not None and update.filters.blocked_words == ["好用"]
    assert update.removed_users == {"u2"}
    assert statuses(p, ("u3", "真 好 用"), ("u2", "今天天气好"), ("u4", "今天天气好吗")) == [
        "hidden",
        "hidden",
        "shown",
    ]
    assert p.counters["status:blocked_word"] == 1 and p.counters["status:blocked_user"] == 1


def test_flood_same_text_from_one_user() -> None:
    p = Pipeline()
    p.filters.set_options(collapse_window_s=0)  # look at flood alone
    got = [statuses(p, ("spammy", "买买买"))[0] for _ in range(6)]
    assert got == ["shown", "shown", "shown", "hidden", "hidden", "hidden"]
    assert statuses(p, ("other", "买买买")) == ["shown"]  # other users are not flood


def test_duplicate_emoji_and_cheer_collapse() -> None:
    p = Pipeline()
    p.process([frame(*[(f"u{i}", "666" if i % 2 else "6666666") for i in range(120)])])
    p.process([frame(*[(f"e{i}", ["👍👍", "❤️", "[赞][赞]"][i % 3]) for i in range(30)])])
    p.process([frame(*[(f"d{i}", "今天人好多") for i in range(5)])])
    update = p.take_update()
    texts = [line.text for line in update.lines]
    assert texts == ["6666666", "👍👍", "今天人好多"]
    counts = {line.text: update.bumps.get(line.id, 1) for line in update.lines}
    assert counts == {"6666666": 120, "👍👍": 30, "今天人好多": 5}
    assert p.counters["danmaku"] == 155  # collapsed for display, every one journaled and counted


def test_collapse_window_expires() -> None:
    p = Pipeline()
    p.process(
        [frame(("a", "冲冲冲", 1_000_000), ("b", "冲冲冲", 1_005_000), ("c", "冲冲冲", 1_020_000))]
    )
    assert [line.id for line in p.take_update().lines] == [_seq - 2, _seq]


def test_spam_hidden_and_counted() -> None:
    p = Pipeline()
    got = statuses(
        p, ("s1", "加V看更多福利 xyz8899"), ("s2", "vx同号 13800138000"), ("q", "能用花呗吗")
    )
    assert got == ["hidden", "hidden", "shown"]
    assert p.counters["spam"] == 2 and p.counters["status:spam"] == 2


def test_collapse_keys() -> None:
    def key(text: str, kind: Any) -> str:
        folded = fold(text)
        return collapse_key(folded, compact(folded), kind)

    assert key("😍😍", "cheer") == key("🔥", "cheer") == "emoji"
    assert key("666", "cheer") == key("666666", "cheer")
    assert key("好好好", "cheer") == key("好", "cheer")
    assert key("今天人好多", "chat") != key("今天人好少", "chat")
