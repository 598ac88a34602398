"""`livedesk bench latency` end to end at a small size: the stamps make it through a real relay
to real viewers (aiortc and headless Chromium), and the anchor publisher works too. Only the
plumbing is checked here; the figures themselves are the bench's business."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from streaming.janus_local import janus_available

CHROMIUM = Path("/usr/bin/chromium")


def bench(*args: str) -> dict:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "bench",
            "latency",
            "--resolution",
            "360p",
            "--seconds",
            "3",
            "--warmup",
            "2",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def check_viewer(report: dict, size: str) -> None:
    glass = report["glass_to_glass_ms"]
    assert glass["count"] >= 30, report  # ~3 s at 30 fps, allowing for a loaded machine
    assert 0 < glass["median"] < 2000
    assert report["sizes"] == [size]
    assert report["delivered_fps"] > 5


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not installed")
def test_embedded_relay_all_viewers_and_the_chromium_anchor() -> None:
    result = bench("--relay", "embedded")
    check_viewer(result["ours_to_aiortc"], "640x360")
    stages = result["ours_to_aiortc"]["stages_median_ms"]
    assert stages["encode"] is not None and stages["encode"] > 0
    assert stages["network_relay"] is not None
    check_viewer(result["ours_to_chromium"], "640x360")
    assert result["ours_to_chromium"]["stages_median_ms"]["jitter_buffer"] is not None
    check_viewer(result["chromium_to_chromium"], "640x360")
    assert result["ratio_ours_over_chromium_p95"] > 0
    assert set(result["targets_met"]) == {
        "p95_le_200ms_to_chromium",
        "fps_ge_29_to_chromium",
        "ratio_le_1",
    }


@pytest.mark.slow
@pytest.mark.skipif(not janus_available(), reason="janus is not installed")
def test_janus_relay_to_an_aiortc_viewer() -> None:
    result = bench("--relay", "janus", "--phases", "aiortc")
    check_viewer(result["ours_to_aiortc"], "640x360")


def test_bad_phase_is_reported_as_json() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "bench", "latency", "--phases", "nonsense"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "unknown phases: nonsense" in json.loads(result.stdout)["error"]
