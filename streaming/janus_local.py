"""Run a private Janus (the distribution's /usr/bin/janus) for tests and benchmarks.

It gets its own configuration folder with only what LiveDesk uses: the VideoRoom plugin and the
plain HTTP transport bound to 127.0.0.1 on a free port. Media candidates are this machine's own
addresses, so nothing leaves the host.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

JANUS_BINARY = "/usr/bin/janus"
JANUS_LIBS = Path("/usr/lib/x86_64-linux-gnu/janus")


def janus_available() -> bool:
    return Path(JANUS_BINARY).exists() or shutil.which("janus") is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _libs_dir() -> Path:
    """Where the distribution put Janus's plugins (multiarch path, or next to the binary)."""
    if JANUS_LIBS.exists():
        return JANUS_LIBS
    candidates = sorted(Path("/usr/lib").glob("*/janus"))
    if not candidates:
        raise RuntimeError("Janus plugins not found; install the 'janus' package.")
    return candidates[0]


class LocalJanus:
    """`start()` → `url` is the HTTP API address (…/janus); `stop()` ends it and its folder."""

    def __init__(self, session_timeout_s: int = 60) -> None:
        self.port = 0
        self.url = ""
        self._session_timeout_s = session_timeout_s
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self.log_path: Path | None = None

    def _write_config(self, root: Path) -> Path:
        libs = _libs_dir()
        for kind, name in (
            ("plugins", "libjanus_videoroom.so"),
            ("transports", "libjanus_http.so"),
        ):
            (root / kind).mkdir()
            (root / kind / name).symlink_to(libs / kind / name)
        (root / "none").mkdir()
        (root / "janus.jcfg").write_text(
            "general: {\n"
            f'  configs_folder = "{root}"\n'
            f'  plugins_folder = "{root}/plugins"\n'
            f'  transports_folder = "{root}/transports"\n'
            f'  events_folder = "{root}/none"\n'
            f'  loggers_folder = "{root}/none"\n'
            "  debug_level = 4\n"
            f"  session_timeout = {self._session_timeout_s}\n"
            "}\n"
            "nat: {\n  nice_debug = false\n  ignore_mdns = true\n}\n"
            "media: {\n  ipv6 = false\n}\n"
        )
        (root / "janus.transport.http.jcfg").write_text(
            "general: {\n"
            '  json = "plain"\n  base_path = "/janus"\n  http = true\n'
            f'  port = {self.port}\n  ip = "127.0.0.1"\n  https = false\n'
            "}\nadmin: {\n  admin_http = false\n}\n"
        )
        (root / "janus.plugin.videoroom.jcfg").write_text("general: {\n}\n")
        return root / "janus.jcfg"

    def start(self, timeout_s: float = 15.0) -> str:
        if not janus_available():
            raise RuntimeError("Janus is not installed (Debian package 'janus').")
        self._folder = tempfile.TemporaryDirectory(prefix="livedesk-janus-")
        root = Path(self._folder.name)
        self.port = _free_port()
        config = self._write_config(root)
        self.log_path = root / "janus.log"
        with open(self.log_path, "wb") as log:
            self._process = subprocess.Popen(
                [shutil.which("janus") or JANUS_BINARY, "-F", str(root), "-C", str(config), "-o"],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "G_MESSAGES_DEBUG": ""},
            )
        self.url = f"http://127.0.0.1:{self.port}/janus"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"Janus exited at start-up:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/info", timeout=1) as response:
                    if json.load(response).get("janus") == "server_info":
                        return self.url
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Janus did not answer /janus/info within {timeout_s:.0f} s")

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def __enter__(self) -> LocalJanus:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
