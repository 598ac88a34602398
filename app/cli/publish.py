"""`livedesk publish`: a headless publisher, for operators checking a relay and for tests.

    livedesk publish --whip URL [--token-file PATH|-] [--video SRC] [--audio SRC] [--duration S]
                     [--stats-json PATH] [--resolution 1080p] [--renditions 360p] [--record PATH]
    livedesk publish --janus URL --room N [...same options]

It is the console's show without windows: the sources feed the same media buses, the voice
chain runs on the microphone, and the program (one full-frame layer of --video, or the scene
on air in --scene FILE) is what is published. With --record, the same encoded packets are also
written to a fragmented MP4 (no second encode); a recording that fails (a full disk) says so and
the publishing goes on.

Exit codes: 0 published for the whole duration (or until Ctrl-C) and stopped cleanly;
2 bad arguments or a source that cannot be opened; 3 could not go live (relay unreachable,
token refused, unusable answer, no media connection); 4 went live, lost the connection, and
the relay then refused it for good (e.g. a changed token) — while the relay is merely away the
publisher keeps retrying every second until stopped. The stats file (rewritten every second) is one JSON object:
{"target", "state", "message", "resolution", "live_s", "samples": [per-second figures],
"summary": {...}} — see README "Going live".
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from capture.registry import Media, Opening, UnknownSource, open_source, resolve
from capture.source import Source, SourceState

if TYPE_CHECKING:  # numpy behind these; `livedesk publish --help` must not import it
    from capture.media import AudioBlock, VideoFrame

TOKEN_ENV = "LIVEDESK_WHIP_TOKEN"
EXIT_OK, EXIT_USAGE, EXIT_CONNECT, EXIT_LOST = 0, 2, 3, 4

EPILOG = """sources:
  --video: test | stamped | camera:N | camera:/dev/videoN | PATH (a video file, looped) | none
           | FIFO (a named pipe) | - (standard input; y4m or any container)
           | rtsp:// srt:// rtmp:// http(s):// udp:// URL (live, reconnects when it drops)
  --audio: tone | silence | mic:N | mic:NAME | mic:default | PATH (an audio/video file) | none
token: --token-file PATH (- for stdin), else $LIVEDESK_WHIP_TOKEN, else the one the console
  saved in the keyring for this URL. --token T still works but every local user can read it.
exit codes: 0 ok, 2 bad arguments/source, 3 could not go live, 4 refused after reconnecting."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "publish",
        description="Publish video and audio to a relay, headless.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--whip", metavar="URL", help="WHIP endpoint URL")
    target.add_argument("--janus", metavar="URL", help="Janus HTTP API URL (with --room)")
    parser.add_argument("--room", type=int, help="Janus VideoRoom room number")
    parser.add_argument(
        "--backup-whip",
        action="append",
        default=[],
        metavar="URL",
        help="a backup WHIP ingest (repeatable): after repeated failure on one ingest the "
        "publisher moves to the next, and says so",
    )
    parser.add_argument(
        "--token-file",
        metavar="PATH",
        help="read the bearer token from the first line of PATH (- = stdin)",
    )
    parser.add_argument(
        "--token", help="bearer token (visible to other users: prefer --token-file)"
    )
    parser.add_argument(
        "--video", default="test", metavar="SRC", help="video source (default test)"
    )
    parser.add_argument(
        "--audio", default="tone", metavar="SRC", help="audio source (default tone)"
    )
    parser.add_argument(
        "--duration",
        type=float,
        metavar="S",
        help="stop after S seconds live (default: until Ctrl-C)",
    )
    parser.add_argument(
        "--stats-json",
        metavar="PATH",
        type=Path,
        help="write the sending figures (every second) to this JSON file",
    )
    parser.add_argument(
        "--resolution",
        default="1080p",
        choices=("1080p", "720p", "540p", "360p"),
        help="picture size sent (default 1080p)",
    )
    parser.add_argument(
        "--renditions",
        metavar="NAMES",
        default="",
        help="also send these fixed low renditions (comma-separated: 540p, 360p) as more video "
        "tracks, for a relay that gives each viewer the best its link carries (WHIP only)",
    )
    parser.add_argument(
        "--no-voice-chain",
        dest="voice_chain",
        action="store_false",
        help="send --audio as it is (music, an already mixed feed, a test tone the noise "
        "suppression would remove) instead of through the console's voice chain",
    )
    parser.add_argument(
        "--scene",
        metavar="FILE",
        type=Path,
        help="publish the program of this saved scene file (its scene on air; the layer id "
        "camera is --video); default: --video full frame",
    )
    parser.add_argument(
        "--record",
        metavar="PATH",
        type=Path,
        help="also record what is published to this MP4 file (fragmented: playable even if "
        "the process is killed)",
    )
    parser.add_argument(
        "--record-min-free",
        metavar="MB",
        type=float,
        default=500,
        help="with --record: refuse to record with less free space than this (default 500)",
    )
    parser.add_argument(
        "--connect-timeout",
        type=float,
        default=15.0,
        metavar="S",
        help="give up going live after S seconds (default 15)",
    )
    parser.add_argument(
        "--no-adapt",
        dest="adapt",
        action="store_false",
        help="send at the resolution's fixed bitrate range whatever the link does (default: "
        "follow the link, see docs/abr.md)",
    )
    parser.add_argument(
        "--start-kbps",
        type=float,
        metavar="KBPS",
        help="video bitrate to start at (default: the resolution's start rate)",
    )
    parser.set_defaults(handler=run)


