"""The parts of `livedesk --self-test` that go beyond the window: the built-in relay takes the
program from this console, the audience child process runs and reads the relay's hub, the backup
recording that going live starts holds playable pictures, the post-show report of the show is
written (HTML charts and PDF), the voice chain's learned suppressor loaded, the Chinese
translation compiles. In the PyInstaller bundle these are what breaks first (child processes,
package data, models, FFmpeg's muxers, matplotlib's fonts), so the packaged self-test in CI runs
them."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

LIVE_TIMEOUT_S = 20.0

Check = Callable[[str, bool, Any], None]


def _wait(app: Any, done: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            return False
        app.processEvents()
        time.sleep(0.01)
    return True


def live_checks(app: Any, core: Any, check: Check) -> None:
    """Run each check and report it through `check(name, ok, detail)`."""
    _voice(check)
    _translation(check)
    golive = core.golive
    try:
        info = golive.start_embedded_relay()
    except Exception as exc:
        check("relay", False, f"the built-in relay did not start: {exc}")
        return
    try:
        _publish(app, golive, info, check)
        _audience(app, core, check)
        _recording(app, golive.recording.recorder, check)
    finally:
        golive.stop()
    _report(core, check)


def _voice(check: Check) -> None:
    """The learned suppressor really loads (model file, ONNX runtime and its quantiser)."""
    from capture.voice import learned

    path = learned.model_path()
    if path is None or not learned.runtime_available():
        check("voice_model", False, "NSNet2's model or the ONNX runtime is not installed")
        return
    model = learned.LearnedModel.load_now()
    check(
        "voice_model",
        model is not None,
        f"NSNet2 loaded from {path}"
        if model is not None
        else f"NSNet2 did not load: {learned.LearnedModel.failure}",
    )


def _translation(check: Check) -> None:
    from app import i18n

    qm = i18n.compiled("zh_CN")
    check("translation", qm is not None, str(qm) if qm else "zh_CN could not be compiled")


def _publish(app: Any, golive: Any, info: dict[str, Any], check: Check) -> None:
    golive.go_live()
    live = _wait(app, lambda: golive.state.value == "live", LIVE_TIMEOUT_S)
    relay = golive.embedded.server.relay
    received = _wait(app, lambda: relay.publisher_id is not None, 2.0)
    check(
        "relay",
        live and received,
        f"published to {info.get('whip')}" if live else f"{golive.state.value}: {golive.message}",
    )


def _audience(app: Any, core: Any, check: Check) -> None:
    service = core.audience.service
    if service is None:
        check("audience", False, "the audience process was not started")
        return
    hub = core.golive.embedded.server.relay.hub
    reading = hub is not None and _wait(app, lambda: hub.stats()["hosts"] >= 1, LIVE_TIMEOUT_S)
    alive = service._proc.poll() is None
    check(
        "audience",
        alive and reading,
        f"child process {service._proc.pid} reads the built-in hub; journal {service.path}"
        if alive and reading
        else "the audience process is not reading the built-in hub",
    )


def _recording(app: Any, recorder: Any, check: Check) -> None:
    """The recording going live started: after a second of it, PyAV reads pictures back from
    the file as it stands (fragmented MP4 plays while it is written)."""
    if recorder is None:
        check("recording", False, "going live started no backup recording")
        return
    _wait(app, lambda: float(recorder.figures()["duration_s"] or 0.0) >= 1.0, LIVE_TIMEOUT_S)
    try:
        import av

        with av.open(str(recorder.path)) as container:
            frames = sum(1 for _ in container.decode(video=0))
    except (OSError, av.FFmpegError) as exc:
        check("recording", False, f"{recorder.path} does not play: {exc}")
        return
    check("recording", frames > 0, f"{frames} pictures read back from {recorder.path}")


def _report(core: Any, check: Check) -> None:
    """The post-show report of this show's journal, into a folder of its own."""
    import tempfile
    from pathlib import Path

    from app.insights.journal import JournalError
    from app.insights.report import ReportError, write_report

    service = core.audience.service
    if service is None:
        check("report", False, "no show journal (the audience process was not started)")
        return
    with tempfile.TemporaryDirectory(prefix="livedesk-self-test-report-") as folder:
        try:
            files = write_report(service.path, Path(folder))
        except (JournalError, ReportError) as exc:
            check("report", False, str(exc))
            return
        written = files.html.stat().st_size > 0 and files.pdf.stat().st_size > 0
        sizes = f"HTML {files.html.stat().st_size:,} B, PDF {files.pdf.stat().st_size:,} B"
    check("report", written, f"report of {service.path.name} in {files.seconds:.1f} s ({sizes})")
