"""Accepting TCP connections without stalling or flooding the log at the descriptor limit.

asyncio's own accept loop, on `EMFILE`, logs a traceback, stops listening for a second and
schedules one retry per failed `accept()` in the batch (up to the backlog: 100+ of them). New
clients then hang, and if the server closes while those retries are pending each one fails
with "Invalid file descriptor: -1" and another traceback. `Listener` does what nginx does
instead: it keeps one spare descriptor, and when `accept()` runs out it frees the spare,
accepts the waiting client, answers it `503` at once, closes it and takes the spare back — the
backlog drains, nobody hangs, and the log gets one line per interval.
"""

from __future__ import annotations

import asyncio
import errno
import os
import socket
from collections.abc import Callable

from streaming.guard.throttled_log import ThrottledLog

_EXHAUSTED = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
_RETRY_S = 0.1  # only when even the spare descriptor could not be taken back


class Listener(asyncio.AbstractServer):
    """Listening sockets whose accepted connections get `factory()` protocols; refused ones
    get `busy` (a whole HTTP answer) when the process is out of descriptors."""

    def __init__(
        self,
        sockets: list[socket.socket],
        factory: Callable[[], asyncio.Protocol],
        busy: bytes,
        log: ThrottledLog,
        backlog: int,
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._sockets = sockets
        self._factory = factory
        self._busy = busy
        self._log = log
        self._backlog = backlog
        self._spare = _take_spare()
        self._retry: asyncio.TimerHandle | None = None
        self._connecting: set[asyncio.Task[object]] = set()
        for sock in sockets:
            sock.listen(backlog)
            sock.setblocking(False)
            self._loop.add_reader(sock.fileno(), self._on_readable, sock)

    @classmethod
    async def open(
        cls,
        host: str,
        port: int,
        factory: Callable[[], asyncio.Protocol],
        busy: bytes,
        log: ThrottledLog,
        backlog: int = 128,
    ) -> Listener:
        """Bind every address `host` names (port 0: one free port shared by all of them)."""
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        sockets: list[socket.socket] = []
        seen: set[tuple[int, object]] = set()
        try:
            for family, kind, proto, _, address in infos:
                if (family, address[0]) in seen:
                    continue
                seen.add((family, address[0]))
                sock = socket.socket(family, kind, proto)
                sockets.append(sock)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                if port == 0 and len(sockets) > 1:
                    address = (address[0], sockets[0].getsockname()[1], *address[2:])
                sock.bind(address)
        except OSError:
            for sock in sockets:
                sock.close()
            raise
        return cls(sockets, factory, busy, log, backlog)

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        return tuple(self._sockets)

    def _on_readable(self, sock: socket.socket) -> None:
        for _ in range(self._backlog):  # a batch per loop turn: other work keeps running
            try:
                conn, _ = sock.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            except OSError as exc:
                if exc.errno not in _EXHAUSTED:
                    raise
                self._log.warning(
                    "accept", "out of file descriptors (%s): refusing new connections", exc.strerror
                )
                self._shed(sock)
                return
            conn.setblocking(False)
            task = self._loop.create_task(self._connect(conn))
            self._connecting.add(task)
            task.add_done_callback(self._connecting.discard)

    async def _connect(self, conn: socket.socket) -> None:
        try:
            await self._loop.connect_accepted_socket(self._factory, conn)
        except OSError:  # the client left before its transport was made
            conn.close()

    def _shed(self, sock: socket.socket) -> None:
        """Answer the waiting clients `busy` using the spare descriptor, one at a time."""
        for _ in range(self._backlog):
            if self._spare is None:
                self._spare = _take_spare()
            if self._spare is None:  # another thread took it: listen again shortly
                self._pause()
                return
            os.close(self._spare)
            self._spare = None
            try:
                conn, _ = sock.accept()
            except OSError:  # nobody else waiting (or the descriptor went elsewhere)
                self._spare = _take_spare()
                return
            try:
                conn.setblocking(False)
                conn.send(self._busy)
            except OSError:
                pass
            conn.close()

    def _pause(self) -> None:
        if self._retry is not None:
            return
        for sock in self._sockets:
            self._loop.remove_reader(sock.fileno())
        self._retry = self._loop.call_later(_RETRY_S, self._resume)

    def _resume(self) -> None:
        self._retry = None
        for sock in self._sockets:
            self._loop.add_reader(sock.fileno(), self._on_readable, sock)

    def close(self) -> None:
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None
        for sock in self._sockets:
            if sock.fileno() >= 0:
                self._loop.remove_reader(sock.fileno())
                sock.close()
        self._sockets = []
        if self._spare is not None:
            os.close(self._spare)
            self._spare = None

    def get_loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def is_serving(self) -> bool:
        return bool(self._sockets)

    async def start_serving(self) -> None:
        """Serving starts on construction."""

    async def wait_closed(self) -> None:
        if self._connecting:
            await asyncio.gather(*self._connecting, return_exceptions=True)


def _take_spare() -> int | None:
    try:
        return os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
