"""RTMP/RTMPS push to the platforms (Douyin, Kuaishou, Bilibili, …): FLV with H.264 + AAC.

Platforms hand the host a push URL and a stream key (推流地址 + 推流码), as they do for OBS;
the stream goes to `URL/KEY`. The output is an `Output` of the one encode. It sends on a thread
of its own: a slow or broken connection only ever delays this destination.

At start a server that cannot be reached, or one that refuses the stream (a wrong or expired
key), ends in FAILED with that said in plain words: retrying cannot help. Once live, a lost
connection is retried every `RETRY_S` until stopped, each time from a fresh keyframe. The key
never appears in messages or logs.
"""

from __future__ import annotations

import logging
import queue
import socket
import subprocess
import threading
import time
import urllib.parse
from typing import Any

from app.frozen import module_command
from streaming.encoder import EncodedPacket
from streaming.h264 import VideoProfile
from streaming.mux import Muxer
from streaming.notice import Notice
from streaming.output import Figures, Output, OutputState

log = logging.getLogger(__name__)

RETRY_S = 2.0
MAX_QUEUE_S = 2.0  # a connection this far behind drops to the next keyframe
_FLV_OPTIONS = {"flvflags": "no_duration_filesize", "flush_packets": "1"}


def _said(exc: Exception) -> str:
    """An error's message, still a `Notice` (translatable) if it was raised with one."""
    return exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)


class RtmpError(Exception):
    """Why a push did not work, in plain words."""


def push_target(url: str, key: str) -> str:
    """`url` and `key` as the one address FFmpeg publishes to (`rtmp://host/app/key`)."""
    url = url.strip()
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("rtmp", "rtmps") or not parts.hostname:
        raise ValueError(
            Notice("The push URL must start with rtmp:// or rtmps:// and name a server.")
        )
    key = key.strip()
    return f"{url.rstrip('/')}/{key}" if key else url


def _reachable(url: str, timeout_s: float = 5.0) -> str | None:
    """None if the server's port accepts a connection, else why not (plain words)."""
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "rtmps" else 1935)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout_s):
            return None
    except socket.gaierror:
        return Notice(
            "The server name {host} is unknown (check the push URL).", host=parts.hostname
        )
    except TimeoutError:
        return Notice("The server {host}:{port} did not answer.", host=parts.hostname, port=port)
    except OSError:
        return Notice(
            "The server {host}:{port} refused the connection (check the push URL).",
            host=parts.hostname,
            port=port,
        )


