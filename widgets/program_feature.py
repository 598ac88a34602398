"""Installs the program's views: the Scenes, Layers and Audio mix panels, and the studio
preview (the scene being prepared) as docks. All are views of `core.program`; the main
preview already shows the program itself."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt

from app.console_core import ConsoleCore
from widgets.layer_panel import LayerPanel
from widgets.main_window import MainWindow
from widgets.mixer_panel import MixerPanel
from widgets.preview import PreviewWidget
from widgets.preview_drag import PreviewDrag
from widgets.scene_panel import ScenePanel


def install(window: MainWindow, core: ConsoleCore) -> None:
    program = core.program
    scenes = ScenePanel(program)
    layers = LayerPanel(program)
    scenes.editing_changed.connect(layers.edit_scene)
    layers.edit_scene(scenes.editing())
    left = Qt.DockWidgetArea.LeftDockWidgetArea
    window.add_dock(
        QCoreApplication.translate("ProgramFeature", "Scenes"), scenes, left, name="scenes"
    )
    window.add_dock(
        QCoreApplication.translate("ProgramFeature", "Layers"), layers, left, name="layers"
    )
    window.add_dock(
        QCoreApplication.translate("ProgramFeature", "Audio mix"), MixerPanel(program), name="mix"
    )
    studio = PreviewWidget()
    studio.setObjectName("studio-preview")
    studio.placeholder = QCoreApplication.translate(
        "ProgramFeature", "Studio mode is off: the next scene is prepared here"
    )
    studio.attach(program.preview_video)
    dock = window.add_dock(
        QCoreApplication.translate("ProgramFeature", "Next scene (studio)"),
        studio,
        scroll=False,
        name="studio",
    )
    dock.setVisible(program.studio)
    program.studio_changed.connect(dock.setVisible)
    program.notice.connect(window.show_notice)
    PreviewDrag(
        window.preview,
        program,
        scene_id=scenes.editing,
        selected=layers.select,
        active=lambda: not window.raw_camera_action.isChecked() and not program.studio,
    )
