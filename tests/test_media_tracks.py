"""The publisher's tracks (streaming/media_tracks.py): pictures keep their shape, video keeps
only the newest frame with pts from the capture clock, audio leaves as
Opus packets stamped by sample count, and its queue stays short."""

from __future__ import annotations

import asyncio
import time

import av
import numpy as np

from capture.media import AudioBlock, VideoFrame
from capture.source import Source
from streaming.media_tracks import (
    MAX_AUDIO_QUEUE_MS,
    OPUS_TIME_BASE,
    AudioSourceTrack,
    VideoSourceTrack,
    fit,
)


class PushSource(Source):
    """A source the test pushes into by hand (on the test's thread)."""

    label = "test pushes"

    def start(self) -> None: ...
    def stop(self) -> None: ...

    def push(self, item) -> None:
        self._emit(item)


def test_fit_keeps_the_picture_shape():
    camera_4_3 = np.full((480, 640, 3), 200, np.uint8)
    out = fit(camera_4_3, (1280, 720))
    assert out.shape == (720, 1280, 3)
    assert out[:, :160].max() == 0 and out[:, -160:].max() == 0  # black bars at the sides
    assert out[:, 160:1120].min() == 200  # the picture, undistorted, in between
    same = np.zeros((360, 640, 3), np.uint8)
    assert fit(same, (640, 360)) is same
    assert fit(np.zeros((1080, 1920, 3), np.uint8), (960, 540)).shape == (540, 960, 3)


def test_video_track_keeps_newest_frame_with_capture_clock_pts():
    source = PushSource()

    async def scenario():
        track = VideoSourceTrack(source, (320, 180))
        t0 = time.monotonic_ns()
        for i, offset_ms in enumerate((0, 40, 80)):
            source.push(
                VideoFrame(np.full((180, 320, 3), i * 50, np.uint8), t0 + offset_ms * 1_000_000, i)
            )
            await asyncio.sleep(0.3)  # the reader converts each before the next arrives
        first = await track.recv()  # only the newest survives: older ones were replaced
        source.push(VideoFrame(np.zeros((180, 320, 3), np.uint8), t0 + 120_000_000, 3))
        second = await track.recv()
        track.stop()
        track.join()
        return track, first, second

    track, first, second = asyncio.run(scenario())
    assert (first.width, first.height) == (320, 180)
    assert first.pts == 80 * 90  # 80 ms after the first frame, 90 kHz clock
    assert second.pts == 120 * 90
    assert track.frames_dropped_total == 2 and track.frames_sent == 2
    assert not source._consumers  # unsubscribed on stop


def test_audio_track_sends_opus_packets_and_drops_oldest_beyond_the_cap():
    source = PushSource()
    tone = 0.3 * np.sin(2 * np.pi * 440 * np.arange(48_000) / 48_000).astype(np.float32)

    async def scenario():
        track = AudioSourceTrack(source)
        blocks = 30  # 300 ms of 10 ms blocks, more than the cap
        for i in range(blocks):
            source.push(AudioBlock(tone[i * 480 : (i + 1) * 480, None], 48_000, i * 10_000_000))
        packets = [await track.recv(), await track.recv()]
        track.stop()
        return track, packets, blocks

    track, packets, blocks = asyncio.run(scenario())
    made = blocks // 2  # one 20 ms packet per two blocks, none held back
    kept = MAX_AUDIO_QUEUE_MS // 20
    assert track.packets_dropped == made - kept
    # Timestamps count samples from the first block: the dropped packets leave a gap.
    assert [p.pts for p in packets] == [(made - kept) * 960, (made - kept + 1) * 960]
    assert packets[0].time_base == OPUS_TIME_BASE
    decoder = av.CodecContext.create("libopus", "r")
    decoded = [frame for p in packets for frame in decoder.decode(p)]
    assert sum(frame.samples for frame in decoded) == 2 * 960
    level = np.abs(decoded[-1].to_ndarray().astype(np.float32)).max()
    assert level > 0.1  # the tone came through
