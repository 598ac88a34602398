"""The Output contract: a destination fed by the one encode.

An output says which video rendition (a `VideoProfile`) and which audio codec it takes; the
`EncodeHub` it is added to encodes each rendition and codec once, whatever the number of
outputs, and hands every output the same `EncodedPacket`s (timestamps from the one capture
clock). An output may ask for a keyframe (a viewer joined, a reconnect) and reports its state
and figures. `on_packet` is called on the encoder's threads and must return at once: an output
queues, it never blocks the encode that every other output shares.
"""

from __future__ import annotations

import enum
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Protocol

from streaming.encoder import EncodedPacket, StreamInfo
from streaming.h264 import VideoProfile


class OutputState(enum.Enum):
    IDLE = "idle"
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    FAILED = "failed"


Figures = dict[str, float | int | str | None]
OutputListener = Callable[["Output", OutputState, str], None]


class Feed(Protocol):
    """What an output sees of the encode that feeds it."""

    def request_keyframe(self, profile: VideoProfile) -> None: ...

    def audio_info(self, codec: str) -> StreamInfo | None: ...

    def video_info(self, profile: VideoProfile) -> StreamInfo | None: ...


class Output(ABC):
    """A destination. Subclasses set `video_profile` / `audio_codec` (None: not taken) and
    implement `on_packet`, `start`, `stop` and `figures`."""

    name: str = "output"
    video_profile: VideoProfile | None = None
    audio_codec: str | None = None

    def __init__(self) -> None:
        self.state = OutputState.IDLE
        self.message = ""
        self.feed: Feed | None = None
        self.delivery_failures = 0  # packets `on_packet` raised on (logged once)
        self._listeners: list[OutputListener] = []
        self._state_lock = threading.Lock()

    def attach(self, feed: Feed | None) -> None:
        """Called by the hub when the output is added (`feed`) or removed (None)."""
        self.feed = feed

    def request_keyframe(self) -> None:
        if self.feed is not None and self.video_profile is not None:
            self.feed.request_keyframe(self.video_profile)

    def on_state(self, listener: OutputListener) -> Callable[[], None]:
        """Be told of every state change (on the output's own thread)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def set_state(self, state: OutputState, message: str) -> None:
        with self._state_lock:
            self.state, self.message = state, message
        for listener in list(self._listeners):
            listener(self, state, message)

    @abstractmethod
    def on_packet(self, packet: EncodedPacket) -> None:
        """One encoded packet; on an encoder thread, so queue it and return."""

    @abstractmethod
    def start(self) -> None:
        """Begin sending (returns at once; progress is reported through states)."""

    @abstractmethod
    def stop(self, timeout: float = 10.0) -> None:
        """Stop sending and close the destination cleanly (waits at most `timeout`)."""

    @abstractmethod
    def figures(self) -> Figures:
        """The output's figures now (bitrate, frames, bytes, …), for the host."""
