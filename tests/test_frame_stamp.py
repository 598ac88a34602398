"""The capture-time code: drawn, pushed through real H.264, scaled, and read back."""

from __future__ import annotations

import fractions

import av
import cv2
import numpy as np

from capture.synthetic import SyntheticVideoSource
from streaming import frame_stamp
from streaming.h264 import PROFILES, LiveH264Encoder, bgr_to_video_frame


def busy_frame(width: int, height: int, index: int) -> np.ndarray:
    return SyntheticVideoSource(width, height)._produce(index).image


def test_round_trip_on_a_raw_frame() -> None:
    image = busy_frame(1920, 1080, 3)
    frame_stamp.draw(image, 1_764_000_000_123, 4321)
    stamp = frame_stamp.read(image)
    assert stamp == frame_stamp.Stamp(1_764_000_000_123 % frame_stamp.TIME_MOD, 4321)


def test_survives_h264_at_low_bitrate_and_scaling() -> None:
    profile = PROFILES["1080p"]
    encoder = LiveH264Encoder(profile)
    encoder.target_bitrate = profile.min_bitrate
    decoder = av.CodecContext.create("h264", "r")
    read = []
    for i in range(12):
        image = busy_frame(1920, 1080, i)
        frame_stamp.draw(image, 1_764_000_000_000 + i * 33, i)
        frame = bgr_to_video_frame(image)
        frame.pts, frame.time_base = i * 3000, fractions.Fraction(1, 90000)
        from aiortc.codecs.h264 import h264_depayload

        payloads, _ = encoder.encode(frame)
        data = b"".join(h264_depayload(p) for p in payloads)
        for out in decoder.decode(av.Packet(data)):
            bgr = out.to_ndarray(format="bgr24")
            small = cv2.resize(bgr, (480, 270), interpolation=cv2.INTER_AREA)
            luma = out.to_ndarray(format="gray")
            read.append((frame_stamp.read(luma), frame_stamp.read(small)))
    assert len(read) == 12
    for i, (full, small) in enumerate(read):
        expected = frame_stamp.Stamp((1_764_000_000_000 + i * 33) % frame_stamp.TIME_MOD, i)
        assert full == expected
        assert small == expected


def test_damaged_or_missing_codes_read_as_none() -> None:
    image = busy_frame(640, 360, 0)
    assert frame_stamp.read(image) is None  # no code at all
    frame_stamp.draw(image, 123_456, 7)
    size = frame_stamp.block_size(640)
    image[size : 2 * size, 5 * size : 6 * size] = 255 - image[size + 2, 5 * size + 2]  # flip a bit
    assert frame_stamp.read(image) is None
    assert frame_stamp.read(np.zeros((10, 640), np.uint8)) is None  # too small to hold it


def test_unwrap_picks_the_nearest_full_time() -> None:
    now = 1_764_000_000_000
    stamp = (now - 150) % frame_stamp.TIME_MOD
    assert frame_stamp.unwrap_ms(stamp, now) == now - 150
    assert frame_stamp.checksum(0, 0) == 0xA5
