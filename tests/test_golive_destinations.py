"""The Go live panel's destinations and Record button (app/destinations.py, app/recording.py,
widgets/destinations_panel.py) driven as a host would: two platforms added from presets through
the form, one with a wrong key — said plainly while the other and the main stream go on — all
fixed-rate outputs from one encode (the adaptive main stream has its own); a recording by the
button that plays back; keys only in the keyring."""

from __future__ import annotations

import asyncio
import json

import pytest
import test_golive
from golive_support import TOKEN, watch_whep
from rtmp_support import NginxRtmp, available, pull
from test_golive import type_target
from test_recorder import read_back

from streaming.abr.adapter import FLOOR_BPS
from widgets.golive_panel import GoLivePanel

core, panel = test_golive.core, test_golive.panel  # the Go live tests' fixtures
pytestmark = pytest.mark.skipif(not available(), reason="nginx with the RTMP module is missing")


@pytest.fixture
def nginx(tmp_path):
    server = NginxRtmp(tmp_path / "nginx")
    server.start()
    yield server
    server.close()


def add_destination(panel: GoLivePanel, preset: str, url: str, key: str, name: str) -> str:
    form = panel.destinations
    form.preset.setCurrentIndex(form.preset.findData(preset))
    form.url.setText(url)
    form.key.setText(key)
    form.name.setText(name)
    form.add_button.click()
    assert form.problem.text() == "", form.problem.text()
    return panel.controller.destinations.items[-1].id


def state_text(panel: GoLivePanel, destination_id: str) -> str:
    table = panel.destinations.table
    return table.item(panel.destinations.row_of(destination_id), 1).text()


def test_destinations_go_live_beside_the_main_stream_from_one_fixed_encode(
    qtbot, panel, relay, nginx, core, memory_keyring, tmp_path
) -> None:
    form = panel.destinations
    form.preset.setCurrentIndex(form.preset.findData("bilibili"))
    assert form.url.text() == "rtmp://live-push.bilivideo.com/live-bvc/"  # the preset's URL
    form.preset.setCurrentIndex(form.preset.findData("douyin"))
    assert form.url.text() == "" and "douyincdn.com" in form.url.placeholderText()
    form.url.setText("http://not-rtmp.example.com/")
    form.add_button.click()
    assert "rtmp://" in form.problem.text()

    good = add_destination(panel, "bilibili", nginx.url, "good-key", "Bilibili")
    bad = add_destination(panel, "douyin", nginx.url, "wrong-key-9", "Douyin")
    assert form.table.rowCount() == 2
    type_target(panel, relay.info["whip"], TOKEN)
    panel.go_button.click()
    form.toggle_button(good).click()
    form.toggle_button(bad).click()
    qtbot.waitUntil(lambda: panel.state_label.text() == "LIVE", timeout=20_000)
    qtbot.waitUntil(lambda: state_text(panel, good).startswith("LIVE"), timeout=20_000)
    qtbot.waitUntil(lambda: state_text(panel, bad) == "Problem", timeout=20_000)
    assert "Douyin refused the stream" in form.problem.text()
    assert "wrong-key-9" not in form.problem.text()
    assert form.toggle_button(bad).text() == "Start"  # a failed push is over: Start retries
    got = pull(f"{nginx.url}/good-key", 3.0)
    viewer = asyncio.run(watch_whep(relay.info["whep"], 2.0))
    assert got.sizes == {(640, 360)} and got.video_frames >= 30 and got.audio_frames > 50
    assert viewer.sizes == {(640, 360)} and viewer.video_frames >= 20
    hub = core.golive.hub

    def encodes() -> tuple[int, int]:
        """(adaptive, fixed) encodes: the main stream adapts to its link on an encode of its
        own (so adapting never lowers the platforms or the recording); every fixed-rate output
        shares one."""
        adaptive = [e for e in hub.video_encoders() if e.profile.min_bitrate == FLOOR_BPS]
        return len(adaptive), len(hub.video_encoders()) - len(adaptive)

    assert encodes() == (1, 1)  # main stream and platform
    qtbot.waitUntil(lambda: panel.record_indicator.text().startswith("● REC"), timeout=10_000)
    assert encodes() == (1, 1)  # the recording adds no encode

    form.toggle_button(good).click()
    qtbot.waitUntil(lambda: state_text(panel, good) == "Off", timeout=10_000)
    panel.stop_button.click()
    qtbot.waitUntil(lambda: "Stopped" in panel.message_label.text(), timeout=10_000)

    # keys in the keyring, never in the settings file
    assert ("livedesk", f"relay-token:{nginx.url}#{good}") in memory_keyring.store
    core.settings.flush()
    text = (tmp_path / "settings.json").read_text()
    assert "good-key" not in text and "wrong-key-9" not in text
    assert [d["name"] for d in json.loads(text)["destinations"]["items"]] == ["Bilibili", "Douyin"]
    form.table.cellWidget(form.row_of(bad), 2).findChild(type(form.add_button), "remove").click()
    assert form.table.rowCount() == 1


