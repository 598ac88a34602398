import time

import numpy as np
import pytest

from capture.levels import FLOOR_DBFS, LevelTracker, block_levels, to_dbfs
from capture.media import AudioBlock


def tone(level_dbfs: float, n: int = 4800) -> np.ndarray:
    t = np.arange(n) / 48_000
    return (10 ** (level_dbfs / 20) * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)


@pytest.mark.parametrize("level", [0.0, -6.0, -20.0, -45.0])
def test_sine_peak_and_rms(level: float) -> None:
    peak, rms = block_levels(tone(level).reshape(-1, 1))
    assert peak == pytest.approx(level, abs=0.05)
    assert rms == pytest.approx(level - 3.01, abs=0.05)


def test_silence_reads_the_floor() -> None:
    assert block_levels(np.zeros((480, 1), np.float32)) == (FLOOR_DBFS, FLOOR_DBFS)
    assert block_levels(np.zeros((0, 1), np.float32)) == (FLOOR_DBFS, FLOOR_DBFS)
    assert to_dbfs(1e-12) == FLOOR_DBFS


def test_tracker_peak_rms_hold_and_clip() -> None:
    tracker = LevelTracker(window_s=0.3, hold_s=0.2)
    loud = tone(-6.0)
    for start in range(0, 4800, 480):
        tracker.feed(AudioBlock(loud[start : start + 480].reshape(-1, 1), 48_000, 0))
    first = tracker.read()
    assert first.peak_dbfs == pytest.approx(-6.0, abs=0.1)
    assert first.rms_dbfs == pytest.approx(-9.0, abs=0.1)
    assert first.hold_dbfs == pytest.approx(-6.0, abs=0.1)
    assert not first.clipped
    quiet = tone(-40.0, 480).reshape(-1, 1)
    tracker.feed(AudioBlock(quiet, 48_000, 0))
    second = tracker.read()
    assert second.peak_dbfs == pytest.approx(-40.0, abs=0.1)
    assert second.hold_dbfs == pytest.approx(-6.0, abs=0.1)  # held
    time.sleep(0.25)
    tracker.feed(AudioBlock(quiet, 48_000, 0))
    assert tracker.read().hold_dbfs == pytest.approx(-40.0, abs=0.1)  # hold expired
    tracker.feed(AudioBlock(np.ones((480, 1), np.float32), 48_000, 0))
    assert tracker.read().clipped


def test_tracker_rms_falls_to_floor_when_blocks_stop() -> None:
    tracker = LevelTracker(window_s=0.05)
    tracker.feed(AudioBlock(tone(-10.0, 480).reshape(-1, 1), 48_000, 0))
    time.sleep(0.1)
    assert tracker.read().rms_dbfs == FLOOR_DBFS
