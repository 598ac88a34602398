"""The publisher's RTCP handling as the relay drives it: receiver reports every 0.1 s
(streaming/abr/rtcp.py) must never end the media connection, with or without adaptation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from golive_support import TOKEN, RunningRelay


@pytest.fixture
def relay():
    running = RunningRelay()
    yield running
    running.close()


@pytest.mark.parametrize("extra", [[], ["--no-adapt"]], ids=["adaptive", "no-adapt"])
def test_publish_stays_live_and_reports_figures(relay, tmp_path: Path, extra: list[str]) -> None:
    """Once the first receiver report with `--no-adapt` raised inside aiortc's DTLS loop: the
    session died every second and reconnected, and no figures were ever written."""
    stats = tmp_path / "stats.json"
    args = ["--whip", relay.info["whip"], "--resolution", "360p", "--duration", "4"]
    args += ["--stats-json", str(stats), *extra]
    proc = subprocess.run(
        [sys.executable, "-m", "app", "publish", *args],
        env=dict(os.environ, LIVEDESK_WHIP_TOKEN=TOKEN),
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert proc.returncode == 0, proc.stderr
    assert "reconnecting" not in proc.stderr.lower() and "Traceback" not in proc.stderr
    doc = json.loads(stats.read_text())
    assert doc["live_s"] >= 3 and len(doc["samples"]) >= 3
    assert doc["summary"]["height"] == 360 and doc["samples"][-1]["rtt_ms"] is not None
