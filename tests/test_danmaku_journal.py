"""The show journal survives kill -9: a real child process reads a real hub and journals into a
real SQLite file; it is killed mid-stream while viewers keep sending; a resumed service restores
queue, filters, pin and counters from the file and reads the rest from the hub's retained log,
so every seq the hub assigned is journaled exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from app.danmaku.journal import JournalReader, resumable_show
from app.danmaku.service import AudienceService
from streaming.interaction.hub import HubLimits
from streaming.interaction.serve import HubServer
from tests.interaction_support import TOKEN, viewer
from tests.waiting import wait_for

TEXTS = [
    "能用花呗吗",
    "666",
    "包邮吗",
    "我刚下班",
    "加V看福利 xyz8899",
    "158 100斤穿什么码",
    "主播好美",
    "求讲解3号链接",
]

CHILD = textwrap.dedent(
    """
    import sys, time
    from app.danmaku.service import AudienceService
    svc = AudienceService()
    svc.connect(sys.argv[1], sys.argv[2])
    svc.worker.command("block_word", word="刷单")
    while 1 not in svc.pipeline.queue.entries:  # the first question has been filed
        time.sleep(0.01)
    svc.worker.command("pin", question_id=1)
    print(svc.path, flush=True)
    while True:
        time.sleep(1)
    """
)


def _count(path: Path, where: str = "1") -> int:
    """Rows in the journal now (0 while the writer has not created it yet)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            return int(db.execute(f"SELECT COUNT(*) FROM events WHERE {where}").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


@pytest.fixture
def hub():
    with HubServer(
        TOKEN, HubLimits(viewer_rate=100_000, viewer_burst=100_000).for_load_test()
    ) as server:
        yield server


def test_kill_9_then_resume_loses_nothing(hub: HubServer, tmp_path: Path) -> None:
    total = 6000
    ws, _welcome = viewer(hub.viewer_url)
    sent = threading.Event()

    def send(i: int) -> None:
        ws.send(f'{{"v":1,"type":"danmaku","text":"{TEXTS[i % len(TEXTS)]}"}}')

    def send_rest() -> None:
        for i in range(1, total):
            send(i)
            if i % 50 == 0:
                time.sleep(0.01)  # ~3,000 msg/s: the kill lands mid-stream
        sent.set()

    send(0)  # the first question, which the child pins
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, hub.host_url, TOKEN],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    try:
        assert child.stdout is not None
        path = Path(child.stdout.readline().strip())
        threading.Thread(target=send_rest, daemon=True).start()
        wait_for(lambda: path.exists() and _count(path) >= 1500, timeout=30)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    journaled_at_kill = _count(path)
    danmaku_at_kill = _count(path, "type='danmaku'")
    assert danmaku_at_kill < total, "the kill should land mid-stream"
    sent.wait(30)
    ws.close()

    assert resumable_show() == path  # never closed: offered for resume
    reader = JournalReader(path)
    counters_before = reader.counters()
    reader.close()
    service = AudienceService(path, resume=True)
    try:
        pipeline = service.pipeline
        # Restored from the file before reading anything new.
        assert pipeline.last_seq == journaled_at_kill
        assert pipeline.counters == counters_before
        assert pipeline.counters["danmaku"] == danmaku_at_kill
        assert pipeline.filters.config.blocked_words == ["刷单"]
        assert pipeline.queue.pinned == 1 and pipeline.queue.entries[1].text == "能用花呗吗"
        restored_count = pipeline.queue.entries[1].count
        assert restored_count == sum(
            1 for i in range(danmaku_at_kill) if TEXTS[i % len(TEXTS)] == "能用花呗吗"
        )

        service.connect(hub.host_url, TOKEN)
        wait_for(lambda: _count(path, "type='danmaku'") >= total, timeout=60)
    finally:
        service.close(ended=True)
    with sqlite3.connect(path) as db:
        seqs = [row[0] for row in db.execute("SELECT seq FROM events ORDER BY seq")]
        types = [row[0] for row in db.execute("SELECT type FROM events ORDER BY seq")]
        texts = [
            row[0]
            for row in db.execute("SELECT text FROM events WHERE type='danmaku' ORDER BY seq")
        ]
        counters = dict(db.execute("SELECT name, value FROM counters").fetchall())
    # Every event the hub logged (danmaku, the viewer's join, viewer counts, the host's own pin
    # broadcast), once, in order, no holes.
    assert seqs == list(range(1, seqs[-1] + 1))
    assert types.count("pin") == 1 and types.count("danmaku") == total
    assert texts == [TEXTS[i % len(TEXTS)] for i in range(total)]
    assert counters["danmaku"] == total
    assert counters["question"] == sum(
        1
        for i in range(total)
        if TEXTS[i % len(TEXTS)] in ("能用花呗吗", "包邮吗", "158 100斤穿什么码", "求讲解3号链接")
    )
    assert resumable_show() is None  # closed properly this time


def test_console_audience_process_killed_then_resumed(hub: HubServer) -> None:
    """The arrangement the console uses (app.danmaku.process): its child is killed -9
    mid-stream; a new one resumes from the journal and the hub's log, losing nothing."""
    from app.danmaku.process import AudienceProcess

    total = 4000
    ws, _welcome = viewer(hub.viewer_url)
    first = AudienceProcess()
    first.connect(hub.host_url, TOKEN)
    first.command("block_user", user_id="nobody")

    killed = threading.Event()

    def send_all() -> None:
        """Half before the kill, the rest after it: the child dies mid-stream on any
        machine speed, with messages still arriving that only the next child can file."""
        for i in range(total):
            if i == total // 2:
                killed.wait(60)
            ws.send(f'{{"v":1,"type":"danmaku","text":"{TEXTS[i % len(TEXTS)]}"}}')
            if i % 50 == 0:
                time.sleep(0.01)

    sender = threading.Thread(target=send_all, daemon=True)
    sender.start()
    wait_for(lambda: _count(first.path, "type='danmaku'") >= 1000, timeout=60)
    os.kill(first._proc.pid, signal.SIGKILL)
    first.close()
    killed.set()
    at_kill = _count(first.path, "type='danmaku'")
    assert at_kill < total
    sender.join(60)
    ws.close()

    second = AudienceProcess(first.path, resume=True)
    try:
        second.connect(hub.host_url, TOKEN)
        wait_for(lambda: _count(first.path, "type='danmaku'") >= total, timeout=60)
    finally:
        second.close()
    with sqlite3.connect(first.path) as db:
        seqs = [row[0] for row in db.execute("SELECT seq FROM events ORDER BY seq")]
        texts = [
            row[0]
            for row in db.execute("SELECT text FROM events WHERE type='danmaku' ORDER BY seq")
        ]
        actions = [row[0] for row in db.execute("SELECT action FROM actions")]
    assert seqs == list(range(1, seqs[-1] + 1))
    assert texts == [TEXTS[i % len(TEXTS)] for i in range(total)]
    assert "block_user" in actions
    assert resumable_show() is None
