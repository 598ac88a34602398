"""`livedesk bench danmaku`: how fast and how lean the danmaku pipeline is, in one JSON object.

- throughput: validate + filter + classify + cluster + journal (committed) on one core, in hub
  frames of 100 events made by the rehearsal audience's own message maker, against plain
  `json.loads` of the same frames (the floor: ratio = pipeline rate / json rate). Also with every
  text made unique (no repeats to memoise: the worst case).
- rss: resident memory growth over 1,000,000 messages after warm-up (journal on disk).
- latency: viewer send → painted on the host's screen, at 1,000 and 5,000 msg/s: a real hub and
  `livedesk audience` in their own processes, the host client, pipeline, shared state and the
  real widgets (overlay over a preview, queue panel, assistant window) painting offscreen in
  this process.
  `probes` (the headline): beside the load, a few extra viewers send `PROBE_RATE` pairs a second
  of unique lines (a numbered question and a numbered chat line, never collapsed or clustered
  with anything). For each: `to_state_ms` (reached the shared state), `to_overlay_ms` (first
  overlay paint: the question strip, or a chat lane — chat may be sampled out at high rates,
  `chat_shown` says how many were), `to_panel_ms` (questions: first paint of the queue panel
  showing it, in "Just asked" or among the visible rows) and `to_screen_ms` (the first of those).
  Older figures kept for comparison: `to_screen_ms` (every displayed line of the load: its first
  paint on the overlay or the queue panel), `to_overlay_ms` (overlay paints, questions apart) and
  `to_state_ms` (every line reaching the shared state). Lines are what is left after duplicate
  collapse ("666" ×120 is one line); the load uses a varied corpus made from the audience's own
  (each line with everyday variations, so new wordings keep arriving), but most of it still
  collapses after the first second, so these samples are small after the 8 s warm-up (`steady`).
- stall: GUI event-loop stall p99 (app.bench.stall_probe) while receiving 10,000 msg/s.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject

from app.bench.measure import CpuMeter, rss_mb, summarize
from app.bench.report import emit
from app.frozen import module_command

TARGETS = {
    "throughput_msg_per_s": 20_000,
    "latency_p99_ms_at_5000": 150,
    "stall_p99_ms_at_10000": 30,
    "rss_mb_per_million": 100,
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("danmaku")
    parser.add_argument(
        "--messages", type=int, default=200_000, help="messages for the throughput part"
    )
    parser.add_argument(
        "--rss-messages", type=int, default=1_000_000, help="messages for the memory part"
    )
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per end-to-end rate")
    parser.add_argument("--rates", default="1000,5000", help="end-to-end latency rates, msg/s")
    parser.add_argument(
        "--stall-rate",
        type=float,
        default=10_000.0,
        help="messages/s while the GUI stall is measured (default 10000)",
    )
    parser.add_argument("--skip-e2e", action="store_true", help="only throughput and memory")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("LIVEDESK_DATA_DIR", tempfile.mkdtemp(prefix="livedesk-bench-"))
    result: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "loadavg_1m": round(os.getloadavg()[0], 2)},
        "targets": TARGETS,
    }
    result["throughput"] = throughput(args.messages)
    result["rss"] = memory_in_child(args.rss_messages)
    if not args.skip_e2e:
        result.update(
            end_to_end([int(r) for r in args.rates.split(",") if r], args.stall_rate, args.duration)
        )
    result["machine"]["loadavg_1m_after"] = round(os.getloadavg()[0], 2)
    emit(result, indent=2, ensure_ascii=False)
    return 0


# --- synthetic hub frames ------------------------------------------------------------------
def hub_frames(
    messages: int, per_frame: int = 100, unique: bool = False, seed: int = 1
) -> Iterator[str]:
    """Frames exactly as the hub writes them (seq first), from the audience's message maker."""
    from app.bench.audience import MessageMaker, load_corpus

    maker = MessageMaker(load_corpus(), seed)
    rng = random.Random(seed)
    seq = 0
    ts = 1_764_170_000_000
    while seq < messages:
        events = []
        for _ in range(min(per_frame, messages - seq)):
            seq += 1
            event = maker.next(seq / 10_000)
            if unique and event["type"] == "danmaku":  # a new word: nothing to memoise or bucket
                event["text"] += " " + "".join(
                    rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6)
                )
            user = rng.randrange(20_000)
            events.append(
                {
                    "seq": seq,
                    **event,
                    "ts": ts + seq // 10,
                    "user": {"id": f"u{user}", "name": f"观众{user}"},
                }
            )
        yield json.dumps(events, ensure_ascii=False, separators=(",", ":"))


