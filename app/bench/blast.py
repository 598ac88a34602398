"""The hub's ceiling: viewers that send pre-built frames as fast as the hub reads them.

A paced Python audience spends about as much CPU per message as the hub does, so on a small
machine it measures itself. Here each connection writes ready-made WebSocket frames (masked with
a zero key, which RFC 6455 allows) in large chunks, so nearly all CPU goes to the hub and the
host; what reaches the host per second is the hub's relay throughput. No `sent_at` (there is no
meaningful send time for a pre-built frame); latency is measured by the paced audience.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from streaming.interaction.wsframe import text_frame

CHUNK_BYTES = 64 * 1024


async def _open(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        raise ConnectionError(f"the hub refused the viewer upgrade: {head[:80]!r}")
    return reader, writer


async def _discard(reader: asyncio.StreamReader) -> None:
    while await reader.read(CHUNK_BYTES):
        pass


async def blast(
    viewer_url: str,
    viewers: int,
    count: int,
    texts: list[str],
    done: Callable[[], bool] = lambda: True,
    linger_s: float = 60.0,
) -> dict[str, Any]:
    """Send `count` danmaku over `viewers` connections as fast as the hub takes them.

    The connections stay open (and keep reading) until `done()` says the hub has handled
    everything, or `linger_s` passed: a socket closed with unread data is reset, and a reset
    makes the hub's kernel discard what the hub had not read yet."""
    conns = [await _open(viewer_url) for _ in range(viewers)]
    drains = [asyncio.create_task(_discard(r)) for r, _ in conns]
    frames = [
        text_frame(
            json.dumps({"v": 1, "type": "danmaku", "text": t}, ensure_ascii=False).encode(),
            masked=True,
        )
        for t in texts
    ]
    loop = asyncio.get_running_loop()

    async def send(writer: asyncio.StreamWriter, n: int, offset: int) -> None:
        chunk: list[bytes] = []
        size = 0
        for i in range(n):
            frame = frames[(offset + i) % len(frames)]
            chunk.append(frame)
            size += len(frame)
            if size >= CHUNK_BYTES:
                writer.write(b"".join(chunk))
                await writer.drain()
                chunk, size = [], 0
        writer.write(b"".join(chunk))
        await writer.drain()

    started, started_at = loop.time(), time.time()
    shares = [count // viewers + (1 if i < count % viewers else 0) for i in range(viewers)]
    await asyncio.gather(
        *(send(w, n, 7 * i) for i, ((_, w), n) in enumerate(zip(conns, shares, strict=True)))
    )
    written = loop.time() - started
    deadline = loop.time() + linger_s
    while not done() and loop.time() < deadline:
        await asyncio.sleep(0.05)
    for task in drains:
        task.cancel()
    for _, writer in conns:
        writer.close()
    return {
        "sent": count,
        "written_s": round(written, 3),
        "sending": [started_at, started_at + written],
    }


def main(argv: list[str] | None = None) -> int:
    """`python -m app.bench.blast URL VIEWERS COUNT TEXTS_JSON [LINGER_S]`: one blaster
    process (started with `app.frozen.module_command`); prints `blast`'s result as JSON."""
    words = sys.argv[1:] if argv is None else argv
    url, viewers, count, texts = words[0], int(words[1]), int(words[2]), json.loads(words[3])
    linger_s = float(words[4]) if len(words) > 4 else 60.0
    result = asyncio.run(blast(url, viewers, count, texts, lambda: False, linger_s))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
