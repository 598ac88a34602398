"""The command line as a user (or a packaged build) runs it: real subprocesses."""

import json
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage


def livedesk(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=timeout
    )


def test_self_test_passes_and_saves_a_screenshot(tmp_path: Path) -> None:
    shot = tmp_path / "console.png"
    result = livedesk("--self-test", "--screenshot", str(shot))
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["self_test"] == "passed"
    assert set(report["checks"]) >= {
        "preview",
        "audio",
        "font",
        "features",
        "settings",
        "screenshot",
        "relay",
        "audience",
        "recording",
        "report",
    }
    assert "pictures read back" in report["checks"]["recording"]["detail"]
    image = QImage(str(shot))
    assert image.width() >= 640 and image.height() >= 400
    assert "fps" in report["status_bar"]


def test_self_test_with_a_corrupt_settings_file_recovers(tmp_path: Path) -> None:
    import os

    settings = Path(os.environ["LIVEDESK_CONFIG_DIR"]) / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text("{{{", encoding="utf-8")
    result = livedesk("--self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert "could not be read" in report["checks"]["settings"]["detail"]
    assert json.loads(settings.read_text(encoding="utf-8"))  # replaced by a good file


def test_bench_capture_prints_its_figures_against_the_targets() -> None:
    result = livedesk("bench", "capture", "--seconds", "1.5")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["bench"] == "capture" and report["frames_painted"] > 0
    assert set(report["targets"]) == {"latency_p95_ms", "gui_stall_p99_ms", "cpu_percent_one_core"}
    for figure in report["targets"].values():
        assert figure["ratio"] == round(figure["measured"] / figure["target"], 2)


def test_bench_capture_refuses_bad_arguments_in_plain_words() -> None:
    result = livedesk("bench", "capture", "--source", "/no/such/file.mp4")
    assert result.returncode == 2 and "no such file" in json.loads(result.stdout)["error"]


def test_bench_architecture_runs_each_mode() -> None:
    result = livedesk(
        "bench",
        "architecture",
        "--seconds",
        "1.5",
        "--modes",
        "single,danmaku_proc,split",
        "--danmaku-rate",
        "2000",
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    runs = {r["mode"]: r for r in report["runs"]}
    assert set(runs) == {"single", "danmaku_proc", "split"}
    for run in runs.values():
        assert run["preview"]["frames"] > 0, run  # figures are the bench's job, not the test's
        assert run["encoder"]["frames"] > 0, run
        assert run["danmaku"]["achieved_msg_s"] > 0, run


def _env_without_display() -> dict[str, str]:
    import os

    return {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }


def test_without_a_display_it_says_so_instead_of_crashing() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env_without_display(),
    )
    assert result.returncode == 2
    assert "needs a display" in result.stderr


def test_self_test_on_a_real_x_server(tmp_path: Path) -> None:
    """The same check under Xvfb with Qt's xcb platform: the system libraries `make` installs
    are enough to open the real window."""
    import shutil

    assert shutil.which("xvfb-run"), "xvfb is missing (packaging/system-packages-test.txt)"
    shot = tmp_path / "x11.png"
    result = subprocess.run(
        [
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1600x1000x24",
            sys.executable,
            "-m",
            "app",
            "--self-test",
            "--screenshot",
            str(shot),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=_env_without_display(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["self_test"] == "passed"
    assert QImage(str(shot)).width() >= 640
