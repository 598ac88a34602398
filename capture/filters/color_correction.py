"""Colour correction: white balance (temperature, tint), brightness, contrast, gamma and
saturation — what a host fixes when the room's light is too warm, dim or flat — and then a
3D LUT file (a `.cube` "look" from a grading app, see `lut3d.py`) at a chosen strength.

White balance, contrast and brightness are a per-channel straight line and saturation is a
mix with the grey, so together they are one 3×4 `cv2.transform` (OpenCV's fast path, ≈ 2 ms a
1080p frame, against ≈ 9 ms for a per-channel `cv2.LUT` and a grey blend). Only gamma is a
curve; it is the same for the three channels, so with gamma it is: a transform for the lines,
one single-table `cv2.LUT`, then a 3×3 transform for saturation (within 3 levels of the
exact curves: the lines are rounded before the curve). Saturation also stays a second transform
when the lines clip (it must mix what is left after clipping). A LUT file adds one
`cv2.remap` (and a blend below 100 %).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from capture.filters.base import Image, VideoFilter
from capture.filters.lut3d import Lut3d, load_lut
from capture.properties import Kind, setting


@dataclass(frozen=True, slots=True)
class ColorCorrectionSettings:
    temperature: float = setting(
        0.0, "Temperature", minimum=-100.0, maximum=100.0, help="Warmer (+) or cooler (−)"
    )
    tint: float = setting(
        0.0, "Tint", minimum=-100.0, maximum=100.0, help="Magenta (+) or green (−)"
    )
    brightness: float = setting(0.0, "Brightness", minimum=-100.0, maximum=100.0, unit="%")
    contrast: float = setting(0.0, "Contrast", minimum=-100.0, maximum=100.0, unit="%")
    gamma: float = setting(1.0, "Gamma", minimum=0.2, maximum=5.0, step=0.05)
    saturation: float = setting(100.0, "Saturation", minimum=0.0, maximum=300.0, unit="%")
    lut_file: str = setting("", "3D LUT file", kind=Kind.PATH, file_filter="3D LUT (*.cube *.CUBE)")
    lut_strength: float = setting(100.0, "LUT strength", minimum=0.0, maximum=100.0, unit="%")


@dataclass(frozen=True, slots=True)
class _State:
    lines: np.ndarray | None  # 3×4 float32 (B, G, R): white balance, contrast, brightness
    gamma: np.ndarray | None  # 256 uint8, the gamma curve; None: gamma 1
    saturation: np.ndarray | None  # 3×3 float32; None: 100 % (or folded into `lines`)
    lut: Lut3d | None
    lut_strength: float  # 0…1


#: OpenCV's BGR → grey weights (what "no colour" means to `saturation`).
_GREY = np.array([0.114, 0.587, 0.299])


def lines(s: ColorCorrectionSettings) -> np.ndarray:
    """The per-channel straight lines as a 3×4 matrix on B, G, R levels: white balance, then
    contrast about mid-grey, then brightness."""
    warm, tint = s.temperature / 100.0, s.tint / 100.0
    gains = np.array((1.0 - 0.25 * warm, 1.0 - 0.2 * tint, 1.0 + 0.25 * warm))  # B, G, R
    contrast = 2.0 ** (s.contrast / 50.0)  # ×0.25 … ×4
    offset = 255.0 * (0.5 - 0.5 * contrast + s.brightness / 100.0)
    return np.hstack((np.diag(gains * contrast), np.full((3, 1), offset)))


def clips(matrix: np.ndarray) -> bool:
    """Whether the lines push some level out of 0…255 (then saturation must come after the
    clipping, as a second transform, not folded into one matrix)."""
    ends = np.diag(matrix[:, :3])[:, None] * np.array([0.0, 255.0]) + matrix[:, 3:]
    return bool(ends.min() < -0.5 or ends.max() > 255.5)


def saturation_matrix(saturation: float) -> np.ndarray:
    """3×3: each channel mixed with the grey, `saturation` 1 = unchanged, 0 = grey."""
    return saturation * np.eye(3) + (1.0 - saturation) * np.tile(_GREY, (3, 1))


def gamma_table(gamma: float) -> np.ndarray:
    x = np.arange(256, dtype=np.float64) / 255.0
    return np.round(255.0 * x ** (1.0 / gamma)).astype(np.uint8)


class ColorCorrection(VideoFilter[ColorCorrectionSettings]):
    kind = "color_correction"
    label = "Colour correction"
    Settings = ColorCorrectionSettings

    def _prepare(self, settings: ColorCorrectionSettings) -> _State:
        straight = lines(settings)
        matrix = None if np.allclose(straight, np.eye(3, 4), atol=1e-6) else straight
        gamma = gamma_table(settings.gamma) if abs(settings.gamma - 1.0) > 1e-6 else None
        saturation = None
        if abs(settings.saturation - 100.0) > 1e-6:
            saturation = saturation_matrix(settings.saturation / 100.0)
            base = np.eye(3, 4) if matrix is None else matrix
            if gamma is None and not clips(base):  # a line then a mix: one matrix
                matrix, saturation = saturation @ base, None
        lut = None
        if settings.lut_file.strip() and settings.lut_strength > 0.0:
            lut = load_lut(settings.lut_file.strip())  # FilterError in plain words
        return _State(
            None if matrix is None else matrix.astype(np.float32),
            gamma,
            None if saturation is None else saturation.astype(np.float32),
            lut,
            settings.lut_strength / 100.0,
        )

    def _apply_bgr(self, image: Image, state: _State) -> Image:
        out = image if state.lines is None else cv2.transform(image, state.lines)
        if state.gamma is not None:
            out = cv2.LUT(out, state.gamma)
        if state.saturation is not None:
            out = cv2.transform(out, state.saturation)
        if state.lut is not None:
            graded = state.lut.apply(out)
            if state.lut_strength < 1.0:
                graded = cv2.addWeighted(graded, state.lut_strength, out, 1 - state.lut_strength, 0)
            out = graded
        return out