def test_record_button_records_a_file_that_plays(qtbot, panel, core, tmp_path) -> None:
    folder = tmp_path / "recordings"
    core.golive.recording.configure(folder=str(folder), show="Spring sale")
    panel.record_button.click()
    qtbot.waitUntil(lambda: "Recording to" in panel.record_status.text(), timeout=10_000)
    qtbot.waitUntil(lambda: panel.record_indicator.text().count("MB") == 1, timeout=5_000)
    qtbot.wait(2500)
    panel.record_button.click()
    qtbot.waitUntil(lambda: "Recorded" in panel.record_status.text(), timeout=10_000)
    assert panel.record_indicator.text() == "" and not panel.record_button.isChecked()
    (path,) = folder.glob("*Spring sale.mp4")
    got = read_back(path)
    assert got["size"] == (640, 360) and len(got["video"]) >= 45 and got["audio"]


def test_record_refuses_without_space_and_says_so(qtbot, panel, core, tmp_path) -> None:
    core.golive.recording.configure(folder=str(tmp_path / "r"), min_free_mb=1 << 40)
    panel.record_button.click()
    assert not panel.record_button.isChecked()
    assert "Not recording" in panel.record_status.text()
    assert "free" in panel.record_status.text()


def test_screenshot_of_the_go_live_panel_at_1366x768(qtbot, core, tmp_path) -> None:
    from widgets.main_window import MainWindow

    window = MainWindow(core, features=["widgets.golive_feature:install"])
    qtbot.addWidget(window)
    window.show()
    window.resize(1366, 768)  # after the first show, which fits the window to the test screen
    panel = window.findChild(GoLivePanel)
    panel.controller.destinations.add(
        "Bilibili", "bilibili", "rtmp://live-push.bilivideo.com/live-bvc/", "k"
    )
    panel.controller.destinations.add(
        "抖音", "douyin", "rtmp://push-rtmp-l1.douyincdn.com/stage/", "k"
    )
    panel.destinations.toggle_button(panel.controller.destinations.items[0].id)
    qtbot.wait(300)
    shots = [window.grab()]
    from PySide6.QtWidgets import QScrollArea

    scroll = next(w for w in window.findChildren(QScrollArea) if w.isAncestorOf(panel))
    scroll.ensureWidgetVisible(panel.destinations.table)
    qtbot.wait(100)
    shots.append(window.grab())
    import os

    keep = os.environ.get("LIVEDESK_SCREENSHOT_DIR")  # to look at them
    for i, shot in enumerate(shots):
        assert shot.width() == 1366 and shot.height() == 768
        assert shot.save(str(tmp_path / f"golive_{i}.png"))
        if keep:
            shot.save(os.path.join(keep, f"golive_1366x768_{i}.png"))
    assert panel.destinations.table.rowCount() == 2
    assert scroll.horizontalScrollBar().maximum() == 0  # nothing cut off at the side
