"""`livedesk bench encode` at a small size: both pipelines run on the same frames and do
comparable work (similar output bitrate), and the command line matches our encoder's options."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.bench_encode import ffmpeg_command, playback_order
from streaming.h264 import PROFILES

FFMPEG = Path("/usr/bin/ffmpeg")


def test_playback_goes_back_and_forth() -> None:
    assert playback_order(4, 9) == [0, 1, 2, 3, 2, 1, 0, 1, 2]


def test_anchor_uses_the_same_x264_settings() -> None:
    profile = PROFILES["1080p"]
    command = " ".join(ffmpeg_command("ffmpeg", profile))
    for key, value in profile.x264_options(profile.start_bitrate).items():
        assert value in command, key
    assert "-threads 2" in command and "-s 1920x1080" in command


@pytest.mark.skipif(not FFMPEG.exists(), reason="ffmpeg is not installed")
def test_bench_runs_both_pipelines_on_the_same_frames() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "bench",
            "encode",
            "--resolution",
            "360p",
            "--frames",
            "60",
            "--distinct",
            "10",
            "--repeats",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    ours, anchor = report["ours"], report["ffmpeg"]
    assert ours["cpu_s_per_frame_median"] > 0 and anchor["cpu_s_per_frame_median"] > 0
    assert 0.5 < ours["kbps_median"] / anchor["kbps_median"] < 2.0  # the same job done
    assert report["ratio_ours_over_ffmpeg"] == pytest.approx(
        ours["cpu_s_per_frame_median"] / anchor["cpu_s_per_frame_median"], rel=0.01
    )
