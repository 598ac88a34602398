"""The capture-time code: drawn, pushed through real H.264, scaled, and read back."""

from __future__ import annotations

import base64
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from app.bench import frame_stamp
from capture.synthetic import SyntheticVideoSource
from streaming.encoder import VideoEncoder
from streaming.h264 import PROFILES, bgr_to_video_frame


def busy_frame(width: int, height: int, index: int) -> np.ndarray:
    return SyntheticVideoSource(width, height)._produce(index).image


def test_round_trip_on_a_raw_frame() -> None:
    image = busy_frame(1920, 1080, 3)
    frame_stamp.draw(image, 1_764_000_000_123, 4321)
    stamp = frame_stamp.read(image)
    assert stamp == frame_stamp.Stamp(1_764_000_000_123 % frame_stamp.TIME_MOD, 4321)


def test_survives_h264_at_low_bitrate_and_scaling() -> None:
    profile = PROFILES["1080p"]
    encoder = VideoEncoder(profile)
    encoder.set_bitrate(profile.min_bitrate)
    decoder = av.CodecContext.create("h264", "r")
    read = []
    for i in range(12):
        image = busy_frame(1920, 1080, i)
        frame_stamp.draw(image, 1_764_000_000_000 + i * 33, i)
        packets = encoder.encode(bgr_to_video_frame(image), i * 33_333_333)
        for out in decoder.decode(packets[0].to_av()):
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


@pytest.mark.slow
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="chromium is not installed")
def test_browser_reader_and_writer_agree_with_python() -> None:
    from playwright.sync_api import sync_playwright

    from app.bench.latency_probe import CHROMIUM_ARGS

    image = busy_frame(640, 360, 5)
    frame_stamp.draw(image, 1_764_000_123_456, 999)
    png = base64.b64encode(cv2.imencode(".png", image)[1].tobytes()).decode()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_content("<canvas id=c width=640 height=360></canvas>")
            page.add_script_tag(content=frame_stamp.READER_JS)
            read_in_browser = page.evaluate(
                """async (png) => {
                  const img = new Image();
                  img.src = 'data:image/png;base64,' + png;
                  await img.decode();
                  const ctx = document.getElementById('c').getContext('2d');
                  ctx.drawImage(img, 0, 0);
                  return readStamp(ctx, 640, 360);
                }""",
                png,
            )
            drawn_in_browser = page.evaluate(
                """() => {
                  const ctx = document.getElementById('c').getContext('2d');
                  ctx.fillStyle = '#808080'; ctx.fillRect(0, 0, 640, 360);
                  drawStamp(ctx, 640, 1764000123999, 16383);
                  return document.getElementById('c').toDataURL('image/png');
                }"""
            )
        finally:
            browser.close()
    assert read_in_browser == {"timeMs": 1_764_000_123_456 % frame_stamp.TIME_MOD, "seq": 999}
    data = base64.b64decode(drawn_in_browser.split(",", 1)[1])
    canvas = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert frame_stamp.read(canvas) == frame_stamp.Stamp(
        1_764_000_123_999 % frame_stamp.TIME_MOD, 16383
    )


def test_a_blend_of_two_codes_reads_as_none_not_as_a_wrong_stamp() -> None:
    # What a decoder shows mid-transition (or a viewer's canvas catches half-updated).
    a = np.full((360, 640), 128, np.uint8)
    b = a.copy()
    frame_stamp.draw(a, 1_000, 1)
    frame_stamp.draw(b, 2_000_000, 2)
    blend = ((a.astype(np.uint16) + b) // 2).astype(np.uint8)
    assert frame_stamp.read(a) is not None and frame_stamp.read(b) is not None
    assert frame_stamp.read(blend) is None
