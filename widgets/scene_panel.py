"""The Scenes panel: the show's scenes, how to switch between them, studio mode.

Clicking a scene puts it on air with the chosen transition (cut, or a fade ≤ 300 ms); in studio
mode it is prepared in the studio preview instead and **Take** puts it on air. Each scene may
have a hotkey (Ctrl+1 … by default for the first). A view of `core.program`: every change goes
through the controller, and the list follows `show_changed`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QKeySequenceEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.program_controller import TRANSITIONS, ProgramController
from capture.program.canvas import CANVAS_LABELS
from capture.program.scene import Show
from widgets.move_buttons import move_buttons
from widgets.property_form import translate

SCENE_ID = Qt.ItemDataRole.UserRole


class ScenePanel(QWidget):
    #: The scene whose layers the Layers panel edits (the one on air, or the prepared one).
    editing_changed = Signal(str)

    def __init__(self, program: ProgramController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.program = program
        self._shortcuts: list[QShortcut] = []
        self.scenes = QListWidget()
        self.scenes.setObjectName("scene-list")
        self.scenes.itemClicked.connect(self._clicked)
        self.scenes.itemDoubleClicked.connect(lambda _item: self.rename())
        self.add_button = QPushButton(self.tr("Add"))
        self.add_button.clicked.connect(lambda: self.add())
        self.copy_button = QPushButton(self.tr("Duplicate"))
        self.copy_button.clicked.connect(lambda: self.add(copy=True))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(self.remove)
        self.up_button, self.down_button = move_buttons(
            self._move, self.tr("Move the scene up"), self.tr("Move the scene down")
        )
        self.canvas = QComboBox()
        for key, label in CANVAS_LABELS.items():
            self.canvas.addItem(translate(label), key)
        self.canvas.currentIndexChanged.connect(
            lambda i: program.set_canvas(str(self.canvas.itemData(i)))
        )
        self.transition = QComboBox()
        self.transition.addItem(self.tr("Cut"), "cut")
        self.transition.addItem(self.tr("Fade"), "fade")
        self.duration = QDoubleSpinBox()
        self.duration.setRange(0.05, 0.3)
        self.duration.setSingleStep(0.05)
        self.duration.setSuffix(" s")
        self.transition.currentIndexChanged.connect(self._transition_changed)
        self.duration.valueChanged.connect(self._transition_changed)
        self.hotkey = QKeySequenceEdit()
        self.hotkey.setObjectName("scene-hotkey")
        self.hotkey.editingFinished.connect(self._hotkey_changed)
        self.studio = QCheckBox(self.tr("Studio mode (prepare the next scene, then Take)"))
        self.studio.toggled.connect(program.set_studio)
        self.take_button = QPushButton(self.tr("Take"))
        self.take_button.setObjectName("take")
        self.take_button.setToolTip(self.tr("Put the prepared scene on air"))
        self.take_button.clicked.connect(lambda: program.take())
        self._layout()
        kind, seconds = program.transition
        self.transition.setCurrentIndex(max(0, TRANSITIONS.index(kind)))
        self.duration.setValue(seconds)
        program.show_changed.connect(self.show_scenes)
        program.studio_changed.connect(self._studio_changed)
        self.show_scenes(program.show)
        self._studio_changed(program.studio)

    def _layout(self) -> None:
        buttons = QHBoxLayout()
        for b in (self.add_button, self.copy_button, self.remove_button):
            buttons.addWidget(b)
        arrows = QVBoxLayout()  # beside the list, as the order they change
        arrows.addWidget(self.up_button)
        arrows.addWidget(self.down_button)
        arrows.addStretch(1)
        listing = QHBoxLayout()
        listing.addWidget(self.scenes, 1)
        listing.addLayout(arrows)
        form = QFormLayout()
        form.addRow(self.tr("Canvas"), self.canvas)
        line = QHBoxLayout()
        line.addWidget(self.transition, 1)
        line.addWidget(self.duration)
        form.addRow(self.tr("Transition"), line)
        form.addRow(self.tr("Hotkey"), self.hotkey)
        column = QVBoxLayout(self)
        column.addLayout(listing, 1)
        column.addLayout(buttons)
        column.addLayout(form)
        column.addWidget(self.studio)
        column.addWidget(self.take_button)

    # -- following the show ----------------------------------------------------------------
    def editing(self) -> str:
        """The scene the host edits: the prepared one in studio mode, else the one on air."""
        show = self.program.show
        return show.preview if self.program.studio else show.program

    def show_scenes(self, show: Show) -> None:
        self.scenes.blockSignals(True)
        self.scenes.clear()
        for scene in show.scenes:
            marks = []
            if scene.id == show.program:
                marks.append(self.tr("ON AIR"))
            if self.program.studio and scene.id == show.preview and scene.id != show.program:
                marks.append(self.tr("next"))
            text = scene.name + (f"   [{' · '.join(marks)}]" if marks else "")
            if scene.hotkey:
                text += f"   {scene.hotkey}"
            item = QListWidgetItem(text)
            item.setData(SCENE_ID, scene.id)
            self.scenes.addItem(item)
            if scene.id == self.editing():
                self.scenes.setCurrentItem(item)
        self.scenes.blockSignals(False)
        self.canvas.blockSignals(True)
        self.canvas.setCurrentIndex(max(0, self.canvas.findData(show.canvas)))
        self.canvas.blockSignals(False)
        current = show.scene(self.editing())
        self.hotkey.blockSignals(True)
        self.hotkey.setKeySequence(QKeySequence(current.hotkey if current else ""))
        self.hotkey.blockSignals(False)
        self.remove_button.setEnabled(len(show.scenes) > 1)
        self._install_hotkeys(show)
        self.editing_changed.emit(self.editing())

    def _install_hotkeys(self, show: Show) -> None:
        window = self.window()
        for shortcut in self._shortcuts:
            shortcut.setParent(None)
            shortcut.deleteLater()
        self._shortcuts = []
        for scene in show.scenes:
            if scene.hotkey:
                shortcut = QShortcut(QKeySequence(scene.hotkey), window)
                shortcut.activated.connect(lambda sid=scene.id: self.program.switch_to(sid))
                self._shortcuts.append(shortcut)

    def _studio_changed(self, on: bool) -> None:
        self.studio.blockSignals(True)
        self.studio.setChecked(on)
        self.studio.blockSignals(False)
        self.take_button.setVisible(on)
        self.show_scenes(self.program.show)

    # -- actions -----------------------------------------------------------------------------
    def _clicked(self, item: QListWidgetItem) -> None:
        self.program.switch_to(str(item.data(SCENE_ID)))

    def add(self, copy: bool = False, name: str | None = None) -> str | None:
        if name is None:
            name, ok = QInputDialog.getText(self, self.tr("New scene"), self.tr("Scene name:"))
            if not ok:
                return None
        base = self.editing() if copy else None
        return self.program.add_scene(name.strip() or self.tr("Scene"), copy_of=base)

    def remove(self) -> None:
        self.program.remove_scene(self.editing())

    def rename(self) -> None:
        scene = self.program.show.scene(self.editing())
        if scene is None:
            return
        name, ok = QInputDialog.getText(
            self, self.tr("Rename scene"), self.tr("Scene name:"), text=scene.name
        )
        if ok:
            self.program.rename_scene(scene.id, name)

    def _move(self, delta: int) -> None:
        self.program.move_scene(self.editing(), delta)

    def _transition_changed(self) -> None:
        self.program.set_transition(str(self.transition.currentData()), self.duration.value())
        self.duration.setEnabled(self.transition.currentData() == "fade")

    def _hotkey_changed(self) -> None:
        self.program.set_hotkey(
            self.editing(),
            self.hotkey.keySequence().toString(QKeySequence.SequenceFormat.PortableText),
        )
