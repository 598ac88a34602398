"""The camera path without a physical camera: what can be checked for real here (mode
validation, a device that is not there, V4L2 listing from sysfs). Frames through the same
Source interface are tested with a real file in test_file_source.py / test_main_window.py."""

from pathlib import Path

import pytest
from waiting import wait_for

from capture.camera import CameraMode, CameraSource, parse_device
from capture.devices import _v4l2_cameras
from capture.source import SourceState


def test_unsupported_format_is_refused_in_plain_words() -> None:
    with pytest.raises(ValueError, match="camera format must be one of"):
        CameraSource("camera:/dev/video0", CameraMode(fourcc="H265"))


def test_missing_camera_fails_with_a_message() -> None:
    source = CameraSource("camera:/dev/video98")
    source.start()
    wait_for(lambda: source.status.state not in (SourceState.STOPPED, SourceState.STARTING), 10)
    assert source.status.state == SourceState.FAILED
    assert "could not be opened" in source.status.message
    source.stop()


def test_device_ids() -> None:
    assert parse_device("camera:/dev/video2") == "/dev/video2"
    assert parse_device("camera:1") == 1


def test_v4l2_listing_skips_metadata_nodes(tmp_path: Path) -> None:
    for node, index, name in (
        ("video0", "0", "HD Webcam"),
        ("video1", "1", "HD Webcam"),
        ("video10", "0", "Capture card"),
    ):
        (tmp_path / node).mkdir()
        (tmp_path / node / "index").write_text(index + "\n")
        (tmp_path / node / "name").write_text(name + "\n")
    cams = _v4l2_cameras(tmp_path)
    assert [c.id for c in cams] == ["camera:/dev/video0", "camera:/dev/video10"]
    assert cams[0].label == "HD Webcam (/dev/video0)"
