"""Pre-encoded packets into a container (MP4 file, FLV over RTMP): what the recorder and the
RTMP output share.

The streams are described from the encoders' `StreamInfo`, never by opening an encoder: the
video stream copies its parameters from a parse of the first keyframe (a template stream, which
PyAV does not open), the AAC stream is FFmpeg's own AAC encoder's, whose configuration is ours.
Time zero of the container is the first packet written; every stream keeps its place on the
one capture clock relative to it, so picture and sound stay together.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import av
import av.error

from streaming.encoder import EncodedPacket, StreamInfo


@contextmanager
def _target_errors() -> Iterator[None]:
    """A write into a Python file object (the RTMP pusher's pipe) that fails reaches us as
    PyAV's callback error, not as the OSError behind it: say it as what it is."""
    try:
        yield
    except av.error.PyAVCallbackError as exc:
        raise OSError("the destination stopped taking data") from exc


class Muxer:
    """One container at `target` (a path, a writable binary file) in `format`, starting at
    `first`."""

    def __init__(
        self,
        target: str | IO[bytes],
        format: str,
        options: dict[str, str],
        video: StreamInfo | None,
        audio: StreamInfo | None,
        first: EncodedPacket,
        **open_kwargs: Any,
    ) -> None:
        self._container: Any = av.open(target, "w", format=format, options=options, **open_kwargs)
        self._streams: dict[str, Any] = {}
        self._origin_s = first.seconds
        self._origins: dict[str, int] = {}
        self.duration_s = 0.0
        self._closed = False
        try:
            if video is not None:
                assert first.kind == "video" and first.keyframe
                self._template = av.open(io.BytesIO(video.extradata + first.data), format="h264")
                stream = self._container.add_stream_from_template(self._template.streams.video[0])
                stream.time_base = video.time_base
                self._streams["video"] = stream
            if audio is not None:
                stream = self._container.add_stream(audio.codec, rate=audio.sample_rate)
                stream.layout = "stereo" if audio.channels == 2 else "mono"
                stream.time_base = audio.time_base
                self._streams["audio"] = stream
        except BaseException:
            self._container.close()
            raise

    def write(self, packet: EncodedPacket) -> None:
        """Mux `packet` (packets of a kind the container has no stream for are ignored)."""
        stream = self._streams.get(packet.kind)
        if stream is None:
            return
        if packet.kind not in self._origins:
            if packet.seconds < self._origin_s:
                return  # sound from before the first picture
            self._origins[packet.kind] = packet.pts - round(
                (packet.seconds - self._origin_s) / packet.info.time_base
            )
        out = packet.to_av()
        out.pts = out.dts = packet.pts - self._origins[packet.kind]
        out.stream = stream
        with _target_errors():
            self._container.mux(out)
        self.duration_s = max(self.duration_s, packet.seconds - self._origin_s)

    def close(self) -> None:
        """Finish the container (the trailer); may raise OSError when the target is gone."""
        if not self._closed:
            self._closed = True
            with _target_errors():
                self._container.close()
