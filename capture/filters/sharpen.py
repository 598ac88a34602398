"""Sharpen: an unsharp mask, for a soft webcam lens or a product shot that needs its label
readable. `amount` is how much of the detail (image minus its blur) is added back; `radius`
is the blur's sigma, i.e. how fine the detail is."""

from __future__ import annotations

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
        blurred = cv2.GaussianBlur(image, (0, 0), state.radius)
        return cv2.addWeighted(image, 1.0 + amount, blurred, -amount, 0.0)
