"""`livedesk process-audio IN OUT`: run a recording through the live voice chain.

The file is decoded with PyAV (anything FFmpeg reads: WAV, FLAC, MP3, M4A, video files…),
resampled to 48 kHz, and fed to the very same `VoiceChain` block by block as the decoder hands
them out — the code path of the microphone. The chain's latency is taken off, so the output
lines up with the input sample for sample, same length. The result is written next to its
final name and moved into place only when complete: a failure never leaves half a file.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import av
import numpy as np
from av.audio.stream import AudioStream

from capture.media import AUDIO_RATE, AudioBlock
from capture.voice import ChainSettings, VoiceChain
from capture.voice.denoise_rnnoise import rnnoise_available
from capture.voice.denoise_settings import METHODS
from capture.voice.learned import LearnedModel

# Output codec by file extension; anything else gets the container's default audio codec.
_CODECS = {
    ".wav": "pcm_f32le",
    ".flac": "flac",
    ".mp3": "libmp3lame",
    ".ogg": "libvorbis",
    ".opus": "libopus",
    ".m4a": "aac",
}


class AudioFileError(Exception):
    """A file could not be read or written; the message is meant for the user."""


@dataclass(frozen=True)
class FileReport:
    samples: int  # per channel, at 48 kHz
    channels: int
    latency_samples: int
    problem: str  # the chain's last bad-input report, "" if none

    @property
    def seconds(self) -> float:
        return self.samples / AUDIO_RATE


class _Writer:
    """Encodes mono float32 pieces to `path`, dropping the first `skip` samples and keeping at
    most `limit`, duplicated to `channels` channels."""

    def __init__(self, path: Path, channels: int, skip: int) -> None:
        self.path = path
        self._skip = skip
        self.limit: int | None = None
        self.written = 0
        self._layout = "mono" if channels == 1 else "stereo"
        self._channels = 1 if channels == 1 else 2
        try:
            self._out = av.open(str(path), "w")
            codec = _CODECS.get(path.suffix.lower()) or self._out.default_audio_codec
            self._stream = cast(
                AudioStream, self._out.add_stream(codec, rate=AUDIO_RATE, layout=self._layout)
            )
        except (av.error.FFmpegError, ValueError) as exc:
            raise AudioFileError(f"Cannot write {path.name}: {exc}") from exc
        ctx = self._stream.codec_context
        self._to_codec = av.AudioResampler(
            format=ctx.format,
            layout=self._layout,
            rate=AUDIO_RATE,
            frame_size=ctx.frame_size or None,
        )
        self._pts = 0

    def write(self, mono: np.ndarray) -> None:
        if self._skip:
            cut = min(self._skip, mono.size)
            mono, self._skip = mono[cut:], self._skip - cut
        if self.limit is not None:
            mono = mono[: max(0, self.limit - self.written)]
        if mono.size == 0:
            return
        planar = np.ascontiguousarray(np.repeat(mono[None, :], self._channels, axis=0))
        frame = av.AudioFrame.from_ndarray(planar, format="fltp", layout=self._layout)
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._pts
        self._pts += mono.size
        self.written += mono.size
        self._encode(self._to_codec.resample(frame))

    def close(self) -> None:
        self._encode(self._to_codec.resample(None))
        self._encode([None])
        self._out.close()

    def abort(self) -> None:
        try:
            self._out.close()
        except av.error.FFmpegError:
            pass

    def _encode(self, frames: list[Any]) -> None:
        for f in frames:
            for packet in self._stream.encode(f):
                self._out.mux(packet)


def process_file(src: Path, dst: Path, settings: ChainSettings) -> FileReport:
    """Run `src` through a fresh voice chain into `dst`. Raises AudioFileError in plain words."""
    if src.resolve() == dst.resolve():
        raise AudioFileError("The output file must be different from the input file.")
    if not src.is_file():
        raise AudioFileError(f"{src} does not exist or is not a file.")
    if src.stat().st_size == 0:
        raise AudioFileError(f"{src} is empty (0 bytes).")
    try:
        container = av.open(str(src))
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise AudioFileError(f"Cannot read {src}: {_reason(exc)}") from exc
    tmp = dst.with_name(f".{dst.stem}.partial{dst.suffix}")
    writer: _Writer | None = None
    try:
        with container:
            if not container.streams.audio:
                raise AudioFileError(f"{src} has no audio in it.")
            stream = container.streams.audio[0]
            channels = 1 if (stream.channels or 1) == 1 else 2
            layout = "mono" if channels == 1 else "stereo"
            resampler = av.AudioResampler(format="fltp", layout=layout, rate=AUDIO_RATE)
            chain = VoiceChain(settings)
            received = 0

            def feed(frames: list[Any]) -> None:
                nonlocal received, writer
                for f in frames:
                    planar = f.to_ndarray()
                    if planar.shape[1] == 0:
                        continue
                    if writer is None:
                        writer = _Writer(tmp, channels, chain.latency)
                    received += planar.shape[1]
                    out = chain.process(AudioBlock(np.ascontiguousarray(planar.T), AUDIO_RATE, 0))
                    writer.write(out.samples[:, 0])

            try:
                for frame in container.decode(stream):
                    feed(resampler.resample(frame))
                feed(resampler.resample(None))
            except av.error.FFmpegError as exc:
                at = received / AUDIO_RATE
                raise AudioFileError(
                    f"{src} is damaged: decoding stopped at {at:.1f} s ({_reason(exc)})."
                ) from exc
            if writer is None or received == 0:
                raise AudioFileError(f"{src} contains no audio samples.")
            writer.limit = received
            writer.write(chain.flush())
            writer.close()
        os.replace(tmp, dst)
        return FileReport(received, channels, chain.latency, chain.problem)
    except BaseException:
        if writer is not None:
            writer.abort()
        tmp.unlink(missing_ok=True)
        raise


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text).strip() or type(exc).__name__


def settings_from_args(
    args: argparse.Namespace, base: ChainSettings | None = None
) -> ChainSettings:
    s = base or ChainSettings()
    s = s.with_values("denoise", enabled=not args.no_denoise, method=args.method)
    if args.strength is not None:
        s = s.with_values("denoise", strength_db=float(args.strength))
    s = s.with_values("agc", enabled=not args.no_agc)
    if args.target is not None:
        s = s.with_values("agc", target_lufs=float(args.target))
    s = s.with_values("limiter", enabled=not args.no_limiter)
    return s.with_values("gate", enabled=bool(args.gate))


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "process-audio",
        description="Run an audio file (anything FFmpeg reads) through the same noise "
        "suppression, AGC and limiter as the live microphone; write the result.",
    )
    p.add_argument(
        "input", type=Path, metavar="IN", help="the recording to clean (any format FFmpeg reads)"
    )
    p.add_argument(
        "output",
        type=Path,
        metavar="OUT",
        help="output file; the format follows the extension (.wav, .flac, .mp3, …)",
    )
    p.add_argument("--no-denoise", action="store_true", help="bypass noise suppression")
    p.add_argument("--no-agc", action="store_true", help="bypass automatic gain control")
    p.add_argument("--no-limiter", action="store_true", help="bypass the true-peak limiter")
    p.add_argument("--gate", action="store_true", help="switch on the noise gate / expander")
    p.add_argument(
        "--method",
        choices=[value for value, _ in METHODS],
        default="auto",
        help="noise suppression method (default: auto — adapts to the room)",
    )
    p.add_argument("--strength", type=float, metavar="DB", help="most noise reduction, dB")
    p.add_argument("--target", type=float, metavar="LUFS", help="AGC target loudness")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    if args.method == "rnnoise" and not rnnoise_available():
        print(
            "RNNoise is not installed (pip package pyrnnoise); use --method spectral.",
            file=sys.stderr,
        )
        return 2
    if args.method == "auto" and not args.no_denoise:
        LearnedModel.load_now()  # a file has no "first second" to spare while it loads
    try:
        report = process_file(args.input, args.output, settings_from_args(args))
    except AudioFileError as exc:
        print(f"process-audio: {exc}", file=sys.stderr)
        return 2
    print(
        f"Wrote {args.output}: {report.seconds:.2f} s, {report.channels} channel(s), "
        f"48000 Hz; chain latency {report.latency_samples / 48:.1f} ms compensated."
    )
    if report.problem:
        print(f"Note: {report.problem}", file=sys.stderr)
    return 0
