"""`livedesk bench outputs` at a small size: one JSON object, one encode in every phase."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from rtmp_support import available

BENCH = (sys.executable, "-m", "app", "bench", "outputs")


@pytest.mark.skipif(not available(), reason="nginx with the RTMP module is missing")
def test_bench_shows_one_encode_for_one_two_and_four_outputs() -> None:
    done = subprocess.run(
        [*BENCH, "--resolution", "360p", "--seconds", "1.5", "--warmup", "0.5"],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    for phase in ("encode_only", "outputs_1", "outputs_2", "outputs_4"):
        assert result[phase]["encoders"] == 1
        assert 0.9 <= result[phase]["encodes_per_frame"] <= 1.0
        assert all(t is not None and t < 10 for t in result[phase]["time_to_first_frame_s"])
    assert len(result["outputs_4"]["time_to_first_frame_s"]) == 4
    assert result["cpu_ratio_4_vs_encode"] > 0
    assert result["rtmp_glass_to_glass_ms"]["frames"] > 5
    assert 0 < result["rtmp_glass_to_glass_ms"]["median"] < 3000
    assert result["bitrate_change"]["down"]["extra_keyframe"] is False
