"""A picture per viewer, relay side: each viewer's own feedback picks its rendition, and a
switch happens only at a keyframe of the rendition switched to (synthetic feedback); the relay
takes a real publisher's two rendition tracks; a viewer's link bounds NACK answers and is padded
only below the best rendition. Through real links and browsers: test_relay_viewer_links.py."""

from __future__ import annotations

import itertools

from streaming.abr.controller import Feedback
from streaming.relay.renditions import Rendition, ViewerSelector

RENDITIONS = (
    Rendition("1080p", 1920, 1080, 4_000_000),
    Rendition("360p", 640, 360, 500_000),
)


def _viewer() -> tuple[ViewerSelector, list[str]]:
    asked: list[str] = []
    return ViewerSelector(RENDITIONS, asked.append), asked


def _frames(viewer: ViewerSelector, keyframe_360: bool = False) -> list[str]:
    """One program frame in both renditions (360p first, as the hub encodes it): which reach
    the viewer."""
    both = (("360p", keyframe_360), ("1080p", False))
    return [name for name, key in both if viewer.accept(name, key)]


def test_each_viewer_gets_what_its_own_link_carries_and_switches_at_a_keyframe() -> None:
    slow, asked = _viewer()
    fast, fast_asked = _viewer()
    t = 0.0
    for t in (0.0, 0.1):
        for viewer in (slow, fast):
            viewer.on_feedback(Feedback(at=t, rtt_s=0.02, fraction_lost=0.0, sent_bps=4e6))
    assert _frames(slow) == ["1080p"] and _frames(fast) == ["1080p"]
    # the slow viewer's link is 500 kbps: its queue fills, its receiver reports say so
    for i, rtt in enumerate((0.35, 0.36, 0.37)):
        t = 0.2 + 0.1 * i
        slow.on_feedback(Feedback(at=t, rtt_s=rtt, sent_bps=4e6, received_bps=0.5e6))
        fast.on_feedback(Feedback(at=t, rtt_s=0.02, fraction_lost=0.0, sent_bps=4e6))
    assert asked == ["360p"] and fast_asked == []
    assert _frames(slow) == ["1080p"]  # no keyframe of 360p yet: the old picture goes on
    assert _frames(slow, keyframe_360=True) == ["360p"]
    assert _frames(slow) == ["360p"] and _frames(fast) == ["1080p"]
    # its link recovers: clean reports; up only after the ladder's hysteresis, at a keyframe
    for _ in range(120):
        t += 0.1
        slow.on_feedback(Feedback(at=t, rtt_s=0.02, fraction_lost=0.0, sent_bps=4e6))
        if slow.pending == "1080p":
            break
    assert slow.pending == "1080p" and asked[-1] == "1080p" and t < 0.5 + 12
    assert slow.accept("360p", False) and not slow.accept("1080p", False)  # until a keyframe
    assert slow.accept("1080p", True) and not slow.accept("360p", True)


def test_flapping_feedback_does_not_switch_back_and_forth() -> None:
    viewer, asked = _viewer()
    for i in range(40):  # loss 3 % / 6 %: the controller holds, the picture too
        viewer.on_feedback(Feedback(at=0.1 * i, rtt_s=0.02, fraction_lost=(0.03, 0.06)[i % 2]))
    assert asked == [] and viewer.current == "1080p"


def test_fanout_gives_each_viewer_its_rendition_on_one_rising_clock() -> None:
    """Real relay parts: the fan-out and two viewers' forward tracks, fed with real H.264 of
    both renditions (two encoders, one program frame each) on different RTP clocks, as two
    aiortc senders stamp them; the slow viewer's feedback moves only it, at a keyframe."""
    import numpy as np

    from streaming.encoder import VideoEncoder
    from streaming.h264 import VideoProfile, bgr_to_video_frame
    from streaming.relay.fanout import FanOut

    big = VideoEncoder(VideoProfile(640, 360, 30, 1_500_000, 4_000_000, 4_000_000, keyint_s=1.0))
    small = VideoEncoder(VideoProfile(320, 180, 30, 200_000, 500_000, 500_000, keyint_s=1.0))
    fanout = FanOut()
    fanout.set_renditions(RENDITIONS)
    keyframes_asked = []
    fanout.publisher_started(keyframes_asked.append)
    slow, fast = fanout.new_track("video"), fanout.new_track("video")
    assert slow.selector is not None and fast.selector is not None
    origins = {"1080p": 123_456, "360p": 3_000_000_000}  # each sender's random RTP origin

    got: dict[object, list[tuple[int, int]]] = {slow: [], fast: []}  # (size, timestamp)

    def frame(i: int) -> None:
        image = np.full((360, 640, 3), (i * 7) % 256, np.uint8)
        for name, encoder in (("360p", small), ("1080p", big)):
            picture = bgr_to_video_frame(image[::2, ::2].copy() if name == "360p" else image)
            for packet in encoder.encode(picture, i * 33_333_333):
                fanout.on_frame("video", packet.data, origins[name] + i * 3000, name)
        for track, frames in got.items():  # what each viewer's sender takes out
            while track._queue:
                data, ts = track._queue.popleft()
                frames.append((len(data), ts))

    for i in range(5):
        frame(i)
    for i, rtt in enumerate((0.02, 0.02, 0.35, 0.36, 0.37)):
        t = 0.1 * i
        slow.selector.on_feedback(Feedback(at=t, rtt_s=rtt, sent_bps=4e6, received_bps=0.5e6))
        fast.selector.on_feedback(Feedback(at=t, rtt_s=0.02, fraction_lost=0.0, sent_bps=4e6))
    assert slow.selector.pending == "360p" and fast.selector.pending is None
    assert "360p" in keyframes_asked  # a PLI on the 360p track
    for i in range(5, 70):  # a keyframe every 30 frames
        frame(i)
    assert slow.rendition == "360p" and fast.rendition == "1080p"
    # every frame reached each viewer once, on a clock that rises one frame at a time
    for frames in got.values():
        steps = {b[1] - a[1] for a, b in itertools.pairwise(frames)}
        assert steps == {3000} and len(frames) == 70
    # the same frames until the slow viewer's switch at the next keyframe (frame 30), then
    # the small rendition's
    assert got[slow][:30] == got[fast][:30] and got[slow][30] != got[fast][30]
    slow_bytes = sum(n for n, _ in got[slow][31:])
    assert slow_bytes < 0.5 * sum(n for n, _ in got[fast][31:])


