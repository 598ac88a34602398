"""Building and switching scenes through the real console window, as a host does: Scenes and
Layers panels, the generated property panels, studio mode with Take, a scene hotkey, and the
show's scenes coming back after a restart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDockWidget, QInputDialog, QListWidget, QPlainTextEdit

from app.console_core import ConsoleCore
from app.program_controller import scenes_dir
from capture.program.kinds import LAYER_KINDS
from capture.properties import properties
from widgets.layer_panel import LayerPanel
from widgets.main_window import MainWindow
from widgets.preview import PreviewWidget, fit_rect
from widgets.property_form import PropertyForm
from widgets.scene_panel import ScenePanel

FEATURE = ("widgets.program_feature:install",)


class Console:
    def __init__(self, qtbot: Any) -> None:
        self.qtbot = qtbot
        self.core: ConsoleCore | None = None
        self.window: MainWindow | None = None

    def open(self) -> MainWindow:
        self.core = ConsoleCore()
        self.window = MainWindow(self.core, features=FEATURE)
        self.qtbot.addWidget(self.window)
        self.core.start(built_in_relay=False)
        self.window.show()
        assert not self.window.feature_errors
        return self.window

    def close(self) -> None:
        if self.window is not None:
            self.window.close()
        if self.core is not None:
            self.core.shutdown()
        self.window = self.core = None


@pytest.fixture
def console(qtbot: Any) -> Iterator[Console]:
    c = Console(qtbot)
    yield c
    c.close()


def panels(window: MainWindow) -> tuple[ScenePanel, LayerPanel]:
    scenes, layers = window.findChild(ScenePanel), window.findChild(LayerPanel)
    assert scenes is not None and layers is not None
    return scenes, layers


def click_row(qtbot: Any, widget: QListWidget, text: str) -> None:
    item = next(
        widget.item(i) for i in range(widget.count()) if widget.item(i).text().startswith(text)
    )
    qtbot.mouseClick(
        widget.viewport(), Qt.MouseButton.LeftButton, pos=widget.visualItemRect(item).center()
    )


def add_layer(layers: LayerPanel, kind: str) -> None:
    menu = layers.add_button.menu()
    assert menu is not None
    action = next(a for a in menu.actions() if isinstance(a, QAction) and a.data() == kind)
    action.trigger()


def test_build_switch_and_take_scenes_in_the_window(
    console: Console, qtbot: Any, monkeypatch: Any
) -> None:
    window = console.open()
    core = console.core
    assert core is not None
    program = core.program
    scenes, layers = panels(window)
    titles = {d.windowTitle() for d in window.findChildren(QDockWidget)}
    assert {"Scenes", "Layers", "Audio mix"} <= titles
    assert scenes.scenes.count() == 1 and "ON AIR" in scenes.scenes.item(0).text()
    camera_id = program.show.program
    qtbot.waitUntil(lambda: window.preview.frame_size == (1920, 1080), timeout=10_000)

    # A new scene with a product card and text, built from the panels.
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("带货", True))
    qtbot.mouseClick(scenes.add_button, Qt.MouseButton.LeftButton)
    assert scenes.scenes.count() == 2
    product_id = program.show.scenes[1].id
    click_row(qtbot, scenes.scenes, "带货")  # clicking a scene puts it on air (fade)
    qtbot.waitUntil(lambda: program.compositor.on_air == product_id, timeout=5_000)
    assert layers.scene_id == product_id
    add_layer(layers, "product_card")
    add_layer(layers, "text")
    scene = program.show.scene(product_id)
    assert scene is not None and [x.kind for x in scene.layers] == ["video", "product_card", "text"]
    assert layers.layers.item(0).text().startswith("Text")  # the top of the picture first

    # The generated panels: one row per described setting, edits reach the program.
    assert layers.settings_form is not None and layers.placement_form is not None
    form = layers.settings_form
    for prop in properties(LAYER_KINDS["text"].Settings):
        assert form.control(prop.name) is not None
    edit = form.control("text")
    assert isinstance(edit, QPlainTextEdit)
    edit.setPlainText("今晚 8 点开抢")
    scene = program.show.scene(product_id)
    assert scene is not None and scene.layers[-1].settings.text == "今晚 8 点开抢"
    width = layers.placement_form.findChild(object, "spin-width")
    assert width is not None
    width.setValue(400)
    scene = program.show.scene(product_id)
    assert scene is not None and scene.layers[-1].placement.width == 400

    # Hide a layer with its box; reorder it below the card.
    item = layers.layers.item(0)
    item.setCheckState(Qt.CheckState.Unchecked)
    assert not program.show.scene(product_id).layers[-1].visible  # type: ignore[union-attr]
    qtbot.mouseClick(layers.down_button, Qt.MouseButton.LeftButton)
    assert [x.kind for x in program.show.scene(product_id).layers] == [
        "video",
        "text",
        "product_card",
    ]  # type: ignore[union-attr]

    # Studio mode: prepare the camera scene while the product scene stays on air, then Take.
    scenes.studio.setChecked(True)
    studio = window.findChild(PreviewWidget, "studio-preview")
    assert studio is not None
    qtbot.waitUntil(studio.isVisible, timeout=2_000)
    click_row(qtbot, scenes.scenes, "Camera")
    assert program.show.preview == camera_id and program.show.program == product_id
    qtbot.waitUntil(lambda: studio.painted_frames > 3, timeout=5_000)
    qtbot.wait(400)
    assert program.compositor.on_air == product_id  # program untouched while preparing
    qtbot.mouseClick(scenes.take_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: program.compositor.on_air == camera_id, timeout=5_000)
    assert program.show.preview == product_id  # the old program is now prepared
    scenes.studio.setChecked(False)

    # The camera scene's hotkey (Ctrl+1) from the keyboard; set one for the other scene.
    click_row(qtbot, scenes.scenes, "带货")
    qtbot.waitUntil(lambda: program.compositor.on_air == product_id, timeout=5_000)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2_000)
    qtbot.keyClick(scenes.scenes, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: program.compositor.on_air == camera_id, timeout=5_000)

    # The preview shows the program; View → raw camera shows the camera.
    qtbot.waitUntil(lambda: window.preview.painted_frames > 5, timeout=5_000)
    window.raw_camera_action.setChecked(True)
    painted = window.preview.painted_frames
    qtbot.waitUntil(lambda: window.preview.painted_frames > painted + 3, timeout=5_000)

    # Saved per show as readable JSON in the data folder; back after a restart.
    console.close()
    saved = json.loads((scenes_dir() / "default.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in saved["scenes"]] == ["Camera", "带货"]
    assert saved["scenes"][1]["layers"][1]["settings"]["text"] == "今晚 8 点开抢"
    window = console.open()
    scenes, _ = panels(window)
    assert scenes.scenes.count() == 2 and console.core is not None
    assert console.core.program.show.program == camera_id


def test_a_damaged_scene_file_is_reported_and_the_show_starts(console: Console) -> None:
    path = scenes_dir() / "default.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{oops", encoding="utf-8")
    window = console.open()
    assert any("damaged" in n for n in window.notice_bar.notices)
    assert path.with_name("default.json.corrupt").exists()
    scenes, _ = panels(window)
    assert scenes.scenes.count() == 1


def test_property_form_is_generated_for_every_layer_kind(qtbot: Any) -> None:
    for cls in LAYER_KINDS.values():
        form = PropertyForm(cls.Settings())
        qtbot.addWidget(form)
        for prop in properties(cls.Settings):
            assert form.control(prop.name).objectName() == f"property-{prop.name}"


def test_filters_on_a_video_layer_from_its_panel(console: Console, qtbot: Any) -> None:
    window = console.open()
    assert console.core is not None
    program = console.core.program
    _, layers = panels(window)
    assert layers.filter_list is not None  # the camera layer is selected: it takes filters
    filters = layers.filter_list
    filters.kinds.setCurrentIndex(filters.kinds.findData("color_correction"))
    qtbot.mouseClick(filters.add_button, Qt.MouseButton.LeftButton)
    layer = program.show.program_scene().layers[0]
    assert [f.kind for f in layer.filters] == ["color_correction"]
    assert filters.form is not None
    spin = filters.form.findChild(object, "spin-brightness")
    assert spin is not None
    spin.setValue(-60.0)
    layer = program.show.program_scene().layers[0]
    assert layer.filters[0].settings["brightness"] == -60.0

    camera, darker = [], []
    undo = [
        console.core.media.video.subscribe(lambda f: camera.append(float(f.image.mean()))),
        program.video.subscribe(lambda f: darker.append(float(f.image.mean()))),
    ]
    qtbot.waitUntil(lambda: len(camera) > 5 and len(darker) > 5, timeout=5_000)
    for stop in undo:
        stop()
    assert max(darker[-3:]) < min(camera[-3:]) * 0.8  # the program carries the filtered camera
    filters.list.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert not program.show.program_scene().layers[0].filters[0].enabled


def test_drag_a_layer_on_the_preview(console: Console, qtbot: Any) -> None:
    window = console.open()
    assert console.core is not None
    program = console.core.program
    _, layers = panels(window)
    add_layer(layers, "product_card")
    scene_id = program.show.program
    card = program.show.program_scene().layers[-1]
    layers.select(program.show.program_scene().layers[0].id)  # the camera selected
    shown = fit_rect(1920, 1080, window.preview.rect())
    scale = shown.width() / 1920
    p = card.placement
    start = QPoint(
        round(shown.x() + (p.x + p.width / 2) * scale),
        round(shown.y() + (p.y + p.height / 2) * scale),
    )
    qtbot.mousePress(window.preview, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(window.preview, start + QPoint(-50, -40))
    qtbot.mouseRelease(window.preview, Qt.MouseButton.LeftButton, pos=start + QPoint(-50, -40))
    moved = program.show.scene(scene_id).layer(card.id)  # type: ignore[union-attr]
    assert moved is not None
    assert moved.placement.x == pytest.approx(p.x - 50 / scale, abs=3)
    assert moved.placement.y == pytest.approx(p.y - 40 / scale, abs=3)
    assert layers.selected() is not None and layers.selected().id == card.id  # type: ignore[union-attr]


def test_every_filter_kind_from_the_panel_with_its_generated_settings(
    console: Console, qtbot: Any, tmp_path: Any
) -> None:
    """Chroma key, colour correction with a LUT file, beauty and sharpen, stacked on the
    camera from the Filters list; each gets its generated panel and the program goes on."""
    from capture.filters import FILTERS

    window = console.open()
    assert console.core is not None
    program = console.core.program
    _, layers = panels(window)
    filters = layers.filter_list
    assert filters is not None
    assert [filters.kinds.itemData(i) for i in range(filters.kinds.count())] == list(FILTERS)
    for kind in FILTERS:
        filters.kinds.setCurrentIndex(filters.kinds.findData(kind))
        qtbot.mouseClick(filters.add_button, Qt.MouseButton.LeftButton)
        assert filters.form is not None
        for prop in properties(FILTERS[kind].Settings):
            assert filters.form.control(prop.name) is not None, (kind, prop.name)
    assert [f.kind for f in program.show.program_scene().layers[0].filters] == list(FILTERS)
    # A LUT file typed into the colour correction's path field, as Browse… would set it.
    filters.list.setCurrentRow(list(FILTERS).index("color_correction"))
    assert filters.form is not None
    line = filters.form.findChild(object, "path-lut_file")
    assert line is not None
    cube = tmp_path / "warm.cube"
    cube.write_text("LUT_3D_SIZE 2\n0 0 0\n1 0 0\n0 1 0\n1 1 0\n0 0 1\n1 0 1\n0 1 1\n1 1 1\n")
    line.setText(str(cube))
    line.editingFinished.emit()
    saved = program.show.program_scene().layers[0].filters[1]
    assert saved.kind == "color_correction" and saved.settings["lut_file"] == str(cube)
    count = program.compositor._index
    qtbot.waitUntil(lambda: program.compositor._index > count + 3, timeout=20_000)
