"""Keyword lottery: entries, the draw anyone can check, result files and `livedesk lottery`."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from scipy.stats import chisquare

from app.cli import main
from app.lottery import draw
from app.lottery.entries import EntryBook, Verdict
from app.lottery.result import load, run_draw, verify
from app.lottery.rules import Match, Rules, RulesError

T0 = 1_764_170_000_000


def danmaku(uid: str, text: str, ts: int, seq: int = 0) -> dict[str, Any]:
    return {
        "seq": seq,
        "v": 1,
        "type": "danmaku",
        "ts": ts,
        "user": {"id": uid, "name": f"观众{uid}"},
        "text": text,
    }


def rules(**kw: Any) -> Rules:
    base: dict[str, Any] = {
        "keyword": "福袋来了",
        "start_ms": T0,
        "end_ms": T0 + 60_000,
        "winners": 3,
        "prize": "面膜一盒",
    }
    return Rules(**(base | kw))


def test_normalised_keyword_ignores_width_case_spaces_and_traditional_characters() -> None:
    r = rules(keyword="LiveDesk 福袋")
    for text in ("livedesk福袋", "ＬＩＶＥＤＥＳＫ 福 袋", " LiveDesk，福袋 ", "LIVEDESK 福袋"):
        assert r.matches(text), text
    assert not r.matches("LiveDesk 福袋 来了")
    exact = rules(keyword="LiveDesk 福袋", match=Match.EXACT)
    assert exact.matches(" LiveDesk 福袋 ") and not exact.matches("livedesk 福袋")
    assert rules(keyword="買買買").matches("买买买")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"keyword": "   "}, "keyword is empty"),
        ({"keyword": "，。！"}, "keyword is empty"),
        ({"winners": 0}, "at least one winner"),
        ({"end_ms": T0}, "ends before it starts"),
    ],
)
def test_rules_that_cannot_run_say_why(change: dict[str, Any], words: str) -> None:
    with pytest.raises(RulesError, match=words):
        rules(**change)


def test_entries_count_once_per_viewer_inside_the_window_only() -> None:
    book = EntryBook(rules(buyers_only=False), blocked=frozenset({"spammer"}))
    verdicts = [
        book.offer(danmaku("a", "福袋来了", T0 - 1)),
        book.offer(danmaku("a", "福袋来了", T0)),
        book.offer(danmaku("a", "福袋來了", T0 + 5)),
        book.offer(danmaku("b", "我要福袋", T0 + 6)),
        book.offer(danmaku("spammer", "福袋来了", T0 + 7)),
        book.offer(danmaku("c", "福袋来了", T0 + 60_000)),
        book.offer({"type": "like", "ts": T0, "user": {"id": "d"}, "count": 3}),
    ]
    assert verdicts == [
        Verdict.EARLY,
        Verdict.ENTERED,
        Verdict.REPEAT,
        None,
        Verdict.BLOCKED,
        Verdict.LATE,
        None,
    ]
    assert list(book.entrants) == ["a"] and book.excluded == {"spammer"}
    assert book.counts[Verdict.LATE] == 1


def test_buyers_only_lottery_admits_viewers_who_ordered_earlier() -> None:
    book = EntryBook(rules(buyers_only=True))
    book.offer({"type": "order", "ts": T0, "user": {"id": "buyer"}, "product_id": "p1"})
    assert book.offer(danmaku("buyer", "福袋来了", T0 + 1)) is Verdict.ENTERED
    assert book.offer(danmaku("browser", "福袋来了", T0 + 2)) is Verdict.NOT_A_BUYER


def test_a_storm_of_keywords_counts_every_distinct_viewer_exactly() -> None:
    rng = random.Random(7)
    users = [f"u{i}" for i in range(20_000)]
    events = [
        danmaku(rng.choice(users), rng.choice(["福袋来了", "福袋 来了", "福袋來了"]), T0 + i // 20)
        for i in range(200_000)
    ]
    book = EntryBook(rules()).offer_all(events)
    distinct = {e["user"]["id"] for e in events}
    assert set(book.entrants) == distinct
    assert book.counts[Verdict.ENTERED] + book.counts[Verdict.REPEAT] == len(events)


def test_the_draw_is_a_function_of_seed_entrants_and_rules() -> None:
    seed = bytes(range(32))
    people = [f"u{i}" for i in range(50)]
    r = rules().canonical()
    first = draw.pick_winners(seed, people, 5, r)
    assert first == draw.pick_winners(seed, list(reversed(people)) + people[:3], 5, r)
    assert len(set(first)) == 5 and set(first) <= set(people)
    assert first != draw.pick_winners(bytes(32), people, 5, r)
    assert first != draw.pick_winners(seed, people, 5, rules(prize="别的").canonical())
    assert draw.pick_winners(seed, people[:2], 5, r) in (people[:2], people[1::-1])
    assert draw.pick_winners(seed, [], 5, r) == []


def test_every_entrant_is_equally_likely_to_win() -> None:
    people = [f"u{i}" for i in range(7)]
    r = rules().canonical()
    wins = Counter(draw.pick_winners(draw.new_seed(), people, 1, r)[0] for _ in range(7_000))
    firsts_of_two = Counter(
        draw.pick_winners(draw.new_seed(), people, 2, r)[1] for _ in range(7_000)
    )
    assert chisquare([wins[p] for p in people]).pvalue > 0.001
    assert chisquare([firsts_of_two[p] for p in people]).pvalue > 0.001


def _result(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    events = [danmaku(f"u{i % 40}", "福袋来了", T0 + i * 100, seq=i + 1) for i in range(120)]
    events.append(danmaku("x", "福袋来了", T0 + 61_000))
    book = EntryBook(rules(), blocked=frozenset({"u3"})).offer_all(events)
    result = run_draw(rules(), draw.new_seed(), book)
    path = tmp_path / "result.json"
    result.write(path)
    return path, events


def test_a_real_result_verifies_with_and_without_the_events(tmp_path: Path) -> None:
    path, events = _result(tmp_path)
    data = load(path)
    assert data["entrant_count"] == 39 and data["excluded"] == ["u3"]
    assert len(data["winners"]) == 3
    assert verify(data) == [] and verify(data, events) == []


def _tamper(data: dict[str, Any], field: str) -> None:
    if field == "seed":
        data["seed"] = draw.new_seed().hex()
    elif field == "commitment":
        data["commitment"] = draw.commitment(b"other")
    elif field == "winners":
        loser = next(e for e in data["entrants"] if e not in {w["id"] for w in data["winners"]})
        data["winners"][0]["id"] = loser
    elif field == "entrants":
        data["entrants"] = data["entrants"][1:]
    elif field == "entrant_count":
        data["entrant_count"] += 1
    elif field == "entrant_digest":
        data["entrant_digest"] = draw.entrant_digest(["someone"])
    else:
        data["rules"][field] = {"keyword": "别的口令", "prize": "一辆车", "winners": 4}.get(
            field, data["rules"][field] + 1 if isinstance(data["rules"][field], int) else "x"
        )


@pytest.mark.parametrize(
    ("field", "named"),
    [
        ("seed", "commitment"),
        ("commitment", "commitment"),
        ("winners", "winners"),
        ("entrants", "entrant"),
        ("entrant_count", "entrant_count"),
        ("entrant_digest", "entrant_digest"),
        ("keyword", "winners"),
        ("prize", "winners"),
        ("winners_wanted", "winners"),
        ("start_ms", "winners"),
        ("end_ms", "winners"),
    ],
)
def test_every_tampered_field_is_caught_and_named(tmp_path: Path, field: str, named: str) -> None:
    path, _events = _result(tmp_path)
    data = load(path)
    _tamper(data, "winners" if field == "winners_wanted" else field)
    if field == "winners_wanted":
        data["rules"]["winners"] = 4
    problems = verify(data)
    assert problems and any(p.startswith(named) for p in problems), problems


def test_a_dropped_entrant_is_caught_against_the_events(tmp_path: Path) -> None:
    path, events = _result(tmp_path)
    data = load(path)
    seed = bytes.fromhex(data["seed"])
    data["entrants"] = [e for e in data["entrants"] if e != "u7"]  # rewritten consistently
    data["entrant_count"] = len(data["entrants"])
    data["entrant_digest"] = draw.entrant_digest(data["entrants"])
    canonical = Rules.from_dict(data["rules"]).canonical()
    winners = draw.pick_winners(seed, data["entrants"], 3, canonical)
    data["winners"] = [{"id": w, "name": w} for w in winners]
    assert verify(data) == []  # consistent in itself …
    assert any("1 missing" in p for p in verify(data, events))  # … but not with the show


def _jsonl(path: Path, events: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), "utf-8")
    return path


def test_command_line_draw_then_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = [danmaku(f"u{i}", "福袋来了", T0 + i) for i in range(30)]
    entries = _jsonl(tmp_path / "entries.jsonl", events)
    with entries.open("a") as f:
        f.write("not json\n")
    out = tmp_path / "r.json"
    argv = ["lottery", "draw", "--entries", str(entries), "--keyword", "福袋 来了"]
    assert (
        main([*argv, "--winners", "2", "--out", str(out), "--window", str(T0), str(T0 + 20)]) == 0
    )
    printed = capsys.readouterr()
    summary = json.loads(printed.out)
    assert summary["entrant_count"] == 20 and summary["messages"]["late"] == 10
    assert "entries.jsonl:31: not JSON; skipped" in printed.err
    assert main(["lottery", "verify", str(out), "--entries", str(entries)]) == 0
    assert json.loads(capsys.readouterr().out) == {"valid": True, "problems": []}
    data = json.loads(out.read_text())
    data["prize"] = "ignored"  # not a field of the result: unknown fields change nothing
    data["rules"]["prize"] = "一辆车"
    out.write_text(json.dumps(data))
    assert main(["lottery", "verify", str(out)]) == 1
    assert "winners" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "words"),
    [("{not json", "is not a JSON lottery result"), ('{"a": 1}', "is not a LiveDesk lottery")],
)
def test_verify_refuses_files_that_are_not_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, words: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    assert main(["lottery", "verify", str(bad)]) == 2
    assert words in capsys.readouterr().err


def test_draw_with_a_blank_keyword_or_nobody_entered_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entries = _jsonl(tmp_path / "e.jsonl", [danmaku("u1", "hello", T0)])
    base = ["lottery", "draw", "--entries", str(entries), "--winners", "1"]
    assert main([*base, "--keyword", "   ", "--out", str(tmp_path / "a.json")]) == 2
    assert "keyword is empty" in capsys.readouterr().err
    assert main([*base, "--keyword", "福袋", "--out", str(tmp_path / "b.json")]) == 0
    captured = capsys.readouterr()
    assert "nobody sent the keyword" in captured.err
    assert json.loads(captured.out)["winners"] == []
    assert main(["lottery", "verify", str(tmp_path / "b.json")]) == 0
    missing = ["lottery", "draw", "--entries", str(tmp_path / "none.jsonl"), "--keyword", "x"]
    assert main([*missing, "--winners", "1", "--out", str(tmp_path / "c.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
