"""Picture and sound at a real viewer: headless Chromium on the relay's viewer page, noting when
it shows each flash and plays each beep (`latency_pages/avsync_probe.js`)."""

from __future__ import annotations

import asyncio
from importlib import resources
from typing import Any

PROBE_JS = resources.files("app.bench.latency_pages").joinpath("avsync_probe.js").read_text("utf-8")


async def open_viewer(browser: Any, viewer_url: str) -> Any:
    """The viewer page in a new page of `browser`, before the publisher starts: a viewer that
    joins a Chromium publisher late was seen waiting for a keyframe that never came."""
    page = await browser.new_page()
    await page.goto(viewer_url)
    return page


async def probe(page: Any, seconds: float, warmup: float) -> dict[str, Any]:
    """Once the page plays picture and sound, `warmup` + `seconds` of it; the flashes and
    onsets of the last `seconds` (wall-clock seconds), the frames presented, the page's audio.
    Closes the page."""
    try:
        await page.wait_for_function(
            "() => { const v = document.querySelector('video');"
            " return v && v.readyState >= 2 && v.srcObject"
            " && v.srcObject.getAudioTracks().length > 0; }",
            timeout=30_000,
        )
        await page.add_script_tag(content=PROBE_JS)
        await page.evaluate("startAvsyncProbe()")
        await asyncio.sleep(warmup)
        await page.evaluate("window.__avsync.flashes = []; window.__avsync.onsets = []")
        await asyncio.sleep(seconds)
        found = await page.evaluate("window.__avsync")
    finally:
        await page.close()
    return {
        "flashes": [t / 1000 for t in found["flashes"]],
        "onsets": [t / 1000 for t in found["onsets"]],
        "frames": found["frames"],
        "audio": found["audio"],
    }
