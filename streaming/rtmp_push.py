"""The RTMP connection, in a process of its own: `python -m streaming.rtmp_push`.

FFmpeg's RTMP handshake and publish (and the name lookup before them) run inside PyAV with the
interpreter lock held: in the console's process a slow platform server would freeze the window
and every other output until it answered. So the `RtmpOutput` muxes FLV into this child's stdin
and the child relays it to the server. stdin: the push address on the first line (never in the
command line, which every local user can read), then the FLV stream. stdout: `live` once the
server took the stream, or `refused: …` / `lost: …` before it exits (code 3 / 4).
"""

from __future__ import annotations

import sys
from typing import Any

import av

EXIT_REFUSED, EXIT_LOST = 3, 4
IO_TIMEOUT_US = "5000000"


def relay(source: Any, target: str) -> int:
    """Copy the FLV stream from `source` to `target` until either side ends."""
    with av.open(source, "r", format="flv", options={"analyzeduration": "0"}) as incoming:
        streams = [s for s in incoming.streams if s.type in ("video", "audio")]
        try:
            outgoing: Any = av.open(
                target,
                "w",
                format="flv",
                options={"flvflags": "no_duration_filesize", "rw_timeout": IO_TIMEOUT_US},
                timeout=5,
            )
            mapping = {s.index: outgoing.add_stream_from_template(s) for s in streams}
            live = False
            for packet in incoming.demux(*streams):
                if packet.dts is None:
                    continue  # the end of the input
                packet.stream = mapping[packet.stream.index]
                try:
                    outgoing.mux(packet)
                except OSError as exc:
                    if not live:
                        raise
                    _say(f"lost: {exc.strerror or exc}")
                    return EXIT_LOST
                if not live:
                    live = True
                    _say("live")
            outgoing.close()
        except OSError as exc:
            _say(f"refused: {exc.strerror or exc}")
            return EXIT_REFUSED
    return 0


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> int:
    target = sys.stdin.buffer.readline().decode().strip()
    return relay(sys.stdin.buffer, target)


if __name__ == "__main__":
    sys.exit(main())
