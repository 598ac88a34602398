"""Colour correction: white balance (temperature, tint), brightness, contrast, gamma and
saturation — what a host fixes when the room's light is too warm, dim or flat — and then a
3D LUT file (a `.cube` "look" from a grading app, see `lut3d.py`) at a chosen strength.

Everything but saturation is a per-channel curve, so it folds into one 256-entry table per
channel, built once per edit; a frame costs one `cv2.LUT` plus, when saturation is not 100 %,
one blend with the frame's grey; a LUT adds one `cv2.remap` (and a blend below 100 %).
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
    table: np.ndarray | None  # 256×1×3 uint8, or None when the curves are the identity
    saturation: float  # 1.0 = unchanged
    lut: Lut3d | None
    lut_strength: float  # 0…1


def channel_tables(s: ColorCorrectionSettings) -> np.ndarray:
    """The B, G, R curves as a 256×1×3 uint8 table (white balance, then brightness and
    contrast about mid-grey, then gamma)."""
    x = np.arange(256, dtype=np.float64) / 255.0
    warm, tint = s.temperature / 100.0, s.tint / 100.0
    gains = (1.0 - 0.25 * warm, 1.0 - 0.2 * tint, 1.0 + 0.25 * warm)  # B, G, R
    contrast = 2.0 ** (s.contrast / 50.0)  # ×0.25 … ×4
    curves = []
    for gain in gains:
        y = (x * gain - 0.5) * contrast + 0.5 + s.brightness / 100.0
        y = np.clip(y, 0.0, 1.0) ** (1.0 / s.gamma)
        curves.append(np.round(y * 255.0))
    return np.stack(curves, axis=-1).reshape(256, 1, 3).astype(np.uint8)


class ColorCorrection(VideoFilter[ColorCorrectionSettings]):
    kind = "color_correction"
    label = "Colour correction"
    Settings = ColorCorrectionSettings

    def _prepare(self, settings: ColorCorrectionSettings) -> _State:
        table = channel_tables(settings)
        identity = np.arange(256, dtype=np.uint8)
        is_identity = all(np.array_equal(table[:, 0, c], identity) for c in range(3))
        lut = None
        if settings.lut_file.strip() and settings.lut_strength > 0.0:
            lut = load_lut(settings.lut_file.strip())  # FilterError in plain words
        return _State(
            None if is_identity else table,
            settings.saturation / 100.0,
            lut,
            settings.lut_strength / 100.0,
        )

    def _apply_bgr(self, image: Image, state: _State) -> Image:
        out = image if state.table is None else cv2.LUT(image, state.table)
        if state.saturation != 1.0:
            grey = cv2.cvtColor(cv2.cvtColor(out, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
            out = cv2.addWeighted(out, state.saturation, grey, 1.0 - state.saturation, 0.0)
        if state.lut is not None:
            graded = state.lut.apply(out)
            if state.lut_strength < 1.0:
                graded = cv2.addWeighted(graded, state.lut_strength, out, 1 - state.lut_strength, 0)
            out = graded
        return out
