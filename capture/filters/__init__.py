"""Video filters on a source, as OBS's filters: each kind one module against the contract in
`capture/filters/base.py`, registered here by its kind name.

Adding a filter: write `capture/filters/<kind>.py` (a `VideoFilter` subclass with its
`Settings`), then add the class to `_KINDS` below. Saved scenes name filters by `kind` and
store their settings with `capture.properties.to_dict`; `create_filter()` builds one back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from capture.filters.base import Alpha, Filtered, FilterError, Image, VideoFilter, split_alpha
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


def apply_filters(filters: Sequence[VideoFilter[Any]], image: Image) -> Image:
    """`image` through each filter in order (a source's filter list, top to bottom)."""
    return filter_chain(filters, image).whole()


def filter_chain(filters: Sequence[VideoFilter[Any]], image: Image) -> Filtered:
    """`image` through each filter in order (see `Filtered`): split into BGR and alpha once,
    and cut to what a key keeps as soon as one has keyed."""
    bgr, alpha = split_alpha(image)
    x = y = 0
    for filt in filters:
        bgr, alpha, (dx, dy) = filt.process(bgr, alpha)
        x, y = x + dx, y + dy
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
