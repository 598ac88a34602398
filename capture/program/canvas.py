"""The program's canvas: the picture size a show is composed at, chosen per show, and the
broadcast safe area graphics stay inside."""

from __future__ import annotations

from dataclasses import dataclass

#: id → (width, height). Portrait first among the phone formats: most mobile live-commerce rooms
#: are vertical.
CANVASES: dict[str, tuple[int, int]] = {
    "1080p": (1920, 1080),
    "1080p-portrait": (1080, 1920),
    "720p": (1280, 720),
    "720p-portrait": (720, 1280),
}
CANVAS_LABELS: dict[str, str] = {
    "1080p": "1920×1080 landscape",
    "1080p-portrait": "1080×1920 portrait",
    "720p": "1280×720 landscape",
    "720p-portrait": "720×1280 portrait",
}
DEFAULT_CANVAS = "1080p"
#: Title-safe margin on each side, as a share of the width and height (EBU R 95: 5 %).
SAFE_MARGIN = 0.05


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in canvas pixels."""

    x: int
    y: int
    width: int
    height: int


def canvas_size(canvas: str) -> tuple[int, int]:
    return CANVASES.get(canvas, CANVASES[DEFAULT_CANVAS])


def safe_area(width: int, height: int) -> Box:
    mx, my = round(width * SAFE_MARGIN), round(height * SAFE_MARGIN)
    return Box(mx, my, width - 2 * mx, height - 2 * my)


def inside_safe_area(box: Box, width: int, height: int) -> Box:
    """`box` moved (and if it must, shrunk) into the safe area: a graphic never lands where a
    phone's rounded corners or the platform's buttons cover it."""
    safe = safe_area(width, height)
    w, h = min(box.width, safe.width), min(box.height, safe.height)
    x = min(max(box.x, safe.x), safe.x + safe.width - w)
    y = min(max(box.y, safe.y), safe.y + safe.height - h)
    return Box(x, y, w, h)