class RtmpOutput(Output):
    """Pushes `profile` video and AAC audio to `url` with stream key `key`."""

    name = "rtmp"

    def __init__(
        self, url: str, key: str, profile: VideoProfile | None, audio: bool = True, label: str = ""
    ) -> None:
        super().__init__()
        self.url = url.strip()
        self._target = push_target(url, key)
        self.label = label or urllib.parse.urlsplit(self.url).hostname or "RTMP"
        self.video_profile = profile
        self.audio_codec = "aac" if audio else None
        self._queue: queue.SimpleQueue[EncodedPacket | None] = queue.SimpleQueue()
        self._queued = 0
        self._accepting = False
        self._waiting_for_key = True
        self._thread: threading.Thread | None = None
        self._running = False
        self._bytes = 0
        self._frames = 0
        self._dropped = 0
        self._reconnects = 0
        self._live_since: float | None = None
        self._ever_live = False
        self._rate = (time.monotonic(), 0)
        self._kbps = 0.0

    # ---- Output ----------------------------------------------------------------------------

    def on_packet(self, packet: EncodedPacket) -> None:
        if not self._accepting:
            return
        if packet.kind == "video":
            behind = self._queued > MAX_QUEUE_S * (packet.info.fps or 30) * 2
            if behind and not packet.keyframe:
                self._waiting_for_key = True
            if self._waiting_for_key and not packet.keyframe:
                self._dropped += 1
                return
            self._waiting_for_key = False
        elif self._waiting_for_key and self.video_profile is not None:
            return  # sound resumes with the picture
        self._queued += 1
        self._queue.put(packet)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._running = True
        self.set_state(
            OutputState.CONNECTING, Notice("Connecting to {destination}…", destination=self.label)
        )
        self._thread = threading.Thread(target=self._run, name="rtmp-output", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        thread, self._thread = self._thread, None
        self._running = False
        self._accepting = False
        if thread is None:
            return
        self._queue.put(None)
        thread.join(timeout)

    def figures(self) -> Figures:
        return {
            "video_kbps": self._kbps,
            "bytes": self._bytes,
            "frames_sent": self._frames,
            "frames_dropped": self._dropped,
            "reconnects": self._reconnects,
            "elapsed_s": round(time.monotonic() - self._live_since, 1)
            if self._live_since is not None
            else 0.0,
        }

    # ---- the sending thread ----------------------------------------------------------------

    def _run(self) -> None:
        while self._running:
            try:
                self._session()
            except RtmpError as exc:
                if not self._running:
                    break
                if not self._ever_live:  # the first attempt failed: retrying will not help
                    self._fail(_said(exc))
                    return
                self._live_since = None
                self._reconnects += 1
                self.set_state(
                    OutputState.RECONNECTING,
                    Notice(
                        "Connection to {destination} lost ({problem}), reconnecting in {seconds} s…",
                        destination=self.label,
                        problem=_said(exc),
                        seconds=round(RETRY_S),
                    ),
                )
                self._pause(RETRY_S)
            except Exception as exc:  # never let an unexpected error vanish silently
                log.exception("RTMP output failed")
                self._fail(
                    Notice(
                        "Sending to {destination} stopped on an unexpected error ({problem}).",
                        destination=self.label,
                        problem=str(exc),
                    )
                )
                return
        self._accepting = False
        self.set_state(
            OutputState.IDLE, Notice("Stopped sending to {destination}.", destination=self.label)
        )

    def _fail(self, message: str) -> None:
        self._accepting = False
        self._live_since = None
        self.set_state(OutputState.FAILED, message)

    def _pause(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while self._running and time.monotonic() < deadline:
            time.sleep(0.05)

    def _session(self) -> None:
        """One connection: a pusher process, FLV into it from the next keyframe, until the
        connection breaks (RtmpError) or the output stops."""
        problem = _reachable(self.url)
        if problem is not None:
            raise RtmpError(problem)
        pusher = _Pusher(self._target)
        self._drain()
        self._waiting_for_key = True
        self._accepting = True
        self.request_keyframe()
        muxer: Muxer | None = None
        try:
            while self._running and pusher.said is None:
                if pusher.live and self._live_since is None:
                    self._went_live()
                try:
                    packet = self._queue.get(timeout=0.2)
                except queue.Empty:
                    continue
                if packet is None:
                    break
                self._queued -= 1
                try:
                    if muxer is None:
                        muxer = self._open(pusher, packet)
                    else:
                        muxer.write(packet)
                except OSError:
                    break  # the pusher ended: it says why
                self._count(packet)
        finally:
            self._accepting = False
            if muxer is not None:
                try:
                    muxer.close()
                except OSError:
                    pass
            said = pusher.close()
        if self._running:
            raise RtmpError(self._explain(said))

    def _open(self, pusher: _Pusher, first: EncodedPacket) -> Muxer:
        video = first.info if first.kind == "video" else None
        audio = self.feed.audio_info("aac") if self.feed and self.audio_codec else None
        muxer = Muxer(pusher.stdin, "flv", _FLV_OPTIONS, video, audio, first)
        muxer.write(first)
        return muxer

    def _went_live(self) -> None:
        self._live_since = time.monotonic()
        self._ever_live = True
        self.set_state(OutputState.LIVE, Notice("Live on {destination}.", destination=self.label))

    def _explain(self, said: str | None) -> str:
        if said is not None and said.startswith("refused"):
            return Notice(
                "{destination} refused the stream: check the stream key (推流码) and that the "
                "live room is open.",
                destination=self.label,
            )
        return Notice("the server closed the connection")

    def _count(self, packet: EncodedPacket) -> None:
        self._bytes += len(packet.data)
        self._frames += packet.kind == "video"
        now = time.monotonic()
        then, before = self._rate
        if now - then >= 1.0:
            self._kbps = round((self._bytes - before) * 8 / 1000 / (now - then), 1)
            self._rate = (now, self._bytes)

    def _drain(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                self._queue.put(None)
                break
        self._queued = 0


class _Pusher:
    """The `streaming/rtmp_push.py` process for one connection and what it said."""

    def __init__(self, target: str) -> None:
        self._process = subprocess.Popen(
            module_command("streaming.rtmp_push"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self.stdin = self._process.stdin
        self.stdin.write(target.encode() + b"\n")  # the key stays off the command line
        self.stdin.flush()
        self.live = False
        self.said: str | None = None  # its last word: refused / lost
        self._reader = threading.Thread(
            target=self._read, args=(self._process.stdout,), name="rtmp-pusher", daemon=True
        )
        self._reader.start()

    def _read(self, stdout: Any) -> None:
        for raw in stdout:
            line = raw.decode(errors="replace").strip()
            if line == "live":
                self.live = True
            elif line:
                self.said = line

    def close(self) -> str | None:
        """End the process (closing its input ends it cleanly); returns its last word."""
        try:
            self.stdin.close()
        except OSError:
            pass
        try:
            self._process.wait(3)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join(1)
        return self.said
