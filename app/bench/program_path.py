"""The program between a bench's camera and its outputs, as the console has it.

The camera is the full-frame layer of two scenes: the show scene (a text layer and every show
graphic over it, all kept clear of the top rows, where a latency stamp or a sync flash is read)
and the camera alone. The real compositor composes them and the program's audio mix carries the
microphone, so a bench measures what a host's viewers get; `cut()` switches the program between
the two scenes, as a host does during a show.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from app.bench.measure import summarize


class ProgramPath:
    def __init__(self, camera: Any, microphone: Any, size: tuple[int, int]) -> None:
        from PySide6.QtGui import QGuiApplication

        from app.cli.bench_compositor import showcase_layers
        from capture.program.compositor import Compositor
        from capture.program.feeds import FeedPool
        from capture.program.mixer import AudioMixer, MixSettings
        from capture.program.scene import Scene, Show, new_layer, new_scene_id

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        self.app = QGuiApplication.instance() or QGuiApplication([])
        canvas = "1080p" if size[0] >= 1920 else "720p"
        logo = Path(tempfile.mkdtemp(prefix="livedesk-program-")) / "logo.png"
        camera_layer = new_layer("video", canvas, "Camera")
        layers = (camera_layer, *showcase_layers(canvas, logo, None))
        show_scene = Scene(new_scene_id(), "show", layers)
        plain = Scene(new_scene_id(), "camera", (camera_layer,))
        self.layers = [layer.kind for layer in layers]
        self.show = Show(canvas, (show_scene, plain), show_scene.id, plain.id)
        self.cuts = 0
        self.compositor = Compositor(FeedPool(shared={"camera": camera}), fps=30.0)
        self.compositor.set_show(self.show)
        self.mixer = AudioMixer()
        if microphone is not None:
            self.mixer.add("microphone", "Microphone", microphone, MixSettings())
        self.video = self.compositor.video
        self.audio = self.mixer.audio if microphone is not None else None

    def start(self) -> None:
        self.compositor.start()

    def stop(self) -> None:
        self.compositor.stop()
        self.mixer.close()

    def cut(self) -> None:
        """Swap program and preview (a cut, as the console's Cut button does)."""
        self.show = self.show.replace(program=self.show.preview, preview=self.show.program)
        self.compositor.set_show(self.show)
        self.cuts += 1

    def cost_ms(self) -> dict[str, Any]:
        return summarize([c / 1e6 for c in self.compositor.costs_ns], 3)
