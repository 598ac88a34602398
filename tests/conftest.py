"""Fixtures shared by the whole suite.

- Every test gets its own per-user folders (LIVEDESK_CONFIG_DIR / LIVEDESK_DATA_DIR in tmp), so
  no test reads or writes a real user's settings or journals.
- Qt runs offscreen unless told otherwise.
- `pulse_null_sink`: a private PulseAudio daemon with a null sink whose monitor is the default
  source, so sound played into the sink is what PortAudio (through ALSA's pulse plugin) records:
  the real microphone path, with a known signal.
- `media_file`: a small real video file (H.264 picture with a counter, AAC 1 kHz tone at
  −20 dBFS) made with PyAV, for the file source.
"""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.bench.chromium import CHROMIUM as CHROMIUM
from app.bench.chromium import CHROMIUM_ARGS as CHROMIUM_ARGS
from tests.media_support import PulseSink, pulse_listed, reinit_portaudio, write_media_file

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True, scope="session")
def _collect_garbage_on_the_main_thread() -> Iterator[None]:
    """As the console does (app/gc_guard.py): never let the cyclic collector run on a worker
    thread, where destroying a Qt widget caught in a cycle crashes. Tests collect between
    tests, on the main (GUI) thread."""
    gc.disable()
    yield
    gc.enable()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    gc.collect()


@pytest.fixture(autouse=True)
def _user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVEDESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("LIVEDESK_DATA_DIR", str(tmp_path / "data"))


# -- PulseAudio ----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def pulse_null_sink(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseSink]:
    for tool in ("pulseaudio", "pactl", "pacat"):
        if shutil.which(tool) is None:
            pytest.fail(
                f"{tool} is missing: install pulseaudio and pulseaudio-utils "
                "(packaging/system-packages-test.txt; `make test` does it)"
            )
    home = tmp_path_factory.mktemp("pulse")
    socket = home / "native"
    server = f"unix:{socket}"
    env = {
        **os.environ,
        "HOME": str(home),
        "PULSE_RUNTIME_PATH": str(home / "run"),
        "PULSE_STATE_PATH": str(home / "state"),
        "PULSE_SERVER": server,
    }
    daemon = subprocess.Popen(
        [
            "pulseaudio",
            "--daemonize=no",
            "--system=false",
            "--exit-idle-time=-1",
            "-n",
            "--disable-shm=yes",
            "--use-pid-file=no",
            "--log-target=stderr",
            f"--load=module-native-protocol-unix socket={socket} auth-anonymous=1",
            "--load=module-null-sink sink_name=livedesk_test rate=48000 channels=1",
            "--load=module-always-sink",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(home / "pulseaudio.log").open("wb"),
    )
    deadline = time.monotonic() + 15
    while subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode != 0:
        if daemon.poll() is not None or time.monotonic() > deadline:
            daemon.kill()
            log = (home / "pulseaudio.log").read_text(errors="replace")
            pytest.fail(f"PulseAudio did not start:\n{log[-2000:]}")
        time.sleep(0.1)
    for args in (
        ["set-default-sink", "livedesk_test"],
        ["set-default-source", "livedesk_test.monitor"],
    ):
        subprocess.run(["pactl", *args], env=env, check=True, capture_output=True)
    previous = os.environ.get("PULSE_SERVER")
    os.environ["PULSE_SERVER"] = server
    # ALSA's pulse plugin is probed with a short timeout; on a loaded machine the first probe
    # can miss a server that has just started, so probe until PortAudio lists it.
    deadline = time.monotonic() + 20
    while not pulse_listed():
        if time.monotonic() > deadline:
            daemon.kill()
            pytest.fail(
                "PortAudio does not list the ALSA 'pulse' device: is libasound2-plugins "
                "installed (packaging/system-packages-test.txt)?"
            )
        time.sleep(0.5)
    try:
        yield PulseSink(server, "livedesk_test")
    finally:
        if previous is None:
            os.environ.pop("PULSE_SERVER", None)
        else:
            os.environ["PULSE_SERVER"] = previous
        daemon.terminate()
        try:
            daemon.wait(timeout=5)
        except subprocess.TimeoutExpired:
            daemon.kill()
        reinit_portaudio()


@pytest.fixture(scope="session")
def media_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_media_file(tmp_path_factory.mktemp("media") / "test.mp4")


@pytest.fixture
def memory_keyring() -> Iterator[object]:
    """A keyring in memory for the test: tokens never reach the machine's real keyring."""
    import keyring

    from tests.golive_support import MemoryKeyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def relay() -> Iterator[object]:
    """The embedded relay in its own thread, on a free port."""
    from tests.golive_support import RunningRelay

    running = RunningRelay()
    yield running
    running.close()


@pytest.fixture
def browser() -> Iterator[object]:
    """Headless Chromium for tests that watch the viewer page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
