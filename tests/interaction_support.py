"""Shared helpers for the interaction tests: a real hub server, blocking viewers, a collecting
host client and a TCP proxy whose connections can be cut."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

from waiting import wait_for
from websockets.sync.client import ClientConnection, connect

from streaming.interaction.client import HostClient

TOKEN = "test-host-token"


def viewer(url: str) -> tuple[ClientConnection, dict[str, Any]]:
    """A connected viewer and its welcome message."""
    ws = connect(url, compression=None, max_size=None, max_queue=None, open_timeout=10, legacy=True)
    welcome = json.loads(ws.recv(timeout=10))[0]
    assert welcome["type"] == "welcome"
    return ws, welcome


def recv_until(ws: ClientConnection, pred: Callable[[dict], bool], timeout: float = 5.0) -> dict:
    """The first object (from the hub's array frames) matching `pred`."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no matching message from the hub")
        for item in json.loads(ws.recv(timeout=left)):
            if pred(item):
                return item


class Collector:
    """A real HostClient that keeps every frame and status it gets."""

    def __init__(self, url: str, token: str = TOKEN, **kwargs: Any) -> None:
        self.frames: list[str] = []
        self.statuses: list[tuple[str, str]] = []
        self.client = HostClient(url, token, self.frames.append, on_status=self._status, **kwargs)

    def _status(self, kind: str, message: str) -> None:
        self.statuses.append((kind, message))

    def events(self) -> list[dict]:
        return [e for frame in list(self.frames) for e in json.loads(frame)]

    def seqs(self) -> list[int]:
        return [e["seq"] for e in self.events()]

    def __enter__(self) -> Collector:
        self.client.start()
        wait_for(lambda: any(k == "connected" for k, _ in self.statuses))
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.stop()


class CuttableProxy:
    """A TCP proxy on loopback; `cut()` closes every connection through it (as a network
    failure would), while it keeps accepting new ones."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self.cuts = 0
        self.refusing = False  # True: new connections are closed at once (the network is down)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if self.refusing:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._open += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        with self._lock:
            doomed, self._open = self._open, []
        for s in doomed:
            try:  # reset, not a polite close: what a dropped network looks like
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self.cuts += 1

    def close(self) -> None:
        self._server.close()
        self.cut()


def open_viewer_page(browser: Any, url: str, ready: str, **context: Any) -> Any:
    """A new Chromium page on the relay's viewer page at `url`, once the script `ready` is true
    (the page's own objects connected); `context` goes to `browser.new_context`."""
    page = browser.new_context(**context).new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_function(ready, timeout=20_000)
    return page
