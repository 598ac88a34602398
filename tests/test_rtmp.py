"""The RTMP output (streaming/rtmp.py) through a real nginx-rtmp: a PyAV subscriber pulls back
the picture, its size and the sound; one encode feeds WebRTC, RTMP and the recording; a refused
stream key is said plainly while the other destinations go on; a server that goes away and
comes back gets the stream again by itself."""

from __future__ import annotations

import asyncio

import pytest
from golive_support import TOKEN, watch_whep
from rtmp_support import NginxRtmp, available, pull
from test_encode_hub import Collect
from waiting import wait_for

from capture.synthetic import SyntheticAudioSource, SyntheticVideoSource
from streaming.encode_hub import EncodeHub
from streaming.h264 import PROFILES
from streaming.output import OutputState
from streaming.publisher import Publisher, PublishOptions, WhipSignalling
from streaming.recorder import Recorder
from streaming.rtmp import RtmpOutput, push_target

pytestmark = pytest.mark.skipif(not available(), reason="nginx with the RTMP module is missing")
P360 = PROFILES["360p"]


@pytest.fixture
def nginx(tmp_path):
    server = NginxRtmp(tmp_path / "nginx")
    server.start()
    yield server
    server.close()


@pytest.fixture
def hub():
    video, audio = SyntheticVideoSource(640, 360, 30), SyntheticAudioSource(level_dbfs=-20)
    video.start()
    audio.start()
    encode = EncodeHub(video, audio)
    yield encode
    encode.stop()
    video.stop()
    audio.stop()


def test_push_target_joins_url_and_key_and_checks_the_scheme() -> None:
    assert push_target("rtmp://push.example.com/live/", " abc?t=1 ") == (
        "rtmp://push.example.com/live/abc?t=1"
    )
    with pytest.raises(ValueError, match="rtmp://"):
        push_target("http://push.example.com/live", "abc")


def test_one_encode_feeds_webrtc_rtmp_and_the_recording(nginx, hub, relay, tmp_path) -> None:
    rtmp = RtmpOutput(nginx.url, "good-key", P360)
    recorder = Recorder(tmp_path / "show.mp4", P360, min_free_bytes=0)
    publisher = Publisher(
        WhipSignalling(relay.info["whip"], TOKEN, timeout_s=3),
        hub.video,
        hub.audio,
        PublishOptions(resolution="360p", adaptive=False),  # adapting is its own rendition
        hub=hub,
    )
    for output in (rtmp, recorder):
        hub.add(output)
        output.start()
    publisher.start()
    try:
        wait_for(lambda: rtmp.state == OutputState.LIVE, 15, lambda: rtmp.message)
        wait_for(lambda: publisher.state == OutputState.LIVE, 15, lambda: publisher.message)
        got = pull(f"{nginx.url}/good-key", 4.0)
        viewer = asyncio.run(watch_whep(relay.info["whep"], 2.0))
        encoders = hub.video_encoders()
    finally:
        publisher.stop()
        rtmp.stop()
        recorder.stop()
    assert got.video_codec == "h264" and got.audio_codec == "aac"
    assert got.sizes == {(640, 360)} and got.video_frames >= 60
    assert got.audio_frames >= 100 and got.audio_peak > 0.05  # the −20 dBFS tone
    assert viewer.sizes == {(640, 360)} and viewer.video_frames >= 20
    # Three destinations, one rendition: one encoder, every program frame encoded once.
    assert len(encoders) == 1 and encoders[0].encoded == hub.video_encodes <= hub.frames_in
    assert rtmp.figures()["frames_sent"] >= 60
    assert recorder.figures()["video_frames"] >= 60


def test_a_refused_stream_key_is_said_plainly_and_the_others_go_on(nginx, hub) -> None:
    refused = RtmpOutput(nginx.url, "wrong-key-123", P360, label="Douyin")
    accepted = RtmpOutput(nginx.url, "second-key", P360, label="Bilibili")
    other = Collect(P360, "aac", "recording")
    for output in (refused, accepted, other):
        hub.add(output)
        output.start()
    try:
        wait_for(lambda: refused.state == OutputState.FAILED, 20, lambda: refused.message)
        wait_for(lambda: accepted.state == OutputState.LIVE, 15, lambda: accepted.message)
        got = pull(f"{nginx.url}/second-key", 2.0)
        seen = len(other.of("video"))
        wait_for(lambda: len(other.of("video")) > seen + 30, 10)
    finally:
        for output in (refused, accepted):
            output.stop()
    assert "Douyin refused the stream" in refused.message
    assert "stream key" in refused.message and "wrong-key-123" not in refused.message
    assert "Errno" not in refused.message
    assert got.video_frames >= 20 and got.sizes == {(640, 360)}


def test_an_unreachable_server_fails_in_plain_words(hub) -> None:
    from rtmp_support import free_port

    output = RtmpOutput(f"rtmp://127.0.0.1:{free_port()}/live", "good-key", P360)
    hub.add(output)
    output.start()
    try:
        wait_for(lambda: output.state == OutputState.FAILED, 10)
    finally:
        output.stop()
    assert "refused the connection" in output.message and "good-key" not in output.message


def test_reconnects_by_itself_when_the_server_comes_back(nginx, hub) -> None:
    output = RtmpOutput(nginx.url, "good-key", P360)
    states: list[OutputState] = []
    output.on_state(lambda _o, state, _m: states.append(state))
    hub.add(output)
    output.start()
    try:
        wait_for(lambda: output.state == OutputState.LIVE, 15, lambda: output.message)
        nginx.stop()
        wait_for(lambda: output.state == OutputState.RECONNECTING, 15, lambda: output.message)
        nginx.start()
        wait_for(lambda: output.state == OutputState.LIVE, 20, lambda: output.message)
        got = pull(f"{nginx.url}/good-key", 2.0)
    finally:
        output.stop()
    assert OutputState.RECONNECTING in states and output.figures()["reconnects"] >= 1
    assert got.video_frames >= 20
