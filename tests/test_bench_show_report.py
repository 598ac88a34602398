"""`livedesk bench report` on a small synthetic show: one JSON object with the report's time
against the 60 s target, the child's peak memory and every file the report writes."""

from __future__ import annotations

import json
import subprocess
import sys


def test_bench_report_prints_its_figures_and_the_files(tmp_path) -> None:
    command = [sys.executable, "-m", "app", "bench", "report", "--events", "5000"]
    done = subprocess.run(
        [*command, "--keep", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["bench"] == "report" and result["events"] == 5000
    assert result["ratio"] == round(result["report_s"] / 60.0, 3)
    assert set(result["files"]) >= {"report.html", "report.pdf", "events.csv"}
    assert all(size > 0 for size in result["files"].values())
    assert "5,000 events" in result["summary"]
    assert 0 < result["peak_rss_mb"] < 4096
    assert (tmp_path / "report" / "report.html").is_file()


def test_bench_report_refuses_an_empty_show() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app", "bench", "report", "--events", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert json.loads(done.stdout) == {"bench": "report", "error": "--events must be at least 1"}
