"""The pipeline's worker thread: back-pressure instead of dropping, order of messages and
actions, and surviving a batch that fails."""

from __future__ import annotations

import json
import threading
import time

from app.danmaku.pipeline import Pipeline
from app.danmaku.worker import DanmakuWorker


def _frame(seq: int, text: str = "包邮吗") -> str:
    return json.dumps(
        [
            {
                "seq": seq,
                "v": 1,
                "type": "danmaku",
                "ts": 1_764_170_000_000 + seq,
                "user": {"id": f"u{seq}", "name": "n"},
                "text": text,
            }
        ],
        ensure_ascii=False,
    )


def test_feed_blocks_when_behind_and_loses_nothing() -> None:
    worker = DanmakuWorker(Pipeline(), max_frames=4)
    fed = []

    def feeder() -> None:
        for seq in range(1, 11):
            worker.feed(_frame(seq, f"消息{seq}"))
            fed.append(seq)

    thread = threading.Thread(target=feeder, daemon=True)
    thread.start()
    time.sleep(0.3)
    assert len(fed) == 4  # the network thread waits; the hub's log holds the rest
    worker.start()
    thread.join(10)
    assert worker.drain()
    worker.stop()
    assert worker.pipeline.counters["danmaku"] == 10 and worker.pipeline.last_seq == 10


def test_actions_apply_in_order_with_messages() -> None:
    worker = DanmakuWorker(Pipeline())
    worker.start()
    worker.feed(_frame(1, "包邮的吗"))  # before the block: not blocked
    worker.command("block_word", word="包邮")
    worker.feed(_frame(2, "包邮吗"))
    assert worker.drain()
    worker.stop()
    counters = worker.pipeline.counters
    assert counters["status:blocked_word"] == 1 and counters["status:shown"] == 1


def test_a_failing_batch_is_reported_and_the_worker_goes_on() -> None:
    pipeline = Pipeline()
    worker = DanmakuWorker(pipeline)
    real = pipeline.process
    calls = []

    def flaky(frames: list) -> None:
        calls.append(len(frames))
        if len(calls) == 1:
            raise OSError("disk full")
        real(frames)

    pipeline.process = flaky  # type: ignore[method-assign]
    worker.start()
    worker.feed(_frame(1))
    assert worker.drain()
    worker.feed(_frame(2))
    assert worker.drain()
    worker.stop()
    assert any("disk full" in n for n in pipeline.take_update().notices)
    assert pipeline.counters["danmaku"] == 1
