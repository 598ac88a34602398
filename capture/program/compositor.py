"""The compositor: turns the show's scenes into program frames, on its own thread, at the
output frame rate.

Each frame is built from the newest frame of each source (`FeedPool`) — never waiting for one:
a slow source repeats its last frame, a vanished one shows a placeholder. Frames are driven by
the scene's main video source (the lowest visible video layer), so a camera frame goes on air
as soon as it arrives (no extra frame of delay); if that source stalls, a deadline composes
anyway at the output rate. The program frame carries the main source's capture time.

Edits arrive as a whole new frozen `Show` (`set_show`), picked up at the next frame; renderers
live on this thread only. Switching scenes waits (≤ `PREROLL_S`) until the new scene's sources
have a frame — so a switch never shows black — then cuts, or fades over ≤ 300 ms. Show
graphics fade and slide in and out over `ANIMATION_S` when shown or hidden, inside the safe
area. Static layers are placed once (`Patch`) and re-blended only over their own rectangle; a
frame in which nothing changed is the previous frame again.

Outputs: `video` (the program, `MediaBus[VideoFrame]`) and, in studio mode, `preview_video`
(the scene being prepared, at half the rate).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from capture.bus import MediaBus
from capture.filters import Filtered, FilterError, VideoFilter, create_filter, filter_chain
from capture.media import VideoFrame, now_ns
from capture.program.blend import Patch, covers_canvas, make_patch, paint
from capture.program.canvas import Box, inside_safe_area
from capture.program.feeds import FeedPool
from capture.program.kinds import LAYER_KINDS
from capture.program.layer import Layer, LayerRenderer, Picture, Placement
from capture.program.scene import Scene, Show, video_sources
from capture.source import SourceState

log = logging.getLogger(__name__)

ANIMATION_S = 0.3
MAX_FADE_S = 0.3
PREROLL_S = 1.0
SLIDE_SHARE = 0.25  # of the graphic's height, from below
REPORT_EVERY_S = 10.0  # a failing layer is reported at most this often

Transition = tuple[str, float]  # ("cut" | "fade", seconds)


@dataclass
class _Switch:
    old: Scene
    new: Scene
    kind: str
    seconds: float
    asked: float
    started: float | None = None


@dataclass
class _Held:
    renderer: LayerRenderer[Any]
    layer: Layer
    key: Any = None
    patch: Patch | None = None
    shown_at: float = 0.0  # monotonic time visibility last changed (animations)
    visible: bool = True
    filters: tuple[VideoFilter[Any], ...] = ()
    filter_specs: tuple[Any, ...] = ()
    filtered: tuple[int, Filtered] | None = None  # (picture version, through the filters)


def ease(t: float) -> float:
    t = min(1.0, max(0.0, t))
    return t * t * (3 - 2 * t)


class Compositor:
    def __init__(self, feeds: FeedPool, fps: float = 30.0) -> None:
        self.feeds = feeds
        self.fps = fps
        self.video: MediaBus[VideoFrame] = MediaBus("program")
        self.preview_video: MediaBus[VideoFrame] = MediaBus("studio preview")
        #: Called on the compositor thread with a plain-words problem (source gone, bad layer).
        self.on_problem: Callable[[str], None] = lambda _text: None
        self._show: Show | None = None
        self._pending_switch: Transition | None = None
        self._studio = False
        self._on_air: Scene | None = None
        self._switch: _Switch | None = None
        self._held: dict[str, _Held] = {}
        self._synced: Show | None = None
        self._wake = threading.Event()
        self._clock_source = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last: tuple[Any, np.ndarray] | None = None
        self._stamped: tuple[int, int] | None = None  # (last program pts, its tick time) in ns
        self._main_pts: int | None = None  # the main source's capture time in the last frame
        self._index = 0
        self._reported = 0.0
        #: Per-frame composition cost in ns (the bench reads it), last 1,000 frames.
        self.costs_ns: list[int] = []
        feeds.on_frame = self._on_frame

    # -- control (any thread) --------------------------------------------------------------
    def set_show(self, show: Show, transition: Transition | None = None) -> None:
        """Compose `show` from the next frame; a changed program scene is switched to with
        `transition` (default: cut)."""
        self._pending_switch = transition
        self._show = show
        self._wake.set()

    def set_studio(self, on: bool) -> None:
        self._studio = on

    @property
    def on_air(self) -> str:
        """The id of the scene fully on air (the old one until a switch has finished)."""
        return self._on_air.id if self._on_air is not None else ""

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self.video._set_status(SourceState.RUNNING, "program")
        self._thread = threading.Thread(target=self._run, name="compositor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(3)
        for held in self._held.values():
            held.renderer.close()
        self._held.clear()
        self.feeds.close()
        self.video._set_status(SourceState.STOPPED)

    # -- the loop ----------------------------------------------------------------------------
    def _on_frame(self, source_id: str) -> None:
        if source_id == self._clock_source:
            self._wake.set()

    def _run(self) -> None:
        interval = 1.0 / self.fps
        last = 0.0
        while not self._stop.is_set():
            # Wait for the main source's next frame, or the deadline if it is late/absent.
            slack = 1.5 if self._clock_source else 1.0
            self._wake.wait(max(0.0, last + interval * slack - time.monotonic()))
            self._wake.clear()
            if self._stop.is_set():
                break
            early = last + interval * 0.75 - time.monotonic()
            if early > 0:  # a 60 fps camera must not make a 60 fps program
                time.sleep(early)
            last = time.monotonic()
            try:
                self.tick()
            except Exception:  # a broken layer must not take the program down
                log.exception("composition failed")
                if time.monotonic() - self._reported > REPORT_EVERY_S:
                    self._reported = time.monotonic()
                    self.on_problem("A layer could not be drawn; the program goes on.")
                time.sleep(interval)

    def tick(self) -> VideoFrame | None:
        """Compose and publish one program frame (the loop's body; benches call it)."""
        show = self._show
        if show is None:
            return None
        started = time.perf_counter_ns()
        now = time.monotonic()
        self._sync(show, now)
        assert self._on_air is not None
        switch = self._switch
        if switch is not None and switch.started is None:
            ready = all(self.feeds.has_frame(s) for s in video_sources(switch.new))
            if ready or now - switch.asked > PREROLL_S:
                switch.started = now
        if switch is not None and switch.started is not None:
            t = (now - switch.started) / switch.seconds if switch.seconds > 0 else 1.0
            if switch.kind == "cut" or t >= 1.0:
                self._on_air, self._switch = switch.new, None
                switch = None
        scene = switch.old if switch is not None else self._on_air
        image, pts = self.compose(scene, show.size, now)
        if switch is not None and switch.started is not None:
            incoming, pts_new = self.compose(switch.new, show.size, now)
            t = ease((now - switch.started) / switch.seconds)
            image = cv2.addWeighted(image, 1.0 - t, incoming, t, 0.0)
            pts = pts_new if t >= 0.5 else pts
            self._last = None
        self._index += 1
        frame = VideoFrame(image, self._stamp(pts, int(now * 1e9)), self._index)
        self.costs_ns.append(time.perf_counter_ns() - started)
        if len(self.costs_ns) > 1000:
            del self.costs_ns[:500]
        self.video.publish(frame)
        if self._studio and self._index % 2 == 0:
            preview = show.preview_scene()
            if preview.id != scene.id:
                p_image, p_pts = self.compose(preview, show.size, now, remember=False)
                self.preview_video.publish(VideoFrame(p_image, p_pts or now_ns(), self._index))
            else:
                self.preview_video.publish(frame)
        return frame

    def _stamp(self, pts: int | None, tick_ns: int) -> int:
        """The program frame's time: the main source's capture time, but always later than
        the previous frame's, or the encoder would squeeze the two together. A deadline frame
        over a stalled source (same picture) or no source is stamped with the time elapsed
        since the previous frame; a new picture from the past (a fade handing over to a source
        with more latency) follows just after it, until the source's own times overtake."""
        last = self._stamped
        if last is None:
            stamp = pts if pts is not None else tick_ns
        elif pts is None or pts == self._main_pts:
            stamp = last[0] + max(1, tick_ns - last[1])
        else:
            stamp = max(pts, last[0] + 1)
        self._main_pts, self._stamped = pts, (stamp, tick_ns)
        return stamp

    # -- scenes → renderers -------------------------------------------------------------------
    def _sync(self, show: Show, now: float) -> None:
        if show is self._synced:
            return
        previous, self._synced = self._synced, show
        program = show.program_scene()
        transition, self._pending_switch = self._pending_switch, None
        if self._on_air is None or previous is None:
            self._on_air = program
        elif self._switch is not None and self._switch.new.id == program.id:
            self._switch.new = program  # an edit to the scene being switched to
        elif program.id != (self._switch.new.id if self._switch else self._on_air.id):
            kind, seconds = transition or ("cut", 0.0)
            old = self._switch.new if self._switch is not None else self._on_air
            old = show.scene(old.id) or old
            self._switch = _Switch(old, program, kind, min(seconds, MAX_FADE_S), now)
        else:
            self._on_air = program
        if self._switch is not None:
            self._switch.old = show.scene(self._switch.old.id) or self._switch.old
        scenes = [self._on_air] + ([self._switch.new, self._switch.old] if self._switch else [])
        scenes.append(show.preview_scene())
        layers = {layer.id: layer for s in scenes for layer in s.layers}
        # Renderers (their drawn text, filters, tables) outlive a switch away from their scene:
        # a host cuts back and forth between a few scenes, and rebuilding one on the way back
        # cost a ≈ 250 ms frame. Only a layer gone from the show is closed.
        in_show = {layer.id for s in (*show.scenes, *scenes) for layer in s.layers}
        for layer_id in [i for i in self._held if i not in in_show]:
            self._held.pop(layer_id).renderer.close()
        for layer in layers.values():
            held = self._held.get(layer.id)
            cls = LAYER_KINDS.get(layer.kind)
            if cls is None:
                continue
            if held is None or held.layer.kind != layer.kind:
                if held is not None:
                    held.renderer.close()
                held = _Held(cls(layer.settings, self.feeds), layer, visible=layer.visible)
                self._build_filters(held, layer)
                self._held[layer.id] = held
                continue
            if held.layer.settings != layer.settings:
                held.renderer.update(layer.settings)
            if held.filter_specs != layer.filters:
                self._build_filters(held, layer)
            if held.layer.visible != layer.visible:
                held.visible, held.shown_at = layer.visible, now
            held.layer = layer
        wanted: set[str] = set()
        for layer_id in layers:  # only the scenes on air, switched to or previewed
            if layer_id in self._held:
                wanted.update(self._held[layer_id].renderer.sources())
        self.feeds.want(wanted)
        main = self._switch.new if self._switch is not None else self._on_air
        clock = video_sources(main)
        self._clock_source = clock[0] if clock else ""
        self._last = None

    def _build_filters(self, held: _Held, layer: Layer) -> None:
        """The layer's enabled filters, built once per edit (an unknown kind is skipped and
        reported: a scene from a newer LiveDesk still plays)."""
        built: list[VideoFilter[Any]] = []
        for spec in layer.filters:
            if not spec.enabled:
                continue
            try:
                built.append(create_filter(spec.kind, spec.settings))
            except FilterError as exc:
                self.on_problem(str(exc))
        held.filters, held.filter_specs, held.filtered = tuple(built), layer.filters, None

    def _filtered(self, held: _Held, picture: Picture) -> Filtered | None:
        """The picture through the layer's filters, once per new picture (None: no filters)."""
        if not held.filters:
            return None
        if held.filtered is None or held.filtered[0] != picture.version:
            held.filtered = (picture.version, filter_chain(held.filters, picture.image))
        return held.filtered[1]

    # -- one scene → one picture ------------------------------------------------------------
    def compose(
        self, scene: Scene, size: tuple[int, int], now: float, remember: bool = True
    ) -> tuple[np.ndarray, int | None]:
        """`scene` as a canvas-sized BGR image, and the capture time of its main video."""
        stamp = int(now * 1e9)
        patches: list[Patch] = []
        keys: list[Any] = []
        pts: int | None = None
        for layer in scene.layers:
            held = self._held.get(layer.id)
            if held is None:
                continue
            patch, key, picture = self._patch(held, size, now, stamp)
            if picture is not None and picture.pts_ns is not None and pts is None:
                pts = picture.pts_ns
            if patch is not None:
                patches.append(patch)
                keys.append(key)
        signature = (scene.id, size, tuple(keys))
        if self._last is not None and self._last[0] == signature:
            return self._last[1], pts
        start = 0
        for i in range(len(patches) - 1, -1, -1):
            if covers_canvas(patches[i], size):
                start = i  # nothing under an opaque full-frame layer can be seen
                break
        if patches and patches[start].covers == (0, 0, *size):
            # Opaque, or see-through over black: either way the canvas starts as its colour
            # (premultiplied over black is the colour itself). When nothing is laid over it,
            # it *is* the frame, not copied: program frames are read-only to every consumer
            # (the view says so), so the camera or the filters' picture can go out as it is.
            if start == len(patches) - 1:
                canvas = patches[start].color.view()
                canvas.flags.writeable = False
            else:
                canvas = patches[start].color.copy()
            start += 1
            on_black = False
        else:
            canvas, on_black = np.zeros((size[1], size[0], 3), np.uint8), True
        for patch in patches[start:]:
            paint(canvas, patch, on_black)  # a keyed camera at the bottom is laid on black
            on_black = False
        if remember:
            self._last = (signature, canvas)
        return canvas, pts

    def _patch(
        self, held: _Held, size: tuple[int, int], now: float, stamp: int
    ) -> tuple[Patch | None, Any, Picture | None]:
        layer, renderer = held.layer, held.renderer
        amount = 1.0 if held.visible else 0.0
        if renderer.graphic:
            progress = ease((now - held.shown_at) / ANIMATION_S) if held.shown_at else 1.0
            amount = progress if held.visible else 1.0 - progress
        elif not held.visible:
            return None, None, None
        if amount <= 0.0:
            return None, None, None
        placement = layer.placement
        if renderer.graphic:
            box = inside_safe_area(
                Box(placement.x, placement.y, placement.width, placement.height), *size
            )
            placement = Placement(
                x=box.x,
                y=box.y,
                width=box.width,
                height=box.height,
                fit="stretch",
                rotation=placement.rotation,
                opacity=placement.opacity,
            )
        picture = renderer.render(stamp, placement.width, placement.height)
        if picture is None:
            return None, None, None
        offset = (
            (0, round((1.0 - amount) * SLIDE_SHARE * placement.height))
            if renderer.graphic
            else (0, 0)
        )
        key = (layer.id, picture.version, placement, size, amount, held.filter_specs)
        if key != held.key:
            filtered = self._filtered(held, picture)
            held.patch = self._place(
                picture.image, filtered, placement, size, amount, offset, renderer.live
            )
            held.key = key
        return held.patch, key, picture

    @staticmethod
    def _place(
        image: np.ndarray,
        filtered: Filtered | None,
        p: Placement,
        size: tuple[int, int],
        amount: float,
        offset: tuple[int, int],
        live: bool,
    ) -> Patch | None:
        """The patch of a (filtered) picture. A keyed picture cut to what it keeps is placed
        as that box when the layer shows the picture at its own size, unturned and uncropped
        (a full-frame green-screen camera): the blend then covers only the host."""
        if filtered is None:
            return make_patch(image, p, size, amount, offset, live)
        w, h = filtered.size
        as_is = (p.width, p.height) == (w, h) and not p.rotation
        as_is = as_is and not (p.crop_left or p.crop_top or p.crop_right or p.crop_bottom)
        if filtered.cropped and as_is:
            ch, cw = filtered.bgr.shape[:2]
            box = dataclasses.replace(
                p, x=p.x + filtered.x, y=p.y + filtered.y, width=cw, height=ch, fit="stretch"
            )
            return make_patch(filtered.bgr, box, size, amount, offset, live, filtered.alpha)
        if filtered.cropped:
            return make_patch(filtered.whole(), p, size, amount, offset, live)
        return make_patch(filtered.bgr, p, size, amount, offset, live, filtered.alpha)
