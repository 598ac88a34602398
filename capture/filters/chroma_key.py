"""Chroma key: a green (or blue, or any colour) screen made transparent, as OBS's chroma key.

A pixel is keyed by how far its *hue* (the direction of its Cr/Cb chroma, not its brightness)
is from the key colour's, so an unevenly lit screen — brighter near the lights, darker at the floor — keys as
one. `similarity` is the distance still counted as the screen, `smoothness` the band over
which the edge fades from transparent to opaque (hair, motion blur), and `spill` takes the
screen's colour cast off what is kept (the green fringe on a host's shoulders).

Alpha and the spill depend on the chroma alone, so both fold into one 256×256 table built per
edit, looked up at half size; removing spill is a fixed BGR change per unit of it (chroma
moved at constant brightness), so a frame costs no Python per pixel and no conversion back,
and it is done only inside the box of what the key keeps (the host, not the screen).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from capture.filters.base import KEPT_MARGIN, Image, VideoFilter
from capture.properties import Kind, setting

#: The chroma distance a "100 %" similarity or smoothness stands for.
_CHROMA_RANGE = 64.0
#: A colour with less than this share of the key's saturation is not the screen.
_MIN_SATURATION = 0.35


@dataclass(frozen=True, slots=True)
class ChromaKeySettings:
    key_color: str = setting("#00FF00", "Key colour", kind=Kind.COLOR)
    similarity: float = setting(
        40.0, "Similarity", minimum=1.0, maximum=100.0, unit="%", help="How much is the screen"
    )
    smoothness: float = setting(
        8.0, "Smoothness", minimum=0.0, maximum=100.0, unit="%", help="Softness of the edge"
    )
    spill: float = setting(
        60.0,
        "Spill reduction",
        minimum=0.0,
        maximum=100.0,
        unit="%",
        help="Removes the screen's colour cast from the host",
    )


@dataclass(frozen=True, slots=True)
class _State:
    table: np.ndarray  # 65536 uint16, index (Cb << 8) | Cr → bytes (alpha, spill to remove)
    despill: bool
    #: 3×3 diagonal: spill → how much B, G, R go up (`lift`) and down (`lower`), both ≥ 0.
    lift: np.ndarray
    lower: np.ndarray


def key_chroma(color: str) -> tuple[float, float]:
    """The (Cr, Cb) of a "#RRGGBB" colour, as OpenCV's YCrCb has it."""
    rgb = color[-6:]
    bgr = np.array([[[int(rgb[4:6], 16), int(rgb[2:4], 16), int(rgb[0:2], 16)]]], np.uint8)
    ycc = cv2.cvtColor(bgr, cv2.COLOR_BGR2YCrCb)[0, 0]
    return float(ycc[1]), float(ycc[2])


def chroma_table(s: ChromaKeySettings) -> np.ndarray:
    """For every (Cr, Cb): the despilled chroma and the alpha, packed for one lookup.

    The distance to the key is measured as a *hue*: how far the chroma points away from the
    key's direction, plus how much it falls short of a minimum saturation. A screen in shadow
    has less chroma than in the light but the same hue, so it keys as one; greys and skin, far
    off the key's direction or unsaturated, stay."""
    cb, cr = np.mgrid[0:256, 0:256].astype(np.float64)  # row = Cb, column = Cr
    kcr, kcb = key_chroma(s.key_color)
    direction = np.array([kcr - 128.0, kcb - 128.0])
    norm = max(float(np.hypot(*direction)), 1.0)
    ucr, ucb = direction / norm
    along = (cr - 128.0) * ucr + (cb - 128.0) * ucb
    across = np.abs((cr - 128.0) * ucb - (cb - 128.0) * ucr)
    distance = across + np.maximum(0.0, _MIN_SATURATION * norm - along)
    inner = s.similarity / 100.0 * _CHROMA_RANGE
    band = max(s.smoothness / 100.0 * _CHROMA_RANGE, 1e-3)
    alpha = np.clip((distance - inner) / band, 0.0, 1.0)
    # Spill: the part of the chroma that points towards the key colour is taken away.
    towards = np.clip(np.round(np.maximum(0.0, along) * (s.spill / 100.0)), 0, 255)
    a = np.round(alpha * 255.0).astype(np.uint16)
    return np.ascontiguousarray((a | (towards.astype(np.uint16) << 8)).reshape(-1))


