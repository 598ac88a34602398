"""The audience service in a child process: host client, pipeline and journal run there, and
the GUI process only receives `Update`s (≤ 60 a second, pickled over a pipe) and sends window
actions back. The child sends twice as often as the windows tick, so the extra hop adds at most
~17 ms (not 33 ms) to a line's way to the screen; the reader thread merges what arrives.

Why: in one process the client's network thread, the pipeline worker and the journal writer
all take turns with the GUI thread for the GIL; at 10,000 msg/s that shows as GUI stalls (see
`livedesk bench danmaku`, which measures both arrangements). In a child process they have their
own interpreter, and the GUI process's only extra work is unpickling one update per tick on a
reader thread.

`AudienceProcess` has the same face as the in-process pieces the windows use:
`take_update()` and `command(action, **args)` (an `UpdateSource` for `AudienceState`), plus
`connect`, `path` and `close`.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from app.danmaku.journal import new_show_path
from app.danmaku.pipeline import Update
from app.frozen import module_command

TICK_S = 1 / 60


class AudienceProcess:
    def __init__(self, path: Path | None = None, resume: bool = False) -> None:
        # A plain `python -m` child (not multiprocessing's spawn, which re-runs the parent's
        # main script) talking pickled messages over a socket pair.
        # Returns at once: restoring a long show happens in the child, and its state arrives
        # as updates when ready, so the window never waits for it.
        self.path = path if path is not None else new_show_path()
        ours, theirs = socket.socketpair()
        self._proc = subprocess.Popen(
            module_command(
                "app.danmaku.process", str(theirs.fileno()), str(self.path), "1" if resume else "0"
            ),
            pass_fds=(theirs.fileno(),),
        )
        theirs.close()
        self._conn = Connection(ours.detach())
        self._pending = Update()
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._closed = False
        self.hub_url: str | None = None
        self._reader = threading.Thread(
            target=self._read, name="livedesk-audience-reader", daemon=True
        )
        self._reader.start()

    # --- UpdateSource ---------------------------------------------------------------------
    def take_update(self) -> Update:
        with self._lock:
            out, self._pending = self._pending, Update()
        return out

    def command(self, action: str, **args: Any) -> None:
        self._send(("command", action, args))

    # --- lifecycle ------------------------------------------------------------------------
    def connect(self, url: str, token: str) -> None:
        """Read the hub at `url` (its /ws/host endpoint) from where the journal ends."""
        self.hub_url = url
        self._send(("connect", url, token))

    def close(self, ended: bool = True, timeout: float = 30.0) -> None:
        """Stop reading, commit everything, close the journal (`ended`: not resumable)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._send(("close", ended, None))
        except (OSError, EOFError):
            pass
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(5)
        self._reader.join(5)
        self._conn.close()

    def _send(self, message: tuple[str, Any, Any]) -> None:
        with self._send_lock:
            self._conn.send(message)

    def _read(self) -> None:
        while True:
            try:
                kind, value = self._conn.recv()
            except (EOFError, OSError):
                if not self._closed:
                    with self._lock:
                        self._pending.notices.append(
                            "The audience process stopped; restart the console to resume the show."
                        )
                return
            if kind == "update":
                with self._lock:
                    self._pending.merge(value)


def _child_main(conn: Connection, path: str, resume: bool) -> None:
    from app.danmaku.service import AudienceService

    try:
        service = AudienceService(Path(path), resume=resume)
    except Exception as exc:
        conn.send(
            ("update", Update(notices=[f"The show journal {path} could not be opened: {exc}"]))
        )
        return
    service.on_status = lambda kind, message: (
        service.pipeline.notify(message) if kind in ("gap", "error") else None
    )
    ended = False
    try:
        while True:
            deadline = time.monotonic() + TICK_S
            while (left := deadline - time.monotonic()) > 0 and conn.poll(left):
                kind, first, second = conn.recv()
                if kind == "command":
                    service.worker.command(first, **second)
                elif kind == "connect":
                    service.connect(first, second)
                elif kind == "close":
                    ended = bool(first)
                    return
            update = service.worker.take_update()
            if not update.empty():
                conn.send(("update", update))
    except (EOFError, OSError):
        return  # the console is gone: leave the journal resumable
    finally:
        service.close(ended=ended)
        conn.close()


def main(argv: list[str]) -> int:
    """Child entry: `python -m app.danmaku.process FD JOURNAL_PATH RESUME`."""
    conn = Connection(int(argv[0]))
    _child_main(conn, argv[1], argv[2] == "1")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
