"""How a bench prints its result: one strict JSON object on stdout, and the machine it ran on."""

from __future__ import annotations

import json
import os
from typing import Any

from app.bench.measure import json_safe


def loadavg() -> list[float]:
    """The 1/5/15-minute load averages, rounded: the benches quote them beside every figure,
    since two cores shared with other jobs move the results more than any change does."""
    return [round(x, 2) for x in os.getloadavg()]


def machine(load: list[float] | None = None) -> dict[str, Any]:
    """`{"cpus", "loadavg_before"}`: the machine block of a bench's JSON; `load` when it was
    read before the bench began (the default reads it now)."""
    return {"cpus": os.cpu_count(), "loadavg_before": loadavg() if load is None else load}


def emit(result: dict[str, Any], *, indent: int | None = 1, ensure_ascii: bool = True) -> None:
    """Print `result` as the bench's one JSON object; NaN (an empty distribution) as null."""
    print(json.dumps(json_safe(result), indent=indent, ensure_ascii=ensure_ascii))


def emit_error(bench: str, message: str) -> int:
    """Print `{"bench", "error"}` for a bench that could not run, and return its exit code (1)."""
    print(json.dumps({"bench": bench, "error": message}))
    return 1
