"""A camera through OpenCV (V4L2 on Linux), at its native mode, read on its own thread.

1080p30 is asked for in MJPEG first (most USB cameras only reach 1080p30 compressed), then YUYV.
If the camera cannot give the requested mode, the source still runs at what the camera gives
and says so in its status message; if it cannot give frames at all it fails with a message.
`cv2.VideoCapture.read()` releases the GIL while it waits, so the reader thread costs the
rest of the app nothing between frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
from PySide6.QtCore import QCoreApplication

from capture.media import VideoFrame, now_ns
from capture.source import SourceState, ThreadSource
from streaming.notice import Notice

FORMATS = ("MJPG", "YUYV")
#: Consecutive failed reads after which the camera counts as gone (≈1 s at 30 fps).
MAX_FAILED_READS = 30


@dataclass(frozen=True, slots=True)
class CameraMode:
    width: int = 1920
    height: int = 1080
    fps: float = 30.0
    fourcc: str = "MJPG"  # or "YUYV"


def parse_device(device: str) -> int | str:
    """'camera:/dev/video2' → '/dev/video2'; 'camera:1' → 1."""
    target = device.removeprefix("camera:")
    return int(target) if target.isdigit() else target


class CameraSource(ThreadSource[VideoFrame]):
    def __init__(self, device: str, mode: CameraMode | None = None) -> None:
        super().__init__()
        self.device = device
        self.label = QCoreApplication.translate("Devices", "Camera {device}").format(
            device=parse_device(device)
        )
        self.mode = mode or CameraMode()
        if self.mode.fourcc not in FORMATS:
            raise ValueError(f"camera format must be one of {FORMATS}, not {self.mode.fourcc!r}")
        #: The mode the camera actually delivers, known once started.
        self.actual: CameraMode | None = None
        #: Plain-words note when the camera runs in another mode than asked ("" if as asked).
        self.mode_warning = ""
        self.dropped = 0

    def _open(self) -> cv2.VideoCapture | None:
        target = parse_device(self.device)
        api = cv2.CAP_V4L2 if isinstance(target, str) else cv2.CAP_ANY
        cap = cv2.VideoCapture(target, api)
        if not cap.isOpened():
            self._set_status(
                SourceState.FAILED, Notice("{device} could not be opened.", device=self.label)
            )
            return None
        want = self.mode
        cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*want.fourcc))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, want.width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, want.height)
        cap.set(cv2.CAP_PROP_FPS, want.fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # newest frame, not a backlog
        code = int(cap.get(cv2.CAP_PROP_FOURCC))
        fourcc = "".join(chr((code >> (8 * i)) & 0xFF) for i in range(4)).strip("\0")
        self.actual = CameraMode(
            int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
            int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            float(cap.get(cv2.CAP_PROP_FPS)),
            fourcc or want.fourcc,
        )
        return cap

    def _run(self) -> None:
        cap = self._open()
        if cap is None:
            return
        want, got = self.mode, self.actual
        assert got is not None
        if (got.width, got.height) != (want.width, want.height):
            self.mode_warning = Notice(
                "{device} does not support {want}; running at {got}.",
                device=self.label,
                want=f"{want.width}×{want.height} {want.fourcc}",
                got=f"{got.width}×{got.height} {got.fourcc} {got.fps:g} fps",
            )
            self._set_status(SourceState.RUNNING, self.mode_warning)
        else:
            self._set_status(
                SourceState.RUNNING,
                f"{self.label} {got.width}×{got.height} {got.fourcc} {got.fps:g} fps",
            )
        index, failures = 0, 0
        try:
            while not self._stop.is_set():
                ok, image = cap.read()
                if not ok or image is None:
                    failures += 1
                    self.dropped += 1
                    if failures >= MAX_FAILED_READS:
                        self._set_status(
                            SourceState.ENDED,
                            Notice(
                                "{device} stopped sending pictures (unplugged?).",
                                device=self.label,
                            ),
                        )
                        return
                    continue
                failures = 0
                self._emit(VideoFrame(image, now_ns(), index))
                index += 1
        finally:
            cap.release()
