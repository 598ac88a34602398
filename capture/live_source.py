"""Live video inputs: anything PyAV opens that is *not* a file to loop — a pipe or named pipe
(`-` for standard input, `pipe:N`, a FIFO path; y4m or any container) and network streams
(`rtsp://` IP cameras, `srt://` or `rtmp://` from a phone app, `http(s)://`, `udp://`).

Frames are emitted as they arrive (paced by their timestamps only when a writer is ahead of
real time, e.g. a file dumped into a FIFO). A network stream that drops or cannot be reached is
tried again with a growing pause (`BACKOFF_S`), status RECONNECTING with the reason in plain
words; a pipe that closes has ended (its writer stopped) and reports ENDED. Every failure is
its own sentence (`plain_failure`), never a raw `[Errno …]`, and an address's password is never
shown.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from urllib.parse import urlsplit, urlunsplit

import av
import numpy as np

from capture.media import VideoFrame, now_ns
from capture.source import SourceState, ThreadSource
from streaming.notice import Notice

NETWORK_SCHEMES = ("rtsp", "rtsps", "rtmp", "rtmps", "srt", "http", "https", "udp", "tcp", "rtp")
#: Pauses before each new attempt; the last repeats. Reset once frames flow again.
BACKOFF_S = (0.5, 1.0, 2.0, 4.0, 8.0)
OPEN_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 5.0
_RESYNC_S = 0.5  # further behind or ahead of the timestamps than this: re-anchor the pacing


def is_network(spec: str) -> bool:
    return urlsplit(spec).scheme.lower() in NETWORK_SCHEMES


def is_pipe(spec: str) -> bool:
    """`-`, `pipe:N`, or a path to a named pipe (FIFO)."""
    if spec == "-" or spec.startswith("pipe:"):
        return True
    try:
        return stat.S_ISFIFO(os.stat(spec).st_mode)
    except (OSError, ValueError):
        return False


def is_live_input(spec: str) -> bool:
    return is_network(spec) or is_pipe(spec)


def display_name(spec: str) -> str:
    """How messages name an input: standard input in words, addresses without the password."""
    if spec in ("-", "pipe:", "pipe:0"):
        return "standard input"
    if spec.startswith("pipe:"):
        return f"pipe {spec[5:]}"
    parts = urlsplit(spec)
    if parts.scheme and parts.password is not None:
        host = parts.hostname or ""
        netloc = f"{parts.username}@{host}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))
    return spec


def plain_failure(exc: BaseException, where: str, otherwise: str = "could not be opened") -> str:
    """One sentence a host can act on for why `where` could not be opened or read
    (`otherwise` completes it when nothing more precise is known)."""
    if isinstance(exc, av.error.HTTPNotFoundError):
        return Notice(
            "{where} has no such stream (the server answered “not found”). Check the address.",
            where=where,
        )
    if isinstance(exc, av.error.HTTPUnauthorizedError | av.error.HTTPForbiddenError):
        return Notice(
            "{where} refused access. Check the user name and password in the address.", where=where
        )
    if isinstance(exc, av.error.HTTPServerError):
        return Notice(
            "The server of {where} failed to send the stream (a server error).", where=where
        )
    if isinstance(exc, av.error.HTTPError):
        return Notice("{where} refused the request. Check the address.", where=where)
    if isinstance(exc, ConnectionRefusedError):
        return Notice(
            "Nothing answers at {where}. Is the camera or the phone app streaming?", where=where
        )
    if isinstance(exc, ConnectionResetError | ConnectionAbortedError | BrokenPipeError):
        return Notice("{where} dropped the connection.", where=where)
    if isinstance(exc, TimeoutError):
        return Notice("{where} did not answer in time.", where=where)
    if isinstance(exc, FileNotFoundError):
        return Notice("{where} does not exist.", where=where)
    if isinstance(exc, PermissionError):
        return Notice("LiveDesk is not allowed to read {where}.", where=where)
    if isinstance(exc, av.error.ProtocolNotFoundError):
        return Notice("LiveDesk cannot open addresses like {where}.", where=where)
    if isinstance(exc, av.error.InvalidDataError):
        return Notice("What comes from {where} is not video LiveDesk can read.", where=where)
    if isinstance(exc, av.error.EOFError | EOFError):
        return Notice("{where} ended.", where=where)
    code = getattr(exc, "errno", None)
    if code in (errno.EIO, errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EHOSTDOWN):
        return Notice(
            "{where} cannot be reached: the address may be wrong, or the network is down.",
            where=where,
        )
    if isinstance(exc, av.error.DecoderNotFoundError):
        return Notice("{where} sends video in a format LiveDesk cannot decode.", where=where)
    return f"{where} {otherwise}."


class LiveSource(ThreadSource[VideoFrame]):
    """A live input (see the module's note). `reconnect` defaults to True for network
    addresses and False for pipes."""

    join_timeout_s = 1.0  # a pipe's blocking read cannot be interrupted; never wait long

    def __init__(self, spec: str, reconnect: bool | None = None) -> None:
        super().__init__()
        self.spec = spec
        self.where = display_name(spec)
        self.reconnect = is_network(spec) if reconnect is None else reconnect
        self.label = f"Live input {self.where}"
        self.reconnects = 0  # attempts after a failure, counted for the status bar and tests

    def _url(self) -> str:
        return "pipe:0" if self.spec == "-" else self.spec

    def _options(self) -> dict[str, str]:
        scheme = urlsplit(self.spec).scheme.lower()
        if scheme in ("rtsp", "rtsps"):
            return {"rtsp_transport": "tcp"}  # through NAT and firewalls, no lost packets
        if scheme in ("http", "https"):
            return {"reconnect": "0"}  # we reconnect ourselves, with our messages
        return {}

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            delivered, reason = self._session()
            if self._stop.is_set():
                return
            if delivered:
                attempt = 0
            if not self.reconnect:
                state = SourceState.ENDED if delivered else SourceState.FAILED
                self._set_status(state, reason)
                return
            pause = BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)]
            attempt += 1
            self.reconnects += 1
            self._set_status(
                SourceState.RECONNECTING,
                Notice("{reason} Trying again in {pause:g} s.", reason=reason, pause=pause),
            )
            if self._stop.wait(pause):
                return

    def _session(self) -> tuple[bool, str]:
        """Open the input and emit its frames until it ends or fails: (any frame delivered,
        why it stopped, in words)."""
        try:
            container = av.open(
                self._url(),
                options=self._options(),
                timeout=(OPEN_TIMEOUT_S, READ_TIMEOUT_S),
            )
        except Exception as exc:  # every PyAV/OS failure becomes its sentence
            return False, plain_failure(exc, self.where)
        delivered = False
        try:
            if not container.streams.video:
                return False, f"{self.where} sends no video."
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            self._set_status(SourceState.RUNNING, self.label)
            anchor: tuple[float, float] | None = None  # (wall clock, media time)
            for index, frame in enumerate(container.decode(stream)):
                if self._stop.is_set():
                    break
                t = float(frame.time) if frame.time is not None else index / 30.0
                now = time.monotonic()
                ahead = anchor[0] + (t - anchor[1]) - now if anchor else 0.0
                if anchor is None or not -_RESYNC_S < ahead < _RESYNC_S * 4:
                    anchor, ahead = (now, t), 0.0
                if ahead > 0 and self._stop.wait(ahead):
                    break
                image = np.ascontiguousarray(frame.to_ndarray(format="bgr24"))
                self._emit(VideoFrame(image, now_ns(), index))
                delivered = True
            return delivered, f"{self.where} stopped sending."
        except Exception as exc:
            if delivered and getattr(exc, "errno", None) in (errno.EIO, errno.ECONNRESET):
                return True, f"{self.where} dropped the connection."  # it was flowing
            return delivered, plain_failure(exc, self.where, "could not be read")
        finally:
            container.close()
