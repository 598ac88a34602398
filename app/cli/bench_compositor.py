"""`livedesk bench compositor`: what composing the program costs per frame at 1080p30.

The real `Compositor` composes real scenes from 1920×1080 camera frames (a new frame every
tick, so nothing is served from a cache that a live camera would not allow), paced at 30 fps on
one thread. Cases:

  camera       the bare camera, full frame: the floor (the anchor every ratio is against);
  layers       every layer kind on screen at once — camera, a picture-in-picture video, an
               image with alpha, text, a colour bar and all five show graphics;
  all_layers   the same with every video filter on the camera (each doing work);
  filter:KIND  the camera with one video filter (each filter alone);
  filter:lut   colour correction with only a 33³ `.cube` LUT (file settings are not moved by
               `active_settings`, so the LUT is measured on its own);
  fade         a fade between the camera scene and the all-layers scene (both composed).

Per case: per-frame cost median / p95 / p99 in ms, CPU % of one core over the paced run, and
the ratio of the median to the floor's. Targets: all layers p99 ≤ 8 ms on one core; beauty
alone p99 ≤ 4 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from app.bench.measure import CpuMeter, json_safe, summarize

TARGETS = {"all_layers_p99_ms": 8.0, "beauty_p99_ms": 4.0}
FPS = 30.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("compositor")
    parser.add_argument("--seconds", type=float, default=6.0, help="measured seconds per case")
    parser.add_argument("--canvas", default="1080p", help="canvas id (1080p, 1080p-portrait, …)")
    parser.add_argument("--cases", default="", help="comma list (default: every case)")
    parser.set_defaults(handler=run)


def showcase_layers(canvas: str, image_path: Path, pip_source: str | None) -> list[Any]:
    """One layer of every kind (except the camera), placed where a host would put them and
    kept clear of the top rows where a latency stamp sits."""
    import dataclasses

    import cv2
    import numpy as np

    from app.bench.frame_stamp import ROWS, block_size
    from capture.program.canvas import canvas_size
    from capture.program.scene import new_layer

    logo = np.zeros((200, 200, 4), np.uint8)
    cv2.circle(logo, (100, 100), 90, (40, 180, 255, 230), -1)
    cv2.putText(logo, "LOGO", (30, 115), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (255, 255, 255, 255), 3)
    cv2.imwrite(str(image_path), logo)
    layers = []
    if pip_source is not None:
        pip = new_layer("video", canvas, "Guest")
        pip = pip.replace(
            settings=dataclasses.replace(pip.settings, source=pip_source),
            placement=dataclasses.replace(
                pip.placement, x=1300, y=600, width=480, height=270, fit="fill"
            ),
        )
        layers.append(pip)
    image = new_layer("image", canvas, "Logo")
    image = image.replace(settings=dataclasses.replace(image.settings, path=str(image_path)))
    color = new_layer("color", canvas, "Bar")
    color = color.replace(
        settings=dataclasses.replace(color.settings, color="#A0000000"),
        placement=dataclasses.replace(color.placement, x=0, y=860, width=1920, height=160),
    )
    layers += [image, color]
    width, height = canvas_size(canvas)
    clear = ROWS * block_size(width) + 8  # a latency stamp's rows stay visible
    for kind in (
        "text",
        "countdown",
        "product_card",
        "winners",
        "pinned_question",
        "pk_scoreboard",
    ):
        layer = new_layer(kind, canvas)
        if layer.placement.y < clear:
            y = min(clear, height - layer.placement.height)
            layer = layer.replace(placement=dataclasses.replace(layer.placement, y=y))
        layers.append(layer)
    return layers


class _FrameFeeder:
    """Distinct camera frames handed to a source's subscribers, one per call: a host in front
    of a green screen (`capture/filters/testcard.py`), so that the chroma key and beauty do
    the work a real show asks of them (a test pattern has neither a screen nor skin)."""

    def __init__(self, width: int, height: int) -> None:
        from capture.filters.testcard import draw

        self.frames = [draw(width, height, seed=i)[0] for i in range(8)]
        self.index = 0

    def frame(self) -> Any:
        from capture.media import VideoFrame, now_ns

        self.index += 1
        return VideoFrame(self.frames[self.index % len(self.frames)], now_ns(), self.index)


def active_settings(settings_class: type) -> dict[str, Any]:
    """Settings that make a filter do work (its defaults may leave the picture as it is):
    every bounded number moved a tenth of its range off its default, every switch on."""
    from capture.properties import Kind, properties

    values: dict[str, Any] = {}
    for prop in properties(settings_class):
        if (
            prop.kind in (Kind.INT, Kind.FLOAT)
            and prop.minimum is not None
            and prop.maximum is not None
        ):
            step = (prop.maximum - prop.minimum) / 10
            value = (
                prop.default + step if prop.default + step <= prop.maximum else prop.default - step
            )
            values[prop.name] = round(value) if prop.kind is Kind.INT else value
        elif prop.kind is Kind.BOOL:
            values[prop.name] = True
    return values


def write_look(path: Path, size: int = 33) -> Path:
    """A 33³ `.cube` grading look (warm, lifted shadows, colours crossed so no per-channel
    curve could do it), as a grading app exports one."""
    import numpy as np

    level = np.linspace(0.0, 1.0, size)
    b, g, r = np.meshgrid(level, level, level, indexing="ij")  # red varies fastest
    rgb = np.stack((0.9 * r + 0.1 * g + 0.05, 0.85 * g + 0.1 * b + 0.03, 0.8 * b + 0.1 * r), -1)
    rows = "\n".join(" ".join(f"{v:.5f}" for v in c) for c in np.clip(rgb, 0, 1).reshape(-1, 3))
    path.write_text(f'TITLE "bench look"\nLUT_3D_SIZE {size}\n{rows}\n', encoding="utf-8")
    return path


def measure(seconds: float, canvas: str, cases: list[str] | None) -> dict[str, Any]:
    from PySide6.QtGui import QGuiApplication

    from capture.bus import MediaBus
    from capture.media import VideoFrame
    from capture.program.canvas import canvas_size
    from capture.program.compositor import Compositor
    from capture.program.feeds import FeedPool
    from capture.program.layer import FilterSpec, new_layer_id
    from capture.program.scene import Scene, Show, new_layer, new_scene_id

    app = QGuiApplication.instance() or QGuiApplication([])  # fonts for text and graphics
    width, height = canvas_size(canvas)
    camera: MediaBus[VideoFrame] = MediaBus("bench camera")
    guest: MediaBus[VideoFrame] = MediaBus("bench guest")
    feeder, guest_feeder = _FrameFeeder(1920, 1080), _FrameFeeder(1280, 720)
    tmp = Path(tempfile.mkdtemp(prefix="livedesk-bench-"))
    from capture.filters import FILTERS

    filters = {kind: active_settings(cls.Settings) for kind, cls in FILTERS.items()}
    cam_layer = new_layer("video", canvas, "Camera")
    every_filter = tuple(FilterSpec(kind, values) for kind, values in filters.items())

    def scene(layers: list[Any]) -> Scene:
        return Scene(new_scene_id(), "bench", tuple(layers))

    showcase = showcase_layers(canvas, tmp / "logo.png", "guest")
    scenes: dict[str, Scene] = {
        "camera": scene([cam_layer]),
        "layers": scene([cam_layer, *showcase]),
        "all_layers": scene(
            [
                # Its own layer (a scene's layers are its own): sharing the camera scene's id
                # made both scenes one renderer, its filters rebuilt at every switch of `fade`.
                cam_layer.replace(id=new_layer_id(), filters=every_filter),
                *showcase_layers(canvas, tmp / "logo.png", "guest"),
            ]
        ),
    }
    for kind, values in filters.items():
        scenes[f"filter:{kind}"] = scene([cam_layer.replace(filters=(FilterSpec(kind, values),))])
    lut = FilterSpec("color_correction", {"lut_file": str(write_look(tmp / "look.cube"))})
    scenes["filter:lut"] = scene([cam_layer.replace(filters=(lut,))])
    wanted = cases or [*scenes, "fade"]
    result: dict[str, Any] = {
        "bench": "compositor",
        "canvas": f"{width}x{height}",
        "camera": "1920x1080 host before a green screen (testcard), a new frame every tick",
        "fps": FPS,
        "seconds_per_case": seconds,
        "filters": filters,
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "cases": {},
    }
    for name in wanted:
        if name == "fade":
            show = Show(canvas, (scenes["camera"], scenes["all_layers"]), scenes["camera"].id, "")
        elif name in scenes:
            show = Show(canvas, (scenes[name],), scenes[name].id, scenes[name].id)
        else:
            result["cases"][name] = {"error": f"unknown case {name!r}"}
            continue
        compositor = Compositor(FeedPool(shared={"camera": camera, "guest": guest}), FPS)
        compositor.set_show(show)
        problems: list[str] = []
        compositor.on_problem = problems.append

        def feed() -> None:
            camera.publish(feeder.frame())
            guest.publish(guest_feeder.frame())

        for i in range(15):  # warm-up: renderers built, text drawn, caches filled
            if name == "fade" and i in (0, 8):  # both scenes, as a show's first minutes do
                compositor.set_show(show.replace(program=show.scenes[i // 8 - 1].id))
            feed()
            compositor.tick()
            app.processEvents()
        costs: list[float] = []
        cpu = CpuMeter()
        start = time.perf_counter()
        slot = 0
        fade_every = int(FPS * 0.3)
        while time.perf_counter() - start < seconds:
            if name == "fade" and slot % fade_every == 0:
                program = show.scenes[(slot // fade_every) % 2].id
                show = show.replace(program=program)
                compositor.set_show(show, ("fade", 0.3))
            feed()
            t0 = time.perf_counter_ns()
            compositor.tick()
            costs.append((time.perf_counter_ns() - t0) / 1e6)
            slot += 1
            delay = start + slot / FPS - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        cpu_percent = cpu.read()
        compositor.stop()
        result["cases"][name] = {
            "frame_ms": summarize(costs, 3),
            "cpu_percent_one_core": round(cpu_percent, 1),
            "frames": len(costs),
            **({"problems": problems[:3]} if problems else {}),
        }
    floor = result["cases"].get("camera", {}).get("frame_ms", {}).get("median")
    met: dict[str, bool] = {}
    for name, case in result["cases"].items():
        figures = case.get("frame_ms")
        if figures is None:
            continue
        if floor:
            case["ratio_median_to_camera"] = round(figures["median"] / floor, 2)
        if name == "all_layers":
            met["all_layers_p99_le_8ms"] = figures["p99"] <= TARGETS["all_layers_p99_ms"]
        if name == "filter:beauty":
            met["beauty_p99_le_4ms"] = figures["p99"] <= TARGETS["beauty_p99_ms"]
    result["targets_met"] = met
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    result["cpus"] = os.cpu_count()
    return result


def run(args: argparse.Namespace) -> int:
    cases = [c.strip() for c in args.cases.split(",") if c.strip()] or None
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        result = measure(args.seconds, args.canvas, cases)
    except Exception as exc:  # a bench reports its failure as JSON, in plain words
        print(json.dumps({"bench": "compositor", "error": f"{type(exc).__name__}: {exc}"}))
        return 1
    print(json.dumps(json_safe(result), indent=1))
    return 0
