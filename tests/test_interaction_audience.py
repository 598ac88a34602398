"""`livedesk audience` against a real hub: what it sends arrives, the summary is honest, the hub's
per-connection limits show up as errors, bad corpora are refused in plain words."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from app.bench.audience import STORM_EVERY_S, MessageMaker, load_corpus
from app.cli import main
from streaming.interaction.hub import HubLimits
from streaming.interaction.serve import HubServer
from tests.interaction_support import TOKEN


@pytest.fixture
def audience(monkeypatch, capsys):
    """Run `livedesk audience ARGS` in this process; (exit code, stdout, stderr)."""

    def run(*args: str, token: str | None = None) -> tuple[int, str, str]:
        monkeypatch.delenv("LIVEDESK_HUB_TOKEN", raising=False)
        if token:
            monkeypatch.setenv("LIVEDESK_HUB_TOKEN", token)
        code = main(["audience", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_built_in_corpus_is_varied():
    corpus = load_corpus()
    assert sum(len(v) for v in corpus.values()) >= 250
    assert {"question", "chat", "cheer", "spam", "storm"} <= set(corpus)
    assert any("敏感肌" in t for t in corpus["question"]) and any(
        "?" in t for t in corpus["question"]
    )
    assert any("加V" in t or "weixin" in t for t in corpus["spam"])
    assert any(ch.isdigit() for t in corpus["spam"] for ch in t)  # contact numbers
    assert any("一二三" in t or "yi er san" in t for t in corpus["spam"])  # spelled-out digits
    assert "666" in corpus["cheer"] and "哈哈哈" in corpus["cheer"]


def test_message_maker_mix_and_storms_are_repeatable():
    corpus = load_corpus()
    a = [MessageMaker(corpus, 7).next(1.0) for _ in range(1)]
    maker, again = MessageMaker(corpus, 7), MessageMaker(corpus, 7)
    calm = [maker.next(1.0) for _ in range(2000)]
    assert [m.get("text") for m in calm[:50]] == [again.next(1.0).get("text") for _ in range(50)]
    kinds = Counter(m["type"] for m in calm)
    assert kinds["danmaku"] > 1600 and kinds["like"] > 50 and kinds["gift"] and kinds["order"]
    storm_lines = set(corpus["storm"])
    storm = [maker.next(STORM_EVERY_S - 1.0) for _ in range(1000)]
    in_storm = sum(m.get("text") in storm_lines for m in storm) / len(storm)
    in_calm = sum(m.get("text") in storm_lines for m in calm) / len(calm)
    assert in_storm > 0.45 and in_calm < 0.2
    assert all(isinstance(m["sent_at"], int) for m in calm if m["type"] == "danmaku") and a


def test_audience_against_a_hub_delivers_everything_to_the_host(audience):
    with HubServer(TOKEN, HubLimits(viewer_rate=50, viewer_burst=50).for_load_test()) as srv:
        code, out, err = audience(
            "--url",
            f"ws://127.0.0.1:{srv.port}",
            "--viewers",
            "8",
            "--rate",
            "200",
            "--duration",
            "2",
            "--seed",
            "3",
            token=TOKEN,
        )
        assert code == 0, err
        summary = json.loads(out)
        assert summary["connected"] == 8 and summary["errored"] == 0
        assert 350 <= summary["sent"] <= 410 and summary["acknowledged"] == summary["sent"]
        host = summary["host"]
        assert host["missing_seqs"] == 0 and host["gaps"] == 0
        assert host["received"] >= summary["sent"]  # plus joins and viewer counts
        assert srv.hub.counters["accepted"] == summary["sent"]
        assert host["latency_ms"]["count"] > 250 and host["latency_ms"]["median"] < 1000


def test_generator_processes_are_merged(audience):
    with HubServer(TOKEN, HubLimits(viewer_rate=50, viewer_burst=50).for_load_test()) as srv:
        code, out, err = audience(
            "--url",
            srv.viewer_url,
            "--viewers",
            "6",
            "--rate",
            "120",
            "--duration",
            "1.5",
            "--processes",
            "2",
            token=TOKEN,
        )
        assert code == 0, err
        summary = json.loads(out)
        assert summary["processes"] == 2 and summary["connected"] == 6
        assert srv.hub.counters["accepted"] == summary["sent"] > 120
        assert summary["host"]["missing_seqs"] == 0
        start, end = summary["sending"]
        assert 1.0 < end - start < 5.0


def test_per_connection_limits_show_up_as_errors(audience):
    with HubServer(TOKEN) as srv:  # default limits: 5 msg/s, burst 10
        _code, out, _ = audience(
            "--url",
            srv.viewer_url,
            "--viewers",
            "1",
            "--rate",
            "40",
            "--duration",
            "1.5",
            "--seed",
            "1",
        )
        summary = json.loads(out)
        assert summary["sent"] >= 55 and summary["errors"]["rate_limited"] >= 1
        assert srv.hub.counters["accepted"] <= 20
        assert srv.hub.counters["rejected.rate_limited"] >= summary["sent"] - 20


def test_local_hub_mode_reports_hub_cost(audience):
    code, out, err = audience("--local-hub", "--viewers", "20", "--rate", "300", "--duration", "2")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["errored"] == 0 and summary["host"]["missing_seqs"] == 0
    assert summary["host"]["received"] >= summary["sent"]
    assert summary["hub_cpu_us_per_event"] > 0


@pytest.mark.parametrize("content", ["not json\n", '{"kind": "chat"}\n', ""])
def test_bad_corpus_is_refused_in_plain_words(audience, tmp_path, content):
    path = tmp_path / "corpus.jsonl"
    path.write_text(content, encoding="utf-8")
    code, _, err = audience("--url", "ws://127.0.0.1:9", "--corpus", str(path))
    assert code == 2 and "cannot read the corpus" in err


def test_unreachable_hub_is_reported_not_crashed(audience):
    code, out, err = audience(
        "--url", "ws://127.0.0.1:9", "--viewers", "2", "--rate", "5", "--duration", "0.5"
    )
    assert code == 1 and "could not connect to the hub" in err
    summary = json.loads(out)
    assert summary["connected"] == 0 and any(k.startswith("connect") for k in summary["errors"])


def test_blast_measures_the_hub_ceiling(audience):
    code, out, err = audience("--local-hub", "--viewers", "20", "--blast", "30000")
    assert code == 0, err
    summary = json.loads(out)
    host = summary["host"]
    assert 30000 + 20 <= host["received"] <= 30000 + 30  # every danmaku, the joins, counts
    assert host["missing_seqs"] == 0 and host["gaps"] == 0
    assert host["delivered_rate"] > 1000 and summary["hub_cpu_us_per_event"] > 0


def test_hosts_are_fed_during_a_burst_not_after_it():
    """A burst far larger than the log: if the hub ingested it whole before giving the host a
    turn, the host would get a gap; it must be fed along the way."""
    import asyncio

    from app.bench.blast import blast
    from tests.interaction_support import Collector
    from tests.waiting import wait_for

    with (
        HubServer(
            TOKEN, HubLimits(viewer_rate=1e9, viewer_burst=10**9, log_size=5000).for_load_test()
        ) as srv,
        Collector(srv.host_url) as host,
    ):
        asyncio.run(
            blast(
                srv.viewer_url,
                40,
                60_000,
                ["能用花呗吗", "666"],
                done=lambda: srv.hub.counters["accepted"] == 60_000,
            )
        )
        wait_for(lambda: srv.hub.counters["accepted"] == 60_000, timeout=60)
        wait_for(lambda: host.client.last_seq == srv.hub.stats()["head"], timeout=60)
        assert not any(kind == "gap" for kind, _ in host.statuses)
        assert sum(f.count('{"seq":') for f in host.frames) == host.client.last_seq
