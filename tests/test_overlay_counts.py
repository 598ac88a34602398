"""A repeat count on the overlay ("×N") never makes its line wider than when it was launched,
so a growing count never runs into the next line of its lane."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from app.danmaku.pipeline import Line
from app.danmaku.state import AudienceState, NoSource
from widgets.danmaku_overlay import DanmakuOverlay


def test_a_growing_count_keeps_the_line_width(qtbot: Any) -> None:
    parent = QWidget()
    parent.resize(800, 300)
    qtbot.addWidget(parent)
    overlay = DanmakuOverlay(AudienceState(NoSource()), parent, lanes=3, speed=10)
    line = Line(1, 0, "u", "n", "主播好美", "chat")
    overlay.add_lines([line])
    overlay._step()
    (item,) = overlay._items
    launched = item.width
    for count in (2, 57, 820, 123_456):
        line.count = count
        item.dirty, item.rendered_at = True, 0.0
        overlay._redraw_counts()
        assert item.width == launched, count
    assert item.text == "主播好美 ×999+"
