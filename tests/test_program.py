"""The program (capture/program): scenes and their JSON, the compositor on its own thread fed
by real sources (the synthetic camera, a real MP4 that ends), transitions, graphics animation
and the safe area, and the audio mix."""

from __future__ import annotations

import dataclasses
import itertools
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from capture.bus import MediaBus
from capture.file_source import FileSource
from capture.media import AUDIO_RATE, AudioBlock, VideoFrame, now_ns
from capture.program.canvas import safe_area
from capture.program.compositor import Compositor
from capture.program.feeds import FeedPool
from capture.program.kinds import LAYER_KINDS
from capture.program.layer import FilterSpec, Placement
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
    show_from_dict,
)
from capture.synthetic import SyntheticAudioSource, SyntheticVideoSource

INTERVAL_S = 1 / 30


@pytest.fixture
def gui(qapp: Any) -> Any:
    return qapp  # fonts for text and graphics need a Q(Gui)Application


class Frames:
    """Program frames with their arrival times, as an output sees them."""

    def __init__(self, bus: MediaBus[VideoFrame]) -> None:
        self.items: list[tuple[float, VideoFrame]] = []
        self._lock = threading.Lock()
        self.undo = bus.subscribe(self._take)

    def _take(self, frame: VideoFrame) -> None:
        with self._lock:
            self.items.append((time.monotonic(), frame))

    def since(self, t: float) -> list[tuple[float, VideoFrame]]:
        with self._lock:
            return [x for x in self.items if x[0] >= t]

    def wait(self, count: int, timeout: float = 10.0) -> VideoFrame:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.items) >= count:
                    return self.items[-1][1]
            time.sleep(0.01)
        raise AssertionError(f"only {len(self.items)} program frames in {timeout} s")


@pytest.fixture
def camera() -> Iterator[SyntheticVideoSource]:
    source = SyntheticVideoSource(640, 360, 30.0)
    source.start()
    yield source
    source.stop()


def compositor_for(show: Show, camera: Any) -> Compositor:
    compositor = Compositor(FeedPool(shared={"camera": camera}))
    compositor.set_show(show)
    return compositor


def one_scene(canvas: str, *layers: Any) -> Show:
    scene = Scene(new_scene_id(), "S", tuple(layers))
    return Show(canvas, (scene,), scene.id, scene.id)


def colour(canvas: str, rgba: str, **place: int) -> Any:
    layer = new_layer("color", canvas)
    return layer.replace(
        settings=dataclasses.replace(layer.settings, color=rgba),
        placement=dataclasses.replace(layer.placement, **place) if place else layer.placement,
    )


