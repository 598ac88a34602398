"""The whole loop in real parts: `livedesk publish` (a separate process) → the embedded relay
→ headless Chromium playing the viewer page over WHEP. What the browser decodes is read from
its own `getStats()`; the relay must forward media without encoding or decoding any of it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from golive_support import TOKEN, RunningRelay
from waiting import wait_for

pytestmark = pytest.mark.slow

INBOUND_STATS = """async () => {
  const out = {};
  (await window.livedesk.pc.getStats()).forEach((s) => {
    if (s.type === "inbound-rtp") out[s.kind] = {
      width: s.frameWidth, height: s.frameHeight, framesDecoded: s.framesDecoded,
      samples: s.totalSamplesReceived, level: s.audioLevel, energy: s.totalAudioEnergy };
  });
  return out;
}"""


@pytest.fixture
def relay(monkeypatch):
    """The relay in this process, with aiortc's encoders and decoders counted: forwarding
    must use none of them (the publisher runs in another process)."""
    from aiortc import rtcrtpreceiver
    from aiortc.codecs.h264 import H264Encoder
    from aiortc.codecs.opus import OpusEncoder

    counts = {"decoders": 0, "encodes": 0}
    real_get_decoder = rtcrtpreceiver.get_decoder

    def counted_decoder(codec):
        counts["decoders"] += 1
        return real_get_decoder(codec)

    def counted_encode(real):
        def encode(self, frame, force_keyframe=False):
            counts["encodes"] += 1
            return real(self, frame, force_keyframe)

        return encode

    monkeypatch.setattr(rtcrtpreceiver, "get_decoder", counted_decoder)
    monkeypatch.setattr(H264Encoder, "encode", counted_encode(H264Encoder.encode))
    monkeypatch.setattr(OpusEncoder, "encode", counted_encode(OpusEncoder.encode))
    running = RunningRelay()
    running.codec_counts = counts
    yield running
    running.close()


def start_publisher(whip_url: str, resolution: str, stats: Path, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, LIVEDESK_WHIP_TOKEN=TOKEN)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "publish",
            "--whip",
            whip_url,
            "--video",
            "test",
            "--audio",
            "tone",
            "--no-voice-chain",  # a steady tone is what noise suppression removes
            "--no-adapt",  # the size asked for, whatever load the machine is under
            "--resolution",
            resolution,
            "--duration",
            "120",
            "--stats-json",
            str(stats),
            *extra,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop_publisher(proc: subprocess.Popen) -> tuple[int, str]:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return proc.returncode, err


def open_viewer(browser, url: str):
    page = browser.new_page()
    page.goto(url)
    page.wait_for_function("window.livedesk && window.livedesk.state === 'playing'", timeout=45_000)
    page.click("#unmute")  # the viewer turns the sound on: audio is now played out
    assert page.evaluate("document.getElementById('video').muted") is False
    return page


def assert_playing(page, width: int, height: int, min_fps: float) -> None:
    """Frames decode at the published size and a tone is flowing, per Chromium itself.
    (`min_fps` is a floor for "pictures keep coming" on a loaded 2-core machine, not a speed
    target: `livedesk bench latency` measures delivered frame rate.)"""
    window_s = 3.0
    first = page.evaluate(INBOUND_STATS)
    time.sleep(window_s)
    second = page.evaluate(INBOUND_STATS)
    video, audio = second["video"], second["audio"]
    assert (video["width"], video["height"]) == (width, height)
    assert video["framesDecoded"] - first["video"]["framesDecoded"] >= min_fps * window_s
    assert audio["samples"] - first["audio"]["samples"] >= 48_000 * window_s / 2
    assert audio["energy"] > first["audio"]["energy"] and audio["level"] > 0.02  # a tone


def test_chromium_viewers_play_published_stream_then_see_it_end(relay, browser, tmp_path):
    stats = tmp_path / "stats.json"
    proc = start_publisher(relay.info["whip"], "540p", stats)
    try:
        viewers = [open_viewer(browser, relay.info["viewer"]) for _ in range(2)]
        for page in viewers:
            assert_playing(page, 960, 540, min_fps=10)
            assert page.locator("#status").inner_text() == "Playing"
            assert page.locator("#danmaku").count() == 1
        assert relay.codec_counts == {"decoders": 0, "encodes": 0}
        assert relay.relay.fanout.viewer_tracks == 4
    finally:
        code, err = stop_publisher(proc)
    assert code == 0, err
    for page in viewers:  # the host stopped (DELETE): viewers are told plainly
        page.wait_for_function("window.livedesk.state === 'ended'", timeout=10_000)
        assert page.locator("#status").inner_text() == "Stream ended"
    import json

    doc = json.loads(stats.read_text())
    assert doc["summary"]["width"] == 960 and doc["summary"]["median_fps"] > 15
    assert doc["state"] == "idle"


def test_chromium_plays_1080p(relay, browser, tmp_path):
    proc = start_publisher(relay.info["whip"], "1080p", tmp_path / "stats.json")
    try:
        page = open_viewer(browser, relay.info["viewer"])
        assert_playing(page, 1920, 1080, min_fps=5)
    finally:
        stop_publisher(proc)


def test_viewer_page_waits_for_host_and_info_matches(relay, browser):
    page = browser.new_page()
    page.goto(relay.info["viewer"])
    wait_for(lambda: page.evaluate("window.livedesk.state") == "waiting", 15)
    assert "Waiting for the host" in page.locator("#status").inner_text()
    info = page.evaluate("async () => (await fetch('/info')).json()")
    assert info == relay.info
