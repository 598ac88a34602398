"""The one way tests wait for something that happens on another thread or process."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(
    pred: Callable[[], bool], timeout: float = 10.0, explain: Callable[[], object] | None = None
) -> None:
    """Poll `pred` until it holds; raise TimeoutError (saying `explain()` when given) if it
    does not within `timeout` seconds — a failure names what was awaited, not `assert False`."""
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            detail = f": {explain()}" if explain is not None else ""
            raise TimeoutError(f"condition not met in {timeout:g} s{detail}")
        time.sleep(0.01)