# -- scenes and their file ----------------------------------------------------------------
def test_every_layer_kind_round_trips_through_the_scene_file(tmp_path: Path) -> None:
    show = default_show("1080p-portrait")
    scene = show.scenes[0]
    layers = [*scene.layers, *(new_layer(kind, show.canvas) for kind in LAYER_KINDS)]
    layers[1] = layers[1].replace(filters=(FilterSpec("sharpen", {"amount": 80.0}),))
    show = show.replace(scenes=(scene.replace(layers=tuple(layers), hotkey="Ctrl+2"),))
    path = tmp_path / "show.json"
    save_show(show, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["canvas"] == "1080p-portrait" and "直播间专享" in path.read_text(encoding="utf-8")
    loaded, skipped = load_show(path)
    assert loaded == show and skipped == []
    for layer in layers[1:]:
        p = layer.placement
        assert p.x >= 0 and p.x + p.width <= 1080 and p.y >= 0 and p.y + p.height <= 1920


def test_a_damaged_or_newer_scene_file_is_reported_in_words(tmp_path: Path) -> None:
    path = tmp_path / "show.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(SceneFileError, match="damaged"):
        load_show(path)
    with pytest.raises(SceneFileError, match="does not exist"):
        load_show(tmp_path / "missing.json")
    data = {
        "canvas": "8k",
        "scenes": [
            {
                "name": "A",
                "layers": [
                    {"kind": "hologram"},
                    {"kind": "text", "placement": {"width": "wide", "opacity": 900}},
                ],
            }
        ],
    }
    show, skipped = show_from_dict(data)
    assert show.canvas == "1080p" and len(show.scenes[0].layers) == 1
    assert skipped and "hologram" in skipped[0]
    assert show.scenes[0].layers[0].placement.opacity == 100.0  # clamped, never raises


# -- composition --------------------------------------------------------------------------
def test_full_frame_camera_passes_through_untouched_with_its_capture_time(gui: Any) -> None:
    """What the latency bench relies on: a full-frame camera's pixels (its stamp) and capture
    time survive composition exactly."""
    camera: MediaBus[VideoFrame] = MediaBus("cam")
    compositor = compositor_for(one_scene("720p", new_layer("video", "720p")), camera)
    image = np.random.default_rng(1).integers(0, 255, (720, 1280, 3), np.uint8)
    compositor.tick()  # the scene's sources are opened (subscribed) from its first frame
    captured = now_ns()
    camera.publish(VideoFrame(image, captured, 1))
    frame = compositor.tick()
    assert frame is not None and np.array_equal(frame.image, image) and frame.pts_ns == captured
    compositor.stop()


def test_program_time_only_moves_forward_over_a_stalled_or_earlier_source(gui: Any) -> None:
    """A deadline frame over a camera that sent nothing new, and a camera frame stamped before
    the previous program frame, both get a time after it (the encoder needs that)."""
    camera: MediaBus[VideoFrame] = MediaBus("cam")
    compositor = compositor_for(one_scene("720p", new_layer("video", "720p")), camera)
    image = np.zeros((720, 1280, 3), np.uint8)
    compositor.tick()
    camera.publish(VideoFrame(image, now_ns(), 1))
    stamps = []
    for frame_pts in (None, None, 5):  # stalled twice, then a frame from the past
        if frame_pts is not None:
            camera.publish(VideoFrame(image, frame_pts, 2))
        time.sleep(INTERVAL_S)
        frame = compositor.tick()
        assert frame is not None
        stamps.append(frame.pts_ns)
    compositor.stop()
    steps = [b - a for a, b in itertools.pairwise(stamps)]
    assert all(step > 0 for step in steps), stamps
    assert INTERVAL_S * 0.5e9 < steps[0] < INTERVAL_S * 4e9  # the time that passed, not 1 ns


def test_alpha_and_opacity_blend_as_expected(gui: Any) -> None:
    red = colour("720p", "#FFFF0000")
    half_blue = colour("720p", "#FF0000FF", x=100, y=100, width=200, height=100)
    half_blue = half_blue.replace(placement=dataclasses.replace(half_blue.placement, opacity=50.0))
    compositor = compositor_for(one_scene("720p", red, half_blue), MediaBus("cam"))
    frame = compositor.tick()
    assert frame is not None
    assert tuple(frame.image[50, 50]) == (0, 0, 255)  # BGR red outside
    b, g, r = (int(v) for v in frame.image[150, 200])
    assert abs(b - 128) <= 2 and g == 0 and abs(r - 127) <= 2  # half blue over red
    compositor.stop()


def test_a_still_picture_blends_only_where_it_shows() -> None:
    """A still picture's patch is cut to what it shows, and an opaque one is copied; on the
    canvas either is the same as blending the whole picture."""
    from capture.program.blend import make_patch, paint

    picture = np.zeros((100, 300, 4), np.uint8)
    picture[20:40, 50:90] = (10, 200, 30, 255)  # an opaque block in a transparent box
    picture[60:70, 200:260] = (200, 20, 30, 128)  # and a see-through one
    place = Placement(x=400, y=300, width=300, height=100)
    patch = make_patch(picture, place, (1280, 720))
    assert patch is not None and patch.covers == (450, 320, 210, 50)
    base = np.random.default_rng(1).integers(0, 256, (720, 1280, 3), np.uint8)
    live = make_patch(picture, place, (1280, 720), live=True)  # not cut: the whole box
    assert live is not None and live.covers == (400, 300, 300, 100)
    cut, whole = base.copy(), base.copy()
    paint(cut, patch)
    paint(whole, live)
    assert np.array_equal(cut, whole)
    block = make_patch(picture[20:40, 50:90], Placement(width=40, height=20), (1280, 720))
    assert block is not None and block.alpha is None  # opaque all over: copied


def test_cjk_text_is_drawn_at_output_resolution(gui: Any) -> None:
    text = new_layer("text", "1080p")
    renderer = LAYER_KINDS["text"](text.settings, FeedPool())
    a = renderer.render(0, 900, 120)
    renderer.update(dataclasses.replace(text.settings, text="限时秒杀"))
    b = renderer.render(0, 900, 120)
    assert a is not None and b is not None and a.image.shape == (120, 900, 4)
    assert (a.image[:, :, 3] > 0).mean() > 0.05  # glyphs, outline and shadow drawn
    assert not np.array_equal(a.image, b.image) and b.version > a.version  # no tofu boxes


def test_graphics_stay_inside_the_safe_area_and_animate_out(gui: Any) -> None:
    card = new_layer("product_card", "1080p")
    card = card.replace(placement=dataclasses.replace(card.placement, x=0, y=0))
    show = one_scene("1080p", colour("1080p", "#FF000000"), card)
    compositor = compositor_for(show, MediaBus("cam"))
    frame = compositor.tick()
    assert frame is not None
    safe = safe_area(1920, 1080)
    drawn = np.argwhere(frame.image.max(axis=2) > 0)
    assert drawn[:, 0].min() >= safe.y and drawn[:, 1].min() >= safe.x
    hidden = show.replace(
        scenes=(
            show.scenes[0].replace(layers=(show.scenes[0].layers[0], card.replace(visible=False))),
        )
    )
    compositor.set_show(hidden)
    start = time.monotonic()
    levels = []
    while time.monotonic() - start < 0.5:
        frame = compositor.tick()
        assert frame is not None
        levels.append((time.monotonic() - start, float(frame.image.mean())))
        time.sleep(INTERVAL_S)
    assert levels[0][1] > 1.0  # still (mostly) there right after the host hides it
    in_between = [v for t, v in levels if 0.05 < t < 0.25]
    assert in_between and 0 < min(in_between) < levels[0][1]  # fading, not a jump
    assert [v for t, v in levels if t >= 0.4] and all(v == 0 for t, v in levels if t >= 0.4)
    compositor.stop()


def test_fade_has_no_frozen_or_black_frame(gui: Any, camera: SyntheticVideoSource) -> None:
    """Switching scenes on the running compositor: during the fade every program frame differs
    from the one before, none is black, and frames keep their rate."""
    cam = new_layer("video", "720p")
    a = Scene(new_scene_id(), "A", (cam,))
    pip = cam.replace(
        id="pip", placement=Placement(x=640, y=0, width=640, height=360, fit="stretch")
    )
    b = Scene(new_scene_id(), "B", (colour("720p", "#FF204080"), pip, new_layer("text", "720p")))
    show = Show("720p", (a, b), a.id, a.id)
    compositor = compositor_for(show, camera)
    frames = Frames(compositor.video)
    compositor.start()
    try:
        frames.wait(10)
        asked = time.monotonic()
        compositor.set_show(show.replace(program=b.id), ("fade", 0.3))
        time.sleep(0.8)
        window = frames.since(asked)
    finally:
        compositor.stop()
    assert compositor.on_air == b.id, "the fade did not finish in 0.8 s"
    assert len(window) >= 10, f"only {len(window)} program frames in 0.8 s"
    fading = [x for x in window if x[0] < asked + 0.3]
    for (_, f0), (_, f1) in itertools.pairwise(fading):
        assert not np.array_equal(f0.image, f1.image), "a repeated (frozen) frame in the fade"
    for (t0, f0), (t1, f1) in itertools.pairwise(window):
        # After the fade a late camera may repeat a picture, never its time.
        assert f1.pts_ns > f0.pts_ns, "a program frame repeated or stepped back in time"
        assert t1 - t0 < 4 * INTERVAL_S, f"a {1000 * (t1 - t0):.0f} ms gap in the program"
    assert min(float(f.image.mean()) for _, f in window) > 20  # never black
    means = [float(f.image[:, :640].mean()) for _, f in window]
    assert len({round(m) for m in means}) > 3  # the left half really crossfades


def test_a_source_that_dies_mid_show_gives_a_placeholder_and_a_message(
    gui: Any, media_file: Path
) -> None:
    """A 2 s file in the picture ends: the program goes on at its rate, shows the last frame,
    then the placeholder, and says what happened."""
    guest = new_layer("video", "720p")
    guest = guest.replace(
        settings=dataclasses.replace(guest.settings, source=f"file:{media_file}?loop=0"),
        placement=Placement(x=0, y=0, width=640, height=360, fit="stretch"),
    )
    show = one_scene("720p", colour("720p", "#FF008000"), guest)
    problems: list[str] = []
    compositor = compositor_for(show, MediaBus("cam"))
    compositor.on_problem = problems.append
    compositor.feeds.on_problem = lambda source, text: problems.append(text)
    frames = Frames(compositor.video)
    compositor.start()
    try:
        frames.wait(20)
        deadline = time.monotonic() + 10
        while not problems and time.monotonic() < deadline:
            time.sleep(0.05)
        ended = time.monotonic()
        time.sleep(2.6)
        after = frames.since(ended)
    finally:
        compositor.stop()
    assert problems and "test.mp4" in problems[0] and "ended" in problems[0]
    assert len(after) >= 2.6 * 30 * 0.6  # the program kept its rate throughout
    last = after[-1][1].image
    assert np.all(last[100:200, 300:400] == 32)  # the placeholder's grey, not a frozen frame
    assert tuple(last[500, 1000]) == (0, 128, 0)  # the rest of the scene is still there


# -- the mix --------------------------------------------------------------------------------
def test_mix_gain_and_mute_per_source(tmp_path: Path) -> None:
    mic: MediaBus[AudioBlock] = MediaBus("mic")
    other: MediaBus[AudioBlock] = MediaBus("file")
    mixer = AudioMixer()
    out: list[AudioBlock] = []
    mixer.audio.subscribe(out.append)
    mixer.add("microphone", "Microphone", mic, MixSettings())
    mixer.add("file", "File", other, MixSettings(gain_db=-6.0))
    ones = np.full((480, 1), 0.25, np.float32)
    other.publish(AudioBlock(ones.copy(), AUDIO_RATE, now_ns()))
    mic.publish(AudioBlock(ones.copy(), AUDIO_RATE, 42))
    assert out[-1].pts_ns == 42  # the clock input's capture time
    assert out[-1].samples[0, 0] == pytest.approx(0.25 + 0.25 * 10 ** (-6 / 20), rel=1e-4)
    mixer.configure("microphone", MixSettings(muted=True))
    other.publish(AudioBlock(ones.copy(), AUDIO_RATE, now_ns()))
    mic.publish(AudioBlock(ones.copy(), AUDIO_RATE, 43))
    assert out[-1].samples[0, 0] == pytest.approx(0.25 * 10 ** (-6 / 20), rel=1e-4)
    mic.publish(AudioBlock(ones.copy(), AUDIO_RATE, 44))  # the file ran short: silence added
    assert float(np.abs(out[-1].samples).max()) == 0.0
    assert mixer.meter_of("file") is not None and mixer.meter_of("file").blocks == 2


def test_mix_runs_live_from_a_real_tone_and_file(media_file: Path) -> None:
    tone = SyntheticAudioSource(level_dbfs=-20.0)
    sound = FileSource(media_file, "audio", loop=True)
    mixer = AudioMixer()
    blocks: list[AudioBlock] = []
    mixer.audio.subscribe(blocks.append)
    mixer.add("microphone", "Microphone", tone, MixSettings(muted=True))
    mixer.add("file", "File", sound, MixSettings())  # type: ignore[arg-type]
    tone.start()
    sound.start()
    try:
        time.sleep(1.0)
    finally:
        tone.stop()
        sound.stop()
        mixer.close()
    assert len(blocks) > 60
    peak = max(float(np.abs(b.samples).max()) for b in blocks[20:])
    assert 0.05 < peak < 0.2  # the file's −20 dBFS tone alone (the microphone is muted)
