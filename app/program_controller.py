"""`ProgramController`: the program on the console core (`core.program`) — what viewers see
and hear.

It owns the show's scenes (saved per show as readable JSON in the data folder,
`scenes/<show>.json`), the compositor that turns them into program frames off the GUI thread,
and the audio mix. Its outputs are what every output carries:

- `video`: `MediaBus[VideoFrame]` — program frames at the canvas size (same type as
  `core.media.video`);
- `audio`: `MediaBus[AudioBlock]` — the program mix (the microphone after the voice chain,
  plus the sound of video layers that send it), house format;
- `preview_video`: in studio mode, the scene being prepared.

Every edit makes a new frozen `Show` (one reference swap for the compositor), is announced by
`show_changed` and saved (debounced). Switching: `switch_to(scene, transition)` live, or in
studio mode `set_preview(scene)` then `take()`.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.media_controller import MediaController
from app.paths import data_dir
from app.settings import Settings
from capture.bus import MediaBus
from capture.file_source import FileSource
from capture.levels import LevelTracker
from capture.media import AudioBlock, VideoFrame
from capture.program.canvas import CANVASES, canvas_size
from capture.program.compositor import MAX_FADE_S, Compositor, Transition
from capture.program.feeds import FeedPool
from capture.program.kinds import CONSOLE_CAMERA, LAYER_KINDS
from capture.program.layer import Layer, Placement
from capture.program.mixer import AudioMixer, MixSettings
from capture.program.scene import (
    Scene,
    SceneFileError,
    Show,
    default_show,
    load_show,
    new_layer,
    new_scene_id,
    save_show,
)
from capture.properties import from_dict, to_dict

log = logging.getLogger(__name__)

SECTION = "program"
DEFAULT_SHOW = "default"
MICROPHONE = "microphone"
SAVE_DELAY_MS = 500
TRANSITIONS = ("cut", "fade")


def scenes_dir() -> Path:
    return data_dir() / "scenes"


class ProgramController(QObject):
    #: The show after an edit (GUI thread).
    show_changed = Signal(object)
    #: Studio mode switched on or off.
    studio_changed = Signal(bool)
    #: A problem the host should read, plain words (a source gone, a scene file damaged).
    notice = Signal(str)
    _problem = Signal(str)  # from the compositor's thread

    def __init__(
        self,
        settings: Settings,
        media: MediaController,
        parent: QObject | None = None,
        show_file: Path | None = None,
        persist: bool = True,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._media = media
        saved = settings.section(SECTION)
        self.path = show_file or scenes_dir() / f"{saved.get('show') or DEFAULT_SHOW}.json"
        self._persist = persist
        self._load_problems: list[str] = []
        self._show = self._load()
        self.transition: Transition = (
            str(saved.get("transition", "fade")),
            min(MAX_FADE_S, float(saved.get("transition_s", MAX_FADE_S))),
        )
        self.studio = False
        self.feeds = FeedPool(shared={CONSOLE_CAMERA: media.video})
        self.compositor = Compositor(self.feeds)
        self.compositor.on_problem = self._problem.emit
        self.feeds.on_problem = lambda source, text: self._problem.emit(
            f"The source {source} stopped: {text} The program goes on without it."
        )
        self._problem.connect(self.notice.emit)
        self.mixer = AudioMixer()
        self._mix: dict[str, MixSettings] = {
            key: from_dict(MixSettings, value) for key, value in (saved.get("mix") or {}).items()
        }
        self.mixer.add(MICROPHONE, "Microphone", media.audio, self.mix_settings(MICROPHONE))
        self._layer_audio: dict[str, FileSource] = {}
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save)

    # -- outputs ----------------------------------------------------------------------------
    @property
    def video(self) -> MediaBus[VideoFrame]:
        """The program frames, at the canvas size."""
        return self.compositor.video

    @property
    def preview_video(self) -> MediaBus[VideoFrame]:
        """Studio mode: the scene being prepared."""
        return self.compositor.preview_video

    @property
    def audio(self) -> MediaBus[AudioBlock]:
        """The program mix, house format."""
        return self.mixer.audio

    @property
    def show(self) -> Show:
        return self._show

    @property
    def size(self) -> tuple[int, int]:
        return self._show.size

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        for problem in self._load_problems:
            self.notice.emit(problem)
        self._load_problems = []
        self.compositor.set_show(self._show)
        self.compositor.start()
        self._sync_audio()

    def stop(self) -> None:
        self.compositor.stop()
        for source_id in list(self._layer_audio):
            self._drop_audio(source_id)
        self.mixer.close()
        if self._save_timer.isActive():
            self.save()

    def _load(self) -> Show:
        if not self.path.exists():
            return default_show()
        try:
            show, skipped = load_show(self.path)
        except SceneFileError as exc:
            aside = self.path.with_name(self.path.name + ".corrupt")
            if self._persist:
                try:
                    os.replace(self.path, aside)
                except OSError:
                    pass
            self._load_problems.append(f"{exc} Starting with one camera scene.")
            return default_show()
        self._load_problems.extend(f"Skipped {what}." for what in skipped)
        return show

    def save(self) -> None:
        if not self._persist:
            return
        try:
            save_show(self._show, self.path)
        except OSError as exc:
            self.notice.emit(f"The scenes could not be saved to {self.path} ({exc}).")

    def _commit(self, show: Show, transition: Transition | None = None) -> None:
        self._show = show
        self.compositor.set_show(show, transition)
        self._sync_audio()
        self.show_changed.emit(show)
        if self._persist:
            self._save_timer.start()

    def use_show(self, show: Show) -> None:
        """Show `show` from now on (a scene file opened, a headless show's own)."""
        self._commit(show)

    # -- the canvas -------------------------------------------------------------------------
    def set_canvas(self, canvas: str) -> None:
        """Change the show's canvas; layers are scaled with it so scenes keep their look."""
        if canvas not in CANVASES or canvas == self._show.canvas:
            return
        (ow, oh), (nw, nh) = self._show.size, canvas_size(canvas)
        sx, sy = nw / ow, nh / oh

        def moved(layer: Layer) -> Layer:
            p = layer.placement
            if (p.x, p.y, p.width, p.height) == (0, 0, ow, oh):  # full frame stays full frame
                return layer.replace(placement=dataclasses.replace(p, width=nw, height=nh))
            s = min(sx, sy)  # graphics keep their shape
            w, h = max(2, round(p.width * s)), max(2, round(p.height * s))
            cx, cy = (p.x + p.width / 2) * sx, (p.y + p.height / 2) * sy
            return layer.replace(
                placement=dataclasses.replace(
                    p, x=round(cx - w / 2), y=round(cy - h / 2), width=w, height=h
                )
            )

        scenes = tuple(
            s.replace(layers=tuple(moved(x) for x in s.layers)) for s in self._show.scenes
        )
        self._commit(self._show.replace(canvas=canvas, scenes=scenes))

    # -- scenes -----------------------------------------------------------------------------
    def scene(self, scene_id: str) -> Scene:
        found = self._show.scene(scene_id)
        if found is None:
            raise KeyError(scene_id)
        return found

    def add_scene(self, name: str, copy_of: str | None = None) -> str:
        base = self._show.scene(copy_of) if copy_of else None
        if base is not None:
            layers = tuple(
                layer.replace(id=new_layer(layer.kind, self._show.canvas).id)
                for layer in base.layers
            )
        else:
            layers = (new_layer("video", self._show.canvas, "Camera"),)
        scene = Scene(new_scene_id(), name, layers)
        self._commit(self._show.replace(scenes=(*self._show.scenes, scene)))
        return scene.id

    def remove_scene(self, scene_id: str) -> bool:
        """False when it is the last scene (a show always has one)."""
        scenes = tuple(s for s in self._show.scenes if s.id != scene_id)
        if not scenes or len(scenes) == len(self._show.scenes):
            return False
        program = self._show.program if self._show.program != scene_id else scenes[0].id
        preview = self._show.preview if self._show.preview != scene_id else program
        self._commit(self._show.replace(scenes=scenes, program=program, preview=preview))
        return True

    def move_scene(self, scene_id: str, delta: int) -> None:
        scenes = list(self._show.scenes)
        i = next(i for i, s in enumerate(scenes) if s.id == scene_id)
        j = min(max(i + delta, 0), len(scenes) - 1)
        scenes.insert(j, scenes.pop(i))
        self._commit(self._show.replace(scenes=tuple(scenes)))

    def rename_scene(self, scene_id: str, name: str) -> None:
        self._replace_scene(self.scene(scene_id).replace(name=name.strip() or "Scene"))

    def set_hotkey(self, scene_id: str, hotkey: str) -> None:
        self._replace_scene(self.scene(scene_id).replace(hotkey=hotkey))

    def _replace_scene(self, scene: Scene, transition: Transition | None = None) -> None:
        scenes = tuple(scene if s.id == scene.id else s for s in self._show.scenes)
        self._commit(self._show.replace(scenes=scenes), transition)

    # -- switching --------------------------------------------------------------------------
    def set_transition(self, kind: str, seconds: float) -> None:
        if kind not in TRANSITIONS:
            raise ValueError(f"unknown transition {kind!r}")
        self.transition = (kind, min(MAX_FADE_S, max(0.0, seconds)))
        self._settings.update_section(
            SECTION, {"transition": kind, "transition_s": self.transition[1]}
        )

    def switch_to(self, scene_id: str, transition: Transition | None = None) -> None:
        """Put `scene_id` on air (with the show's transition unless one is given). In studio
        mode this prepares it in the preview instead; `take()` puts it on air."""
        self.scene(scene_id)
        if self.studio:
            self.set_preview(scene_id)
            return
        self._commit(
            self._show.replace(program=scene_id, preview=scene_id), transition or self.transition
        )

    def set_studio(self, on: bool) -> None:
        if on == self.studio:
            return
        self.studio = on
        self.compositor.set_studio(on)
        if not on:
            self._commit(self._show.replace(preview=self._show.program))
        self.studio_changed.emit(on)

    def set_preview(self, scene_id: str) -> None:
        self.scene(scene_id)
        self._commit(self._show.replace(preview=scene_id))

    def take(self, transition: Transition | None = None) -> None:
        """Studio mode: the prepared scene goes on air; the one that was on air is prepared."""
        show = self._show
        if show.preview == show.program:
            return
        self._commit(
            show.replace(program=show.preview, preview=show.program),
            transition or self.transition,
        )

    # -- layers -----------------------------------------------------------------------------
    def add_layer(self, scene_id: str, kind: str) -> str:
        """A new layer of `kind` on top of the scene; returns its id."""
        if kind not in LAYER_KINDS:
            raise ValueError(f"unknown layer kind {kind!r}")
        scene = self.scene(scene_id)
        layer = new_layer(kind, self._show.canvas)
        self._replace_scene(scene.replace(layers=(*scene.layers, layer)))
        return layer.id

    def remove_layer(self, scene_id: str, layer_id: str) -> None:
        scene = self.scene(scene_id)
        self._replace_scene(
            scene.replace(layers=tuple(x for x in scene.layers if x.id != layer_id))
        )

    def move_layer(self, scene_id: str, layer_id: str, delta: int) -> None:
        """Up (+1) or down (−1) in the z-order."""
        scene = self.scene(scene_id)
        layers = list(scene.layers)
        i = next(i for i, x in enumerate(layers) if x.id == layer_id)
        j = min(max(i + delta, 0), len(layers) - 1)
        layers.insert(j, layers.pop(i))
        self._replace_scene(scene.replace(layers=tuple(layers)))

    def update_layer(self, scene_id: str, layer_id: str, **changes: Any) -> None:
        """Change a layer's `settings`, `placement`, `visible`, `name` or `filters`."""
        scene = self.scene(scene_id)
        layer = scene.layer(layer_id)
        if layer is None:
            raise KeyError(layer_id)
        if "settings" in changes and type(changes["settings"]) is not type(layer.settings):
            raise TypeError("settings of another layer kind")
        new = layer.replace(**changes)
        if new == layer:
            return
        self._replace_scene(
            scene.replace(layers=tuple(new if x.id == layer_id else x for x in scene.layers))
        )

    def move_layer_to(self, scene_id: str, layer_id: str, x: int, y: int) -> None:
        """Drag on the preview: the layer's top-left corner at (x, y) canvas pixels."""
        layer = self.scene(scene_id).layer(layer_id)
        if layer is not None:
            placement: Placement = dataclasses.replace(layer.placement, x=x, y=y)
            self.update_layer(scene_id, layer_id, placement=placement)

    # -- audio mix --------------------------------------------------------------------------
    def mix_settings(self, input_id: str) -> MixSettings:
        return self._mix.get(input_id, MixSettings())

    def set_mix(self, input_id: str, settings: MixSettings) -> None:
        self._mix[input_id] = settings
        self.mixer.configure(input_id, settings)
        self._settings.update_section(
            SECTION, {"mix": {k: to_dict(v) for k, v in self._mix.items()}}
        )

    def mix_inputs(self) -> list[tuple[str, str, MixSettings]]:
        return self.mixer.inputs()

    def meter(self, input_id: str | None = None) -> LevelTracker | None:
        """The meter of one input, or of the mix (None)."""
        return self.mixer.meter if input_id is None else self.mixer.meter_of(input_id)

    def _sync_audio(self) -> None:
        """Video layers on air that send their sound are inputs of the mix; nothing else."""
        wanted = {
            layer.settings.source
            for layer in self._show.program_scene().layers
            if layer.kind == "video"
            and layer.visible
            and layer.settings.audio
            and layer.settings.source != CONSOLE_CAMERA
        }
        for source_id in [s for s in self._layer_audio if s not in wanted]:
            self._drop_audio(source_id)
        for source_id in wanted - set(self._layer_audio):
            path = source_id.removeprefix("file:").split("?")[0]
            if not Path(path).is_file():
                continue  # live inputs' sound comes with the source registry
            source = FileSource(path, "audio", loop=True)
            self._layer_audio[source_id] = source
            self.mixer.add(source_id, Path(path).name, source, self.mix_settings(source_id))  # type: ignore[arg-type]
            source.start()

    def _drop_audio(self, source_id: str) -> None:
        source = self._layer_audio.pop(source_id)
        self.mixer.remove(source_id)
        source.stop()
