"""The Layers panel: the layers of the scene being edited, top of the picture first (as OBS
lists them), with visibility boxes, Add (every layer kind), Remove and ▲/▼ for the z-order, and
below them the selected layer's panels — its placement and its kind's settings — generated from
their descriptions (`PropertyForm`), never written per kind.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.program_controller import ProgramController
from capture.program.kinds import LAYER_KINDS
from capture.program.layer import Layer
from capture.program.scene import Show
from widgets.filter_list import FilterList
from widgets.move_buttons import move_buttons
from widgets.property_form import PropertyForm, translate

LAYER_ID = Qt.ItemDataRole.UserRole


def layer_label(text: str) -> str:
    return translate(text) if text else ""


class LayerPanel(QWidget):
    def __init__(self, program: ProgramController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.program = program
        self.scene_id = program.show.program
        self.layers = QListWidget()
        self.layers.setObjectName("layer-list")
        self.layers.currentItemChanged.connect(lambda *_: self._selected())
        self.layers.itemChanged.connect(self._visibility)
        self.layers.itemDoubleClicked.connect(lambda _item: self.rename())
        self.add_button = QToolButton()
        self.add_button.setText(self.tr("Add layer"))
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.add_button)
        for kind, cls in LAYER_KINDS.items():
            action = QAction(layer_label(cls.label), menu)
            action.setData(kind)
            action.triggered.connect(lambda _checked=False, k=kind: self.add(k))
            menu.addAction(action)
        self.add_button.setMenu(menu)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(self.remove)
        self.up_button, self.down_button = move_buttons(
            self._move, self.tr("Bring forward"), self.tr("Send backward"), up_step=1
        )
        self.placement_box = QGroupBox(self.tr("Position and size"))
        self.settings_box = QGroupBox(self.tr("Settings"))
        self.filters_box = QGroupBox(self.tr("Filters"))
        self.filter_list: FilterList | None = None
        self.placement_form: PropertyForm | None = None
        self.settings_form: PropertyForm | None = None
        self._form_layer: tuple[str, str] | None = None  # (layer id, kind) the forms edit
        self._placement_column = QVBoxLayout(self.placement_box)
        self._settings_column = QVBoxLayout(self.settings_box)
        self._filters_column = QVBoxLayout(self.filters_box)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(b)
        column = QVBoxLayout(self)
        column.addWidget(self.layers, 1)
        column.addLayout(buttons)
        column.addWidget(self.settings_box)
        column.addWidget(self.filters_box)
        column.addWidget(self.placement_box)
        program.show_changed.connect(self.show_layers)
        self.show_layers(program.show)

    # -- following the show ----------------------------------------------------------------
    def edit_scene(self, scene_id: str) -> None:
        if scene_id != self.scene_id:
            self.scene_id = scene_id
            self.show_layers(self.program.show)

    def selected(self) -> Layer | None:
        item = self.layers.currentItem()
        scene = self.program.show.scene(self.scene_id)
        if item is None or scene is None:
            return None
        return scene.layer(str(item.data(LAYER_ID)))

    def show_layers(self, show: Show) -> None:
        scene = show.scene(self.scene_id)
        if scene is None:
            self.scene_id = show.program
            scene = show.program_scene()
        current = self.selected()
        keep = current.id if current is not None else None
        self.layers.blockSignals(True)
        self.layers.clear()
        for layer in reversed(scene.layers):  # the top of the picture first
            item = QListWidgetItem(f"{layer.name}  ·  {layer_label(LAYER_KINDS[layer.kind].label)}")
            item.setData(LAYER_ID, layer.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked)
            self.layers.addItem(item)
            if layer.id == keep:
                self.layers.setCurrentItem(item)
        if self.layers.currentItem() is None and self.layers.count():
            self.layers.setCurrentRow(0)
        self.layers.blockSignals(False)
        self._selected()

    def _selected(self) -> None:
        layer = self.selected()
        for button in (self.remove_button, self.up_button, self.down_button):
            button.setEnabled(layer is not None)
        if layer is None:
            self._set_forms(None)
            return
        if self._form_layer != (layer.id, layer.kind):
            self._set_forms(layer)
        else:
            assert self.settings_form is not None and self.placement_form is not None
            self.settings_form.show_settings(layer.settings)
            self.placement_form.show_settings(layer.placement)
            if self.filter_list is not None:
                self.filter_list.show_filters(layer.filters)

    def _set_forms(self, layer: Layer | None) -> None:
        for form in (self.placement_form, self.settings_form, self.filter_list):
            if form is not None:
                form.setParent(None)
                form.deleteLater()
        self.placement_form = self.settings_form = None
        self.filter_list = None
        self._form_layer = None
        self.filters_box.setVisible(layer is not None and LAYER_KINDS[layer.kind].live)
        if layer is None:
            return
        layer_id = layer.id
        self.settings_form = PropertyForm(layer.settings)
        self.settings_form.setObjectName("layer-settings")
        self.settings_form.changed.connect(
            lambda s: self.program.update_layer(self.scene_id, layer_id, settings=s)
        )
        self.placement_form = PropertyForm(layer.placement)
        self.placement_form.setObjectName("layer-placement")
        self.placement_form.changed.connect(
            lambda p: self.program.update_layer(self.scene_id, layer_id, placement=p)
        )
        self._settings_column.addWidget(self.settings_form)
        self._placement_column.addWidget(self.placement_form)
        if LAYER_KINDS[layer.kind].live:
            self.filter_list = FilterList(
                layer.filters,
                lambda f: self.program.update_layer(self.scene_id, layer_id, filters=f),
            )
            self._filters_column.addWidget(self.filter_list)
        self._form_layer = (layer.id, layer.kind)

    # -- actions -----------------------------------------------------------------------------
    def add(self, kind: str) -> str:
        layer_id = self.program.add_layer(self.scene_id, kind)
        self.select(layer_id)
        return layer_id

    def select(self, layer_id: str) -> None:
        for row in range(self.layers.count()):
            if self.layers.item(row).data(LAYER_ID) == layer_id:
                self.layers.setCurrentRow(row)

    def remove(self) -> None:
        layer = self.selected()
        if layer is not None:
            self.program.remove_layer(self.scene_id, layer.id)

    def rename(self) -> None:
        layer = self.selected()
        if layer is None:
            return
        name, ok = QInputDialog.getText(
            self, self.tr("Rename layer"), self.tr("Layer name:"), text=layer.name
        )
        if ok and name.strip():
            self.program.update_layer(self.scene_id, layer.id, name=name.strip())

    def _move(self, delta: int) -> None:
        layer = self.selected()
        if layer is not None:
            self.program.move_layer(self.scene_id, layer.id, delta)

    def _visibility(self, item: QListWidgetItem) -> None:
        visible = item.checkState() == Qt.CheckState.Checked
        self.program.update_layer(self.scene_id, str(item.data(LAYER_ID)), visible=visible)
