"""A real RTMP server for the tests: nginx with its RTMP module (Debian's libnginx-mod-rtmp) on
a loopback port, checking stream keys the way platforms do (nginx asks an HTTP endpoint of ours
on every publish: 2xx admits, anything else refuses), and a PyAV subscriber that pulls a stream
back."""

from __future__ import annotations

import http.server
import socket
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np

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
    process: subprocess.Popen | None = None

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


@dataclass
class Pulled:
    video_frames: int = 0
    sizes: set[tuple[int, int]] = field(default_factory=set)
    audio_frames: int = 0
    audio_peak: float = 0.0
    audio_codec: str = ""
    video_codec: str = ""
    first_frame_s: float | None = None  # wall time from opening to the first picture


def pull(url: str, seconds: float) -> Pulled:
    """Subscribe to `url` with PyAV and decode `seconds` from the first picture on."""
    got = Pulled()
    started = time.monotonic()
    with av.open(url, options={"rw_timeout": "5000000"}, timeout=10) as container:
        streams = [s for s in container.streams if s.type in ("video", "audio")]
        for stream in streams:
            if stream.type == "video":
                got.video_codec = stream.codec_context.name
            else:
                got.audio_codec = stream.codec_context.name
        for packet in container.demux(*streams):
            for frame in packet.decode():
                if packet.stream.type == "video":
                    got.video_frames += 1
                    got.sizes.add((frame.width, frame.height))
                    if got.first_frame_s is None:
                        got.first_frame_s = time.monotonic() - started
                else:
                    got.audio_frames += 1
                    samples = np.asarray(frame.to_ndarray(), dtype=np.float32)
                    got.audio_peak = max(got.audio_peak, float(np.abs(samples).max()))
            # `seconds` of pictures (a subscriber waits for the next keyframe first)
            first = got.first_frame_s
            elapsed = time.monotonic() - started
            if (first is not None and elapsed - first > seconds) or elapsed > seconds + 10:
                break
    return got
