"""The publisher's extra renditions (`PublishOptions.renditions`): each is one more video track
of the one session, named so the relay knows which rendition it carries, and encoded from the
same program frame as the main one — one encode per rendition per frame."""

from __future__ import annotations

import pytest
from aiortc.sdp import SessionDescription
from waiting import wait_for

from capture.synthetic import SyntheticVideoSource
from streaming.encode_hub import EncodeHub
from streaming.encoder import SOFTWARE_H264
from streaming.publisher import Publisher, PublishOptions, PublishState
from streaming.simulcast import Rendition, rendition_of
from streaming.whip import IceServer, WhipUnauthorized


class OfferOnly:
    """Signalling that keeps the offer and refuses it (the publisher then ends FAILED)."""

    relay = ""

    def __init__(self) -> None:
        self.offers: list[str] = []

    async def ice_servers(self) -> list[IceServer]:
        return []

    async def negotiate(self, offer_sdp: str) -> str:
        self.offers.append(offer_sdp)
        raise WhipUnauthorized("refused")

    async def close(self) -> None:
        pass


def test_a_low_rendition_goes_as_a_second_named_video_track_from_the_same_frames() -> None:
    video = SyntheticVideoSource(640, 360, 30)
    video.start()
    hub = EncodeHub(video, None, encoder=SOFTWARE_H264)
    signalling = OfferOnly()
    options = PublishOptions(resolution="540p", renditions=("360p",), adaptive=False)
    publisher = Publisher(signalling, video, None, options, hub=hub)
    publisher.start()
    try:
        wait_for(lambda: publisher.state == PublishState.FAILED, 10)
        wait_for(lambda: hub.video_counts[0] >= 10, 20)
        first = hub.video_counts
        wait_for(lambda: hub.video_counts[0] >= first[0] + 30, 20)
        frames, encodes = (now - then for now, then in zip(hub.video_counts, first, strict=True))
        sizes = {e.picture_size for e in hub.video_encoders()}
    finally:
        publisher.stop()
        hub.stop()
        video.stop()
    offer = SessionDescription.parse(signalling.offers[0])
    tracks = [rendition_of(offer.webrtc_track_id(m)) for m in offer.media if m.kind == "video"]
    assert tracks == [
        Rendition("540p", 960, 540, 2_000_000),  # adaptive: the most it sends
        Rendition("360p", 640, 360, 300_000),  # fixed
    ]
    assert sizes == {(960, 540), (640, 360)}
    assert frames >= 30 and encodes == 2 * frames  # one encode per rendition per frame


@pytest.mark.parametrize(
    ("resolution", "renditions", "says"),
    [
        ("720p", ("240p",), "must be one of 540p, 360p"),
        ("360p", ("360p",), "must be smaller than the 360p picture"),
        ("720p", ("360p", "360p"), "once"),
    ],
)
def test_a_rendition_that_cannot_be_sent_is_refused_in_plain_words(
    resolution: str, renditions: tuple[str, ...], says: str
) -> None:
    with pytest.raises(ValueError, match=says):
        PublishOptions(resolution=resolution, renditions=renditions)
