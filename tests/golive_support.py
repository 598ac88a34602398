"""Shared pieces of the go-live tests: a real embedded relay on its own loop thread, and a
real aiortc WHEP subscriber that counts decoded frames."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from streaming.loop_thread import LoopThread
from streaming.relay import RelayServer
from streaming.whip import WhipClient

TOKEN = "relay-test-token"


class RunningRelay:
    """An embedded relay served from a loop thread; `restart()` brings it back on the same
    port (a relay that disappeared and came back)."""

    def __init__(self, port: int = 0) -> None:
        self.thread = LoopThread("test-relay")
        self.server = RelayServer("127.0.0.1", port, TOKEN)
        self.info = self.thread.run(self.server.start())
        self.port = self.server.port

    @property
    def relay(self):
        return self.server.relay

    def call(self, fn: Callable[[], object]) -> object:
        async def run() -> object:
            return fn()

        return self.thread.run(run())

    def stop(self) -> None:
        self.thread.run(self.server.stop(), timeout=10)

    def restart(self) -> None:
        self.server = RelayServer("127.0.0.1", self.port, TOKEN)
        self.info = self.thread.run(self.server.start())

    def close(self) -> None:
        try:
            self.stop()
        finally:
            self.thread.stop()


@dataclass
class Received:
    video_frames: int = 0
    audio_frames: int = 0
    sizes: set[tuple[int, int]] = field(default_factory=set)
    audio_peak: float = 0.0


async def watch_whep(url: str, seconds: float) -> Received:
    """Play `url` over WHEP with aiortc for `seconds`; count what decodes."""
    got = Received()
    pc = RTCPeerConnection()
    pc.addTransceiver("video", direction="recvonly")
    pc.addTransceiver("audio", direction="recvonly")
    tasks: list[asyncio.Task[None]] = []

    async def pull(track) -> None:
        try:
            while True:
                frame = await track.recv()
                if track.kind == "video":
                    got.video_frames += 1
                    got.sizes.add((frame.width, frame.height))
                else:
                    got.audio_frames += 1
                    samples = frame.to_ndarray()
                    got.audio_peak = max(got.audio_peak, float(abs(samples).max()) / 32768)
        except MediaStreamError:
            pass

    pc.on("track", lambda track: tasks.append(asyncio.ensure_future(pull(track))))
    await pc.setLocalDescription(await pc.createOffer())
    client = WhipClient(url)
    session = await client.offer(pc.localDescription.sdp)
    await pc.setRemoteDescription(RTCSessionDescription(session.answer_sdp, "answer"))
    await asyncio.sleep(seconds)
    await session.delete()
    await client.close()
    await pc.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return got


class MemoryKeyring(KeyringBackend):
    """A keyring backend for tests: the real `keyring` API, kept in memory."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


class GarbageAnswerServer:
    """Answers every offer with 201 and a body that is not a usable SDP answer."""

    def __init__(self) -> None:
        self.deleted = 0
        self.thread = LoopThread("garbage-whip")
        app = web.Application()
        app.router.add_post("/whip", self.post)
        app.router.add_delete("/whip/1", self.delete)

        async def start():
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            return runner, site._server.sockets[0].getsockname()[1]

        self.runner, port = self.thread.run(start())
        self.url = f"http://127.0.0.1:{port}/whip"

    async def post(self, request: web.Request) -> web.Response:
        return web.Response(
            status=201,
            text="v=0\r\nm=this is not sdp at all\r\n",
            content_type="application/sdp",
            headers={"Location": "/whip/1"},
        )

    async def delete(self, request: web.Request) -> web.Response:
        self.deleted += 1
        return web.Response(status=200)

    def close(self) -> None:
        self.thread.run(self.runner.cleanup())
        self.thread.stop()