def spill_vector(s: ChromaKeySettings) -> np.ndarray:
    """The B, G, R change per unit of spill removed: chroma moved against the key's direction
    at constant brightness (OpenCV's YCrCb → BGR), so a frame's despill is one scaled add."""
    kcr, kcb = key_chroma(s.key_color)
    direction = np.array([kcr - 128.0, kcb - 128.0])
    ucr, ucb = direction / max(float(np.hypot(*direction)), 1.0)
    dcr, dcb = -ucr, -ucb
    return np.array([1.773 * dcb, -0.714 * dcr - 0.344 * dcb, 1.403 * dcr])


class ChromaKey(VideoFilter[ChromaKeySettings]):
    kind = "chroma_key"
    label = "Chroma key (green screen)"
    Settings = ChromaKeySettings
    keys = True

    def _prepare(self, settings: ChromaKeySettings) -> _State:
        gains = spill_vector(settings)
        return _State(
            chroma_table(settings),
            settings.spill > 0.0,
            np.diag(np.maximum(gains, 0.0)),
            np.diag(np.maximum(-gains, 0.0)),
        )

    def _apply_key(self, image: Image, state: _State) -> tuple[Image, np.ndarray, tuple[int, int]]:
        h, w = image.shape[:2]
        # The key at half size (an exact 2× shrink is the mean of each 2×2 block; H.264 keeps
        # colour at half size anyway), scaled back up: edges come out anti-aliased.
        small = cv2.resize(image, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_LINEAR)
        ycc = cv2.cvtColor(small, cv2.COLOR_BGR2YCrCb)
        sh, sw = ycc.shape[:2]
        # Each pixel's Cr, Cb bytes read as one little-endian uint16 index, without a copy.
        index = np.ndarray((sh, sw), "<u2", ycc, offset=1, strides=(ycc.strides[0], 3))
        alpha_s, towards_s = cv2.split(state.table.take(index).view(np.uint8).reshape(sh, sw, 2))
        # What is kept (the host), at half size, KEPT_MARGIN wider and starting on a multiple
        # of 4 full-size pixels; it alone is scaled up and coloured.
        kx, ky, kw, kh = cv2.boundingRect(alpha_s)
        if kw == 0:  # nothing kept: one transparent pixel stands for the picture
            return image[:1, :1], np.zeros((1, 1), np.uint8), (0, 0)
        m = KEPT_MARGIN // 2
        hx0, hy0 = max(kx - m, 0) & ~1, max(ky - m, 0) & ~1
        hx1, hy1 = min(kx + kw + m, sw), min(ky + kh + m, sh)
        x0, y0 = hx0 * 2, hy0 * 2
        x1, y1 = (w if hx1 == sw else hx1 * 2), (h if hy1 == sh else hy1 * 2)
        alpha = cv2.resize(
            alpha_s[hy0:hy1, hx0:hx1], (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR
        )
        kept = image[y0:y1, x0:x1]
        if not state.despill:
            return kept, alpha, (x0, y0)
        # Spill is taken off only what is kept and has spill, not the screen the alpha hides.
        bx, by, bw, bh = cv2.boundingRect(cv2.min(alpha_s, towards_s))
        if bw == 0:
            return kept, alpha, (x0, y0)
        sx0, sy0 = max(bx - 1, hx0), max(by - 1, hy0)
        sx1, sy1 = min(bx + bw + 1, hx1), min(by + bh + 1, hy1)
        fx0, fy0 = sx0 * 2, sy0 * 2
        fx1, fy1 = (x1 if sx1 == hx1 else sx1 * 2), (y1 if sy1 == hy1 else sy1 * 2)
        towards = cv2.resize(
            towards_s[sy0:sy1, sx0:sx1], (fx1 - fx0, fy1 - fy0), interpolation=cv2.INTER_LINEAR
        )
        out = kept.copy()
        roi = out[fy0 - y0 : fy1 - y0, fx0 - x0 : fx1 - x0]
        # Chroma moved against the key at constant brightness: some channels up, some down
        # (a diagonal 3×3 transform: OpenCV's fast path, unlike a 1 → 3 channel one).
        spill = cv2.cvtColor(towards, cv2.COLOR_GRAY2BGR)
        cv2.add(roi, cv2.transform(spill, state.lift), dst=roi)
        cv2.subtract(roi, cv2.transform(spill, state.lower), dst=roi)
        return out, alpha, (x0, y0)
