"""RFC 6455 §5.1 on the server side: "a server MUST close the connection upon receiving a frame
that is not masked" (with 1002, protocol error). aiohttp's reader accepts unmasked frames, so
`require_masked_frames(request)` — called right after `ws.prepare(request)` — puts a small
frame-header scanner in front of aiohttp's reader. The scanner only reads frame headers (2 to
14 bytes per frame) and skips payloads by length; aiohttp still does the real parsing.
"""

from __future__ import annotations

import asyncio
import struct
from typing import Any

_CLOSE_1002 = b"\x88\x02" + struct.pack("!H", 1002)


class MaskScanner:
    """Wraps aiohttp's WebSocket reader (`feed_data`/`feed_eof`) and refuses unmasked frames."""

    def __init__(self, inner: Any, transport: asyncio.Transport) -> None:
        self._inner = inner
        self._transport = transport
        self._head = b""  # bytes of a frame header not yet complete
        self._skip = 0  # payload bytes of the current frame still to pass
        self.violated = False

    def feed_data(self, data: bytes) -> tuple[bool, bytes]:
        if self.violated:
            return True, b""
        if not self._scan(data):
            self.violated = True
            self._transport.write(_CLOSE_1002)
            self._transport.close()
            return True, b""
        return self._inner.feed_data(data)  # type: ignore[no-any-return]

    def feed_eof(self) -> None:
        self._inner.feed_eof()

    def _scan(self, data: bytes) -> bool:
        """Advance over `data`; False at the first unmasked frame. Indexes the bytes in place:
        on an edge this runs for every viewer message, so no slices but a split header's."""
        if self._head:  # a header split across reads (rare): scan it with what follows
            data, self._head = self._head + data, b""
        i, n = self._skip, len(data)  # i: where the next frame header starts
        while i + 2 <= n:
            second = data[i + 1]
            if not second & 0x80:
                return False
            length = second & 0x7F
            if length < 126:
                i += 6 + length  # 2 header bytes, 4 mask bytes, payload (may run past `data`)
                continue
            wide = 8 if length == 127 else 2
            if i + 2 + wide > n:
                break
            i += 2 + wide + 4 + int.from_bytes(data[i + 2 : i + 2 + wide], "big")
        if i >= n:
            self._skip = i - n
        else:
            self._skip, self._head = 0, data[i:]
        return True
