import gc
import weakref

from app.gc_guard import GuiThreadGarbageCollector


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_collection_moves_to_the_gui_timer(qapp, qtbot) -> None:
    was_enabled, thresholds = gc.isenabled(), gc.get_threshold()
    gc.set_threshold(50, 10, 10)
    try:
        guard = GuiThreadGarbageCollector(interval_ms=20)
        assert not gc.isenabled()  # no collection on whatever thread allocates
        refs = [weakref.ref(Node()) for _ in range(500)]
        assert any(r() is not None for r in refs)
        qtbot.waitUntil(lambda: all(r() is None for r in refs), timeout=3000)
        guard.stop()
        assert gc.isenabled()
    finally:
        gc.set_threshold(*thresholds)
        (gc.enable if was_enabled else gc.disable)()
