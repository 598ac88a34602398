"""Where a command's secret comes from: a file or stdin, an environment variable, the keyring.

A token on the command line (`--token T`) is readable by every local user in
`/proc/PID/cmdline` and lands in shell history, so it still works but warns. `--token-file -`
reads the first line of stdin (`pass show relay | livedesk publish --token-file - …`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

CMDLINE_WARNING = (
    "warning: a token given with --token is visible to every user of this computer "
    "(process list, shell history); use --token-file, ${env} or the keyring instead"
)


class TokenInputError(Exception):
    """The token file could not be read (message in plain words)."""


def read_token_file(spec: str) -> str:
    """The first line of the file `spec` (or of stdin for "-"), stripped."""
    try:
        if spec == "-":
            text = sys.stdin.readline()
        else:
            text = Path(spec).read_text(encoding="utf-8").splitlines()[0] if spec else ""
    except (OSError, UnicodeDecodeError, IndexError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "empty or not text"
        raise TokenInputError(f"cannot read the token from {spec}: {reason}") from None
    token = text.strip()
    if not token:
        raise TokenInputError(f"the token file {spec} is empty")
    return token


def resolve_token(
    *,
    token_file: str | None,
    cmdline: str | None,
    env: str,
    keyring: Callable[[], str | None] | None = None,
) -> str | None:
    """The token from, in order: `--token-file`, `--token` (with a warning on stderr), the
    environment variable `env`, the keyring; None if none has one."""
    if token_file is not None:
        return read_token_file(token_file)
    if cmdline:
        print(CMDLINE_WARNING.format(env=env), file=sys.stderr, flush=True)
        return cmdline
    return os.environ.get(env) or (keyring() if keyring is not None else None) or None