class UsageError(Exception):
    pass


def open_video(spec: str, size: tuple[int, int]) -> Source[VideoFrame] | None:
    """The video source named by `spec` (see EPILOG), not yet started."""
    if spec == "none":
        return None
    if spec == "stamped":  # the test pattern with its capture time drawn in (benches)
        from app.bench.latency_probe import StampedVideoSource

        return StampedVideoSource(*size, fps=30.0)
    from capture.camera import CameraMode

    opening = Opening(size=size, camera_mode=CameraMode(width=size[0], height=size[1]), loop=True)
    return open_source("video", _resolve("video", spec), opening)


def open_audio(spec: str) -> Source[AudioBlock] | None:
    """The audio source named by `spec` (see EPILOG), not yet started."""
    if spec == "none":
        return None
    if spec.startswith("mic:") and spec[4:].isdigit():  # the command line's `mic:N`
        import sounddevice as sd

        try:
            spec = "mic:" + sd.query_devices(int(spec[4:]))["name"]
        except Exception as exc:
            raise UsageError(f"no microphone number {spec[4:]}: {exc}") from None
    return open_source("audio", _resolve("audio", spec), Opening(loop=True))


def _resolve(media: Media, spec: str) -> str:
    try:
        return resolve(media, spec)
    except UnknownSource as exc:
        raise UsageError(str(exc)) from None


