"""Sharpen: an unsharp mask, for a soft webcam lens or a product shot that needs its label
readable. `amount` is how much of the detail (image minus its blur) is added back; `radius`
is the blur's sigma, i.e. how fine the detail is.

The detail is taken from the brightness only (what the eye reads as sharpness; sharpening
colour only adds fringes), so the blur runs on one plane, not three, over ±2 sigma; the
detail travels as a byte about 128 (so an edge's overshoot is at most 127 levels) and is
added to B, G and R alike in one weighted add.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2

from capture.filters.base import Image, VideoFilter
from capture.properties import setting


@dataclass(frozen=True, slots=True)
class SharpenSettings:
    amount: float = setting(50.0, "Amount", minimum=0.0, maximum=300.0, unit="%")
    radius: float = setting(1.0, "Radius", minimum=0.5, maximum=5.0, step=0.1, unit="px")


class Sharpen(VideoFilter[SharpenSettings]):
    kind = "sharpen"
    label = "Sharpen"
    Settings = SharpenSettings

    def _apply_bgr(self, image: Image, state: SharpenSettings) -> Image:
        amount = state.amount / 100.0
        if amount == 0.0:
            return image
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        size = 2 * math.ceil(2.0 * state.radius) + 1
        blurred = cv2.GaussianBlur(grey, (size, size), state.radius)
        detail = cv2.addWeighted(grey, amount, blurred, -amount, 128.0)
        return cv2.addWeighted(image, 1.0, cv2.cvtColor(detail, cv2.COLOR_GRAY2BGR), 1.0, -128.0)
