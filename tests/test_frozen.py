"""The bundle's entry point (`packaging/livedesk.py`) runs a child's module the way `-m` does,
with its argv and exit code, and otherwise takes `livedesk`'s subcommands; children started by
the app use the frozen form when `sys.frozen` is set (PyInstaller sets it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from app import frozen

ROOT = Path(__file__).resolve().parent.parent
ENTRY = ROOT / "packaging" / "livedesk.py"


def entry(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ENTRY), *args], capture_output=True, text=True, timeout=60, cwd=ROOT
    )


def test_module_command_from_source_and_frozen(monkeypatch) -> None:
    assert frozen.module_command("app.danmaku.process", "7") == [
        sys.executable,
        "-m",
        "app.danmaku.process",
        "7",
    ]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert frozen.module_command("streaming.rtmp_push") == [
        sys.executable,
        "--run-module",
        "streaming.rtmp_push",
    ]
    assert frozen.module_command("app", "audience") == [sys.executable, "audience"]


def test_entry_runs_a_module_with_its_arguments_and_exit_code(tmp_path: Path) -> None:
    good = tmp_path / "in.json"
    good.write_text('{"b": [1, 2]}', encoding="utf-8")
    done = entry("--run-module", "json.tool", "--compact", str(good))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"b": [1, 2]}
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert entry("--run-module", "json.tool", str(bad)).returncode == 1


def test_entry_takes_livedesk_subcommands() -> None:
    done = entry("--help")
    assert done.returncode == 0
    assert "report" in done.stdout and "--run-module" not in done.stdout
