"""Drag a layer on the console's preview to move it, as in OBS: press on a layer of the scene
being edited (the topmost one under the pointer that does not fill the frame), drag, release.
The preview keeps painting program frames; only the layer's placement changes."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QMouseEvent

from app.program_controller import ProgramController
from widgets.preview import PreviewWidget, fit_rect


class PreviewDrag(QObject):
    def __init__(
        self,
        preview: PreviewWidget,
        program: ProgramController,
        scene_id: Callable[[], str],
        selected: Callable[[str], None],
        active: Callable[[], bool],
    ) -> None:
        super().__init__(preview)
        self._preview = preview
        self._program = program
        self._scene_id = scene_id
        self._selected = selected
        self._active = active
        self._grab: tuple[str, float, float] | None = None  # layer id, offset in canvas px
        preview.installEventFilter(self)

    def to_canvas(self, pos: QPointF) -> tuple[float, float] | None:
        width, height = self._program.size
        shown = fit_rect(width, height, self._preview.rect())
        if shown.width() <= 0:
            return None
        scale = width / shown.width()
        return (pos.x() - shown.x()) * scale, (pos.y() - shown.y()) * scale

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if not isinstance(event, QMouseEvent) or not self._active():
            return False
        point = self.to_canvas(event.position())
        if point is None:
            return False
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            return self._press(*point)
        if kind == QEvent.Type.MouseMove and self._grab is not None:
            layer_id, dx, dy = self._grab
            self._program.move_layer_to(
                self._scene_id(), layer_id, round(point[0] - dx), round(point[1] - dy)
            )
            return True
        if kind == QEvent.Type.MouseButtonRelease and self._grab is not None:
            self._grab = None
            return True
        return False

    def _press(self, x: float, y: float) -> bool:
        scene = self._program.show.scene(self._scene_id())
        if scene is None:
            return False
        width, height = self._program.size
        for layer in reversed(scene.layers):
            p = layer.placement
            full = (p.x, p.y, p.width, p.height) == (0, 0, width, height)
            if (
                layer.visible
                and not full
                and p.x <= x < p.x + p.width
                and p.y <= y < p.y + p.height
            ):
                self._grab = (layer.id, x - p.x, y - p.y)
                self._selected(layer.id)
                return True
        return False
