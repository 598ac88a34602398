"""The Record button (as in OBS) and the backup recording while live: a `Recorder` on the Go
live controller's hub, so recording adds no encode.

Settings (section "recording"): folder (default: `recordings` in the data folder), show (the name
in the file names), while_live (record every time the host goes live), min_free_mb. The size and
duration are published once a second for the status indicator.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.i18n import translated
from app.paths import data_dir
from streaming.output import Output, OutputState
from streaming.recorder import MIN_FREE_BYTES, Recorder, recording_path

SECTION = "recording"
DEFAULTS: dict[str, Any] = {
    "folder": "",  # empty: data_dir()/recordings
    "show": "LiveDesk",
    "while_live": True,
    "min_free_mb": MIN_FREE_BYTES // (1024 * 1024),
}


class RecordingController(QObject):
    """States: idle, connecting (waiting for a keyframe), live (recording), failed."""

    #: (state value, plain-words message)
    state_changed = Signal(str, str)
    #: (bytes written, seconds recorded), once a second while recording
    progress = Signal(int, float)

    _recorder_state = Signal(object, str, object)  # cross-thread: (recorder, state, message)

    def __init__(self, golive: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.golive = golive
        self.core_settings = golive.core.settings
        self.settings: dict[str, Any] = {**DEFAULTS, **self.core_settings.section(SECTION)}
        self.recorder: Recorder | None = None
        self.state = OutputState.IDLE
        self.message = ""
        self._closed = threading.Event()
        self._recorder_state.connect(self._on_recorder_state)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)

    @property
    def recording(self) -> bool:
        return self.recorder is not None

    def folder(self) -> Path:
        chosen = str(self.settings["folder"]).strip()
        return Path(chosen).expanduser() if chosen else data_dir() / "recordings"

    def configure(self, **values: Any) -> None:
        unknown = set(values) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown recording settings: {', '.join(sorted(unknown))}")
        self.settings.update(values)
        self.core_settings.update_section(SECTION, values)

    def start(self) -> None:
        """Start recording the program to a new file in the recording folder."""
        if self.recorder is not None:
            return
        path = recording_path(self.folder(), str(self.settings["show"]))
        recorder = Recorder(
            path,
            self.golive.profile(),
            min_free_bytes=int(float(self.settings["min_free_mb"]) * 1024 * 1024),
        )
        recorder.on_state(self._from_recorder_thread)
        self.recorder = recorder
        self.golive.hub.start_output(recorder)  # refused at once (space): FAILED arrives
        if self.recorder is not None:
            self._timer.start()

    def stop(self) -> None:
        recorder, self.recorder = self.recorder, None
        self._timer.stop()
        if recorder is not None:
            threading.Thread(
                target=self.golive.hub.stop_output,
                args=(recorder,),
                name="recorder-stop",
                daemon=True,
            ).start()

    def shutdown(self) -> None:
        self._closed.set()
        recorder, self.recorder = self.recorder, None
        if recorder is not None:
            self.golive.hub.stop_output(recorder, timeout=5)

    def _from_recorder_thread(self, recorder: Output, state: OutputState, message: str) -> None:
        if not self._closed.is_set():
            self._recorder_state.emit(recorder, state.value, message)

    @Slot(object, str, object)
    def _on_recorder_state(self, recorder: object, state: str, message: str) -> None:
        message = translated(message)  # a Notice (the object signal kept it) in our language
        if state == OutputState.FAILED.value and recorder is self.recorder:
            self.stop()  # a full disk: the recording is over, the stream goes on
        self.state, self.message = OutputState(state), message
        self.state_changed.emit(state, message)

    def _tick(self) -> None:
        if self.recorder is not None:
            figures = self.recorder.figures()
            self.progress.emit(int(figures["bytes"] or 0), float(figures["duration_s"] or 0.0))
