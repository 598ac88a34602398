"""The Go-live controller and panel (app/golive.py, widgets/golive_panel.py) driven like a
host would, against the real embedded relay: states in plain words, figures every second,
token in the keyring only, and a GUI that keeps painting whatever the relay does."""

from __future__ import annotations

import asyncio
import json

import pytest
from golive_support import TOKEN, GarbageAnswerServer, watch_whep

from app.bench.stall_probe import StallProbe
from app.console_core import ConsoleCore
from app.settings import Settings
from capture.synthetic import SyntheticAudioSource, SyntheticVideoSource
from widgets.golive_panel import GoLivePanel, format_elapsed

# A GUI thread kept from painting this long has hung (a blocking network call would show as
# seconds); below it, a loaded 2-core machine's scheduling is all that is measured.
HANG_MS = 1000


@pytest.fixture
def core(tmp_path, monkeypatch, memory_keyring):
    monkeypatch.setenv("LIVEDESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("LIVEDESK_DATA_DIR", str(tmp_path / "data"))
    settings = Settings(tmp_path / "settings.json", save_delay_s=0.01)
    settings.update_section("golive", {"resolution": "360p", "embedded_port": 0})
    console = ConsoleCore(settings)
    console.media.video.attach(SyntheticVideoSource(640, 360, 30))
    console.media.raw_audio.attach(SyntheticAudioSource())
    console.program.set_canvas("720p")  # the smallest canvas: these tests send 360p
    console.start(built_in_relay=False, devices=False)  # the program carries them to Go live
    yield console
    console.shutdown()


@pytest.fixture
def panel(qtbot, core, monkeypatch):
    monkeypatch.setattr(GoLivePanel, "_confirm", lambda self, title, text: True)
    widget = GoLivePanel(core.golive)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def type_target(panel: GoLivePanel, url: str, token: str) -> None:
    panel.url.setText(url)
    panel.url.editingFinished.emit()
    panel.token.setText(token)


def test_go_live_figures_elapsed_then_stop(qtbot, panel, relay, core, memory_keyring, tmp_path):
    probe = StallProbe()
    probe.start()
    type_target(panel, relay.info["whip"], TOKEN)
    panel.go_button.click()
    assert panel.state_label.text() == "Connecting…"
    assert not panel.go_button.isEnabled() and panel.stop_button.isEnabled()
    qtbot.waitUntil(lambda: panel.state_label.text() == "LIVE", timeout=20_000)
    qtbot.waitUntil(lambda: panel.figures["resolution"].text() == "640×360", timeout=5_000)
    qtbot.waitUntil(lambda: panel.elapsed_label.text() >= "00:00:02", timeout=5_000)
    assert panel.figures["fps"].text().endswith("fps")
    assert panel.figures["video_kbps"].text().endswith("kbit/s")
    assert panel.figures["rtt_ms"].text().endswith("ms")
    assert "kbit/s" in panel.figures["network"].text()  # good · 360p30 at … kbit/s — why
    probe.stop()
    stalls = list(probe.stalls_ms)
    got = asyncio.run(watch_whep(relay.info["whep"], 2.0))  # an audience really sees it
    assert got.sizes == {(640, 360)}

    probe.start()  # (the viewer above ran on this thread; only our own work is measured)
    panel.stop_button.click()
    assert panel.state_label.text() == "Not live"  # at once: stopping never blocks the GUI
    qtbot.waitUntil(lambda: "Stopped" in panel.message_label.text(), timeout=10_000)
    qtbot.waitUntil(lambda: relay.relay.publisher_id is None, timeout=5_000)
    assert panel.go_button.isEnabled() and panel.elapsed_label.text() == "00:00:00"
    probe.stop()
    stalls += probe.stalls_ms
    assert max(stalls) < HANG_MS, max(stalls)

    # the token went to the keyring, the URL to the settings file, never the token there
    assert memory_keyring.store == {("livedesk", f"relay-token:{relay.info['whip']}"): TOKEN}
    core.settings.flush()
    text = (tmp_path / "settings.json").read_text()
    assert relay.info["whip"] in json.loads(text)["golive"]["whip_url"]
    assert TOKEN not in text


def test_wrong_token_is_a_plain_failure(qtbot, panel, relay):
    type_target(panel, relay.info["whip"], "wrong-token")
    panel.go_button.click()
    qtbot.waitUntil(lambda: panel.state_label.text() == "Not live — problem", timeout=10_000)
    assert "refused the token" in panel.message_label.text()
    assert "wrong-token" not in panel.message_label.text()
    assert panel.go_button.isEnabled() and not panel.stop_button.isEnabled()


def test_unreachable_relay_is_a_plain_failure(qtbot, panel):
    type_target(panel, "http://127.0.0.1:9/whip", "x")
    panel.go_button.click()
    qtbot.waitUntil(lambda: "Cannot reach the relay" in panel.message_label.text(), timeout=10_000)
    assert panel.state_label.text() == "Not live — problem"


def test_garbage_answer_is_a_plain_failure(qtbot, panel):
    server = GarbageAnswerServer()
    try:
        type_target(panel, server.url, "x")
        panel.go_button.click()
        qtbot.waitUntil(lambda: panel.state_label.text() == "Not live — problem", timeout=10_000)
        assert "not a usable WebRTC description" in panel.message_label.text()
        assert panel.go_button.isEnabled()
    finally:
        server.close()


def test_not_a_url_is_refused_without_going_anywhere(qtbot, panel):
    type_target(panel, "relay.example.com/whip", "x")
    panel.go_button.click()
    assert panel.state_label.text() == "Not live — problem"
    assert "is not an http:// or https:// URL" in panel.message_label.text()
    assert panel.go_button.isEnabled()


def test_cancelled_confirmation_does_nothing(qtbot, panel, relay, monkeypatch):
    monkeypatch.setattr(GoLivePanel, "_confirm", lambda self, title, text: False)
    type_target(panel, relay.info["whip"], TOKEN)
    panel.go_button.click()
    assert panel.state_label.text() == "Not live" and not panel.controller.busy


@pytest.mark.slow
def test_relay_disappearing_shows_reconnecting_and_gui_keeps_running(qtbot, panel, relay):
    type_target(panel, relay.info["whip"], TOKEN)
    panel.go_button.click()
    qtbot.waitUntil(lambda: panel.state_label.text() == "LIVE", timeout=20_000)
    probe = StallProbe()
    probe.start()
    relay.stop()
    qtbot.waitUntil(lambda: panel.state_label.text() == "Reconnecting…", timeout=15_000)
    assert "Connection lost" in panel.message_label.text()
    held = panel.elapsed_label.text()
    qtbot.wait(2200)  # time on air holds while viewers have no picture
    assert panel.elapsed_label.text() == held
    relay.restart()
    qtbot.waitUntil(lambda: panel.state_label.text() == "LIVE", timeout=25_000)
    panel.stop_button.click()
    qtbot.waitUntil(lambda: "Stopped" in panel.message_label.text(), timeout=10_000)
    probe.stop()
    assert max(probe.stalls_ms) < HANG_MS, max(probe.stalls_ms)


def test_feature_with_no_relay_configured_uses_the_built_in_relay(qtbot, core, monkeypatch):
    from widgets.main_window import MainWindow

    monkeypatch.setattr(GoLivePanel, "_confirm", lambda self, title, text: True)
    window = MainWindow(core, features=["widgets.golive_feature:install"])
    qtbot.addWidget(window)
    assert not window.feature_errors
    panel = window.findChild(GoLivePanel)
    core.start_built_in_relay()
    qtbot.waitUntil(lambda: core.golive.embedded is not None, timeout=5_000)
    info = core.golive.embedded.info
    assert info["viewer"] in panel.viewer_label.text()
    assert info["whip"].startswith("http://127.0.0.1:")
    panel.go_button.click()
    qtbot.waitUntil(lambda: panel.state_label.text() == "LIVE", timeout=20_000)
    got = asyncio.run(watch_whep(info["whep"], 2.0))
    assert got.video_frames > 10 and got.audio_frames > 20
    panel.stop_button.click()
    qtbot.waitUntil(lambda: "Stopped" in panel.message_label.text(), timeout=10_000)


def test_format_elapsed():
    assert format_elapsed(0) == "00:00:00"
    assert format_elapsed(3725) == "01:02:05"


@pytest.mark.slow
def test_panel_goes_live_to_janus_videoroom(qtbot, panel):
    from streaming.janus_local import LocalJanus, janus_available

    if not janus_available():
        pytest.fail("Janus is a test dependency (packaging/system-packages-test.txt)")
    with LocalJanus() as janus:
        url = janus.url
        panel.mode.setCurrentIndex(panel.mode.findData("janus"))
        assert panel.room.isVisible()
        panel.room.setValue(4321)
        type_target(panel, url, "")
        panel.go_button.click()
        qtbot.waitUntil(lambda: panel.state_label.text() == "LIVE", timeout=30_000)
        qtbot.waitUntil(lambda: panel.figures["resolution"].text() == "640×360", timeout=10_000)
        panel.stop_button.click()
        qtbot.waitUntil(lambda: "Stopped" in panel.message_label.text(), timeout=15_000)
    assert panel.controller.settings["mode"] == "janus"
    assert panel.controller.settings["janus_room"] == 4321