def _wait_running(source: Source[Any], timeout_s: float = 8.0) -> None:
    """Sources open on their own thread; wait until one runs or says why it cannot."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = source.status.state
        if state == SourceState.RUNNING:
            return
        if state in (SourceState.FAILED, SourceState.ENDED):
            raise UsageError(f"{source.label}: {source.status.message or state.value}")
        time.sleep(0.05)
    why = f": {source.status.message}" if source.status.state == SourceState.RECONNECTING else ""
    raise UsageError(f"{source.label} did not start within {timeout_s:.0f} s{why}")


def make_signalling(args: argparse.Namespace) -> Any:
    from app.cli.token_input import TokenInputError, resolve_token
    from app.secrets import get_token

    url = args.whip or args.janus
    try:
        token = resolve_token(
            token_file=args.token_file,
            cmdline=args.token,
            env=TOKEN_ENV,
            keyring=lambda: get_token(url),
        )
    except TokenInputError as exc:
        raise UsageError(str(exc)) from None
    if args.whip:
        from streaming.publisher import FailoverSignalling, WhipSignalling
        from streaming.whip import url_origin

        if not args.backup_whip:
            return WhipSignalling(args.whip, token)
        urls = [args.whip, *args.backup_whip]
        return FailoverSignalling([(url_origin(u), WhipSignalling(u, token)) for u in urls])
    if args.room is None:
        raise UsageError("--janus needs --room N")
    try:
        from streaming.janus import JanusSignalling  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise UsageError("Janus publishing is not available in this build") from None
    return JanusSignalling(args.janus, args.room, token=token)


class _StatsFile:
    """Collects per-second figures; rewrites the JSON file atomically so a reader never sees
    half of it."""

    def __init__(self, path: Path | None, target: str, resolution: str) -> None:
        self.path = path
        self.doc: dict[str, Any] = {
            "target": target,
            "state": "connecting",
            "message": "",
            "resolution": resolution,
            "live_s": 0.0,
            "samples": [],
            "summary": {},
        }
        self._lock = threading.Lock()

    def state(self, state: str, message: str) -> None:
        with self._lock:
            self.doc["state"], self.doc["message"] = state, message
        self.write()

    def sample(self, figures: dict[str, Any]) -> None:
        with self._lock:
            self.doc["samples"].append(figures)
            self.doc["live_s"] = figures["elapsed_s"]
            self.doc["summary"] = _summary(self.doc["samples"])
        self.write()

    def write(self) -> None:
        if self.path is None:
            return
        with self._lock:
            text = json.dumps(self.doc, indent=1)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.path)


def read_stats_samples(path: Path) -> list[dict[str, Any]]:
    """The per-second figures a running `livedesk publish --stats-json PATH` has written so
    far ([] before its first, or while the file cannot be read): what benches and tests watch."""
    try:
        return list(json.loads(path.read_text(encoding="utf-8"))["samples"])
    except (OSError, ValueError, KeyError):
        return []


def _summary(samples: list[dict[str, Any]]) -> dict[str, Any]:
    steady = samples[2:] or samples  # the first seconds include connection set-up
    rtts = [s["rtt_ms"] for s in steady if s["rtt_ms"] is not None]
    last = samples[-1]
    return {
        "median_fps": statistics.median(s["fps"] for s in steady),
        "median_video_kbps": statistics.median(s["video_kbps"] for s in steady),
        "median_audio_kbps": statistics.median(s["audio_kbps"] for s in steady),
        "median_rtt_ms": statistics.median(rtts) if rtts else None,
        "width": last["width"],
        "height": last["height"],
        "frames_sent": last["frames_sent"],
        "frames_dropped": last["frames_dropped"],
        "packets_lost": last["packets_lost"],
        "nack_count": last["nack_count"],
        "pli_count": last["pli_count"],
    }


def _qt_application() -> Any:
    """The Qt application the show's core needs (signals, fonts for text layers); without a
    display it runs offscreen."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        ):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(sys.argv[:1])
    return app


def headless_core(args: argparse.Namespace, video: Any, audio: Any) -> Any:
    """A console core without windows, its buses fed by `video` and `audio`."""
    from app.console_core import ConsoleCore
    from capture.program.canvas import DEFAULT_CANVAS
    from capture.program.scene import SceneFileError, default_show, load_show

    show = None
    if args.scene is not None:
        try:
            show, skipped = load_show(args.scene)
        except SceneFileError as exc:
            raise UsageError(str(exc)) from None
        for what in skipped:
            print(f"livedesk publish: skipped {what}", file=sys.stderr)
    core = ConsoleCore(scene_file=args.scene, save_scenes=False)
    canvas = DEFAULT_CANVAS if args.resolution == "1080p" else "720p"
    core.program.use_show(show if show is not None else default_show(canvas))
    core.media.video.attach(video)
    core.media.raw_audio.attach(audio)
    for notices in (core.media.notice, core.program.notice, core.voice.problem):
        notices.connect(lambda text: print(f"livedesk publish: {text}", file=sys.stderr))
    return core


