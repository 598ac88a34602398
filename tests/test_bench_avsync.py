"""`livedesk bench avsync` on a short run, through the program while it cuts between scenes: the
flash and the beep captured together arrive together — within a frame in the recording and in
the RTMP stream pulled back through nginx, and within ITU-R BT.1359's window at a real viewer
(headless Chromium on the relay's viewer page, over WebRTC)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from rtmp_support import available

from app.cli.bench_avsync import errors_ms


def test_pairs_are_aligned_to_their_boundaries_by_the_true_offsets() -> None:
    true = {10: 5_000_000, 11: 30_000_000, 12: 12_000_000}  # flash capture − boundary, ns
    # In the stream (its own time zero): each flash 2 ms later than it should be.
    flashes = [0.0, 1.025 + 0.002, 2.007 + 0.002]
    onsets = [f - t / 1e9 for f, t in zip([0.0, 1.025, 2.007], (5e6, 30e6, 12e6), strict=True)]
    flashes[0] += 0.002
    errors = errors_ms(flashes, onsets, true, 1.0)
    assert len(errors) == 3 and all(abs(e - 2.0) < 0.01 for e in errors)


@pytest.mark.skipif(not available(), reason="nginx with the RTMP module is missing")
def test_recording_rtmp_and_chromium_keep_picture_and_sound_together() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app", "bench", "avsync", "--seconds", "8", "--switch-every", "1.5"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["program"] and result["scene_cuts"] >= 4, result
    for output in ("recording", "rtmp"):
        assert result[output]["pairs"] >= 4, result
        assert result[output]["within_one_frame"], result
        assert 0 <= result[output]["ratio_max_to_one_frame"] <= 1.0, result
        assert abs(result[output]["median_ms"]) < result["frame_ms"]
    chromium = result["chromium"]
    assert chromium["page_audio"] == "running" and chromium["pairs"] >= 4, chromium
    # Inside BT.1359's window (sound at most 45 ms ahead, 125 ms behind) as the probe hears it,
    # its own Web Audio delay included.
    assert chromium["max_abs_ms"] <= 125 and chromium["median_ms"] <= 45, chromium
