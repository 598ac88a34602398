"""The publisher's tracks (streaming/media_tracks.py) and the hub's scaling: pictures keep their
shape, a video track starts at a keyframe and, when it falls behind, drops to the next one (asking
for it), audio keeps a short queue."""

from __future__ import annotations

import asyncio
import fractions

import numpy as np

from streaming.encode_hub import fit
from streaming.encoder import EncodedPacket, StreamInfo
from streaming.media_tracks import MAX_AUDIO_QUEUE_MS, MAX_VIDEO_QUEUE, EncodedTrack

VIDEO = StreamInfo("video", "h264", fractions.Fraction(1, 90_000), width=320, height=180, fps=30)
OPUS = StreamInfo("audio", "opus", fractions.Fraction(1, 48_000), sample_rate=48_000, channels=2)


def test_fit_keeps_the_picture_shape():
    camera_4_3 = np.full((480, 640, 3), 200, np.uint8)
    out = fit(camera_4_3, (1280, 720))
    assert out.shape == (720, 1280, 3)
    assert out[:, :160].max() == 0 and out[:, -160:].max() == 0  # black bars at the sides
    assert out[:, 160:1120].min() == 200  # the picture, undistorted, in between
    same = np.zeros((360, 640, 3), np.uint8)
    assert fit(same, (640, 360)) is same
    assert fit(np.zeros((1080, 1920, 3), np.uint8), (960, 540)).shape == (540, 960, 3)


def video(pts: int, keyframe: bool = False) -> EncodedPacket:
    return EncodedPacket(bytes([pts % 256]), pts, keyframe, VIDEO)


def test_video_track_starts_at_a_keyframe_and_drops_to_the_next_when_behind():
    asked = []

    async def scenario():
        track = EncodedTrack("video", lambda: asked.append(1))
        assert asked == [1]  # a new track asks for a keyframe at once
        track.push(video(0))  # not decodable on its own: dropped
        track.push(video(3000, keyframe=True))
        first = await track.recv()
        for i in range(2, MAX_VIDEO_QUEUE + 3):  # the loop falls behind
            track.push(video(i * 3000))
        assert len(asked) == 2  # past the cap: the queue is dropped, a keyframe asked for
        track.push(video(99_000))  # still waiting for it
        track.push(video(102_000, keyframe=True))
        second = await track.recv()
        track.stop()
        return track, first, second

    track, first, second = asyncio.run(scenario())
    assert first.pts == 3000 and first.time_base == fractions.Fraction(1, 90_000)
    assert second.pts == 102_000 and second.is_keyframe
    assert track.frames_sent == 2 and track.dropped == 3 + MAX_VIDEO_QUEUE
    assert track.last_size == (320, 180)


def test_audio_track_drops_the_oldest_packets_beyond_the_cap():
    async def scenario():
        track = EncodedTrack("audio")
        for i in range(15):  # 300 ms of 20 ms packets
            track.push(EncodedPacket(b"x", i * 960, True, OPUS, 960))
        packets = [await track.recv(), await track.recv()]
        track.stop()
        return track, packets

    track, packets = asyncio.run(scenario())
    kept = MAX_AUDIO_QUEUE_MS // 20
    assert track.dropped == 15 - kept
    assert [p.pts for p in packets] == [(15 - kept) * 960, (15 - kept + 1) * 960]
