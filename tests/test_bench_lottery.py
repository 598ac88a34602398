"""`livedesk bench lottery` on a small storm: the hub and the storm each run in a process of
their own (started with module_command), every distinct sender is counted once, live and again
from the journal, and the late senders are rejected."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def test_a_small_storm_counts_every_sender_once() -> None:
    args = ["--rate", "2000", "--seconds", "1", "--users", "40", "--window-s", "4"]
    args += ["--late-users", "5", "--blasters", "2"]
    done = subprocess.run(
        [sys.executable, "-m", "app", "bench", "lottery", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    result = json.loads(done.stdout)
    assert done.returncode == 0, result
    assert result["messages"] == 2000 and result["hub_msgs_per_s"] > 0
    assert result["entries_counted"] == result["distinct_users_in_window"] == 40
    assert result["entries_recounted_from_journal"] == 40 and result["ratio"] == 1.0
    assert result["late_rejected"] >= 5  # each late user sends the keyword spelt several ways
    assert result["ok"] is True
