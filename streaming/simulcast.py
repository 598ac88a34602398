"""Several renditions of the one program over one WebRTC session, without simulcast.

aiortc has no simulcast (no RTP stream ids), so the publisher sends each fixed low rendition
as one more video track beside the adaptive main one, and names every video track so the relay
knows which rendition it carries: the track id (the second word of the m-line's `a=msid`)
reads `livedesk-NAME-WIDTHxHEIGHT-BPS`, e.g. `livedesk-360p-640x360-300000`, where BPS is what
a viewer's link must carry to be given that rendition. A video track named otherwise (a browser
or OBS publishing) is an ordinary single video. docs/abr.md, "A picture per viewer".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from streaming.h264 import VideoProfile

TRACK_PREFIX = "livedesk-"
_TRACK_ID = re.compile(r"livedesk-([0-9a-z]{1,16})-(\d{2,5})x(\d{2,5})-(\d{4,9})")

#: The fixed renditions `livedesk publish --renditions` can add: each sized for a slow viewer's
#: link with the sound beside it (360p at 300 kbps + Opus ≈ 420 kbps fits 500 kbps).
LOW_PROFILES: dict[str, VideoProfile] = {
    "540p": VideoProfile(960, 540, 30, 900_000, 900_000, 900_000),
    "360p": VideoProfile(640, 360, 30, 300_000, 300_000, 300_000),
}


@dataclass(frozen=True, slots=True)
class Rendition:
    """One of the publisher's renditions: its name and the bitrate a viewer's link needs."""

    name: str
    width: int
    height: int
    bitrate_bps: int


def main_rendition(name: str, profile: VideoProfile) -> Rendition:
    """The adaptive main rendition: it needs its profile's most, which it sends on a good
    link (720p: 3.5 Mbps; a viewer given it on the ladder floor of 1.2 Mbps was flooded)."""
    return Rendition(name, profile.width, profile.height, profile.max_bitrate)


def low_rendition(name: str) -> Rendition:
    """A fixed low rendition of `LOW_PROFILES`: it needs its own rate."""
    profile = LOW_PROFILES[name]
    return Rendition(name, profile.width, profile.height, profile.max_bitrate)


def track_id(rendition: Rendition) -> str:
    """The video track id that tells the relay which rendition the track carries."""
    r = rendition
    return f"{TRACK_PREFIX}{r.name}-{r.width}x{r.height}-{r.bitrate_bps}"


def rendition_of(track: str | None) -> Rendition | None:
    """The rendition a video track id names, or None for a track named otherwise."""
    match = _TRACK_ID.fullmatch(track or "")
    if match is None:
        return None
    name, width, height, bps = match.groups()
    return Rendition(name, int(width), int(height), int(bps))
