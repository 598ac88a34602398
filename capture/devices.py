"""What cameras and microphones this machine has, as pickers list them.

Each device has a stable string id that is saved in the settings (a camera's /dev path, a
microphone's PortAudio name), so the host's choice survives a restart even if indexes shift.
Listing never opens a camera (slow, and may grab it from another app) and never raises: a
machine without PortAudio or without /dev/video* simply lists no devices.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from capture.registry import SYNTHETIC_SILENCE, SYNTHETIC_TONE, SYNTHETIC_VIDEO

log = logging.getLogger(__name__)

DEFAULT_MIC = "mic:default"


@dataclass(frozen=True, slots=True)
class Device:
    id: str  # "camera:/dev/video0", "camera:0", "mic:<name>", "file:<path>", "synthetic:…"
    label: str


def list_cameras() -> list[Device]:
    """Video capture devices. On Linux from V4L2's sysfs (no device is opened)."""
    if sys.platform.startswith("linux"):
        return _v4l2_cameras(Path("/sys/class/video4linux"))
    return [Device(f"camera:{i}", f"Camera {i}") for i in range(2)]


def _v4l2_cameras(sysfs: Path) -> list[Device]:
    devices = []
    for node in sorted(sysfs.glob("video*"), key=lambda p: int(p.name[5:] or 0)):
        try:
            index = (node / "index").read_text().strip()
            name = (node / "name").read_text().strip()
        except OSError:
            continue
        if index != "0":  # metadata nodes of the same camera
            continue
        devices.append(Device(f"camera:/dev/{node.name}", f"{name} (/dev/{node.name})"))
    return devices


def list_microphones() -> list[Device]:
    """Audio inputs PortAudio can open, system default first."""
    try:
        import sounddevice as sd

        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
    except Exception as exc:  # no PortAudio library, no sound server: no microphones
        log.warning("cannot list microphones: %s", exc)
        return []
    found = [
        Device(DEFAULT_MIC, QCoreApplication.translate("Devices", "System default microphone"))
    ]
    for dev in devices:
        if dev["max_input_channels"] < 1:
            continue
        api = hostapis[dev["hostapi"]]["name"]
        found.append(Device(f"mic:{dev['name']}", f"{dev['name']} ({api})"))
    return found if len(found) > 1 else []


def synthetic_video_devices() -> list[Device]:
    return [
        Device(
            SYNTHETIC_VIDEO,
            QCoreApplication.translate("Devices", "SYNTHETIC test pattern (no camera)"),
        )
    ]


def synthetic_audio_devices() -> list[Device]:
    return [
        Device(
            SYNTHETIC_TONE,
            QCoreApplication.translate("Devices", "SYNTHETIC tone 440 Hz −20 dBFS (no microphone)"),
        ),
        Device(
            SYNTHETIC_SILENCE,
            QCoreApplication.translate("Devices", "SYNTHETIC silence (no microphone)"),
        ),
    ]
