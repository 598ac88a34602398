"""The program end to end in real parts: `livedesk publish --scene FILE` (a separate process,
the show's core without windows) → the embedded relay → headless Chromium on the viewer page.
A portrait show arrives portrait: Chromium decodes 1080×1920, with the product card the scene
puts on the picture."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from test_relay_browser import INBOUND_STATS, open_viewer, start_publisher, stop_publisher
from waiting import wait_for

from capture.program.scene import default_show, new_layer, save_show

pytestmark = pytest.mark.slow

REGION_MEAN_JS = """([x, y, w, h]) => {
  const v = document.getElementById('video');
  const c = document.createElement('canvas');
  c.width = v.videoWidth; c.height = v.videoHeight;
  const g = c.getContext('2d');
  g.drawImage(v, 0, 0);
  const d = g.getImageData(x, y, w, h).data;
  let sum = 0;
  for (let i = 0; i < d.length; i += 4) sum += (d[i] + d[i + 1] + d[i + 2]) / 3;
  return sum / (d.length / 4);
}"""


def _summary(stats: Path) -> dict:
    """The publisher's summary so far (written once a second while live)."""
    return json.loads(stats.read_text())["summary"] if stats.exists() else {}


def portrait_scene(path: Path) -> Path:
    show = default_show("1080p-portrait")
    scene = show.scenes[0]
    card = new_layer("product_card", show.canvas)
    card = card.replace(
        settings=dataclasses.replace(card.settings, fill="#FFFFFFFF"),
        placement=dataclasses.replace(card.placement, x=100, y=1400, width=880, height=280),
    )
    save_show(show.replace(scenes=(scene.replace(layers=(*scene.layers, card)),)), path)
    return path


def test_portrait_scene_reaches_chromium_as_1080x1920(relay, browser, tmp_path):
    scene = portrait_scene(tmp_path / "portrait.json")
    stats = tmp_path / "stats.json"
    proc = start_publisher(relay.info["whip"], "1080p", stats, "--scene", str(scene))
    try:
        page = open_viewer(browser, relay.info["viewer"])
        page.wait_for_function(
            "document.getElementById('video').videoHeight === 1920", timeout=20_000
        )
        decoded = page.evaluate(INBOUND_STATS)["video"]
        assert (decoded["width"], decoded["height"]) == (1080, 1920)
        # Inside the white card (right of its picture, below its text), and above it.
        card = page.evaluate(REGION_MEAN_JS, [700, 1420, 200, 40])
        camera = page.evaluate(REGION_MEAN_JS, [700, 1200, 200, 40])
        assert card > 230 and abs(card - camera) > 10, (card, camera)
        wait_for(lambda: "height" in _summary(stats), 15, explain=lambda: _summary(stats))
    finally:
        code, err = stop_publisher(proc)
    assert code == 0, err
    assert _summary(stats)["height"] == 1920
