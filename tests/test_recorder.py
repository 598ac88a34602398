"""The backup recording (streaming/recorder.py): the hub's packets in a fragmented MP4 that PyAV
plays back — whole, after a kill -9 at any instant, and after the disk filled up — with picture
and sound together; a recording that cannot have the space it needs does not start."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import av
import pytest
from test_encode_hub import Collect
from waiting import wait_for

from capture.synthetic import SyntheticAudioSource, SyntheticVideoSource
from streaming.encode_hub import EncodeHub
from streaming.h264 import PROFILES
from streaming.output import OutputState
from streaming.recorder import Recorder, recording_path

ROOT = Path(__file__).resolve().parents[1]


def read_back(path: Path) -> dict:
    """What a player finds in the file: frames, size, sound, the times of each, up to the first
    damaged byte (a cut-off file ends in a partial fragment)."""
    found: dict = {"video": [], "audio": [], "size": None, "audio_samples": 0}
    with av.open(str(path)) as container:
        streams = [s for s in container.streams if s.type in ("video", "audio")]
        try:
            for packet in container.demux(*streams):
                for frame in packet.decode():
                    kind = packet.stream.type
                    found[kind].append(float(frame.time))
                    if kind == "video":
                        found["size"] = (frame.width, frame.height)
                    else:
                        found["audio_samples"] += frame.samples
        except av.error.InvalidDataError:
            pass
    return found


@pytest.fixture
def sources():
    video, audio = SyntheticVideoSource(640, 360, 30), SyntheticAudioSource(level_dbfs=-20)
    video.start()
    audio.start()
    yield video, audio
    video.stop()
    audio.stop()


def test_records_the_shared_packets_with_picture_and_sound_together(sources, tmp_path) -> None:
    hub = EncodeHub(*sources)
    other = Collect(PROFILES["360p"], "aac", "rtmp")  # a destination sharing the encode
    recorder = Recorder(tmp_path / "show.mp4", PROFILES["360p"], min_free_bytes=0)
    hub.add(other)
    hub.add(recorder)
    recorder.start()
    try:
        wait_for(lambda: recorder.state == OutputState.LIVE, 10, lambda: recorder.message)
        time.sleep(3)
    finally:
        recorder.stop()
        hub.stop()
    assert recorder.state == OutputState.IDLE and "Recorded" in recorder.message
    got = read_back(tmp_path / "show.mp4")
    assert got["size"] == (640, 360)
    assert len(got["video"]) >= 60  # ≥ 20 fps over 3 s on a loaded machine
    assert got["audio_samples"] >= 2.5 * 48_000
    assert abs(got["video"][0] - got["audio"][0]) < 0.05  # both start at the first picture
    assert abs(got["video"][-1] - got["audio"][-1]) < 0.15
    encoders = hub.video_encoders()  # no second encode for the file
    assert len(encoders) == 1 and encoders[0].encoded == hub.video_encodes <= hub.frames_in
    figures = recorder.figures()
    assert figures["bytes"] == (tmp_path / "show.mp4").stat().st_size > 50_000


def test_refuses_to_start_without_the_space_it_needs(sources, tmp_path) -> None:
    recorder = Recorder(tmp_path / "show.mp4", PROFILES["360p"], min_free_bytes=1 << 60)
    recorder.start()
    assert recorder.state == OutputState.FAILED
    assert "Not recording" in recorder.message and "free" in recorder.message
    assert not (tmp_path / "show.mp4").exists()


def test_file_names_carry_date_and_show(tmp_path) -> None:
    import datetime as dt

    path = recording_path(tmp_path, "双十二 / flash: sale", dt.datetime(2026, 12, 3, 20, 15, 7))
    assert path == tmp_path / "2026-12-03 20-15-07 双十二 flash sale.mp4"


CHILD = textwrap.dedent(
    """
    import sys, time
    from capture.synthetic import SyntheticAudioSource, SyntheticVideoSource
    from streaming.encode_hub import EncodeHub
    from streaming.h264 import PROFILES
    from streaming.output import OutputState
    from streaming.recorder import Recorder

    video, audio = SyntheticVideoSource(640, 360, 30), SyntheticAudioSource(level_dbfs=-20)
    video.start(); audio.start()
    hub = EncodeHub(video, audio)
    recorder = Recorder(__import__("pathlib").Path(sys.argv[1]), PROFILES["360p"], min_free_bytes=0)
    hub.add(recorder)
    recorder.start()
    while recorder.state != OutputState.LIVE:
        time.sleep(0.01)
    print("live", flush=True)
    time.sleep(60)
    """
)


@pytest.mark.parametrize("attempt", range(2))
def test_kill_9_at_any_instant_leaves_a_file_that_plays_to_the_last_second(
    tmp_path, attempt
) -> None:
    path = tmp_path / "killed.mp4"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "live"
        live_at = time.monotonic()
        time.sleep(random.uniform(2.0, 4.0))  # an instant nobody chose
        recorded_s = time.monotonic() - live_at
        child.kill()
    finally:
        child.kill()
        child.wait(10)
    got = read_back(path)
    assert got["size"] == (640, 360)
    assert got["video"] and got["audio"]
    # Everything up to the last second before the kill is there (a fragment is 0.5 s).
    assert got["video"][-1] >= recorded_s - 1.0, (got["video"][-1], recorded_s)
    assert got["audio"][-1] >= recorded_s - 1.0


@pytest.fixture
def small_disk(tmp_path):
    """A 200 kB tmpfs: the recording fills it within seconds."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_stops_the_recording_cleanly_while_the_stream_goes_on(
    sources, small_disk
) -> None:
    hub = EncodeHub(*sources)
    stream = Collect(PROFILES["360p"], "aac", "rtmp")
    recorder = Recorder(small_disk / "show.mp4", PROFILES["360p"], min_free_bytes=0)
    hub.add(stream)
    hub.add(recorder)
    recorder.start()
    try:
        wait_for(lambda: recorder.state == OutputState.FAILED, 30, lambda: recorder.message)
        at_failure = len(stream.of("video"))
        wait_for(lambda: len(stream.of("video")) > at_failure + 30, 10)  # it goes on
    finally:
        recorder.stop()
        hub.stop()
    assert "disk is full" in recorder.message and "Errno" not in recorder.message
    got = read_back(small_disk / "show.mp4")
    assert got["size"] == (640, 360) and len(got["video"]) >= 15


def test_publish_record_keeps_publishing_when_the_disk_fills(relay, small_disk, tmp_path) -> None:
    import json
    import os

    from golive_support import TOKEN

    stats = tmp_path / "stats.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "publish",
            "--whip",
            relay.info["whip"],
            "--resolution",
            "360p",
            "--duration",
            "6",
            "--stats-json",
            str(stats),
            "--record",
            str(small_disk / "show.mp4"),
            "--record-min-free",
            "0",
        ],
        env={**os.environ, "LIVEDESK_WHIP_TOKEN": TOKEN},
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stderr
    assert "[recording live]" in done.stderr
    assert "[recording failed] Recording stopped after" in done.stderr
    assert "the disk is full" in done.stderr
    doc = json.loads(stats.read_text())
    assert doc["live_s"] >= 5 and doc["summary"]["frames_sent"] > 90  # publishing went on
    got = read_back(small_disk / "show.mp4")
    assert got["size"] == (640, 360) and got["audio"]
