import threading
import time
from pathlib import Path

import numpy as np
import pytest

from capture.file_source import FileSource
from capture.levels import block_levels
from capture.source import SourceState, SourceStatus


def run_to_end(source: FileSource, timeout: float = 10.0) -> tuple[list, list[SourceStatus], float]:
    items: list = []
    statuses: list[SourceStatus] = []
    ended = threading.Event()
    source.subscribe(items.append)

    def on_status(status: SourceStatus) -> None:
        statuses.append(status)
        if status.state in (SourceState.ENDED, SourceState.FAILED):
            ended.set()

    source.on_status(on_status)
    t0 = time.monotonic()
    source.start()
    assert ended.wait(timeout), statuses
    elapsed = time.monotonic() - t0
    source.stop()
    return items, statuses, elapsed


def test_video_file_plays_in_real_time_as_bgr_frames(media_file: Path) -> None:
    frames, statuses, elapsed = run_to_end(FileSource(media_file, "video"))
    assert len(frames) == 60
    first = frames[0]
    assert first.image.shape == (180, 320, 3)
    assert tuple(int(v) for v in first.image[90, 10]) == pytest.approx((0, 0, 255), abs=12)
    assert [f.index for f in frames] == list(range(60))
    gaps_ms = np.diff([f.pts_ns for f in frames]) / 1e6
    assert np.median(gaps_ms) == pytest.approx(33.3, abs=3)
    assert 1.7 < elapsed < 4.0  # 2 s of video, paced
    ended = [s for s in statuses if s.state == SourceState.ENDED]
    assert ended and "test.mp4 ended" in ended[0].message


def test_audio_track_comes_out_in_house_format_at_the_known_level(media_file: Path) -> None:
    blocks, statuses, _ = run_to_end(FileSource(media_file, "audio"))
    assert len(blocks) > 150
    assert all(b.samples.shape == (480, 1) and b.sample_rate == 48_000 for b in blocks)
    middle = np.concatenate([b.samples for b in blocks[20:-20]])
    peak, rms = block_levels(middle)
    assert peak == pytest.approx(-20.0, abs=1.0)
    assert rms == pytest.approx(-23.0, abs=1.0)
    assert SourceState.ENDED in [s.state for s in statuses]


def test_loop_keeps_playing(media_file: Path) -> None:
    source = FileSource(media_file, "video", loop=True)
    frames: list = []
    source.subscribe(frames.append)
    source.start()
    time.sleep(2.6)
    source.stop()
    assert len(frames) > 65 and source.status.state == SourceState.STOPPED


def failure(statuses: list[SourceStatus]) -> str:
    failed = [s for s in statuses if s.state == SourceState.FAILED]
    assert failed, statuses
    return failed[0].message


def test_missing_file_and_missing_track_fail_with_a_message(tmp_path: Path) -> None:
    _, statuses, _ = run_to_end(FileSource(tmp_path / "nope.mp4"))
    missing = failure(statuses)
    assert missing.endswith("nope.mp4 does not exist.") and "Errno" not in missing
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"not a video at all" * 100)
    _, statuses, _ = run_to_end(FileSource(garbage))
    assert "garbage.mp4" in failure(statuses)
    wav = tmp_path / "tone.wav"
    import av

    with av.open(str(wav), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=48_000, layout="mono")
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, 4800), np.int16), format="s16", layout="mono"
        )
        frame.sample_rate = 48_000
        out.mux(stream.encode(frame))
        out.mux(stream.encode())
    _, statuses, _ = run_to_end(FileSource(wav, "video"))
    assert "has no video track" in failure(statuses)
