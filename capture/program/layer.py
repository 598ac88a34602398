"""The layer contract: what a scene is made of.

A **layer** places one source in the frame: where (`Placement`: position, size, crop,
rotation, opacity; z-order is its place in the scene's list) and what (`kind` and that kind's
settings). A layer kind is one module in `capture/program/kinds/` with a `LayerRenderer`
subclass; its settings are a frozen dataclass described once with `capture.properties.setting`,
so the panel that edits it is generated.

Threads: renderers are created, updated and asked for pictures on the compositor's thread only
(the compositor hands them the GUI's edits), so they need no locks.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import numpy as np

from capture.media import VideoFrame
from capture.properties import from_dict, setting, to_dict

S = TypeVar("S")

FIT_CHOICES = (
    ("fit", "Fit inside (keep shape)"),
    ("fill", "Fill (crop to shape)"),
    ("stretch", "Stretch"),
)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a layer sits on the canvas, in canvas pixels."""

    x: int = setting(0, "X", minimum=-8000, maximum=8000, unit="px")
    y: int = setting(0, "Y", minimum=-8000, maximum=8000, unit="px")
    width: int = setting(1920, "Width", minimum=2, maximum=8000, unit="px")
    height: int = setting(1080, "Height", minimum=2, maximum=8000, unit="px")
    fit: str = setting("fit", "Scaling", choices=FIT_CHOICES)
    crop_left: int = setting(0, "Crop left", minimum=0, maximum=8000, unit="px")
    crop_top: int = setting(0, "Crop top", minimum=0, maximum=8000, unit="px")
    crop_right: int = setting(0, "Crop right", minimum=0, maximum=8000, unit="px")
    crop_bottom: int = setting(0, "Crop bottom", minimum=0, maximum=8000, unit="px")
    rotation: float = setting(0.0, "Rotation", minimum=-180.0, maximum=180.0, unit="°", step=1.0)
    opacity: float = setting(100.0, "Opacity", minimum=0.0, maximum=100.0, unit="%", step=1.0)


@dataclass(frozen=True, slots=True)
class Picture:
    """What a renderer shows now: BGR (opaque) or BGRA (straight alpha) uint8. `version`
    changes whenever the pixels do, so the compositor re-places only what changed."""

    image: np.ndarray
    version: int
    #: The capture time of a live frame (the program frame carries its main source's).
    pts_ns: int | None = None


class Feeds(Protocol):
    """Where video layers get their frames (the compositor's `FeedPool`)."""

    def latest(self, source_id: str) -> tuple[VideoFrame | None, float, str]:
        """(newest frame or None, its age in seconds, a problem in plain words or "")."""
        ...


class LayerRenderer(Generic[S]):
    """One layer kind. Subclasses set the class attributes and implement `render`."""

    #: Stable id used in saved scenes, e.g. "text".
    kind: ClassVar[str] = ""
    #: English source text for the "Add layer" menu (views translate it, "Properties" context).
    label: ClassVar[str] = ""
    Settings: ClassVar[type[Any]]
    #: Show graphics animate in and out and stay inside the safe area.
    graphic: ClassVar[bool] = False
    #: Layers that read a live source (their pictures change every frame).
    live: ClassVar[bool] = False

    def __init__(self, settings: S, feeds: Feeds) -> None:
        self.settings = settings
        self.feeds = feeds

    def update(self, settings: S) -> None:
        """New settings from the host; the next `render` shows them."""
        self.settings = settings

    def sources(self) -> tuple[str, ...]:
        """Source ids this layer reads (kept open while its scene may be shown)."""
        return ()

    def render(self, now_ns: int, width: int, height: int) -> Picture | None:
        """The picture for a box of `width`×`height` canvas pixels (drawn content is drawn at
        that size, so text is crisp; live video may come at its own size and is scaled)."""
        raise NotImplementedError

    def close(self) -> None:
        """The layer left the show (a renderer outlives switches away from its scene)."""


@dataclass(frozen=True, slots=True)
class FilterSpec:
    """A video filter on a layer: its kind (a key of `capture.filters.FILTERS`) and settings
    as stored (a dict, so a kind this build does not know survives a save)."""

    kind: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Layer:
    id: str
    kind: str
    name: str
    settings: Any
    placement: Placement = Placement()
    visible: bool = True
    filters: tuple[FilterSpec, ...] = ()

    def replace(self, **changes: Any) -> Layer:
        return dataclasses.replace(self, **changes)


def new_layer_id() -> str:
    return uuid.uuid4().hex[:12]


def layer_to_dict(layer: Layer) -> dict[str, Any]:
    return {
        "id": layer.id,
        "kind": layer.kind,
        "name": layer.name,
        "visible": layer.visible,
        "placement": to_dict(layer.placement),
        "settings": to_dict(layer.settings),
        "filters": [
            {"kind": f.kind, "enabled": f.enabled, "settings": dict(f.settings)}
            for f in layer.filters
        ],
    }


def layer_from_dict(data: Mapping[str, Any], settings_class: type[Any]) -> Layer:
    """A layer from a saved scene; missing or invalid values take their defaults."""
    filters = tuple(
        FilterSpec(str(f["kind"]), dict(f.get("settings") or {}), bool(f.get("enabled", True)))
        for f in data.get("filters") or ()
        if isinstance(f, Mapping) and isinstance(f.get("kind"), str)
    )
    return Layer(
        id=str(data.get("id") or new_layer_id()),
        kind=str(data["kind"]),
        name=str(data.get("name") or data["kind"]),
        settings=from_dict(settings_class, data.get("settings")),
        placement=from_dict(Placement, data.get("placement")),
        visible=bool(data.get("visible", True)),
        filters=filters,
    )