def _recorder(args: argparse.Namespace, hub: Any, publisher: Any) -> Any:
    """The --record output on the publisher's encode; it reports on stderr."""
    from streaming.recorder import Recorder

    recorder = Recorder(
        args.record,
        publisher.video_profile,
        audio=publisher.audio_codec is not None,
        min_free_bytes=int(args.record_min_free * 1024 * 1024),
    )
    recorder.on_state(
        lambda _output, state, message: print(
            f"[recording {state.value}] {message}", file=sys.stderr, flush=True
        )
    )
    hub.add(recorder)
    return recorder


def publish_options(args: argparse.Namespace) -> Any:
    """The publisher's options from the command line (ValueError in plain words)."""
    from streaming.publisher import PublishOptions

    renditions = tuple(n.strip() for n in args.renditions.split(",") if n.strip())
    if renditions and not args.whip:
        raise UsageError("--renditions needs --whip: Janus takes one video track")
    return PublishOptions(
        resolution=args.resolution,
        connect_timeout_s=args.connect_timeout,
        adaptive=args.adapt,
        start_bitrate=int(args.start_kbps * 1000) if args.start_kbps else None,
        renditions=renditions,
    )


def run(args: argparse.Namespace) -> int:
    from streaming.encode_hub import EncodeHub
    from streaming.publisher import RESOLUTIONS, Publisher, PublishState
    from streaming.whip import WhipError, url_origin

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app = _qt_application()
    sources: list[Source[Any]] = []
    core = None
    try:
        options = publish_options(args)
        signalling = make_signalling(args)
        video = open_video(args.video, RESOLUTIONS[args.resolution])
        audio = open_audio(args.audio)
        if video is None and audio is None:
            raise UsageError("nothing to publish: --video none and --audio none")
        for source in (video, audio):
            if source is not None:
                sources.append(source)
                source.start()
                _wait_running(source)
        core = headless_core(args, video, audio)
        core.start(built_in_relay=False, devices=False)
        if not args.voice_chain:
            core.voice.detach()  # the microphone bus goes to the mix as it is
    except (UsageError, WhipError, ValueError) as exc:
        for source in sources:
            source.stop()
        if core is not None:
            core.shutdown()
        print(f"livedesk publish: {exc}", file=sys.stderr)
        return EXIT_USAGE

    target = url_origin(args.whip or args.janus)
    stats = _StatsFile(args.stats_json, target, args.resolution)
    done = threading.Event()
    went_live = threading.Event()

    def on_state(state: PublishState, message: str) -> None:
        stats.state(state.value, message)
        print(f"[{state.value}] {message}", file=sys.stderr, flush=True)
        if state == PublishState.LIVE:
            went_live.set()
        if state in (PublishState.FAILED, PublishState.IDLE):
            done.set()

    def on_stats(figures: Any) -> None:
        stats.sample(figures.to_dict())

    program = core.program
    program_video = program.video if video is not None else None
    program_audio = program.audio if audio is not None else None
    hub = EncodeHub(program_video, program_audio)
    publisher = Publisher(
        signalling,
        program_video,
        program_audio,
        options,
        on_state=on_state,
        on_stats=on_stats,
        hub=hub,
    )
    recorder = _recorder(args, hub, publisher) if args.record is not None else None

    def on_signal(*_: object) -> None:
        done.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    publisher.start()
    if recorder is not None:
        recorder.start()
    try:
        live_deadline: float | None = None
        while not done.wait(0.02):
            app.processEvents()  # the core's timers and notices, as the console's loop runs them
            if went_live.is_set() and live_deadline is None and args.duration is not None:
                live_deadline = time.monotonic() + args.duration
            if live_deadline is not None and time.monotonic() >= live_deadline:
                break
        failed = publisher.state == PublishState.FAILED
        publisher.stop()
        if recorder is not None:
            recorder.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        hub.stop()
        core.shutdown()
    stats.write()
    if failed:
        return EXIT_LOST if went_live.is_set() else EXIT_CONNECT
    return EXIT_OK
