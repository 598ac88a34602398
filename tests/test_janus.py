"""Publishing into a real Janus VideoRoom (the distribution's janus, started here) and watching
the feed come back out through a Janus subscriber."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator

import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from waiting import wait_for

from capture.synthetic import SyntheticAudioSource, SyntheticVideoSource
from streaming.janus import JanusError, JanusSession, JanusSignalling, JanusSubscriber
from streaming.janus_local import LocalJanus, janus_available
from streaming.publisher import Publisher, PublishOptions, PublishState

pytestmark = pytest.mark.skipif(not janus_available(), reason="janus is not installed")


@pytest.fixture(scope="module")
def janus() -> Iterator[LocalJanus]:
    server = LocalJanus()
    server.start()
    yield server
    server.stop()


async def watch_feed(url: str, room: int, seconds: float) -> dict[str, list]:
    """Subscribe to the room's publisher with aiortc and collect what arrives."""
    subscriber = JanusSubscriber(url, room)
    pc = RTCPeerConnection()
    got: dict[str, list] = {"video": [], "audio": []}

    pulls: list[asyncio.Future[None]] = []

    @pc.on("track")
    def on_track(track) -> None:
        async def pull() -> None:
            while True:
                frame = await track.recv()
                if track.kind == "video":
                    got["video"].append((frame.width, frame.height))
                else:
                    got["audio"].append(frame.samples)

        pulls.append(asyncio.ensure_future(pull()))  # held: a bare task may be collected

    try:
        feed = await subscriber.first_publisher()
        await pc.setRemoteDescription(RTCSessionDescription(await subscriber.offer(feed), "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        await subscriber.answer(pc.localDescription.sdp)
        await asyncio.sleep(seconds)
    finally:
        await pc.close()
        await subscriber.close()
    return got


def test_console_publishes_h264_and_opus_through_janus_to_a_subscriber(janus: LocalJanus) -> None:
    video = SyntheticVideoSource(640, 360, fps=30.0)
    audio = SyntheticAudioSource()
    states: list[PublishState] = []
    signalling = JanusSignalling(janus.url, room=4242)
    publisher = Publisher(
        signalling,
        video,
        audio,
        PublishOptions(resolution="360p"),
        on_state=lambda state, message: states.append(state),
    )
    video.start()
    audio.start()
    publisher.start()
    try:
        wait_for(
            lambda: publisher.state in (PublishState.LIVE, PublishState.FAILED),
            20,
            explain=lambda: publisher.message,
        )
        assert publisher.state == PublishState.LIVE, publisher.message
        assert signalling.feed_id is not None
        got = asyncio.run(watch_feed(janus.url, 4242, seconds=4.0))
    finally:
        publisher.stop()
        video.stop()
        audio.stop()
    assert len(got["video"]) >= 45, f"only {len(got['video'])} frames in 4 s\n{janus.log_tail()}"
    assert set(got["video"]) == {(640, 360)}
    assert len(got["audio"]) >= 100  # 20 ms Opus frames
    assert states[0] == PublishState.CONNECTING and states[-1] == PublishState.IDLE


def test_close_leaves_and_destroys_the_session(janus: LocalJanus) -> None:
    async def scenario() -> None:
        from aiortc import VideoStreamTrack

        signalling = JanusSignalling(janus.url, room=777)
        pc = RTCPeerConnection()
        pc.addTransceiver(VideoStreamTrack(), direction="sendonly")
        await pc.setLocalDescription(await pc.createOffer())
        await signalling.negotiate(pc.localDescription.sdp)
        session = signalling._session
        assert session is not None and session.session_id is not None
        session_id = session.session_id
        await signalling.close()
        await pc.close()
        # The server no longer knows the session: a keepalive on it is refused.
        probe = JanusSession(janus.url)
        await probe.open()
        try:
            probe.session_id, own = session_id, probe.session_id
            with pytest.raises(JanusError) as caught:
                await probe._post(probe._session_url(), {"janus": "keepalive"})
            assert caught.value.code == 458
            probe.session_id = own
        finally:
            await probe.destroy()

    asyncio.run(scenario())


def test_room_without_h264_is_refused_in_plain_words(janus: LocalJanus) -> None:
    async def scenario() -> None:
        from aiortc import VideoStreamTrack
        from aiortc.rtcrtpsender import RTCRtpSender

        admin = JanusSession(janus.url)
        await admin.open()
        handle = await admin.attach()
        await handle.message({"request": "create", "room": 99, "videocodec": "vp8"})
        pc = RTCPeerConnection()
        transceiver = pc.addTransceiver(VideoStreamTrack(), direction="sendonly")
        transceiver.setCodecPreferences(
            [
                c
                for c in RTCRtpSender.getCapabilities("video").codecs
                if c.mimeType in ("video/H264", "video/rtx")
            ]
        )
        await pc.setLocalDescription(await pc.createOffer())
        signalling = JanusSignalling(janus.url, room=99)
        try:
            with pytest.raises(JanusError, match=r"does not accept H\.264"):
                await signalling.negotiate(pc.localDescription.sdp)
        finally:
            await signalling.close()
            await pc.close()
            await admin.destroy()

    asyncio.run(scenario())


def test_unreachable_and_wrong_servers_give_plain_errors(janus: LocalJanus) -> None:
    async def attempt(url: str) -> JanusError:
        signalling = JanusSignalling(url, room=1, timeout_s=3)
        try:
            await signalling.negotiate("v=0\r\n")
        except JanusError as exc:
            return exc
        finally:
            await signalling.close()
        raise AssertionError("negotiate did not fail")

    unreachable = asyncio.run(attempt("http://127.0.0.1:9/janus"))
    assert "Cannot reach Janus" in unreachable.message and unreachable.retryable
    wrong_path = asyncio.run(attempt(janus.url.replace("/janus", "/nothing")))
    assert "HTTP 404" in wrong_path.message
    with pytest.raises(JanusError, match="http:// or https://"):
        JanusSession("ftp://example.org/janus")


def test_publish_command_goes_live_on_janus(janus: LocalJanus, tmp_path) -> None:
    stats = tmp_path / "stats.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "publish",
            "--janus",
            janus.url,
            "--room",
            "31",
            "--video",
            "test",
            "--audio",
            "tone",
            "--resolution",
            "360p",
            "--duration",
            "3",
            "--stats-json",
            str(stats),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "[live]" in result.stderr
    import json

    doc = json.loads(stats.read_text())
    assert doc["summary"]["width"] == 640 and doc["summary"]["frames_sent"] > 45


def test_keepalives_hold_an_idle_session_open(monkeypatch: pytest.MonkeyPatch) -> None:
    import streaming.janus as janus_module

    monkeypatch.setattr(janus_module, "KEEPALIVE_S", 0.5)
    with LocalJanus(session_timeout_s=2) as short_lived:

        async def scenario() -> None:
            kept, dropped = JanusSession(short_lived.url), JanusSession(short_lived.url)
            for session in (kept, dropped):
                await session.open()
                session._tasks[0].cancel()  # no event poll: only keepalives may hold it open
            dropped._tasks[1].cancel()  # and this one sends none
            # Janus's watchdog looks for expired sessions every 2 s; any request on a session
            # counts as activity, so the dropped one is only probed once, well after.
            await asyncio.sleep(9)
            with pytest.raises(JanusError) as caught:
                await dropped._post(dropped._session_url(), {"janus": "keepalive"})
            assert caught.value.code == 458
            await kept._post(kept._session_url(), {"janus": "keepalive"})  # still there
            await kept.destroy()
            await dropped.destroy()

        asyncio.run(scenario())


def test_poll_stops_when_janus_forgets_the_session(janus: LocalJanus) -> None:
    async def scenario() -> None:
        import aiohttp

        session = JanusSession(janus.url)
        await session.open()
        session._tasks[0].cancel()
        try:
            async with aiohttp.ClientSession() as http:  # someone else ends it on the server
                await http.post(
                    session._session_url(), json={"janus": "destroy", "transaction": "x"}
                )
            # Asking about a session Janus no longer has ends the poll (no tight retry loop).
            await asyncio.wait_for(session._poll(), timeout=5)
        finally:
            await session.destroy()

    asyncio.run(scenario())


def test_negotiating_again_starts_a_fresh_session(janus: LocalJanus) -> None:
    # What the publisher does after losing the connection: negotiate again on the same object.
    async def scenario() -> None:
        from aiortc import VideoStreamTrack

        signalling = JanusSignalling(janus.url, room=555)
        ids = []
        try:
            for _ in range(2):
                pc = RTCPeerConnection()
                pc.addTransceiver(VideoStreamTrack(), direction="sendonly")
                await pc.setLocalDescription(await pc.createOffer())
                answer = await signalling.negotiate(pc.localDescription.sdp)
                assert answer.startswith("v=0")
                assert signalling._session is not None
                ids.append((signalling._session.session_id, signalling.feed_id))
                await pc.close()
        finally:
            await signalling.close()
        assert ids[0][0] != ids[1][0] and ids[0][1] != ids[1][1]

    asyncio.run(scenario())
