"""Makes the application font one that covers Chinese, so no text ever shows missing-glyph boxes.

Qt falls back per glyph on some platforms but not reliably on a bare Linux install (and not in
the offscreen platform), so the console picks a CJK-capable family explicitly: Noto Sans CJK
(installed by `make` as fonts-noto-cjk, and shipped in the PyInstaller bundle's `fonts/`
folder, registered first), else another known CJK family.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

PREFERRED_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Noto Sans CJK JP",
)
SAMPLE = "直播带货弹幕"
#: Tried for glyphs the CJK family lacks (viewers' 👍🔥❤️): installed by `make` as
#: fonts-noto-color-emoji; without one, emoji show as boxes.
EMOJI_FAMILIES = ("Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji", "Twemoji")


def covers(font: QFont, text: str = SAMPLE) -> bool:
    """True if `font` itself has a glyph for every character of `text`."""
    metrics = QFontMetrics(font)
    return all(metrics.inFontUcs4(ord(ch)) for ch in text)


def shipped_fonts_folder() -> Path | None:
    """The bundle's `fonts/` folder (PyInstaller unpacks data under `sys._MEIPASS`), or None
    when running from source."""
    base = getattr(sys, "_MEIPASS", None)
    folder = Path(base) / "fonts" if base else None
    return folder if folder is not None and folder.is_dir() else None


def register_shipped_fonts(folder: Path | None) -> list[str]:
    """Make the fonts in `folder` known to Qt; the families they add."""
    families: list[str] = []
    for path in sorted(folder.iterdir()) if folder is not None else []:
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("could not load the shipped font %s", path.name)
            continue
        families += QFontDatabase.applicationFontFamilies(font_id)
    return families


def install_cjk_font(app: QApplication) -> str | None:
    """Set the application font to a CJK-covering family; returns it, or None (logged) if the
    machine has none."""
    register_shipped_fonts(shipped_fonts_folder())
    available = set(QFontDatabase.families())
    candidates = [f for f in PREFERRED_FAMILIES if f in available]
    candidates += sorted(f for f in available if "CJK" in f and "Sans" in f and f not in candidates)
    emoji = [f for f in EMOJI_FAMILIES if f in available]
    if not emoji:
        log.warning("no colour emoji font found; install fonts-noto-color-emoji")
    for family in candidates:
        font = QFont(app.font())
        font.setFamilies([family])
        if covers(font):
            font.setFamilies([family, *emoji[:1]])  # emoji fall back to the colour font
            app.setFont(font)
            return family
    log.warning("no font covering Chinese found; install fonts-noto-cjk")
    return None
