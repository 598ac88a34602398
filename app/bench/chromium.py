"""How benches and tests start headless Chromium: one binary and one set of flags, so a page
measured by a bench runs the way the tests saw it run."""

from __future__ import annotations

import shutil
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # Debian's package

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--headless",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    # Two pages (publisher and viewer) must both run at full rate.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
]


def chromium_in(namespace: str, folder: Path) -> str:
    """An executable (written into `folder`) that starts Chromium inside network namespace
    `namespace`: Playwright talks to it over a pipe, which crosses namespaces."""
    script = folder / "chromium-in-ns"
    script.write_text(f'#!/bin/sh\nexec ip netns exec {namespace} {CHROMIUM} "$@"\n')
    script.chmod(0o755)
    return str(script)
