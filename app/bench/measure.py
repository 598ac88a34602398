"""Small measuring tools shared by the benchmarks: percentiles, CPU and memory readings."""

from __future__ import annotations

import os
import resource
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil


def percentile(values: Sequence[float], p: float) -> float:
    """Linear-interpolated percentile (p in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summarize(values: Sequence[float], digits: int = 2) -> dict[str, float | int]:
    """The figures every bench quotes for a distribution: count, median, p95, p99, max."""
    return {
        "count": len(values),
        "median": round(percentile(values, 50), digits),
        "p95": round(percentile(values, 95), digits),
        "p99": round(percentile(values, 99), digits),
        "max": round(max(values), digits) if values else float("nan"),
    }


def json_safe(value: Any) -> Any:
    """`value` with NaN (an empty distribution) as None, so benches print strict JSON."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    return value


def rss_mb() -> float:
    """Resident set size of this process now, in MiB."""
    return psutil.Process(os.getpid()).memory_info().rss / 2**20


def peak_rss_mb_until_exit(process: subprocess.Popen[Any], interval_s: float = 0.02) -> float:
    """A running child's peak resident memory in MiB, read until it exits: its own high-water
    mark (`VmHWM`), where the kernel has it, else the highest resident size seen. Not rusage's
    `ru_maxrss`: Linux carries the parent's resident size across fork and exec into the child's,
    so a bench that built a big show first reported its own size as the child's."""
    status = Path(f"/proc/{process.pid}/status")
    peak_kb = 0.0
    while process.poll() is None:
        try:
            peak_kb = max(peak_kb, _high_water_kb(status.read_text()))
        except (OSError, ValueError):  # gone between poll() and the read, or no /proc here
            try:
                peak_kb = max(peak_kb, psutil.Process(process.pid).memory_info().rss / 1024)
            except psutil.Error:
                pass
        time.sleep(interval_s)
    return peak_kb / 1024


def _high_water_kb(status: str) -> float:
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return float(line.split()[1])
    raise ValueError("no VmHWM in /proc status")


@dataclass
class CpuMeter:
    """CPU used by this process (all threads) between start and `read()`, as a percentage of one
    core. Children are not counted; benches with subprocesses measure those separately."""

    _wall0: float = field(default_factory=time.perf_counter)
    _cpu0: float = field(default_factory=lambda: cpu_seconds())

    def read(self) -> float:
        wall = time.perf_counter() - self._wall0
        cpu = cpu_seconds() - self._cpu0
        return 100.0 * cpu / wall if wall > 0 else 0.0

    def cpu_seconds(self) -> float:
        return cpu_seconds() - self._cpu0


def cpu_seconds() -> float:
    """CPU seconds (user + system, all threads) this process has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
