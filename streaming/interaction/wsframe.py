"""Whole WebSocket text frames as bytes (RFC 6455 §5.2), built once and written many times.

The hub builds each fan-out frame once and writes it straight to every viewer's transport (a
per-viewer coroutine per frame would cost more than the rest of the hub at thousands of
viewers); `blast` builds client frames masked with a zero key, which the RFC allows.
"""

from __future__ import annotations

import struct

_FIN_TEXT = 0x81
_ZERO_MASK = b"\x00\x00\x00\x00"


def text_frame(payload: bytes, masked: bool = False) -> bytes:
    """One unfragmented text frame carrying `payload` (UTF-8)."""
    n = len(payload)
    mask_bit = 0x80 if masked else 0
    if n < 126:
        head = struct.pack("!BB", _FIN_TEXT, mask_bit | n)
    elif n < 65536:
        head = struct.pack("!BBH", _FIN_TEXT, mask_bit | 126, n)
    else:
        head = struct.pack("!BBQ", _FIN_TEXT, mask_bit | 127, n)
    return head + (_ZERO_MASK if masked else b"") + payload
