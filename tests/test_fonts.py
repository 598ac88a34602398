"""The bundle's own fonts: a font shipped in the bundle's `fonts/` folder is registered before
the console chooses its family, so a PC without CJK fonts still shows Chinese; a broken file is
skipped with a log line, not a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PySide6.QtGui import QFontDatabase

from widgets import fonts

SYSTEM_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FAMILY = "LiveDesk Shipped Test Sans"


def _renamed_font(folder: Path) -> Path:
    """DejaVu Sans under a family name no system has: only the folder can provide it."""
    font = TTFont(str(SYSTEM_FONT))
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = FAMILY
    path = folder / "shipped.ttf"
    font.save(str(path))
    return path


@pytest.mark.skipif(not SYSTEM_FONT.is_file(), reason="fonts-dejavu-core is missing")
def test_shipped_fonts_are_registered_and_a_broken_one_is_skipped(
    qapp, tmp_path, monkeypatch, caplog
):
    folder = tmp_path / "fonts"
    folder.mkdir()
    _renamed_font(folder)
    (folder / "broken.ttf").write_bytes(b"not a font")
    assert FAMILY not in QFontDatabase.families()
    monkeypatch.setattr(fonts.sys, "_MEIPASS", str(tmp_path), raising=False)
    assert fonts.shipped_fonts_folder() == folder
    added = fonts.register_shipped_fonts(fonts.shipped_fonts_folder())
    assert FAMILY in added and FAMILY in QFontDatabase.families()
    assert "broken.ttf" in caplog.text


def test_from_source_there_is_no_shipped_folder(monkeypatch) -> None:
    monkeypatch.delattr(fonts.sys, "_MEIPASS", raising=False)
    assert fonts.shipped_fonts_folder() is None
    assert fonts.register_shipped_fonts(None) == []
