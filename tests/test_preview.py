import threading

import numpy as np
from PySide6.QtCore import QRect

from capture.media import VideoFrame, now_ns
from widgets.preview import PreviewWidget, fit_rect


def test_fit_rect_keeps_the_aspect_ratio() -> None:
    assert fit_rect(1920, 1080, QRect(0, 0, 960, 960)) == QRect(0, 210, 960, 540)
    assert fit_rect(1920, 1080, QRect(0, 0, 1000, 400)) == QRect(144, 0, 711, 400)
    assert fit_rect(640, 480, QRect(10, 10, 0, 100)).isEmpty()


def frame(i: int, w: int = 640, h: int = 360) -> VideoFrame:
    return VideoFrame(np.full((h, w, 3), i % 256, np.uint8), now_ns(), i)


def test_a_slow_screen_drops_stale_frames_instead_of_queueing(qtbot) -> None:
    preview = PreviewWidget()
    qtbot.addWidget(preview)
    preview.resize(480, 270)
    preview.show()
    painted: list[tuple[int, int]] = []
    preview.frame_painted.connect(lambda pts, at: painted.append((pts, at)))
    sender = threading.Thread(target=lambda: [preview.offer(frame(i)) for i in range(200)])
    sender.start()
    sender.join()  # 200 frames arrive while the GUI thread is busy elsewhere
    qtbot.waitUntil(lambda: preview.painted_frames >= 1, timeout=3000)
    qtbot.wait(100)
    assert preview.painted_frames <= 2  # one wake-up, the newest frame
    assert preview.dropped_frames >= 198
    assert preview.frame_size == (640, 360)
    assert preview._frame is not None and preview._frame.index == 199
    assert painted and painted[-1][1] >= painted[-1][0]


def test_painted_pixels_come_from_the_frame_in_bgr_order(qtbot) -> None:
    preview = PreviewWidget()
    qtbot.addWidget(preview)
    preview.resize(320, 180)
    preview.show()
    image = np.zeros((180, 320, 3), np.uint8)
    image[:, :] = (255, 0, 0)  # blue in BGR
    preview.offer(VideoFrame(image, now_ns(), 0))
    qtbot.waitUntil(lambda: preview.painted_frames >= 1, timeout=3000)
    grabbed = preview.grab().toImage()
    colour = grabbed.pixelColor(160, 100)
    assert (colour.red(), colour.green(), colour.blue()) == (0, 0, 255)
    assert "320×180" in preview.readout()
