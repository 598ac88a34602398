"""Guards the pinned Qt binding against a bug that kills long shows: PySide6 6.12.0 on
Python 3.11 dropped a reference to True on every `Signal.emit()` and to None on every Python
slot call from a timer, aborting the interpreter after a few thousand signals. Shows emit
millions, so the pin (requirements.lock) must not regress."""

import sys

from PySide6.QtCore import QObject, QTimer, Signal


class Emitter(QObject):
    ping = Signal()
    value = Signal(object)


def test_signal_emit_and_slot_calls_keep_reference_counts(qapp) -> None:
    emitter = Emitter()
    calls = []
    emitter.ping.connect(lambda: calls.append(1))
    emitter.value.connect(calls.append)
    before = sys.getrefcount(True), sys.getrefcount(None)
    for i in range(2000):
        emitter.ping.emit()
        emitter.value.emit(i)
    timer = QTimer()
    fired = []
    timer.timeout.connect(lambda: fired.append(1))
    timer.start(0)
    while len(fired) < 500:
        qapp.processEvents()
    timer.stop()
    after = sys.getrefcount(True), sys.getrefcount(None)
    assert len(calls) == 4000
    assert abs(after[0] - before[0]) < 50, "Signal.emit leaks/drops references to True"
    assert abs(after[1] - before[1]) < 50, "slot calls drop references to None"
