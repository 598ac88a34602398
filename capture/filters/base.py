"""The one contract every video filter fulfils, as OBS's filters do.

A filter is a class with a frozen `Settings` dataclass (fields declared with
`capture.properties.setting`, so its panel is generated), `__init__(settings)`,
`update(settings)` and `apply(image) -> image`. A filter kind is one module against this
contract plus its line in `capture/filters/__init__.py`.

Threads: `apply()` runs on the compositor's thread, `update()` on whichever thread the host's
edit arrives (usually the GUI's). A filter keeps everything `apply()` needs in one immutable
`_state` object that `update()` rebuilds and swaps in one assignment, so neither side locks
and `apply()` never sees half an update.

Images: BGR `uint8` H×W×3, or BGRA H×W×4 once a chroma key upstream has made some of it
transparent. `apply()` never changes the size and never writes into its input; the alpha
channel passes through a colour filter untouched, and a keying filter (`keys = True`)
returns BGRA.

Inside a chain (`process()`), the picture travels as BGR plus a separate alpha plane: packing
and unpacking a 1080p BGRA frame costs more than most filters (≈ 13 ms for `np.dstack`), so a
chain splits once and the compositor blends the two planes without joining them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import cv2
import numpy as np

from capture.properties import from_dict

S = TypeVar("S")

Image = np.ndarray  # BGR uint8 H×W×3 or BGRA uint8 H×W×4
Alpha = np.ndarray | None  # H×W uint8, None = opaque
#: Kept around what a key keeps, in pixels (a multiple of 4): more than any filter after it
#: reaches (beauty ≈ 32 px, a sharpen of radius 5 10 px), so what can be seen is filtered as on
#: the whole picture.
KEPT_MARGIN = 32


def split_alpha(image: Image) -> tuple[Image, Alpha]:
    """(BGR, alpha or None) of a BGR or BGRA picture (OpenCV copies, no strided numpy)."""
    if image.shape[2] == 3:
        return image, None
    return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR), cv2.extractChannel(image, 3)


def join_alpha(bgr: Image, alpha: Alpha) -> Image:
    """The BGRA picture of BGR and its alpha (BGR itself when there is no alpha)."""
    if alpha is None:
        return bgr
    out = cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA)
    out[:, :, 3] = alpha
    return out


class VideoFilter(Generic[S]):
    """Base class. Subclasses set `kind`, `label`, `Settings`, and implement `_prepare()`
    (settings → the precomputed state `apply()` uses) and `_apply_bgr()` (a colour filter)
    or `_apply_key()` (a keying filter)."""

    #: Stable id used in saved scenes and the registry, e.g. "color_correction".
    kind: ClassVar[str] = ""
    #: English source text for the filter menu; views translate it in the "Filters" context.
    label: ClassVar[str] = ""
    #: The settings dataclass (fields declared with `setting()`).
    Settings: ClassVar[type[Any]]
    #: True for a filter that makes pixels transparent: `apply()` returns BGRA.
    keys: ClassVar[bool] = False

    def __init__(self, settings: S | None = None) -> None:
        self._settings: S = settings if settings is not None else self.Settings()
        self._state: Any = self._prepare(self._settings)

    @property
    def settings(self) -> S:
        return self._settings

    def update(self, settings: S) -> None:
        """Take new settings; the next `apply()` uses them. Precomputation (tables, kernels)
        happens here, once per edit, not per frame."""
        state = self._prepare(settings)
        self._settings, self._state = settings, state

    def update_from_dict(self, data: Any) -> None:
        """`update()` from a saved scene's dict (never raises; see `properties.from_dict`)."""
        self.update(from_dict(self.Settings, data))

    def apply(self, image: Image) -> Image:
        """The filtered image. It may be `image` itself when the settings change nothing;
        `image` is never written to."""
        if image.shape[2] == 3 and not self.keys:
            return self._apply_bgr(image, self._state)
        bgr, alpha, (x, y) = self.process(*split_alpha(image))
        return Filtered(bgr, alpha, (image.shape[1], image.shape[0]), x, y).whole()

    def process(self, bgr: Image, alpha: Alpha) -> tuple[Image, Alpha, tuple[int, int]]:
        """The filter on a BGR picture with its separate alpha (a chain's form): a colour
        filter passes alpha through; a key's cut-out joins one made upstream, and only the
        box that keeps something comes back, with where it sits in the picture."""
        state = self._state  # one read: an update() meanwhile applies from the next frame
        if not self.keys:
            return self._apply_bgr(bgr, state), alpha, (0, 0)
        out, cut, (x, y) = self._apply_key(bgr, state)
        if alpha is not None:
            h, w = cut.shape[:2]
            cut = cv2.min(cut, alpha[y : y + h, x : x + w])
        return out, cut, (x, y)

    def _prepare(self, settings: S) -> Any:
        """What `apply()` needs, computed from `settings` (immutable once returned)."""
        return settings

    def _apply_bgr(self, image: Image, state: Any) -> Image:
        """Filter a BGR image with the state `_prepare()` built: a new array, or `image`
        itself if nothing changes."""
        raise NotImplementedError

    def _apply_key(self, image: Image, state: Any) -> tuple[Image, np.ndarray, tuple[int, int]]:
        """A keying filter: what it keeps, as (BGR, alpha, (x, y)) — the box of `image` at
        (x, y) holding every pixel it keeps, `KEPT_MARGIN` wider (all outside is transparent).
        BGR may be a view of `image` when the key changes no colour."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Filtered:
    """A picture through filters: BGR and a separate alpha (None: opaque), never packed
    between filters. Once a key has made the screen transparent, filters go on with only the
    box that keeps something (the host, not the screen), and so does the blend: `bgr` and
    `alpha` are then that box, at (`x`, `y`) in a picture of `size` (w, h)."""

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


class FilterError(ValueError):
    """A filter cannot be built as asked (an unknown kind, an unreadable LUT file). The message
    is plain words a host can read; `capture/` messages are English, translated by the view."""
