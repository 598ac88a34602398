"""A fixed extra rendition of the publisher (`PublishOptions.renditions`).

The encode hub encodes once per rendition some output takes, so each extra rendition is an
output of its own: this one takes its `VideoProfile` from the hub and hands the packets to the
video track the publisher's current session sends it on (none between sessions). The publisher
starts and stops it; it has no connection of its own.
"""

from __future__ import annotations

import threading

from streaming.encoder import EncodedPacket
from streaming.media_tracks import EncodedTrack
from streaming.output import Figures, Output
from streaming.simulcast import LOW_PROFILES, Rendition, low_rendition


class RenditionFeed(Output):
    """The hub's packets of the low rendition `name` (a `LOW_PROFILES` key), to `track`."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = f"webrtc-{name}"
        self.rendition: Rendition = low_rendition(name)
        self.video_profile = LOW_PROFILES[name]
        self._track: EncodedTrack | None = None
        self._lock = threading.Lock()

    def use(self, track: EncodedTrack | None) -> None:
        """Send on `track` from now on (None: drop until the next session)."""
        with self._lock:
            self._track = track

    def on_packet(self, packet: EncodedPacket) -> None:
        with self._lock:
            track = self._track
        if track is not None and packet.kind == "video":
            track.push(packet)

    def start(self) -> None:
        """Nothing to connect: the publisher's session carries the track."""

    def stop(self, timeout: float = 10.0) -> None:
        self.use(None)

    def figures(self) -> Figures:
        track = self._track
        return {"frames_sent": track.frames_sent if track is not None else 0}
