"""The classifier on the labelled set: per-class precision/recall on the held-out split, and
`livedesk classify` as a real subprocess (the same classifier)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from app.danmaku.classify import KINDS, classify

DATA = Path(__file__).parent / "data" / "danmaku_labelled.jsonl"


def _rows(split: str) -> list[dict[str, str]]:
    rows = [json.loads(line) for line in DATA.read_text("utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["split"] == split]


def scores(split: str) -> dict[str, dict[str, float]]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for row in _rows(split):
        got = classify(row["text"])
        if got == row["kind"]:
            tp[got] += 1
        else:
            fp[got] += 1
            fn[row["kind"]] += 1
    out = {}
    for kind in KINDS:
        p = tp[kind] / max(1, tp[kind] + fp[kind])
        r = tp[kind] / max(1, tp[kind] + fn[kind])
        out[kind] = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}
    return out


def test_labelled_set_is_big_and_balanced() -> None:
    test, dev = _rows("test"), _rows("dev")
    assert len(test) + len(dev) >= 400
    assert {r["kind"] for r in test} == set(KINDS)
    assert min(Counter(r["kind"] for r in test).values()) >= 30


def test_held_out_question_and_spam_f1() -> None:
    result = scores("test")
    assert result["question"]["f1"] >= 0.95, result
    assert result["spam"]["f1"] >= 0.95, result
    assert result["cheer"]["f1"] >= 0.85, result
    assert result["chat"]["f1"] >= 0.8, result


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("158 100斤穿什么码", "question"),
        ("求讲解3号链接", "question"),
        ("能用花呗吗", "question"),
        ("适合敏感肌吗", "question"),
        ("加 V 信 ①③⑧⓪⓪①③⑧⓪⓪⓪", "spam"),
        ("ｖｘ：ｈｈ８８８ 私聊", "spam"),
        ("威信 abc123 领福利", "spam"),
        ("666666", "cheer"),
        ("👍👍👍", "cheer"),
        ("我刚下班", "chat"),
        ("可以用微信支付吗", "question"),
        # Mistakes seen in a rehearsal (issue 10): A-not-A questions, problem reports, browsing
        # chat ranked as questions, disguised contact spam on the overlay.
        ("甜不甜", "question"),
        ("辣不辣", "question"),
        ("敏感肌能用这个面膜不", "question"),
        ("我的券用不了", "question"),
        ("已下单什么时候发", "question"),
        ("不错不错", "cheer"),
        ("我先看看", "chat"),
        ("刚进来发生了什么", "chat"),
        ("刚进来 几号链接", "question"),
        ("免费领面膜 +微 6 6 8 8 2 2", "spam"),
        ("私信我拿内部价", "spam"),
        ("联系方式看我签名", "spam"),
        ("加群 738291045 免费领", "spam"),
        ("加V看朋友圈", "spam"),
        ("订单号1234567 什么时候发", "question"),
        ("vip88折吗", "question"),
    ],
)
def test_named_examples(text: str, kind: str) -> None:
    assert classify(text) == kind


def test_livedesk_classify_command() -> None:
    lines = [
        {"text": "能用花呗吗"},
        {"text": "加薇 abc12345 领红包", "id": 7},
        {"text": "主播好美 666"},
        "not an object",
        {"text": 5},
    ]
    stdin = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n"
    done = subprocess.run(
        [sys.executable, "-m", "app", "classify"],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr  # two bad lines: reported, the rest still classified
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["kind"] for o in out] == ["question", "spam", "cheer"]
    assert out[1]["id"] == 7 and out[0]["text"] == "能用花呗吗"
    assert "line 4" in done.stderr and "line 5" in done.stderr
