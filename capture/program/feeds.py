"""`FeedPool`: the newest frame of every source the program may show.

Each source id that a shown (or about to be shown) scene uses is opened once, however many
layers and scenes use it, and kept while needed; its newest frame sits in one reference the
compositor reads (no queue). A source that fails or ends is reported once, in plain words, and
its layers show their last frame, then a placeholder; the program never waits for it.

Sources owned elsewhere (the console's camera bus, id `camera`) are only subscribed to, never
started or stopped here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from capture.media import VideoFrame
from capture.source import Source, SourceState, SourceStatus

log = logging.getLogger(__name__)

Opener = Callable[[str], Source[VideoFrame]]


def open_video_source(source_id: str) -> Source[VideoFrame]:
    """The video source a layer's id names, through the one table of sources
    (`capture/registry.py`: `synthetic:video` or `test`, `camera:N`, a live input, `file:PATH` or
    a path). A layer's file loops unless its id ends in `?loop=0`: a clip on screen plays on.
    Raises ValueError in plain words."""
    from capture.live_source import is_live_input
    from capture.registry import Opening, open_source, resolve

    spec, loop = source_id, True
    if not is_live_input(source_id):  # a URL's own query is left alone
        loop = not spec.endswith("?loop=0")
        spec = spec.removesuffix("?loop=0").removesuffix("?loop=1")
    if spec.startswith("file:") and not Path(spec.removeprefix("file:")).is_file():
        raise ValueError(f"The video source {source_id} does not exist.")
    return open_source("video", resolve("video", spec), Opening(loop=loop))


class _Feed:
    def __init__(self, source: Source[VideoFrame], owned: bool) -> None:
        self.source = source
        self.owned = owned
        self.frame: VideoFrame | None = None
        self.arrived = 0.0
        self.problem = ""
        self.undo: list[Callable[[], None]] = []


class FeedPool:
    def __init__(
        self, opener: Opener = open_video_source, shared: Mapping[str, Source[VideoFrame]] = {}
    ) -> None:
        self._opener = opener
        self._shared = dict(shared)
        self._feeds: dict[str, _Feed] = {}
        self._lock = threading.Lock()
        #: Called on a source's thread with the id, for every new frame (compositor wake-up).
        self.on_frame: Callable[[str], None] = lambda _id: None
        #: Called with (id, plain words) when a source fails, ends or cannot be opened.
        self.on_problem: Callable[[str, str], None] = lambda _id, _text: None

    def want(self, ids: Iterable[str]) -> None:
        """Keep exactly `ids` open: open what is new, close what no shown scene uses."""
        wanted = set(ids)
        with self._lock:
            gone = [i for i in self._feeds if i not in wanted]
            new = [i for i in wanted if i not in self._feeds]
        for source_id in gone:
            self._close(source_id)
        for source_id in new:
            self._open(source_id)

    def _open(self, source_id: str) -> None:
        shared = self._shared.get(source_id)
        try:
            source = shared if shared is not None else self._opener(source_id)
        except (ValueError, OSError) as exc:
            feed = _Feed(_Nothing(), owned=False)
            feed.problem = str(exc)
            with self._lock:
                self._feeds[source_id] = feed
            self.on_problem(source_id, feed.problem)
            return
        feed = _Feed(source, owned=shared is None)

        def take(frame: VideoFrame) -> None:
            feed.frame, feed.arrived = frame, time.monotonic()
            self.on_frame(source_id)

        def status(s: SourceStatus) -> None:
            if s.state in (SourceState.FAILED, SourceState.ENDED, SourceState.RECONNECTING):
                problem = s.message or f"{source_id} stopped."
                if problem != feed.problem:  # a stream retrying every 8 s is said once
                    feed.problem = problem
                    self.on_problem(source_id, problem)
            elif s.state == SourceState.RUNNING:
                feed.problem = ""

        feed.undo = [source.subscribe(take), source.on_status(status)]
        with self._lock:
            self._feeds[source_id] = feed
        if feed.owned:  # opening a device may take a while: never on the compositor's thread

            def begin() -> None:
                if self._feeds.get(source_id) is feed:  # not closed meanwhile
                    source.start()

            threading.Thread(target=begin, name=f"open {source_id}", daemon=True).start()

    def _close(self, source_id: str) -> None:
        with self._lock:
            feed = self._feeds.pop(source_id, None)
        if feed is None:
            return
        for undo in feed.undo:
            undo()
        if feed.owned:
            threading.Thread(target=feed.source.stop, name="feed-stop", daemon=True).start()

    def latest(self, source_id: str) -> tuple[VideoFrame | None, float, str]:
        feed = self._feeds.get(source_id)
        if feed is None:
            return None, 0.0, ""
        age = time.monotonic() - feed.arrived if feed.frame is not None else 0.0
        return feed.frame, age, feed.problem

    def has_frame(self, source_id: str) -> bool:
        feed = self._feeds.get(source_id)
        return feed is not None and (feed.frame is not None or bool(feed.problem))

    def close(self) -> None:
        self.want(())


class _Nothing(Source[VideoFrame]):
    """Stands in for a source that could not be opened."""

    label = "nothing"

    def start(self) -> None:
        return None

    def stop(self) -> None:
        return None
