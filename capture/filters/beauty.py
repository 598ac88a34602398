"""Beauty (美颜): skin smoothing that keeps eyes, brows, lips and hair sharp, and brightening —
what every Chinese live-commerce app turns on by default.

How, within a few milliseconds a 1080p frame:

- **Where** — a soft skin mask from the chroma (YCrCb's skin cluster), worked out at a
  quarter of the size: eyes, brows, lips' edges, hair, clothes and the products are not
  skin-coloured and are left as they are.
- **What** — a *guided filter* of the brightness (He et al.; edge-preserving: it flattens
  what varies little — pores, blotches, fine wrinkles — and keeps what varies much — the
  edge of an eye or a nostril). Its coefficients come from the quarter-size picture (the
  "fast guided filter"); the correction is a brightness change only, so colours stay the
  host's own.
- **Full size** — the correction is a straight line in the full-size brightness whose two
  coefficients vary smoothly, so they are worked out at quarter size and scaled up, and the
  full-size pass is a multiply-add on one plane and one add to B, G, R (towards the smoothed
  brightness, so the finest pores go too), only inside the box that holds skin: the rest of
  the frame costs one copy.

`smoothing` is how much of the texture goes, `brightening` lifts the skin's shadows.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from capture.filters.base import Image, VideoFilter
from capture.properties import setting

#: The skin cluster in OpenCV's YCrCb (Chai & Ngan), widened a little for warm room light.
_CR = (133.0, 178.0)
_CB = (75.0, 130.0)
_EDGE_CR_CB = 6.0  # the mask fades over this many levels at the cluster's border
_RADIUS_Q = 3  # guided filter radius at quarter size (≈ 12 px at full size)


@dataclass(frozen=True, slots=True)
class BeautySettings:
    smoothing: float = setting(60.0, "Skin smoothing", minimum=0.0, maximum=100.0, unit="%")
    brightening: float = setting(20.0, "Brightening", minimum=0.0, maximum=100.0, unit="%")


@dataclass(frozen=True, slots=True)
class _State:
    strength: float  # 0…1: the share of the texture removed
    eps: float  # guided filter's ε (grey levels²): what counts as an edge
    lift: float  # 0…1: brightening
    skin_cr: np.ndarray  # 256×1 uint8: Cr → skin likelihood 0…255
    skin_cb: np.ndarray


def _ramp(lo: float, hi: float) -> np.ndarray:
    """256-entry likelihood that rises over `_EDGE_CR_CB` into [lo, hi] and falls after."""
    x = np.arange(256, dtype=np.float64)
    up = np.clip((x - lo + _EDGE_CR_CB) / _EDGE_CR_CB, 0, 1)
    down = np.clip((hi + _EDGE_CR_CB - x) / _EDGE_CR_CB, 0, 1)
    return np.round(np.minimum(up, down) * 255).astype(np.uint8).reshape(256, 1)


def skin_mask(small_bgr: Image, state: _State) -> np.ndarray:
    """0…255 skin likelihood of a (small) BGR picture (the planes split by OpenCV: a strided
    numpy channel is copied slowly on its way in)."""
    _, cr, cb = cv2.split(cv2.cvtColor(small_bgr, cv2.COLOR_BGR2YCrCb))
    mask = cv2.min(cv2.LUT(cr, state.skin_cr), cv2.LUT(cb, state.skin_cb))
    return cv2.blur(mask, (5, 5))  # no seams where skin begins


class Beauty(VideoFilter[BeautySettings]):
    kind = "beauty"
    label = "Beauty (skin smoothing)"
    Settings = BeautySettings

    def _prepare(self, settings: BeautySettings) -> _State:
        strength = settings.smoothing / 100.0
        return _State(
            strength=strength,
            eps=(4.0 + 20.0 * strength) ** 2,
            lift=settings.brightening / 100.0,
            skin_cr=_ramp(*_CR),
            skin_cb=_ramp(*_CB),
        )

    def _apply_bgr(self, image: Image, state: _State) -> Image:
        if state.strength == 0.0 and state.lift == 0.0:
            return image
        h, w = image.shape[:2]
        qw, qh = max(1, w // 4), max(1, h // 4)
        # The copy first: a camera frame comes cold from memory, and the copy's read brings it
        # into the cache for the shrink and the skin box (≈ 0.2 ms less a 1080p frame).
        out = image.copy()
        # An exact 4× shrink (of the frame but its last < 4 rows and columns), so a quarter
        # pixel is the same 4×4 block wherever the picture is cut (a keyed chain's box).
        quarter = cv2.resize(out[: qh * 4, : qw * 4], (qw, qh), interpolation=cv2.INTER_LINEAR)
        likely = skin_mask(quarter, state)
        found = cv2.boundingRect(cv2.threshold(likely, 5, 1, cv2.THRESH_BINARY)[1])  # > 2 %
        if found[2] == 0:
            return image  # no skin in the picture
        # The box that holds skin (quarter size, a little wider), and it at full size.
        qx, qy, bw, bh = found
        qx0, qy0 = max(qx - 2, 0), max(qy - 2, 0)
        qx1, qy1 = min(qx + bw + 2, qw), min(qy + bh + 2, qh)
        x0, y0 = qx0 * 4, qy0 * 4
        x1, y1 = (w if qx1 == qw else qx1 * 4), (h if qy1 == qh else qy1 * 4)
        grey_q = cv2.cvtColor(quarter[qy0:qy1, qx0:qx1], cv2.COLOR_BGR2GRAY).astype(np.float32)
        a, b = _guided_coefficients(grey_q, _RADIUS_Q, state.eps)
        skin = likely[qy0:qy1, qx0:qx1].astype(np.float32) * (1.0 / 255.0)
        # With smoothed = a·grey + b, the change at full size is
        #   weight · (smoothed − grey) + skin · (255 − smoothed) · 0.3 · lift
        # (the texture goes where skin and not an edge — a ≈ 1 on the outline of an eye, the
        # lips —, the shadows lift, more where darker), i.e. change = p · grey + q with p and
        # q smooth: worked out at quarter size and scaled up, 128 added to carry the sign.
        weight = skin * (1.0 - a) * state.strength
        lift = skin * (0.3 * state.lift)
        p = weight * (a - 1.0) - lift * a
        q = weight * b + lift * (255.0 - b) + 128.0
        full = (x1 - x0, y1 - y0)
        p, q = (cv2.resize(c, full, interpolation=cv2.INTER_LINEAR) for c in (p, q))
        target = out[y0:y1, x0:x1]
        grey = cv2.cvtColor(target, cv2.COLOR_BGR2GRAY).astype(np.float32)
        change = cv2.add(cv2.multiply(p, grey), q, dtype=cv2.CV_8U)  # saturating: ±127 levels
        cv2.addWeighted(
            target, 1.0, cv2.cvtColor(change, cv2.COLOR_GRAY2BGR), 1.0, -128.0, dst=target
        )
        return out


def _guided_coefficients(
    grey: np.ndarray, radius: int, eps: float
) -> tuple[np.ndarray, np.ndarray]:
    """The guided filter's (a, b), already averaged, for the picture guiding itself:
    smoothed = a · grey + b, with a ≈ 1 on edges (kept) and a ≈ 0 on flat skin (averaged)."""
    k = (2 * radius + 1, 2 * radius + 1)
    mean = cv2.blur(grey, k)
    var = cv2.blur(grey * grey, k) - mean * mean
    a = var / (var + eps)
    b = mean - a * mean
    return cv2.blur(a, k), cv2.blur(b, k)
