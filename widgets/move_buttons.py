"""The ▲/▼ pair that moves the selected row of a list (scenes, layers, filters): small arrow
tool buttons, so a row of them beside the text buttons still fits a 320 px dock."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton


def move_buttons(
    move: Callable[[int], None], up_tip: str, down_tip: str, up_step: int = -1
) -> tuple[QToolButton, QToolButton]:
    """(up, down): up calls `move(up_step)`, down `move(-up_step)` — a list's order runs
    down the screen, a layer's z-order up."""
    buttons = []
    for arrow, step, tip in (
        (Qt.ArrowType.UpArrow, up_step, up_tip),
        (Qt.ArrowType.DownArrow, -up_step, down_tip),
    ):
        button = QToolButton()
        button.setArrowType(arrow)
        button.setToolTip(tip)
        button.clicked.connect(lambda _=False, step=step: move(step))
        buttons.append(button)
    return buttons[0], buttons[1]