def test_relay_takes_both_tracks_of_a_publisher_and_a_viewer_gets_one(relay) -> None:
    """Real parts on loopback: our publisher with a fixed 360p rendition beside its 540p main
    one, the embedded relay, an aiortc viewer: the relay knows both renditions, routes each
    one's frames, and the viewer (a clean link) gets one video track, the main rendition."""
    import asyncio

    from golive_support import TOKEN, watch_whep
    from waiting import wait_for

    from capture.synthetic import SyntheticVideoSource
    from streaming.publisher import Publisher, PublishOptions, PublishState, WhipSignalling

    video = SyntheticVideoSource(960, 540, 30)
    video.start()
    options = PublishOptions(resolution="540p", renditions=("360p",), adaptive=False)
    publisher = Publisher(WhipSignalling(relay.info["whip"], TOKEN), video, None, options)
    publisher.start()
    try:
        wait_for(lambda: publisher.state == PublishState.LIVE, 15)
        got = asyncio.run(watch_whep(relay.info["whep"], 4.0))
        fanout = relay.relay.fanout
        assert [r.name for r in fanout.renditions] == ["540p", "360p"]
        frames = fanout.video_frames_in
        assert set(frames) == {"540p", "360p"} and abs(frames["540p"] - frames["360p"]) < 30
    finally:
        publisher.stop()
        video.stop()
    assert got.sizes == {(960, 540)} and got.video_frames >= 40


class FakeSender:
    """What `ViewerLink` touches of aiortc's `RTCRtpSender`: its RTP history and counts, its
    retransmission and its RTCP hooks."""

    def __init__(self) -> None:
        from aiortc.rtp import RtpPacket

        self._ssrc = 1
        self._RTCRtpSender__rtp_history = {
            seq: RtpPacket(sequence_number=seq, payload=b"x" * 1000) for seq in range(128)
        }
        self._RTCRtpSender__octet_count = 0
        self.resent: list[int] = []

    async def _retransmit(self, sequence_number: int) -> None:
        self.resent.append(sequence_number)

    async def _handle_rtcp_packet(self, packet: object) -> None: ...

    async def _send_rtcp(self, packets: list[object]) -> None: ...


def test_viewer_link_bounds_nack_answers_and_pads_only_below_the_best_rendition() -> None:
    import asyncio

    from streaming.relay.fanout import FanOut
    from streaming.relay.viewer_link import RESEND_AFTER_S, RESEND_SHARE, ViewerLink

    async def scenario() -> tuple[list[int], int, int, int]:
        fanout = FanOut()
        fanout.set_renditions(RENDITIONS)
        track = fanout.new_track("video")
        sender = FakeSender()
        link = ViewerLink(sender, track)
        await asyncio.sleep(RESEND_AFTER_S)  # the NACK budget fills
        for _ in range(3):  # a browser asking again and again for one packet: sent once
            await sender._retransmit(5)
        for seq in range(128):  # a flood of NACKs: within the budget
            await sender._retransmit(seq)
        resent = list(sender.resent)
        pad = asyncio.ensure_future(link._pad())
        await asyncio.sleep(0.6)  # on the best rendition: nothing to probe for
        at_best = link.padding_bytes
        assert track.selector is not None
        track.selector.current = "360p"  # below the best: the link is tried at the estimate
        track.selector.controller.target_bps = 1_000_000
        await asyncio.sleep(1.0)
        pad.cancel()
        return resent, at_best, link.padding_bytes, link.resends_refused

    resent, at_best, padded, refused = asyncio.run(scenario())
    budget = RESEND_SHARE * RENDITIONS[0].bitrate_bps / 8 * RESEND_AFTER_S  # it starts at the top
    assert resent.count(5) == 1 and 0 < len(resent) * 1000 <= budget + 1000
    assert refused == 131 - len(resent)
    assert at_best == 0
    assert 0.5 * 1_000_000 / 8 < padded < 1.2 * 1_000_000 / 8  # ≈ 1 Mbps for ~0.75 s
