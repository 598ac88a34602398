"""The source registry: one spelling of source ids for the console, `livedesk publish` and the
benches, and one table that opens them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from capture.camera import CameraMode, CameraSource
from capture.file_source import FileSource
from capture.live_source import LiveSource
from capture.microphone import MicrophoneSource
from capture.registry import (
    KINDS,
    SYNTHETIC_SILENCE,
    SYNTHETIC_TONE,
    SYNTHETIC_VIDEO,
    Opening,
    UnknownSource,
    open_source,
    resolve,
)
from capture.source import SourceState
from capture.synthetic import SyntheticAudioSource, SyntheticVideoSource
from tests.waiting import wait_for


def test_short_spellings_and_paths_resolve_to_the_one_id(media_file: Path) -> None:
    assert resolve("video", "test") == SYNTHETIC_VIDEO
    assert resolve("audio", "tone") == SYNTHETIC_TONE
    assert resolve("audio", "silence") == SYNTHETIC_SILENCE
    assert resolve("video", str(media_file)) == f"file:{media_file}"
    assert resolve("audio", str(media_file)) == f"file:{media_file}"
    for source_id in (SYNTHETIC_VIDEO, "camera:0", "camera:/dev/video2", "srt://127.0.0.1:9"):
        assert resolve("video", source_id) == source_id  # an id stays as it is
    assert resolve("audio", "mic:default") == "mic:default"
    # A short spelling is for its own media only: `tone` is no picture.
    with pytest.raises(UnknownSource, match="neither a known source nor an existing file"):
        resolve("video", "tone")


def test_a_name_no_kind_claims_is_refused_in_plain_words(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.mp4"
    with pytest.raises(UnknownSource) as raised:
        resolve("video", str(missing))
    assert (
        str(raised.value)
        == f"video source “{missing}” is neither a known source nor an existing file"
    )
    with pytest.raises(UnknownSource, match="unknown kind of audio device"):
        open_source("audio", "camera:0")  # a camera gives no sound
    with pytest.raises(UnknownSource, match="unknown kind of video device"):
        open_source("video", "mic:default")


def test_each_id_opens_its_kind_with_what_the_caller_asked(media_file: Path) -> None:
    pattern = open_source("video", SYNTHETIC_VIDEO, Opening(size=(640, 360)))
    assert isinstance(pattern, SyntheticVideoSource)
    assert (pattern.width, pattern.height, pattern.fps) == (640, 360, 30.0)
    assert isinstance(default := open_source("video", SYNTHETIC_VIDEO), SyntheticVideoSource)
    assert (default.width, default.height) == (1920, 1080)
    tone = open_source("audio", SYNTHETIC_TONE)
    silence = open_source("audio", SYNTHETIC_SILENCE)
    assert isinstance(tone, SyntheticAudioSource) and tone.level_dbfs == -20.0
    assert isinstance(silence, SyntheticAudioSource) and silence.level_dbfs is None
    mode = CameraMode(width=1280, height=720)
    camera = open_source("video", "camera:/dev/video9", Opening(camera_mode=mode))
    assert isinstance(camera, CameraSource) and camera.mode == mode
    assert isinstance(mic := open_source("audio", "mic:default"), MicrophoneSource)
    assert mic.device == "mic:default"
    looped = open_source("video", f"file:{media_file}", Opening(loop=True))
    once = open_source("audio", f"file:{media_file}")
    assert isinstance(looped, FileSource) and looped.loop and looped.kind == "video"
    assert isinstance(once, FileSource) and not once.loop and once.kind == "audio"


def test_a_file_opened_through_the_registry_delivers_frames(media_file: Path) -> None:
    source = open_source("video", resolve("video", str(media_file)))
    frames: list[object] = []
    source.subscribe(frames.append)
    source.start()
    try:
        wait_for(lambda: len(frames) >= 3, timeout=10)
    finally:
        source.stop()
    assert source.status.state != SourceState.FAILED


def test_a_named_pipe_is_a_live_input(tmp_path: Path) -> None:
    fifo = tmp_path / "feed"
    os.mkfifo(fifo)
    assert resolve("video", str(fifo)) == str(fifo)
    assert isinstance(open_source("video", str(fifo)), LiveSource)


def test_every_kind_is_for_video_or_audio() -> None:
    assert {kind.media for kind in KINDS} == {"video", "audio"}
