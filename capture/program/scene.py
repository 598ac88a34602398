"""Scenes and the show's collection of them, and their readable JSON form.

A **scene** is an ordered list of layers, bottom first (z-order is the place in the list). A
**show** has a canvas, its scenes, the scene on air (`program`) and the one being prepared
(`preview`, for studio mode). All frozen: an edit makes a new `Show`, which the compositor
picks up by swapping one reference.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from capture.program.canvas import CANVASES, DEFAULT_CANVAS, canvas_size
from capture.program.kinds import CONSOLE_CAMERA, LAYER_KINDS
from capture.program.layer import Layer, Placement, layer_from_dict, layer_to_dict, new_layer_id

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Scene:
    id: str
    name: str
    layers: tuple[Layer, ...] = ()
    #: A key sequence in Qt's portable text form ("Ctrl+1"); "" = none.
    hotkey: str = ""

    def layer(self, layer_id: str) -> Layer | None:
        return next((layer for layer in self.layers if layer.id == layer_id), None)

    def replace(self, **changes: Any) -> Scene:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Show:
    canvas: str
    scenes: tuple[Scene, ...]
    program: str
    preview: str

    @property
    def size(self) -> tuple[int, int]:
        return canvas_size(self.canvas)

    def scene(self, scene_id: str) -> Scene | None:
        return next((s for s in self.scenes if s.id == scene_id), None)

    def program_scene(self) -> Scene:
        return self.scene(self.program) or self.scenes[0]

    def preview_scene(self) -> Scene:
        return self.scene(self.preview) or self.program_scene()

    def replace(self, **changes: Any) -> Show:
        return dataclasses.replace(self, **changes)


def new_scene_id() -> str:
    return uuid.uuid4().hex[:12]


def full_frame(canvas: str) -> Placement:
    w, h = canvas_size(canvas)
    return Placement(width=w, height=h)


def new_layer(kind: str, canvas: str, name: str = "") -> Layer:
    """A layer of `kind` with default settings, placed where that kind usually goes: video
    and colour fill the canvas, graphics sit in the lower third inside the safe area."""
    cls = LAYER_KINDS[kind]
    w, h = canvas_size(canvas)
    short = min(w, h)
    # (width, height) as shares of the short side, and the centre as shares of the canvas.
    spots = {
        "text": (0.9, 0.12, 0.5, 0.12),
        "image": (0.3, 0.3, 0.8, 0.2),
        "countdown": (0.34, 0.16, 0.78, 0.14),
        "product_card": (0.62, 0.2, 0.38, 0.8),
        "winners": (0.6, 0.36, 0.5, 0.45),
        "pinned_question": (0.62, 0.18, 0.5, 0.62),
        "pk_scoreboard": (0.9, 0.08, 0.5, 0.26),
    }
    spot = spots.get(kind)
    if spot is None:
        placement = full_frame(canvas)
        if h > w and kind == "video":  # a landscape camera fills a portrait canvas
            placement = Placement(width=w, height=h, fit="fill")
    else:
        gw, gh = round(short * spot[0]), round(short * spot[1])
        placement = Placement(
            x=round(w * spot[2] - gw / 2), y=round(h * spot[3] - gh / 2), width=gw, height=gh
        )
    return Layer(new_layer_id(), kind, name or cls.label, cls.Settings(), placement)


def default_show(canvas: str = DEFAULT_CANVAS) -> Show:
    """What a new show starts with: the console's camera, full frame, in one scene."""
    scene = Scene(new_scene_id(), "Camera", (new_layer("video", canvas, "Camera"),), "Ctrl+1")
    return Show(canvas, (scene,), scene.id, scene.id)


# --- JSON --------------------------------------------------------------------------------------


def show_to_dict(show: Show) -> dict[str, Any]:
    return {
        "version": FORMAT_VERSION,
        "canvas": show.canvas,
        "program": show.program,
        "preview": show.preview,
        "scenes": [
            {
                "id": s.id,
                "name": s.name,
                "hotkey": s.hotkey,
                "layers": [layer_to_dict(layer) for layer in s.layers],
            }
            for s in show.scenes
        ],
    }


class SceneFileError(ValueError):
    """A scene file that cannot be used; the message is plain words."""


def show_from_dict(data: Any) -> tuple[Show, list[str]]:
    """The show in `data` and what had to be skipped (layers of unknown kinds), in words.
    Raises `SceneFileError` if there is no usable scene at all."""
    if not isinstance(data, Mapping) or not isinstance(data.get("scenes"), list):
        raise SceneFileError("This is not a LiveDesk scene file (no list of scenes).")
    canvas = data.get("canvas")
    canvas = canvas if canvas in CANVASES else DEFAULT_CANVAS
    skipped: list[str] = []
    scenes: list[Scene] = []
    for raw in data["scenes"]:
        if not isinstance(raw, Mapping):
            continue
        layers: list[Layer] = []
        for item in raw.get("layers") or ():
            kind = item.get("kind") if isinstance(item, Mapping) else None
            cls = LAYER_KINDS.get(kind) if isinstance(kind, str) else None
            if cls is None:
                skipped.append(f"a layer of unknown kind {kind!r} in scene {raw.get('name')!r}")
                continue
            layers.append(layer_from_dict(item, cls.Settings))
        scenes.append(
            Scene(
                id=str(raw.get("id") or new_scene_id()),
                name=str(raw.get("name") or "Scene"),
                layers=tuple(layers),
                hotkey=str(raw.get("hotkey") or ""),
            )
        )
    if not scenes:
        raise SceneFileError("The scene file has no scenes.")
    ids = {s.id for s in scenes}
    program = data.get("program") if data.get("program") in ids else scenes[0].id
    preview = data.get("preview") if data.get("preview") in ids else program
    return Show(canvas, tuple(scenes), str(program), str(preview)), skipped


def load_show(path: Path) -> tuple[Show, list[str]]:
    """A saved show; `SceneFileError` in plain words when it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SceneFileError(f"The scene file {path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SceneFileError(f"The scene file {path} could not be read ({exc}).") from None
    except ValueError as exc:
        raise SceneFileError(f"The scene file {path} is damaged (not JSON: {exc}).") from None
    return show_from_dict(data)


def save_show(show: Show, path: Path) -> None:
    """Write atomically (a reader never sees half a file), readable and diffable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(
        json.dumps(show_to_dict(show), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    os.replace(tmp, path)


def video_sources(scene: Scene) -> tuple[str, ...]:
    return tuple(
        layer.settings.source for layer in scene.layers if layer.kind == "video" and layer.visible
    )


__all__ = ["CONSOLE_CAMERA", "Scene", "SceneFileError", "Show"]
