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
channel passes through a colour filter untouched (the base class splits it off), and a keying
filter (`keys = True`) returns BGRA.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

import numpy as np

from capture.properties import from_dict

S = TypeVar("S")

Image = np.ndarray  # BGR uint8 H×W×3 or BGRA uint8 H×W×4


class VideoFilter(Generic[S]):
    """Base class. Subclasses set `kind`, `label`, `Settings`, and implement `_prepare()`
    (settings → the precomputed state `apply()` uses) and `_apply_bgr()`."""

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
        state = self._state  # one read: an update() meanwhile applies from the next frame
        if image.shape[2] == 3:
            return self._apply_bgr(image, state)
        out = self._apply_bgr(np.ascontiguousarray(image[:, :, :3]), state)
        if out.shape[2] == 4:  # a key on an already keyed image: both cut-outs hold
            out[:, :, 3] = np.minimum(out[:, :, 3], image[:, :, 3])
            return out
        return np.dstack((out, image[:, :, 3]))

    def _prepare(self, settings: S) -> Any:
        """What `apply()` needs, computed from `settings` (immutable once returned)."""
        return settings

    def _apply_bgr(self, image: Image, state: Any) -> Image:
        """Filter a BGR image with the state `_prepare()` built: a new array (BGRA, always
        fresh, for a keying filter), or `image` itself if nothing changes."""
        raise NotImplementedError


class FilterError(ValueError):
    """A filter cannot be built as asked (an unknown kind, an unreadable LUT file). The message
    is plain words a host can read; `capture/` messages are English, translated by the view."""
