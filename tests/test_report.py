"""`livedesk report` on real journals: every file written, the HTML opened in headless
Chromium with its charts drawn (checked in the page and on a screenshot), the PDF, CSV and
Parquet holding every event; an empty show; a folder that cannot be written; a bad journal —
plain words, exit code 2, journal untouched."""

from __future__ import annotations

import csv
import hashlib
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.cli import main
from app.danmaku.journal import Journal, shows_dir
from tests.insights_support import write_show


def _events(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT COUNT(*) FROM events").fetchone()[0])


def test_report_files_and_the_page_in_chromium(tmp_path: Path, browser, capsys) -> None:
    journal = tmp_path / "show.sqlite"
    write_show(journal)
    out = tmp_path / "report"
    assert main(["report", str(journal), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "190 messages" in printed and str(out / "report.html") in printed
    assert {p.name for p in out.iterdir()} == {
        "report.html", "report.pdf", "events.csv", "events.parquet",
    }  # fmt: skip
    assert all(p.stat().st_mode & 0o077 == 0 for p in out.iterdir())  # private, as the journal

    with open(out / "events.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == _events(journal)
    assert rows[1]["type"] == "danmaku" and rows[1]["text"]
    import pyarrow.parquet as pq

    table = pq.read_table(out / "events.parquet")
    assert table.num_rows == len(rows) and table.column("seq").to_pylist()[0] == 1
    pdf = (out / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == 1 + 5

    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto((out / "report.html").as_uri())
    charts = page.eval_on_selector_all(
        "img.chart", "els => els.map(e => [e.id, e.complete, e.naturalWidth, e.naturalHeight])"
    )
    assert [c[0] for c in charts] == [
        "chart-activity", "chart-viewers", "chart-questions", "chart-mentions", "chart-keywords",
    ]  # fmt: skip
    assert all(done and w > 600 and h > 200 for _id, done, w, h in charts)
    summary = page.inner_text("#summary")
    assert "最高在线" in summary and "550" in summary and "25%" in summary
    shot = tmp_path / "report.png"
    page.locator("#chart-activity").screenshot(path=str(shot))
    page.screenshot(path=str(tmp_path / "report-page.png"), full_page=True)
    page.close()
    # The activity chart on screen is a drawing, not a blank or broken image: many colours,
    # and the bars' blue (messages) is there.
    from PIL import Image

    pixels = np.asarray(Image.open(shot).convert("RGB")).reshape(-1, 3)
    assert len(np.unique(pixels, axis=0)) > 50
    blue = np.all(np.abs(pixels.astype(int) - (0x1F, 0x77, 0xB4)) < 30, axis=1)
    assert blue.mean() > 0.01


def test_report_on_an_empty_show_and_by_name(tmp_path: Path, capsys) -> None:
    journal = shows_dir() / "show-20261203-200000.sqlite"
    Journal(journal).close()
    assert main(["report", "latest"]) == 0
    printed = capsys.readouterr().out
    assert "0 events" in printed
    html = Path(os.environ["LIVEDESK_DATA_DIR"]) / "reports" / journal.stem / "report.html"
    assert "无 None" in html.read_text(encoding="utf-8")


def test_folder_that_cannot_be_written(tmp_path: Path, capsys) -> None:
    journal = tmp_path / "show.sqlite"
    write_show(journal, minutes=1)
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    digest = hashlib.sha256(journal.read_bytes()).hexdigest()
    assert main(["report", str(journal), "--out", str(blocked / "report")]) == 2
    err = capsys.readouterr().err
    assert "cannot be saved" in err and "not a folder" in err and "Errno" not in err
    assert hashlib.sha256(journal.read_bytes()).hexdigest() == digest


def test_bad_journal_in_a_real_process(tmp_path: Path) -> None:
    bad = tmp_path / "show.sqlite"
    bad.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    done = subprocess.run(
        [sys.executable, "-m", "app", "report", str(bad), "--out", str(tmp_path / "r")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
    )
    assert done.returncode == 2
    assert "damaged" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("missing", ["show-19990101-000000", "nowhere.sqlite"])
def test_missing_show(missing: str, capsys) -> None:
    assert main(["report", missing]) == 2
    assert "no show journal" in capsys.readouterr().err
