"""Placing a picture on the canvas and blending it there, with OpenCV in C (no Python loop
over pixels). A `Patch` is a picture already cropped, scaled, rotated, faded and premultiplied
for its place, so a static layer costs one multiply-add over its own rectangle per frame, and
an opaque one a copy."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from capture.filters.base import join_alpha
from capture.program.layer import Placement


@dataclass(slots=True)
class Patch:
    x: int  # top-left corner on the canvas (already clipped to it)
    y: int
    color: np.ndarray  # BGR uint8, premultiplied by alpha
    alpha: np.ndarray | None  # alpha, 3 channels; None for an opaque patch
    #: 255 − alpha, made on the first blend (a keyed camera at the bottom of a scene is laid
    #: on black and never needs it) and kept while the patch is.
    _inverse: np.ndarray | None = None

    @property
    def covers(self) -> tuple[int, int, int, int]:
        h, w = self.color.shape[:2]
        return self.x, self.y, w, h

    @property
    def inverse(self) -> np.ndarray | None:
        if self._inverse is None and self.alpha is not None:
            self._inverse = cv2.bitwise_not(self.alpha)
        return self._inverse


def _cropped(image: np.ndarray, p: Placement) -> np.ndarray:
    h, w = image.shape[:2]
    left, right = min(p.crop_left, w - 2), min(p.crop_right, w - 2 - min(p.crop_left, w - 2))
    top, bottom = min(p.crop_top, h - 2), min(p.crop_bottom, h - 2 - min(p.crop_top, h - 2))
    if left or right or top or bottom:
        return image[top : h - bottom, left : w - right]
    return image


def _scaled(image: np.ndarray, p: Placement, live: bool) -> tuple[np.ndarray, int, int]:
    """The image at its size in the box, and its offset inside the box. Live video is scaled
    bilinearly (≈ 0.4 ms for a 720p guest into a corner, against ≈ 4–5 ms for area averaging,
    every frame); a still picture, scaled once, gets area averaging's cleaner downscale."""
    h, w = image.shape[:2]
    bw, bh = p.width, p.height
    if (w, h) == (bw, bh):
        return image, 0, 0
    if p.fit == "stretch":
        sw, sh = bw, bh
    else:
        scale = min(bw / w, bh / h) if p.fit == "fit" else max(bw / w, bh / h)
        sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
    interpolation = cv2.INTER_AREA if sw < w and not live else cv2.INTER_LINEAR
    scaled = cv2.resize(image, (sw, sh), interpolation=interpolation)
    if p.fit == "fill" and (sw, sh) != (bw, bh):
        x0, y0 = (sw - bw) // 2, (sh - bh) // 2
        return scaled[y0 : y0 + bh, x0 : x0 + bw], 0, 0
    return scaled, (bw - sw) // 2, (bh - sh) // 2


def _with_alpha(image: np.ndarray) -> np.ndarray:
    return image if image.shape[2] == 4 else cv2.cvtColor(image, cv2.COLOR_BGR2BGRA)


def _rotated(
    image: np.ndarray, degrees: float, cx: float, cy: float
) -> tuple[np.ndarray, float, float]:
    """`image` (BGRA) rotated about its centre into its bounding box; returns the box's
    top-left relative to the unrotated image's."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), -degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    nw, nh = int(np.ceil(h * sin + w * cos)), int(np.ceil(h * cos + w * sin))
    matrix[0, 2] += nw / 2 - w / 2
    matrix[1, 2] += nh / 2 - h / 2
    out = cv2.warpAffine(
        image,
        matrix,
        (nw, nh),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0, 0),
    )
    return out, (w - nw) / 2, (h - nh) / 2


def make_patch(
    image: np.ndarray,
    p: Placement,
    canvas: tuple[int, int],
    opacity: float = 1.0,
    offset: tuple[int, int] = (0, 0),
    live: bool = False,
    alpha: np.ndarray | None = None,
) -> Patch | None:
    """`image` (BGR or BGRA straight alpha) placed by `p` on a canvas of `canvas` (w, h),
    with an extra `opacity` factor and `offset` (animations). `alpha` is a BGR image's own
    alpha plane kept apart (a keyed source's filter chain): it is cropped and scaled beside
    the picture, never packed into BGRA with it. None when nothing is visible."""
    factor = opacity * p.opacity / 100.0
    if factor <= 0.0:
        return None
    if alpha is not None and p.rotation:
        image, alpha = join_alpha(image, alpha), None
    scaled, ox, oy = _scaled(_cropped(image, p), p, live)
    if alpha is not None:
        alpha = _scaled(_cropped(alpha, p), p, live)[0]
    x, y = p.x + ox + offset[0], p.y + oy + offset[1]
    if p.rotation:
        scaled, dx, dy = _rotated(_with_alpha(scaled), p.rotation, 0, 0)
        x, y = round(x + dx), round(y + dy)
    h, w = scaled.shape[:2]
    cw, ch = canvas
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, cw), min(y + h, ch)
    if x1 <= x0 or y1 <= y0:
        return None
    part = scaled[y0 - y : y1 - y, x0 - x : x1 - x]
    a: np.ndarray
    if alpha is None and part.shape[2] == 3:
        if factor >= 1.0:
            return Patch(x0, y0, part, None)
        a, color = np.full(part.shape[:2], round(factor * 255), np.uint8), part
    else:
        if alpha is not None:
            a, color = alpha[y0 - y : y1 - y, x0 - x : x1 - x], part
        else:
            a, color = part[:, :, 3], part[:, :, :3]
        if not live:
            # A still picture is placed once and blended every frame: it is cut to what it
            # shows (text in a wide box is mostly transparent), and what is opaque all over
            # (a scoreboard) is copied, not blended.
            bx, by, bw, bh = cv2.boundingRect(a)
            if bw == 0:
                return None
            a, color = a[by : by + bh, bx : bx + bw], color[by : by + bh, bx : bx + bw]
            x0, y0 = x0 + bx, y0 + by
            if factor >= 1.0 and int(a.min()) == 255:
                return Patch(x0, y0, np.ascontiguousarray(color), None)
        if factor < 1.0:
            a = cv2.convertScaleAbs(a, alpha=factor)
    a3 = cv2.cvtColor(a, cv2.COLOR_GRAY2BGR)
    return Patch(x0, y0, cv2.multiply(color, a3, scale=1 / 255), a3)


def paint(canvas: np.ndarray, patch: Patch, on_black: bool = False) -> None:
    """Blend `patch` onto `canvas` in place: out = color + out × (255 − α) / 255. `on_black`:
    the canvas under it is black, so that is the (premultiplied) colour itself, copied."""
    x, y, w, h = patch.covers
    roi = canvas[y : y + h, x : x + w]
    inverse = None if on_black else patch.inverse
    if inverse is None:
        np.copyto(roi, patch.color)
        return
    cv2.multiply(roi, inverse, dst=roi, scale=1 / 255)
    cv2.add(roi, patch.color, dst=roi)


def covers_canvas(patch: Patch, canvas: tuple[int, int]) -> bool:
    return patch.alpha is None and patch.covers == (0, 0, canvas[0], canvas[1])
