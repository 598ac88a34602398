"""Live inputs as program sources: a named pipe fed by a writer process, a pipe descriptor
(standard input's path), a local HTTP stream served by a server the test starts — dropped,
refused, reconnected — and a live source dying mid-show while the program goes on."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from capture.live_source import (
    BACKOFF_S,
    LiveSource,
    display_name,
    is_live_input,
    plain_failure,
)
from capture.media import VideoFrame
from capture.program.compositor import Compositor
from capture.program.feeds import FeedPool, open_video_source
from capture.program.kinds import video as video_kind
from capture.program.layer import Placement
from capture.program.scene import Scene, Show, new_layer
from capture.source import SourceState, SourceStatus

W, H = 64, 48

#: A y4m writer: `frames` frames of flat grey `20 + 5·k` at 30 fps to argv[1] (a path or an fd).
WRITER = r"""
import os, sys, time
target, frames = sys.argv[1], int(sys.argv[2])
out = os.fdopen(int(target), "wb") if target.isdigit() else open(target, "wb")
w, h = 64, 48
out.write(b"YUV4MPEG2 W64 H48 F30:1 Ip A1:1 C420jpeg\n")
for k in range(frames):
    out.write(b"FRAME\n" + bytes([20 + 5 * k % 200]) * (w * h) + bytes([128]) * (w * h // 2))
    out.flush()
    time.sleep(1 / 30)
out.close()
"""


class Collector:
    def __init__(self, source: LiveSource) -> None:
        self.frames: list[VideoFrame] = []
        self.statuses: list[SourceStatus] = []
        source.subscribe(self.frames.append)
        source.on_status(self.statuses.append)

    def wait(self, what: Any, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not what() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert what(), f"timed out; statuses: {self.statuses}"

    def states(self) -> list[SourceState]:
        return [s.state for s in self.statuses]

    def last(self, state: SourceState) -> str:
        return next(s.message for s in reversed(self.statuses) if s.state == state)


def writer(target: str, frames: int, **kw: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", WRITER, target, str(frames)], **kw)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "camera.fifo"
    os.mkfifo(path)
    return path


def test_specs_that_are_live_inputs(fifo: Path, tmp_path: Path) -> None:
    (tmp_path / "clip.mp4").write_bytes(b"")
    assert is_live_input(str(fifo)) and is_live_input("-") and is_live_input("pipe:3")
    for url in ("rtsp://cam/1", "srt://0.0.0.0:9000", "rtmp://x/live", "https://x/a.m3u8"):
        assert is_live_input(url)
    assert not is_live_input(str(tmp_path / "clip.mp4")) and not is_live_input("camera:0")
    assert isinstance(open_video_source(str(fifo)), LiveSource)
    assert isinstance(open_video_source("srt://127.0.0.1:9"), LiveSource)
    shown = display_name("rtsp://admin:s3cret@192.168.1.9:554/h264")
    assert "s3cret" not in shown and shown == "rtsp://admin@192.168.1.9:554/h264"
    assert display_name("-") == "standard input"


def test_a_layers_source_ids_open_through_the_one_source_table(tmp_path: Path) -> None:
    """Every spelling a scene file may hold, opened as `livedesk publish` opens it; a layer's
    file loops unless it says `?loop=0`."""
    from capture.file_source import FileSource
    from capture.registry import UnknownSource
    from capture.synthetic import SyntheticVideoSource

    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"")
    for spelling in ("test", "synthetic:video", "synthetic:pattern"):
        assert isinstance(open_video_source(spelling), SyntheticVideoSource)
    looped, once = open_video_source(str(clip)), open_video_source(f"file:{clip}?loop=0")
    assert isinstance(looped, FileSource) and looped.loop
    assert isinstance(once, FileSource) and not once.loop
    with pytest.raises(ValueError, match="does not exist"):
        open_video_source(f"file:{tmp_path / 'gone.mp4'}")
    with pytest.raises(UnknownSource, match="neither a known source nor an existing file"):
        open_video_source(str(tmp_path / "gone.mp4"))


def test_publish_takes_a_fifo_and_stdin(fifo: Path) -> None:
    from app.cli.publish import open_video

    source = open_video(str(fifo), (1280, 720))
    assert isinstance(source, LiveSource) and not source.reconnect
    stdin = open_video("-", (1280, 720))
    assert isinstance(stdin, LiveSource) and stdin._url() == "pipe:0"


def test_a_named_pipe_fed_by_a_writer_process(fifo: Path) -> None:
    source = LiveSource(str(fifo))
    seen = Collector(source)
    proc = writer(str(fifo), 30)
    source.start()
    try:
        seen.wait(lambda: SourceState.ENDED in seen.states())
    finally:
        source.stop()
        proc.wait(5)
    assert len(seen.frames) >= 28  # y4m's demuxer may keep the last frame or two back
    lumas = [int(f.image.mean()) for f in seen.frames[:5]]
    assert lumas == sorted(lumas) and lumas[0] < lumas[-1], "frames in order, each its own"
    assert seen.frames[0].image.shape == (H, W, 3)
    gaps = np.diff([f.pts_ns for f in seen.frames[2:20]]) / 1e6
    assert float(np.median(gaps)) > 20, "arrival pace, not a burst"
    message = seen.last(SourceState.ENDED)
    assert "stopped sending" in message and "Errno" not in message


def test_a_pipe_descriptor_as_standard_input_is(tmp_path: Path) -> None:
    read_fd, write_fd = os.pipe()
    proc = writer(str(write_fd), 12, pass_fds=(write_fd,))
    os.close(write_fd)
    source = LiveSource(f"pipe:{read_fd}")
    seen = Collector(source)
    source.start()
    try:
        seen.wait(lambda: SourceState.ENDED in seen.states())
    finally:
        source.stop()
        proc.wait(5)
        os.close(read_fd)
    assert len(seen.frames) >= 10
    assert seen.last(SourceState.ENDED) == f"pipe {read_fd} stopped sending."


# -- a local HTTP stream ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def stream_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1.5 s of MPEG-TS (H.264), each frame a different grey, as a camera's stream is."""
    path = tmp_path_factory.mktemp("stream") / "live.ts"
    with av.open(str(path), "w", format="mpegts") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        stream.options = {"tune": "zerolatency", "preset": "ultrafast"}
        for k in range(45):
            image = np.full((120, 160, 3), 30 + 4 * k, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


class StreamServer:
    """Serves the stream file at /live.ts at about real time (a live camera's pace);
    anything else is 404. Can be stopped and started again on the same port."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.port = 0
        self.server: ThreadingHTTPServer | None = None
        self.requests = 0

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests += 1
                if self.path != "/live.ts":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "video/mp2t")
                self.end_headers()
                chunk = len(owner.data) // 30
                try:
                    for i in range(0, len(owner.data), chunk):
                        self.wfile.write(owner.data[i : i + chunk])
                        self.wfile.flush()
                        time.sleep(0.05)
                except OSError:
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def url(self, path: str = "/live.ts") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def server(stream_file: Path) -> Iterator[StreamServer]:
    served = StreamServer(stream_file.read_bytes())
    served.start()
    yield served
    served.stop()


def test_an_http_stream_plays_drops_is_refused_and_comes_back(server: StreamServer) -> None:
    source = LiveSource(server.url())
    assert source.reconnect
    seen = Collector(source)
    source.start()
    try:
        seen.wait(lambda: len(seen.frames) >= 20)
        assert seen.frames[-1].image.shape == (120, 160, 3)
        # The stream ends (the server closed it): reconnect, and frames flow again.
        seen.wait(lambda: SourceState.RECONNECTING in seen.states())
        dropped = seen.last(SourceState.RECONNECTING)
        assert "dropped the connection" in dropped or "stopped sending" in dropped
        count = len(seen.frames)
        seen.wait(lambda: len(seen.frames) > count + 10)
        # The server goes away: refused, in words, with a growing pause between attempts.
        server.stop()
        seen.wait(lambda: "Nothing answers" in seen.statuses[-1].message, timeout=20)
        refused = seen.statuses[-1].message
        assert server.url() in refused and "Errno" not in refused and "Trying again" in refused
        before = source.reconnects
        seen.wait(lambda: source.reconnects >= before + 2, timeout=20)
        pauses = [s.message for s in seen.statuses if "Nothing answers" in s.message]
        assert f"{BACKOFF_S[1]:g} s" in " ".join(pauses), "the pause grows"
        # It comes back on the same address: RUNNING again, new frames.
        server.start()
        count = len(seen.frames)
        seen.wait(lambda: len(seen.frames) > count + 5, timeout=20)
        assert seen.states()[-1] == SourceState.RUNNING
    finally:
        source.stop()
        server.stop()


def test_each_failure_has_its_own_plain_sentence(server: StreamServer) -> None:
    missing = LiveSource(server.url("/nope.ts"), reconnect=False)
    seen = Collector(missing)
    missing.start()
    try:
        seen.wait(lambda: SourceState.FAILED in seen.states())
    finally:
        missing.stop()
    text = seen.last(SourceState.FAILED)
    assert "has no such stream" in text and "Errno" not in text
    # The others, from the exceptions PyAV raises for them.
    where = "rtsp://cam"
    cases = {
        av.error.HTTPUnauthorizedError(401, "x"): "refused access",
        ConnectionRefusedError(111, "Connection refused"): "Nothing answers",
        av.error.InvalidDataError(1094995529, "x"): "not video LiveDesk can read",
        TimeoutError(110, "Connection timed out"): "did not answer in time",
        OSError(5, "Input/output error"): "cannot be reached",
        OSError(999, "weird"): "could not be opened",
    }
    for exc, words in cases.items():
        text = plain_failure(exc, where)
        assert words in text and "Errno" not in text and where in text, (exc, text)


# -- a live source dying mid-show -----------------------------------------------------------


def test_a_live_source_dying_mid_show_the_program_goes_on(
    qapp: Any, fifo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer of a FIFO in the picture stops: the program keeps its rate, shows the last
    frame, then the placeholder, and the host reads why."""
    monkeypatch.setattr(video_kind, "STALE_S", 0.6)
    guest = new_layer("video", "720p")
    guest = guest.replace(
        settings=dataclasses.replace(guest.settings, source=str(fifo)),
        placement=Placement(x=0, y=0, width=640, height=360, fit="stretch"),
    )
    scene = Scene("s", "Show", (new_layer("color", "720p"), guest))
    compositor = Compositor(FeedPool(), fps=30.0)
    problems: list[str] = []
    compositor.feeds.on_problem = lambda _source, text: problems.append(text)
    frames: list[tuple[float, VideoFrame]] = []
    compositor.video.subscribe(lambda f: frames.append((time.monotonic(), f)))
    proc = writer(str(fifo), 30)
    compositor.set_show(Show("720p", (scene,), "s", "s"))
    compositor.start()
    try:
        deadline = time.monotonic() + 15
        while not problems and time.monotonic() < deadline:
            time.sleep(0.02)
        died = time.monotonic()
        time.sleep(1.5)
    finally:
        compositor.stop()
        proc.wait(5)
    assert problems and "stopped sending" in problems[0] and "Errno" not in problems[0]
    after = [f for t, f in frames if t > died]
    assert len(after) >= 1.5 * 30 * 0.6, "the program kept its rate"
    live = [f for t, f in frames if t <= died and f.image[180, 320, 0] != 32]
    assert live, "the pipe's frames were on the program"
    last_live = int(live[-1].image[180, 320, 0])
    assert int(after[0].image[180, 320, 0]) == last_live, "first the last frame, held"
    assert np.all(after[-1].image[100:200, 300:400] == 32), "then the placeholder"
