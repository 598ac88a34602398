"""`livedesk` (no subcommand): open the console. `livedesk --self-test [--screenshot PATH]`:
open it, run capture for a few seconds, check every subsystem (the window's and, in
`self_test_live`, relay, audience child, voice model and translation), exit 0 only if all
worked."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

SELF_TEST_SECONDS = 3.0
SELF_TEST_MAX_SECONDS = 10.0
MIN_FRAMES = 15  # half a second of 30 fps video painted
MIN_BLOCKS = 100  # one second of audio metered


def _no_display() -> bool:
    """On Linux/BSD desktops Qt needs X11 or Wayland unless a platform is forced."""
    if not sys.platform.startswith(("linux", "freebsd")) or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_console(args: argparse.Namespace) -> int:
    if _no_display():
        print(
            "LiveDesk needs a display: run it from a desktop session (DISPLAY or "
            "WAYLAND_DISPLAY set). Without one, `QT_QPA_PLATFORM=offscreen livedesk "
            "--self-test` checks the console headless.",
            file=sys.stderr,
        )
        return 2
    from PySide6.QtWidgets import QApplication

    from app import i18n
    from app.console_core import ConsoleCore
    from app.gc_guard import GuiThreadGarbageCollector
    from app.settings import Settings
    from widgets.fonts import install_cjk_font
    from widgets.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("LiveDesk")
    font_family = install_cjk_font(app)
    collector = GuiThreadGarbageCollector(app)
    settings = Settings()  # first: the language is chosen before any text is made
    translators = i18n.install(app, i18n.effective_language(settings))
    core = ConsoleCore(settings)
    window = MainWindow(core)
    # Closing the console ends the process, whatever other windows (the assistant's) are open.
    window.closing.connect(app.quit)
    core.start()
    window.show()
    try:
        if getattr(args, "self_test", False):
            return self_test(app, core, window, font_family, getattr(args, "screenshot", None))
        return app.exec()
    finally:
        window.close_now()
        core.shutdown()
        collector.stop()
        i18n.uninstall(app, translators)


def self_test(
    app: Any, core: Any, window: Any, font_family: str | None, screenshot: str | None
) -> int:
    """Let the console run, then check each subsystem; prints a JSON report."""
    from widgets.fonts import covers

    start = time.monotonic()
    while True:  # at least SELF_TEST_SECONDS; longer (bounded) for a slow-starting device
        app.processEvents()
        time.sleep(0.005)
        elapsed = time.monotonic() - start
        flowing = (
            window.preview.painted_frames >= MIN_FRAMES
            and window.meter.tracker.blocks >= MIN_BLOCKS
        )
        if elapsed >= SELF_TEST_MAX_SECONDS or (elapsed >= SELF_TEST_SECONDS and flowing):
            break
    checks: dict[str, dict[str, Any]] = {}

    def check(name: str, ok: bool, detail: Any) -> None:
        checks[name] = {"ok": bool(ok), "detail": detail}

    painted = window.preview.painted_frames
    check(
        "preview",
        painted >= MIN_FRAMES,
        f"{painted} frames painted from {core.media.video_label()}",
    )
    blocks = window.meter.tracker.blocks
    check("audio", blocks >= MIN_BLOCKS, f"{blocks} blocks metered from {core.media.audio_label()}")
    check("font", font_family is not None and covers(app.font()), font_family or "no CJK font")
    check("features", not window.feature_errors, window.feature_errors or "all installed")
    core.settings.flush()
    check(
        "settings",
        core.settings.path.exists() and not _unreadable(core.settings.path),
        core.settings.load_error or f"saved to {core.settings.path}",
    )
    from app.cli.self_test_live import live_checks

    live_checks(app, core, check)
    if screenshot:
        saved = window.grab().save(screenshot)
        check("screenshot", saved, screenshot)
    ok = all(c["ok"] for c in checks.values())
    print(
        json.dumps(
            {
                "self_test": "passed" if ok else "failed",
                "checks": checks,
                "status_bar": window.status_text(),
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    return 0 if ok else 1


def _unreadable(path: Any) -> bool:
    try:
        json.loads(path.read_text(encoding="utf-8"))
        return False
    except (OSError, ValueError):
        return True