def _pipeline_rate(frames: list[str], messages: int) -> tuple[float, float]:
    """(messages per wall second, messages per CPU second of this process) through the whole
    pipeline, journal committed."""
    from app.danmaku.journal import Journal, new_show_path
    from app.danmaku.pipeline import Pipeline

    journal = Journal(new_show_path())
    pipeline = Pipeline(journal)
    cpu = CpuMeter()
    start = time.perf_counter()
    for frame in frames:
        pipeline.process([frame])
    journal.flush(60)
    took = time.perf_counter() - start
    cpu_s = cpu.cpu_seconds()
    journal.close()
    return messages / took, messages / max(cpu_s, 1e-9)


def throughput(messages: int) -> dict[str, Any]:
    from app.danmaku.normalize import pinyin_skeleton

    pinyin_skeleton("预热")  # the pinyin table is built once per process; not part of the rate
    frames = list(hub_frames(messages))
    json_rates, rates = [], []
    for _ in range(3):
        start = time.perf_counter()
        for frame in frames:
            json.loads(frame)
        json_rates.append(messages / (time.perf_counter() - start))
        rates.append(_pipeline_rate(frames, messages))
    unique = _pipeline_rate(list(hub_frames(messages // 2, unique=True)), messages // 2)[0]
    rate, per_cpu_s = sorted(rates)[1]
    json_rate = sorted(json_rates)[1]
    return {
        "messages": messages,
        "pipeline_msg_per_s": round(rate),
        "pipeline_msg_per_cpu_s": round(per_cpu_s),
        "json_loads_msg_per_s": round(json_rate),
        "ratio_vs_json_loads": round(rate / json_rate, 4),
        "unique_texts_msg_per_s": round(unique),
        "runs": 3,
        "met": rate >= TARGETS["throughput_msg_per_s"],
    }


def memory_in_child(messages: int) -> dict[str, Any]:
    """`memory` in a fresh interpreter, so the other parts' garbage does not hide or add to it."""
    command = module_command("app.cli.bench_danmaku", str(messages))  # frozen-safe: no `-c`
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout))


def memory(messages: int) -> dict[str, Any]:
    from app.danmaku.journal import Journal, new_show_path
    from app.danmaku.pipeline import Pipeline

    journal = Journal(new_show_path())
    pipeline = Pipeline(journal)
    frames = hub_frames(messages + 50_000, per_frame=200)
    for _ in range(250):  # warm-up: tables built, caches filled
        pipeline.process([next(frames)])
        pipeline.take_update()
    journal.flush(60)
    gc.collect()
    before = rss_mb()
    for i, frame in enumerate(frames):
        pipeline.process([frame])
        if i % 50 == 0:
            pipeline.take_update()  # the windows take updates ~30 times a second
            journal.flush(60)
    journal.flush(60)
    pipeline.take_update()
    gc.collect()
    growth = rss_mb() - before
    journal.close()
    per_million = growth * 1_000_000 / messages
    return {
        "messages": messages,
        "rss_before_mb": round(before, 1),
        "growth_mb": round(growth, 1),
        "growth_mb_per_million": round(per_million, 1),
        "journal_mb": round(journal.path.stat().st_size / 2**20, 1),
        "met": per_million <= TARGETS["rss_mb_per_million"],
    }


# --- end to end --------------------------------------------------------------------------------
def _start_hub(token: str, viewers: int, rate: float) -> tuple[subprocess.Popen[str], str]:
    per_viewer = rate / viewers
    hub = subprocess.Popen(
        [
            *module_command("streaming.interaction.serve"),
            "--port",
            "0",
            "--viewer-rate",
            str(per_viewer * 2 + 5),
            "--viewer-burst",
            str(int(per_viewer) + 50),
            "--no-address-limits",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "LIVEDESK_HUB_TOKEN": token},
    )
    assert hub.stdout is not None
    return hub, json.loads(hub.stdout.readline())["url"]


WARMUP_S = 8.0
PROBE_RATE = 4.0
_PREFIXES = ("", "", "主播", "我觉得", "感觉", "哇", "话说")
_SUFFIXES = ("", "", "啊", "呀", "哈哈", "!", "~", " 😂", "了", "!!", " 👍")


def varied_corpus(path: Path) -> Path:
    """The audience's corpus with everyday variations of each line (prefixes, particles, emoji):
    questions keep their meaning (they cluster as before), chatter keeps arriving new."""
    from app.bench.audience import load_corpus

    rng = random.Random(3)
    with path.open("w", encoding="utf-8") as out:
        for kind, lines in load_corpus().items():
            for text in lines:
                variants = {text} | {
                    (rng.choice(_PREFIXES) if kind in ("chat", "cheer") else "")
                    + text
                    + rng.choice(_SUFFIXES)
                    for _ in range(20)
                }
                for variant in sorted(variants):
                    out.write(
                        json.dumps({"text": variant, "kind": kind}, ensure_ascii=False) + "\n"
                    )
    return path


def end_to_end(rates: list[int], stall_rate: float, duration: float) -> dict[str, Any]:
    from app.bench.qt import offscreen_app
    from widgets.fonts import install_cjk_font

    app = offscreen_app()
    install_cjk_font(app)  # type: ignore[arg-type]
    corpus = varied_corpus(Path(tempfile.mkdtemp(prefix="livedesk-corpus-")) / "varied.jsonl")
    latency = {str(rate): _one_rate(rate, duration, "process", corpus) for rate in rates}
    stall = {
        mode: _one_rate(int(stall_rate), duration, mode, corpus, probe_stall=True)
        for mode in ("process", "thread")
    }
    probes = latency.get("5000", {}).get("probes", {})
    worst = [
        probes.get(kind, {}).get(part, {}).get("all", {}).get("p99")
        for kind, part in (("question", "to_screen_ms"), ("chat", "to_overlay_ms"))
    ]
    return {
        "latency": latency,
        "latency_met": bool(probes)
        and all(p is not None and p <= TARGETS["latency_p99_ms_at_5000"] for p in worst),
        "stall": stall,
        "stall_met": stall["process"]["stall_ms"]["p99"] <= TARGETS["stall_p99_ms_at_10000"],
    }


def _one_rate(
    rate: int, duration: float, mode: str, corpus: Path, probe_stall: bool = False
) -> dict[str, Any]:
    """One end-to-end run; `mode` "process" runs client, pipeline and journal in a child
    process (the console's arrangement), "thread" in this process on worker threads."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QWidget

    from app.bench.audience import PROBE_MARK
    from app.bench.stall_probe import StallProbe
    from app.cli.audience import start_generator
    from app.danmaku.pipeline import Line
    from app.danmaku.process import AudienceProcess
    from app.danmaku.service import AudienceService
    from app.danmaku.state import AudienceState
    from widgets.assistant_window import AssistantWindow
    from widgets.danmaku_overlay import DanmakuOverlay
    from widgets.question_queue import QuestionQueueWidget

    token = secrets.token_urlsafe(16)
    viewers = max(50, rate // 20)
    hub, url = _start_hub(token, viewers, rate)
    service: Any = AudienceProcess() if mode == "process" else AudienceService()
    state = AudienceState(service if mode == "process" else service.worker)
    preview = QWidget()
    preview.resize(1280, 720)
    overlay = DanmakuOverlay(state, preview)
    queue = QuestionQueueWidget(state)
    queue.resize(420, 800)  # a docked panel's size: about 25 visible rows
    assistant = AssistantWindow(state)
    for widget in (preview, queue, assistant):
        widget.show()
    on_screen: dict[int, tuple[float, float]] = {}  # line id -> (sent at, ms to the first paint)
    to_overlay: dict[str, list[tuple[float, float]]] = {"question": [], "other": []}
    to_state: list[tuple[float, float]] = []
    waiting: dict[int, list[Line]] = {}  # question entry -> its lines not yet painted anywhere
    # probe kind -> measure -> line id -> (sent at, ms)
    probe_lines: dict[str, dict[str, dict[int, tuple[float, float]]]] = {
        "question": {"to_state_ms": {}, "to_overlay_ms": {}, "to_panel_ms": {}, "to_screen_ms": {}},
        "chat": {"to_state_ms": {}, "to_overlay_ms": {}, "to_screen_ms": {}},
    }

    def seen(line: Line, where: str, now: float) -> None:
        sent_at = line.sent_at if line.sent_at is not None else now
        if where != "to_state_ms":
            on_screen.setdefault(line.id, (sent_at, now - sent_at))
        if line.text.startswith(PROBE_MARK):
            kind = probe_lines["question" if line.kind == "question" else "chat"]
            kind[where].setdefault(line.id, (sent_at, now - sent_at))
            if where != "to_state_ms":
                kind["to_screen_ms"].setdefault(line.id, (sent_at, now - sent_at))

    def painted(lines: list[Line]) -> None:
        now = time.time() * 1000
        for line in lines:
            if line.sent_at is not None:
                to_overlay["question" if line.kind == "question" else "other"].append(
                    (line.sent_at, now - line.sent_at)
                )
                seen(line, "to_overlay_ms", now)

    def arrived(lines: list[Line]) -> None:
        now = time.time() * 1000
        for line in lines:
            if line.sent_at is not None:
                to_state.append((line.sent_at, now - line.sent_at))
                seen(line, "to_state_ms", now)
                if line.question is not None:
                    waiting.setdefault(line.question, []).append(line)

    def panel_painted() -> None:
        table, now = queue.table, time.time() * 1000
        for line in queue.just_asked_lines:
            seen(line, "to_panel_ms", now)
        last = table.rowAt(table.viewport().height() - 1)
        rows = queue.model.rows[: (last + 1) if last >= 0 else len(queue.model.rows)]
        for entry in rows:
            for line in waiting.pop(entry.id, ()):
                seen(line, "to_panel_ms", now)

    overlay.on_first_paint = painted
    state.linesAdded.connect(arrived)
    panel_watch = _PaintWatch(panel_painted)
    queue.table.viewport().installEventFilter(panel_watch)
    queue.just_asked.installEventFilter(panel_watch)
    probe = StallProbe()
    loop = QEventLoop()
    watch = QTimer()
    watch.setInterval(100)
    flowing = [False]

    def check() -> None:
        """Probe stalls while messages flow; stop 1.5 s after the audience has finished."""
        if not flowing[0] and state.counters.get("danmaku", 0) > 0:
            flowing[0] = True
            if probe_stall:
                probe.start()
        if audience.poll() is not None:
            watch.stop()
            probe.stop()
            QTimer.singleShot(1500, loop.quit)

    try:
        service.connect(url + "/ws/host", token)
        audience = start_generator(
            url, viewers, rate, duration, ["--seed", "1", "--corpus", str(corpus)]
        )
        probes = subprocess.Popen(
            [
                *module_command("app.bench.audience"),
                url,
                str(PROBE_RATE),
                str(duration),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        watch.timeout.connect(check)
        watch.start()
        QTimer.singleShot(int((duration + 120) * 1000), loop.quit)  # a fuse, never the plan
        loop.exec()
        sent = json.loads(audience.communicate(timeout=60)[0] or "{}")
        probes_sent = json.loads(probes.communicate(timeout=60)[0] or "{}").get("probes_sent", 0)
    finally:
        service.close()
        hub.terminate()
        hub.wait(10)
        for widget in (preview, queue, assistant):
            widget.close()
    with sqlite3.connect(service.path) as db:
        received = db.execute("SELECT COUNT(*) FROM events WHERE type='danmaku'").fetchone()[0]
    out: dict[str, Any] = {
        "mode": mode,
        "target_rate": rate,
        "viewers": viewers,
        "achieved_rate": sent.get("achieved_rate"),
        "sent": sent.get("sent"),
        "danmaku_journaled": received,
        "to_screen_ms": _split(list(on_screen.values())),
        "to_overlay_ms": {
            "questions": _split(to_overlay["question"]),
            "chat_and_cheers": _split(to_overlay["other"]),
        },
        "to_state_ms": _split(to_state),
        "probes": {
            "sent": probes_sent,
            "chat_shown": len(probe_lines["chat"]["to_overlay_ms"]),
            **{
                kind: {k: _split(list(v.values())) for k, v in measures.items()}
                for kind, measures in probe_lines.items()
            },
        },
        "overlay_painted": overlay.shown,
        "overlay_sampled_out": overlay.sampled_out,
    }
    if probe_stall:
        out["stall_ms"] = summarize(probe.stalls_ms, 1)
    return out


def _split(samples: list[tuple[float, float]]) -> dict[str, Any]:
    """Latency figures for the whole run and for messages sent after the warm-up."""
    if not samples:
        return {"all": summarize([], 1), "steady": summarize([], 1)}
    start = min(sent for sent, _ in samples)
    steady = [ms for sent, ms in samples if sent - start >= WARMUP_S * 1000]
    return {"all": summarize([ms for _, ms in samples], 1), "steady": summarize(steady, 1)}


class _PaintWatch(QObject):
    """Calls `on_paint` when the watched widget is about to paint (measuring at paint time)."""

    def __init__(self, on_paint: Callable[[], None]) -> None:
        super().__init__()
        self._on_paint = on_paint

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self._on_paint()
        return False


if __name__ == "__main__":  # the memory part's child: `memory_in_child`
    print(json.dumps(memory(int(sys.argv[1]))))
