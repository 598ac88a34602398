"""Child processes that start the same way from a source checkout and from the PyInstaller
bundle.

A frozen app's `sys.executable` is the bundle's `livedesk` program, not a Python interpreter,
so `sys.executable -m module` cannot work there. `module_command` gives the command line for
either case: `python -m module …` from source, `livedesk --run-module module …` frozen, which
the bundle's entry point (`main`) turns into the same `runpy` call `-m` makes.
"""

from __future__ import annotations

import runpy
import sys
from collections.abc import Sequence

RUN_MODULE = "--run-module"


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def module_command(module: str, *args: str) -> list[str]:
    """The argv that runs `module` as `__main__` in a new process of this program."""
    if is_frozen():
        if module == "app":  # the bundle is `livedesk` itself
            return [sys.executable, *args]
        return [sys.executable, RUN_MODULE, module, *args]
    return [sys.executable, "-m", module, *args]


def main(argv: Sequence[str] | None = None) -> int:
    """The bundle's entry point: a child's `--run-module`, else the `livedesk` command line."""
    words = list(sys.argv[1:] if argv is None else argv)
    if len(words) >= 2 and words[0] == RUN_MODULE:
        sys.argv = [words[1], *words[2:]]
        try:
            runpy.run_module(words[1], run_name="__main__", alter_sys=True)
        except SystemExit as exit_:
            code = exit_.code
            return code if isinstance(code, int) else (0 if code is None else 1)
        return 0
    from app.cli import main as cli_main

    return cli_main(words)
