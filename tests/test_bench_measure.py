"""The benches' memory children: the peak read is the child's own, not the parent's size that
Linux carries into a child's `ru_maxrss` across fork and exec; and they run frozen-safe."""

from __future__ import annotations

import subprocess
import sys

from app.bench.measure import peak_rss_mb_until_exit

GROWS_TO_200_MB = (
    "import time; b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096]); time.sleep(0.3)"
)


def test_a_childs_peak_is_its_own_not_its_parents() -> None:
    ballast = bytearray(600 * 2**20)
    ballast[::4096] = b"y" * len(ballast[::4096])  # resident in this process, not in the child
    child = subprocess.Popen([sys.executable, "-c", GROWS_TO_200_MB])
    peak = peak_rss_mb_until_exit(child)
    assert child.returncode == 0
    assert 200 <= peak < 400, peak
    del ballast


def test_bench_danmakus_memory_part_runs_in_a_child_of_this_program() -> None:
    """Through `module_command`, as a bundle can run it (a frozen app has no `python -c`)."""
    from app.cli.bench_danmaku import memory_in_child

    result = memory_in_child(20_000)
    assert result["messages"] == 20_000
    assert result["rss_before_mb"] > 0 and result["journal_mb"] > 0
