"""Every kind of source in one table: how a source id names a source, and how it is opened.

The console (`app/media_controller.py`), `livedesk publish` and the benches open sources through
`open_source`, so a device id is spelt one way everywhere: `synthetic:video`, `synthetic:tone`,
`synthetic:silence`, `camera:N` / `camera:/dev/videoN`, `mic:NAME` / `mic:default`,
`file:PATH`, or a live input (`rtsp://…`, `srt://…`, `rtmp://…`, `http(s)://…`, `udp://…`, a
named pipe, `-` for standard input). `resolve` turns the short spellings the command line
accepts (`test`, `tone`, `silence`, a bare file path) into those ids.

A new kind of source is one module with its `Source` class plus one row in `KINDS`. The modules
are imported only when a source of theirs is opened (`livedesk publish --help` stays fast).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from capture.camera import CameraMode
    from capture.source import Source

Media = Literal["video", "audio"]

SYNTHETIC_VIDEO = "synthetic:video"
SYNTHETIC_TONE = "synthetic:tone"
SYNTHETIC_SILENCE = "synthetic:silence"


class UnknownSource(ValueError):
    """A source id no kind claims (the message says so in plain words)."""


@dataclass(frozen=True, slots=True)
class Opening:
    """What the caller asks of a source besides its id."""

    #: Picture size of the synthetic pattern (default: its own, 1920×1080).
    size: tuple[int, int] | None = None
    #: A camera's format (default: the camera's own default mode).
    camera_mode: CameraMode | None = None
    #: Whether a file starts again at its end.
    loop: bool = False


@dataclass(frozen=True, slots=True)
class SourceKind:
    """One row of the table: the ids it claims, for which media, and how to open one."""

    media: Media
    claims: Callable[[str], bool]
    open: Callable[[str, Opening], Source[Any]]


def _synthetic_video(_id: str, opening: Opening) -> Source[Any]:
    from capture.synthetic import SyntheticVideoSource

    if opening.size is None:
        return SyntheticVideoSource()
    return SyntheticVideoSource(*opening.size, fps=30.0)


def _tone(_id: str, _opening: Opening) -> Source[Any]:
    from capture.synthetic import SyntheticAudioSource

    return SyntheticAudioSource()


def _silence(_id: str, _opening: Opening) -> Source[Any]:
    from capture.synthetic import SyntheticAudioSource

    return SyntheticAudioSource(level_dbfs=None)


def _camera(source_id: str, opening: Opening) -> Source[Any]:
    from capture.camera import CameraSource

    return CameraSource(source_id, opening.camera_mode)


def _microphone(source_id: str, _opening: Opening) -> Source[Any]:
    from capture.microphone import MicrophoneSource

    return MicrophoneSource(source_id)


def _file(media: Media) -> Callable[[str, Opening], Source[Any]]:
    def open_file(source_id: str, opening: Opening) -> Source[Any]:
        from capture.file_source import FileSource

        return FileSource(source_id.removeprefix("file:"), media, loop=opening.loop)  # type: ignore[return-value]

    return open_file


def _live(source_id: str, _opening: Opening) -> Source[Any]:
    from capture.live_source import LiveSource

    return LiveSource(source_id)


def _is_live(source_id: str) -> bool:
    from capture.live_source import is_live_input

    return is_live_input(source_id)


def _is(source_id: str) -> Callable[[str], bool]:
    return lambda candidate: candidate == source_id


def _prefix(prefix: str) -> Callable[[str], bool]:
    return lambda candidate: candidate.startswith(prefix)


KINDS: tuple[SourceKind, ...] = (
    SourceKind("video", _is(SYNTHETIC_VIDEO), _synthetic_video),
    SourceKind("video", _prefix("camera:"), _camera),
    SourceKind("video", _prefix("file:"), _file("video")),
    SourceKind("video", _is_live, _live),
    SourceKind("audio", _is(SYNTHETIC_TONE), _tone),
    SourceKind("audio", _is(SYNTHETIC_SILENCE), _silence),
    SourceKind("audio", _prefix("mic:"), _microphone),
    SourceKind("audio", _prefix("file:"), _file("audio")),
)

#: The short spellings `livedesk publish` accepts, and the ids they stand for.
ALIASES: dict[Media, dict[str, str]] = {
    "video": {"test": SYNTHETIC_VIDEO, "synthetic:pattern": SYNTHETIC_VIDEO},  # older scene files
    "audio": {"tone": SYNTHETIC_TONE, "silence": SYNTHETIC_SILENCE},
}


def _kind(media: Media, source_id: str) -> SourceKind | None:
    return next((k for k in KINDS if k.media == media and k.claims(source_id)), None)


def resolve(media: Media, spec: str) -> str:
    """The source id `spec` names: an id as it is, a short spelling (`ALIASES`) as its id, an
    existing file's path as `file:PATH`. Raises `UnknownSource` for anything else."""
    spec = ALIASES[media].get(spec, spec)
    if _kind(media, spec) is not None:
        return spec
    if Path(spec).is_file():
        return f"file:{spec}"
    raise UnknownSource(f"{media} source “{spec}” is neither a known source nor an existing file")


def open_source(media: Media, source_id: str, opening: Opening = Opening()) -> Source[Any]:
    """The source `source_id` names, not yet started. Raises `UnknownSource`."""
    kind = _kind(media, source_id)
    if kind is None:
        raise UnknownSource(f"unknown kind of {media} device")
    return kind.open(source_id, opening)
