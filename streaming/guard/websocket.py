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
        """Advance over `data`; False at the first unmasked frame."""
        i, n = 0, len(data)
        while i < n:
            if self._skip:
                step = min(self._skip, n - i)
                self._skip -= step
                i += step
                continue
            head = self._head
            while len(head) < _header_size(head):
                if i >= n:
                    self._head = head
                    return True
                take = min(_header_size(head) - len(head), n - i)
                head += data[i : i + take]
                i += take
                if len(head) >= 2 and not head[1] & 0x80:
                    return False
            length = head[1] & 0x7F
            if length == 126:
                length = struct.unpack("!H", head[2:4])[0]
            elif length == 127:
                length = struct.unpack("!Q", head[2:10])[0]
            self._head = b""
            self._skip = length
        return True


def _header_size(head: bytes) -> int:
    """Bytes of a (masked) frame header, once its first two bytes are known."""
    if len(head) < 2:
        return 2
    length = head[1] & 0x7F
    return 2 + (2 if length == 126 else 8 if length == 127 else 0) + 4
