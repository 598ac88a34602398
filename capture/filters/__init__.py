"""Video filters on a source, as OBS's filters: each kind one module against the contract in
`capture/filters/base.py`, registered here by its kind name.

Adding a filter: write `capture/filters/<kind>.py` (a `VideoFilter` subclass with its
`Settings`), then add the class to `_KINDS` below. Saved scenes name filters by `kind` and
store their settings with `capture.properties.to_dict`; `create_filter()` builds one back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from capture.filters.base import Alpha, FilterError, Image, VideoFilter, join_alpha, split_alpha
from capture.filters.beauty import Beauty
from capture.filters.chroma_key import ChromaKey
from capture.filters.color_correction import ColorCorrection
from capture.filters.sharpen import Sharpen
from capture.properties import from_dict

_KINDS: tuple[type[VideoFilter[Any]], ...] = (ChromaKey, ColorCorrection, Beauty, Sharpen)

#: Every filter kind by its stable name, in the order a filter menu lists them.
FILTERS: dict[str, type[VideoFilter[Any]]] = {cls.kind: cls for cls in _KINDS}


def create_filter(kind: str, settings: Mapping[str, Any] | None = None) -> VideoFilter[Any]:
    """A filter of `kind` with `settings` as a saved scene stores them (missing or invalid
    values take their defaults, see `properties.from_dict`). An unknown kind (a scene saved by
    a newer LiveDesk) raises `FilterError` with a plain message."""
    cls = FILTERS.get(kind)
    if cls is None:
        raise FilterError(f'Unknown video filter "{kind}"; it was skipped.')
    return cls(from_dict(cls.Settings, dict(settings or {})))


#: Kept around what a key keeps, in pixels: more than any filter after it reaches (a sharpen
#: of radius 5 reaches 10), so what can be seen is filtered as on the whole picture.
_KEPT_MARGIN = 16


@dataclass(frozen=True, slots=True)
class Filtered:
    """A picture through a filter chain: BGR and a separate alpha (None: opaque), never packed
    between filters. Once a key has made the screen transparent, the chain goes on with only
    the box that keeps something (the host, not the screen), so the filters after the key and
    the blend work on that box: `bgr` and `alpha` are then that box, at (`x`, `y`) in a
    picture of `size` (w, h); everything outside it is transparent."""

    bgr: Image
    alpha: Alpha
    size: tuple[int, int]
    x: int = 0
    y: int = 0

    @property
    def cropped(self) -> bool:
        return (self.bgr.shape[1], self.bgr.shape[0]) != self.size

    def whole(self) -> Image:
        """The picture at its own size: BGR, or BGRA (transparent outside the box)."""
        if self.alpha is None:
            return self.bgr
        image = join_alpha(self.bgr, self.alpha)
        if not self.cropped:
            return image
        whole = np.zeros((self.size[1], self.size[0], 4), np.uint8)
        h, w = image.shape[:2]
        whole[self.y : self.y + h, self.x : self.x + w] = image
        return whole


def apply_filters(filters: Sequence[VideoFilter[Any]], image: Image) -> Image:
    """`image` through each filter in order (a source's filter list, top to bottom)."""
    return filter_chain(filters, image).whole()


def filter_chain(filters: Sequence[VideoFilter[Any]], image: Image) -> Filtered:
    """`image` through each filter in order (see `Filtered`): split into BGR and alpha once,
    and cut to what a key keeps as soon as one has keyed."""
    bgr, alpha = split_alpha(image)
    x = y = 0
    for filt in filters:
        bgr, alpha = filt.process(bgr, alpha)
        if filt.keys and alpha is not None:
            bx, by, bw, bh = cv2.boundingRect(alpha)
            if bw == 0:  # nothing kept: a one-pixel transparent picture stands for it
                bx, by, bw, bh = 0, 0, 1, 1
            h, w = alpha.shape
            x0, y0 = max(bx - _KEPT_MARGIN, 0) & ~3, max(by - _KEPT_MARGIN, 0) & ~3
            x1, y1 = min(bx + bw + _KEPT_MARGIN, w), min(by + bh + _KEPT_MARGIN, h)
            bgr, alpha = bgr[y0:y1, x0:x1], alpha[y0:y1, x0:x1]
            x, y = x + x0, y + y0
    return Filtered(bgr, alpha, (image.shape[1], image.shape[0]), x, y)


__all__ = [
    "FILTERS",
    "Alpha",
    "FilterError",
    "Filtered",
    "Image",
    "VideoFilter",
    "apply_filters",
    "create_filter",
    "filter_chain",
]
