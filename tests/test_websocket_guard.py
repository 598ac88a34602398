"""The masked-frame scanner in front of aiohttp's reader, fed one frame stream cut at every kind of
place (inside headers, extended lengths, mask keys and payloads): it lets every masked frame
through and refuses exactly at the unmasked one's second byte."""

from __future__ import annotations

import random
import struct

from streaming.guard.websocket import MaskScanner


class _Transport:
    closed = False

    def write(self, data: bytes) -> None:
        self.written = data

    def close(self) -> None:
        self.closed = True


class _Reader:
    def __init__(self) -> None:
        self.fed = 0

    def feed_data(self, data: bytes) -> tuple[bool, bytes]:
        self.fed += len(data)
        return False, b""


def _frame(length: int, masked: bool = True) -> bytes:
    mask = 0x80 if masked else 0
    if length < 126:
        head = bytes([0x81, mask | length])
    elif length < 2**16:
        head = bytes([0x81, mask | 126]) + struct.pack("!H", length)
    else:
        head = bytes([0x81, mask | 127]) + struct.pack("!Q", length)
    return head + (b"\x01\x02\x03\x04" if masked else b"") + bytes(length)


LENGTHS = [0, 1, 125, 126, 127, 300, 65535, 65536, 70000, 17]


def _chunks(stream: bytes, rng: random.Random) -> list[bytes]:
    cuts = sorted(rng.sample(range(1, len(stream)), 25))
    return [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]


def test_masked_frames_cut_anywhere_all_pass() -> None:
    stream = b"".join(_frame(n) for n in LENGTHS * 3)
    for seed in range(200):
        transport, reader = _Transport(), _Reader()
        scanner = MaskScanner(reader, transport)
        for chunk in _chunks(stream, random.Random(seed)):
            scanner.feed_data(chunk)
        assert not scanner.violated and not transport.closed
        assert reader.fed == len(stream)


def test_an_unmasked_frame_is_refused_at_its_second_byte_wherever_the_cuts_fall() -> None:
    before = b"".join(_frame(n) for n in LENGTHS)
    stream = before + _frame(5, masked=False) + _frame(3)
    for seed in range(200):
        transport, reader = _Transport(), _Reader()
        scanner = MaskScanner(reader, transport)
        seen = 0
        for chunk in _chunks(stream, random.Random(seed)):
            scanner.feed_data(chunk)
            seen += len(chunk)
            assert scanner.violated == (seen >= len(before) + 2)
        assert transport.closed and transport.written[-2:] == struct.pack("!H", 1002)
        assert reader.fed < len(before) + 2  # nothing of the bad frame reached aiohttp
