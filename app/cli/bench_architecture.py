"""`livedesk bench architecture`: the threads-versus-processes spike.

Loads the machine the way a live show does — 1080p30 capture, audio DSP every 10 ms, H.264
encoding (libx264 veryfast/zerolatency), the preview painting, and a pure-Python danmaku loop at
10,000 messages/s — and measures what the GIL does to frame pacing and GUI responsiveness in:

  single  everything in one process, one thread per job;
  split   capture + DSP + encoder in a media child process, preview frames handed to the GUI
          process through shared memory; GUI + danmaku in the main process;
  split3  as split, with the danmaku loop in its own child process too;
  danmaku_proc  media, preview and GUI in one process on threads, danmaku in a child process.

Anchor: the target frame interval (33.3 ms) — jitter is quoted as the p99 of |interval − 33.3|.
Prints one JSON object; docs/architecture.md records the figures and the decision.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing as mp
import queue
import random
import threading
import time
from fractions import Fraction
from multiprocessing import shared_memory
from typing import Any

import numpy as np

from app.bench.measure import CpuMeter, percentile, rss_mb, summarize
from app.bench.report import emit, loadavg, machine
from capture.media import VideoFrame
from capture.source import LatestSlot

WIDTH, HEIGHT, FPS = 1920, 1080, 30.0
FRAME_MS = 1000.0 / FPS
MODES = ("single", "danmaku_proc", "split", "split3")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("architecture")
    parser.add_argument("--seconds", type=float, default=10.0, help="run time per mode")
    parser.add_argument("--modes", default=",".join(MODES), help="comma list of " + "/".join(MODES))
    parser.add_argument("--danmaku-rate", type=int, default=10_000, help="messages per second")
    parser.add_argument(
        "--danmaku-work",
        type=int,
        default=1,
        help="repeat the per-message string work N times (a heavier pipeline)",
    )
    parser.set_defaults(handler=run)


# -- pacing figures ------------------------------------------------------------------------
def pacing(times_s: list[float]) -> dict[str, float | int]:
    """Inter-arrival figures for a stream that should tick every FRAME_MS."""
    intervals = [(b - a) * 1000.0 for a, b in itertools.pairwise(times_s)]
    jitter = [abs(i - FRAME_MS) for i in intervals]
    return {
        "frames": len(times_s),
        "fps": round(len(intervals) / (times_s[-1] - times_s[0]), 2) if len(times_s) > 1 else 0.0,
        "interval_median_ms": round(percentile(intervals, 50), 2),
        "jitter_p99_ms": round(percentile(jitter, 99), 2),
        "interval_max_ms": round(max(intervals), 2) if intervals else float("nan"),
    }


# -- the media side: capture, audio DSP, encoder --------------------------------------------
def _audio_dsp(stop: threading.Event, lateness_ms: list[float]) -> None:
    """Stand-in voice chain: an FFT, a gain curve and an inverse FFT per 10 ms block."""
    rng = np.random.default_rng(1)
    block = rng.standard_normal(480).astype(np.float32) * 0.1
    window = np.hanning(480).astype(np.float32)
    start, i = time.monotonic(), 0
    while not stop.is_set():
        spectrum = np.fft.rfft(block * window)
        gain = 1.0 / (1.0 + np.abs(spectrum) ** 2)
        block = np.fft.irfft(spectrum * gain, n=480).astype(np.float32) + block * 0.5
        i += 1
        due = start + i * 0.010
        delay = due - time.monotonic()
        if delay > 0:
            stop.wait(delay)
        else:
            lateness_ms.append(-delay * 1000.0)


def _encoder(slot: LatestSlot[VideoFrame], stop: threading.Event, out: dict[str, Any]) -> None:
    import av

    ctx = av.CodecContext.create("libx264", "w")
    ctx.width, ctx.height, ctx.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    ctx.time_base, ctx.framerate = Fraction(1, 30), Fraction(30, 1)
    ctx.options = {"preset": "veryfast", "tune": "zerolatency"}
    arrivals: list[float] = []
    encode_ms: list[float] = []
    size = 0
    while not stop.is_set():
        frame = slot.take(timeout=0.1)
        if frame is None:
            continue
        arrivals.append(time.monotonic())
        t0 = time.perf_counter()
        vf = av.VideoFrame.from_ndarray(frame.image, format="bgr24").reformat(format="yuv420p")
        vf.pts = frame.index
        for packet in ctx.encode(vf):
            size += packet.size
        encode_ms.append((time.perf_counter() - t0) * 1000.0)
    out.update(pacing(arrivals))
    out["dropped"] = slot.dropped
    out["encode_ms"] = summarize(encode_ms)
    out["kbit_s"] = (
        round(size * 8 / 1000 / max(1e-9, arrivals[-1] - arrivals[0]), 1)
        if len(arrivals) > 1
        else 0.0
    )


def run_media(seconds: float, frame_sink: Any) -> dict[str, Any]:
    """Capture (synthetic 1080p30) → encoder, plus audio DSP, for `seconds`; every captured
    frame is also handed to `frame_sink(frame)` (the preview, directly or via shared memory)."""
    from capture.synthetic import SyntheticVideoSource

    stop = threading.Event()
    slot: LatestSlot[VideoFrame] = LatestSlot()
    captured: list[float] = []
    encoder_out: dict[str, Any] = {}
    dsp_late: list[float] = []

    def on_frame(frame: VideoFrame) -> None:
        captured.append(time.monotonic())
        slot.put(frame)
        frame_sink(frame)

    source = SyntheticVideoSource(WIDTH, HEIGHT, FPS)
    source.subscribe(on_frame)
    threads = [
        threading.Thread(target=_encoder, args=(slot, stop, encoder_out), name="encoder"),
        threading.Thread(target=_audio_dsp, args=(stop, dsp_late), name="dsp"),
    ]
    cpu = CpuMeter()
    for t in threads:
        t.start()
    source.start()
    time.sleep(seconds)
    source.stop()
    stop.set()
    for t in threads:
        t.join()
    return {
        "capture": pacing(captured),
        "encoder": encoder_out,
        "audio_dsp": {
            "late_blocks": len(dsp_late),
            "late_p99_ms": round(percentile(dsp_late, 99), 2) if dsp_late else 0.0,
        },
        "cpu_percent": round(cpu.read(), 1),
    }


# -- the danmaku stand-in ----------------------------------------------------------------------
_WORDS = [
    "这个多少钱",
    "主播好漂亮",
    "有优惠吗",
    "已下单",
    "链接在哪",
    "尺码偏大吗",
    "包邮吗",
    "what size",
    "再来一单",
    "666",
    "哈哈哈",
    "抢到了",
]


def make_messages(n: int) -> list[str]:
    rng = random.Random(7)
    return [
        json.dumps(
            {
                "type": "danmaku",
                "id": i,
                "user": f"观众{rng.randint(1, 99999)}",
                "text": " ".join(rng.choices(_WORDS, k=rng.randint(1, 4))),
                "ts": 1700000000000 + i,
            },
            ensure_ascii=False,
        )
        for i in range(n)
    ]


def _handle(raw: str, counts: dict[str, int], work: int = 1) -> None:
    """Pure-Python work per message (≈8 µs at work=1 here): decode, normalise, classify,
    count. `work` repeats the string work to stand in for a heavier real pipeline."""
    msg = json.loads(raw)
    if not isinstance(msg, dict) or msg.get("type") != "danmaku":
        return
    for _ in range(work):
        text = " ".join(msg["text"].split()).casefold()
        cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
        key = (
            "question"
            if ("吗" in text or "?" in text or "哪" in text)
            else ("order" if "单" in text else "chat")
        )
        counts[key] = counts.get(key, 0) + 1
        counts["cjk"] = counts.get("cjk", 0) + cjk
    counts[msg["user"][-1]] = counts.get(msg["user"][-1], 0) + 1


def handle_cost_us(work: int) -> float:
    """Measured cost of one stand-in message on this machine now, in µs."""
    messages = make_messages(2000)
    counts: dict[str, int] = {}
    t0 = time.perf_counter()
    for raw in messages:
        _handle(raw, counts, work)
    return (time.perf_counter() - t0) / len(messages) * 1e6


def run_danmaku(seconds: float, rate: int, work: int = 1) -> dict[str, Any]:
    """Handle `rate` messages/s in 10 ms batches for `seconds`; report achieved rate and lag."""
    messages = make_messages(5000)
    counts: dict[str, int] = {}
    batch = max(1, rate // 100)
    start = time.monotonic()
    handled, lag_ms = 0, []
    cpu = CpuMeter()
    while time.monotonic() - start < seconds:
        due = int((time.monotonic() - start) * rate)  # messages that have "arrived" by now
        backlog = due - handled
        lag_ms.append(1000.0 * backlog / rate)
        for _ in range(min(backlog, batch * 4)):
            _handle(messages[handled % len(messages)], counts, work)
            handled += 1
        if backlog <= batch:
            time.sleep(0.010)
    elapsed = time.monotonic() - start
    return {
        "target_msg_s": rate,
        "achieved_msg_s": round(handled / elapsed),
        "lag_ms": summarize(lag_ms),
        "process_cpu_percent": round(cpu.read(), 1),
    }


def _danmaku_child(seconds: float, rate: int, work: int, results: mp.Queue[Any]) -> None:
    results.put(run_danmaku(seconds, rate, work))


# -- shared-memory frame hand-over (split modes) ------------------------------------------------
SHM_SLOTS = 3
FRAME_BYTES = WIDTH * HEIGHT * 3


class _ShmWriter:
    """Media-process side: writes each frame into the next shared slot, then tells the GUI."""

    def __init__(self, shm_name: str, notify: mp.Queue[Any]) -> None:
        self.shm = shared_memory.SharedMemory(name=shm_name)
        self.frames = np.ndarray((SHM_SLOTS, HEIGHT, WIDTH, 3), np.uint8, buffer=self.shm.buf)
        self.notify = notify

    def __call__(self, frame: VideoFrame) -> None:
        slot = frame.index % SHM_SLOTS
        self.frames[slot] = frame.image
        try:
            self.notify.put_nowait((slot, frame.index, frame.pts_ns))
        except queue.Full:
            pass  # GUI behind: it will pick up a later frame

    def close(self) -> None:
        del self.frames
        self.shm.close()


def _media_child(
    seconds: float, shm_name: str, notify: mp.Queue[Any], results: mp.Queue[Any]
) -> None:
    writer = _ShmWriter(shm_name, notify)
    stats = run_media(seconds, writer)
    notify.put(None)
    writer.close()
    results.put(stats)


def _shm_reader(shm: shared_memory.SharedMemory, notify: mp.Queue[Any], sink: Any) -> None:
    """GUI-process thread: copy the announced slot out (the media process may reuse it) and
    offer it to the preview."""
    frames = np.ndarray((SHM_SLOTS, HEIGHT, WIDTH, 3), np.uint8, buffer=shm.buf)
    while True:
        item = notify.get()
        if item is None:
            break
        slot, index, pts_ns = item
        sink(VideoFrame(frames[slot].copy(), pts_ns, index))
    del frames


# -- one run -------------------------------------------------------------------------------
def run_mode(mode: str, seconds: float, rate: int, work: int) -> dict[str, Any]:
    from PySide6.QtWidgets import QApplication

    from app.bench.stall_probe import StallProbe
    from widgets.preview import PreviewWidget

    app = QApplication.instance()
    assert app is not None
    preview = PreviewWidget()
    preview.resize(960, 540)
    preview.show()
    painted: list[float] = []
    latency_ms: list[float] = []

    def on_painted(pts_ns: int, painted_ns: int) -> None:
        painted.append(time.monotonic())
        latency_ms.append((painted_ns - pts_ns) / 1e6)

    preview.frame_painted.connect(on_painted)
    probe = StallProbe()
    result: dict[str, Any] = {"mode": mode}
    threads: list[threading.Thread] = []
    procs: list[mp.process.BaseProcess] = []
    ctx = mp.get_context("spawn")
    results_q: mp.Queue[Any] = ctx.Queue()
    media_out: dict[str, Any] = {}
    danmaku_out: dict[str, Any] = {}
    shm = None
    cpu = CpuMeter()

    if mode in ("single", "danmaku_proc"):
        threads.append(
            threading.Thread(
                target=lambda: media_out.update(run_media(seconds, preview.offer)), name="media"
            )
        )
    else:
        shm = shared_memory.SharedMemory(create=True, size=SHM_SLOTS * FRAME_BYTES)
        notify: mp.Queue[Any] = ctx.Queue(maxsize=2)
        procs.append(
            ctx.Process(
                target=_media_child, args=(seconds, shm.name, notify, results_q), name="media"
            )
        )
        threads.append(
            threading.Thread(
                target=_shm_reader, args=(shm, notify, preview.offer), name="shm-reader"
            )
        )
    if mode in ("split3", "danmaku_proc"):
        procs.append(
            ctx.Process(
                target=_danmaku_child, args=(seconds, rate, work, results_q), name="danmaku"
            )
        )
    else:
        threads.append(
            threading.Thread(
                target=lambda: danmaku_out.update(run_danmaku(seconds, rate, work)), name="danmaku"
            )
        )

    for p in procs:
        p.start()
    for t in threads:
        t.start()
    probe.start()
    deadline = time.monotonic() + seconds + (3.0 if procs else 0.5)
    while time.monotonic() < deadline and (
        any(t.is_alive() for t in threads) or any(p.is_alive() for p in procs)
    ):
        app.processEvents()
        time.sleep(0.001)
    probe.stop()
    gui_cpu = cpu.read()
    for t in threads:
        t.join()
    child_results = [results_q.get(timeout=30) for _ in procs]
    for p in procs:
        p.join()
    for r in child_results:
        (media_out if "encoder" in r else danmaku_out).update(r)
    if shm is not None:
        shm.close()
        shm.unlink()
    preview.close()
    result.update(
        {
            "capture": media_out.get("capture"),
            "encoder": media_out.get("encoder"),
            "audio_dsp": media_out.get("audio_dsp"),
            "preview": {
                **pacing(painted),
                "dropped": preview.dropped_frames,
                "latency_ms": summarize(latency_ms),
            },
            "gui_stall_ms": summarize(probe.stalls_ms),
            "danmaku": danmaku_out,
            "cpu_percent": {
                "main_process": round(gui_cpu, 1),
                "media_process": media_out.get("cpu_percent") if shm else None,
            },
            "rss_mb_main": round(rss_mb(), 1),
        }
    )
    return result


def run(args: argparse.Namespace) -> int:
    from app.bench.qt import offscreen_app

    _app = offscreen_app()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        print(json.dumps({"error": f"unknown mode(s) {unknown}; choose from {list(MODES)}"}))
        return 2
    load = loadavg()
    cost_us = handle_cost_us(args.danmaku_work)
    runs = [run_mode(m, args.seconds, args.danmaku_rate, args.danmaku_work) for m in modes]
    emit(
        {
            "bench": "architecture",
            "anchor": {
                "frame_interval_ms": round(FRAME_MS, 2),
                "resolution": f"{WIDTH}x{HEIGHT}",
                "danmaku_msg_s": args.danmaku_rate,
                "danmaku_work": args.danmaku_work,
                "danmaku_us_per_msg": round(cost_us, 1),
            },
            "machine": machine(load),
            "seconds_per_mode": args.seconds,
            "runs": runs,
        },
        indent=2,
        ensure_ascii=False,
    )
    return 0
