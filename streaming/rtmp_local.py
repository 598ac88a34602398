"""A local RTMP server for tests and benchmarks: nginx with its RTMP module (Debian's
libnginx-mod-rtmp) on a loopback port, checking stream keys the way platforms do (nginx asks an
HTTP endpoint of ours on every publish: 2xx admits, anything else refuses)."""

from __future__ import annotations

import http.server
import socket
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

NGINX = Path("/usr/sbin/nginx")
RTMP_MODULE = Path("/usr/lib/nginx/modules/ngx_rtmp_module.so")
GOOD_KEYS = frozenset({"good-key", "second-key"})


def available() -> bool:
    return NGINX.exists() and RTMP_MODULE.exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _KeyCheck(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        key = urllib.parse.parse_qs(body).get("name", [""])[0]
        self.send_response(200 if key in GOOD_KEYS else 403)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class NginxRtmp:
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self._auth = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _KeyCheck)
        threading.Thread(target=self._auth.serve_forever, daemon=True).start()
        (self.folder / "logs").mkdir(parents=True, exist_ok=True)
        (self.folder / "nginx.conf").write_text(
            f"""
load_module {RTMP_MODULE};
daemon off;
master_process off;
pid {self.folder}/nginx.pid;
error_log {self.folder}/logs/error.log info;
events {{ worker_connections 64; }}
rtmp {{
    server {{
        listen 127.0.0.1:{self.port};
        chunk_size 4096;
        application live {{
            live on;
            wait_key on;
            on_publish http://127.0.0.1:{self._auth.server_address[1]}/publish;
        }}
    }}
}}
"""
        )

    @property
    def url(self) -> str:
        return f"rtmp://127.0.0.1:{self.port}/live"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(NGINX), "-p", str(self.folder), "-c", str(self.folder / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    err = self.process.stderr.read()  # type: ignore[union-attr]
                    raise RuntimeError(f"nginx did not start: {err!r}") from None
                time.sleep(0.05)
        raise RuntimeError("nginx did not listen within 10 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def close(self) -> None:
        self.stop()
        self._auth.shutdown()
