"""Busy processes beside a bench: "under CPU load" as a host's machine has it while a game,
a browser or a second app runs. Each `python -m app.bench.cpu_load SECONDS` spins one core
(in pure Python, so it takes the core whole) until SECONDS pass or it is killed."""

from __future__ import annotations

import subprocess
import sys
import time
from types import TracebackType

from app.frozen import module_command


class CpuLoad:
    """`count` busy processes while the `with` block runs (none for 0)."""

    def __init__(self, count: int, seconds: float = 600.0) -> None:
        self.count = count
        self.seconds = seconds
        self._processes: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> CpuLoad:
        command = module_command("app.bench.cpu_load", str(self.seconds))
        self._processes = [subprocess.Popen(command) for _ in range(self.count)]
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for process in self._processes:
            process.kill()
        for process in self._processes:
            process.wait()
        self._processes = []


def spin(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    x = 0
    while time.monotonic() < deadline:
        for _ in range(10_000):
            x = (x * 31 + 7) % 1_000_003


if __name__ == "__main__":
    spin(float(sys.argv[1]) if len(sys.argv) > 1 else 600.0)
