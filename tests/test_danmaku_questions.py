"""The question queue: clustering of the same question in different words, ranking, and the
actions (pin — also broadcast to viewers —, answered, dismiss, merge, search)."""

from __future__ import annotations

import json
from typing import Any

from app.danmaku.normalize import fold
from app.danmaku.pipeline import Pipeline
from app.danmaku.questions import QuestionQueue

SAME = [
    ["158 100斤穿什么码", "158 100斤穿多大码啊", "158/100斤 什么尺码"],
    ["求讲解3号链接", "主播讲解一下3号", "3号链接讲讲"],
    ["包邮吗", "请问包邮吗？", "包邮不"],
    ["能用花呗吗", "可以用花呗吗", "花呗能用吗"],
    ["适合敏感肌吗", "敏感肌能用吗", "敏感肌可以用吗"],
    ["is this suitable for sensitive skin", "Is it suitable for sensitive skin?"],
    ["什么时候发货", "几点发货"],
]
DIFFERENT = ["160 110斤穿什么码", "讲讲5号链接", "有黑色的吗", "有白色的吗", "多久发货"]


def test_paraphrases_cluster_and_different_questions_do_not() -> None:
    q = QuestionQueue()
    ids = [
        [q.add(t, fold(t), f"u{i}{j}", "n", 1) for j, t in enumerate(group)]
        for i, group in enumerate(SAME)
    ]
    for group in ids:
        assert len(set(group)) == 1, ids
    assert len({g[0] for g in ids}) == len(SAME)
    others = [q.add(t, fold(t), "x", "n", 1) for t in DIFFERENT]
    assert len(set(others)) == len(DIFFERENT)
    assert not set(others) & {g[0] for g in ids}


def test_ranking_by_askers_recency_and_orders() -> None:
    q = QuestionQueue()
    now = 10_000_000
    ids = {q.add("能用花呗吗", fold("能用花呗吗"), f"u{i}", f"n{i}", now) for i in range(3)}
    assert len(ids) == 1  # three askers, one question
    (popular,) = ids
    lonely = q.add("掉色吗", fold("掉色吗"), "buyer", "b", now)
    assert [v.id for v in q.ranked(now)] == [popular, lonely]
    q.note_order("buyer")
    ranked = q.ranked(now)
    assert ranked[0].id == lonely and ranked[0].ordered
    entry = q.get(popular)
    assert entry.count == 3 and len(entry.askers) == 3


def _frame(seq: int, user: str, text: str) -> str:
    return json.dumps(
        [
            {
                "seq": seq,
                "v": 1,
                "type": "danmaku",
                "ts": 1_764_170_000_000 + seq,
                "user": {"id": user, "name": user},
                "text": text,
            }
        ],
        ensure_ascii=False,
    )


def test_actions_through_the_pipeline_and_pin_broadcast() -> None:
    sent: list[dict[str, Any]] = []
    p = Pipeline(send=sent.append)
    texts = ["能用花呗吗", "可以用花呗吗", "包邮吗", "偏远地区包邮吗", "掉色吗", "<b>会缩水吗</b>"]
    for i, text in enumerate(texts, 1):
        p.process([_frame(i, f"u{i}", text)])
    p.tick(force=True)
    ranked = p.take_update().questions
    assert ranked is not None
    by_text = {v.text: v for v in ranked}
    huabei, baoyou, remote = by_text["能用花呗吗"], by_text["包邮吗"], by_text["偏远地区包邮吗"]
    assert huabei.count == 2

    p.command("pin", {"question_id": huabei.id})
    update = p.take_update()
    assert update.pinned is not None and update.pinned.id == huabei.id
    assert update.questions is not None and update.questions[0].status == "pinned"
    assert sent == [{"v": 1, "type": "pin", "question_id": f"q{huabei.id}", "text": "能用花呗吗"}]

    p.command("answer", {"question_id": huabei.id})
    update = p.take_update()
    assert update.pinned_changed and update.pinned is None
    assert sent[-1] == {"v": 1, "type": "pin", "question_id": f"q{huabei.id}", "text": None}
    assert huabei.id not in [v.id for v in update.questions or []]

    p.command("merge", {"source_ids": [remote.id], "target_id": baoyou.id})
    merged = {v.id: v for v in p.take_update().questions or []}
    assert remote.id not in merged and merged[baoyou.id].count == 2
    p.process(
        [_frame(10, "late", "偏远地区包邮吗")]
    )  # later asks of the merged wording join the target
    assert p.queue.get(baoyou.id).count == 3

    p.command("dismiss", {"question_id": by_text["掉色吗"].id})
    p.command("search", {"query": "花呗"})
    p.command("search", {"query": "掉色"})
    searches = p.take_update().searches
    assert [[v.status for v in found] for _q, found, _rows in searches] == [
        ["answered"],
        ["dismissed"],
    ]

    p.command("pin", {"question_id": 999})  # unknown id: a notice in plain words, no crash
    assert any("999" in n for n in p.take_update().notices)
