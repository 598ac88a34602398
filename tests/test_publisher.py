"""The aiortc publisher (streaming/publisher.py) over real WebRTC on loopback, into the real
embedded relay, and what it does when the relay misbehaves."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from golive_support import TOKEN, GarbageAnswerServer, watch_whep
from waiting import wait_for

from capture.synthetic import SyntheticAudioSource, SyntheticVideoSource
from streaming.publisher import Publisher, PublishOptions, PublishState, WhipSignalling


class Recorder:
    def __init__(self) -> None:
        self.states: list[tuple[PublishState, str]] = []
        self.stats: list = []
        self.lock = threading.Lock()

    def on_state(self, state: PublishState, message: str) -> None:
        with self.lock:
            self.states.append((state, message))

    def on_stats(self, stats) -> None:
        self.stats.append(stats)

    def names(self) -> list[PublishState]:
        with self.lock:
            return [s for s, _ in self.states]

    def last(self) -> tuple[PublishState, str]:
        with self.lock:
            return self.states[-1]


@pytest.fixture
def sources():
    video = SyntheticVideoSource(640, 360, 30)
    audio = SyntheticAudioSource(level_dbfs=-20)
    video.start()
    audio.start()
    yield video, audio
    video.stop()
    audio.stop()


def make_publisher(url, sources, token=TOKEN, **options):
    rec = Recorder()
    opts = PublishOptions(resolution="360p", **options)
    pub = Publisher(
        WhipSignalling(url, token, timeout_s=3),
        *sources,
        opts,
        on_state=rec.on_state,
        on_stats=rec.on_stats,
    )
    return pub, rec


def test_publishes_to_relay_viewer_decodes_and_stop_deletes_session(relay, sources):
    pub, rec = make_publisher(relay.info["whip"], sources)
    pub.start()
    try:
        wait_for(lambda: pub.state == PublishState.LIVE, 15, explain=lambda: rec.states)
        got = asyncio.run(watch_whep(relay.info["whep"], 4.0))
        assert got.sizes == {(640, 360)}
        assert got.video_frames >= 60  # ≥ 15 fps over 4 s on a loaded machine
        assert got.audio_frames >= 100 and got.audio_peak > 0.05  # the −20 dBFS tone
        wait_for(lambda: len(rec.stats) >= 3, 5)
        last = rec.stats[-1]
        assert (last.width, last.height) == (640, 360)
        assert last.fps > 10 and last.video_kbps > 50 and last.audio_kbps > 10
        assert last.rtt_ms is not None and last.rtt_ms < 500
        assert last.pli_count >= 1  # the viewer joining asked for a keyframe through the relay
        assert relay.relay.publisher_id is not None
    finally:
        pub.stop()
    assert rec.names()[0] == PublishState.CONNECTING and PublishState.LIVE in rec.names()
    assert rec.last()[0] == PublishState.IDLE
    # DELETE on stop: the relay has no publisher session left
    wait_for(lambda: relay.relay.publisher_id is None, 3)
    assert not [s for s in relay.relay.sessions.values() if s.kind == "whip"]


def test_wrong_token_fails_with_plain_message(relay, sources):
    pub, rec = make_publisher(relay.info["whip"], sources, token="not-the-token")
    pub.start()
    wait_for(lambda: pub.state == PublishState.FAILED, 10)
    assert "refused the token" in pub.message
    pub.stop()
    assert "not-the-token" not in " ".join(m for _, m in rec.states)


def test_unreachable_relay_fails_fast(sources):
    pub, _rec = make_publisher("http://127.0.0.1:9/whip", sources)
    pub.start()
    wait_for(lambda: pub.state == PublishState.FAILED, 10)
    assert "Cannot reach the relay" in pub.message
    pub.stop()


def test_garbage_sdp_answer_fails_cleanly_and_deletes_session(sources):
    server = GarbageAnswerServer()
    try:
        pub, _rec = make_publisher(server.url, sources)
        pub.start()
        wait_for(lambda: pub.state == PublishState.FAILED, 10)
        assert "not a usable WebRTC description" in pub.message
        wait_for(lambda: server.deleted == 1, 3)
        pub.stop()
    finally:
        server.close()


@pytest.mark.slow
def test_relay_disappearing_mid_stream_reconnects_when_it_returns(relay, sources):
    """Issue 11: back live at most 3 s after the relay returns (7.4 s before), and no give-up
    however long the outage while not stopped (the default has no reconnect window)."""
    pub, rec = make_publisher(relay.info["whip"], sources, silence_timeout_s=2.0)
    assert pub.options.reconnect_window_s is None
    pub.start()
    try:
        wait_for(lambda: pub.state == PublishState.LIVE, 15)
        relay.stop()  # the relay process goes away without a word
        wait_for(lambda: pub.state == PublishState.RECONNECTING, 10, explain=lambda: rec.states)
        assert "Connection lost" in pub.message
        time.sleep(6.0)  # several failed attempts: the backoff must not have grown
        relay.restart()
        back = time.monotonic()
        wait_for(lambda: pub.state == PublishState.LIVE, 20, explain=lambda: rec.states)
        assert time.monotonic() - back <= 3.0
        got = asyncio.run(watch_whep(relay.info["whep"], 2.5))
        assert got.video_frames > 10
    finally:
        pub.stop()


def test_relay_gone_for_good_ends_failed(relay, sources):
    pub, rec = make_publisher(
        relay.info["whip"], sources, silence_timeout_s=2.0, reconnect_window_s=3.0
    )
    pub.start()
    try:
        wait_for(lambda: pub.state == PublishState.LIVE, 15)
        relay.stop()
        wait_for(lambda: pub.state == PublishState.FAILED, 20, explain=lambda: rec.states)
        assert "Gave up reconnecting" in pub.message
        assert PublishState.RECONNECTING in rec.names()
    finally:
        pub.stop()


def test_a_dead_primary_ingest_fails_over_to_the_backup_and_says_so(relay, sources):
    """Two ingest URLs: the first refuses connections (a dead ingest); going live moves on to
    the backup at once, and the state says which ingest it is live on."""
    from streaming.publisher import FailoverSignalling

    dead = "http://127.0.0.1:9/whip"
    signalling = FailoverSignalling(
        [
            ("primary", WhipSignalling(dead, TOKEN, timeout_s=2)),
            ("backup", WhipSignalling(relay.info["whip"], TOKEN, timeout_s=3)),
        ]
    )
    rec = Recorder()
    pub = Publisher(signalling, *sources, PublishOptions(resolution="360p"), on_state=rec.on_state)
    pub.start()
    try:
        wait_for(lambda: pub.state == PublishState.LIVE, 15, explain=lambda: rec.states)
        assert pub.message == "Live via backup ingest 2 (backup)."
        assert "primary kept failing" in signalling.notice
    finally:
        pub.stop()


def test_an_ingest_lost_for_good_moves_to_the_next_while_live(relay, sources):
    """Live on the first ingest; it goes away and stays away: after two failed attempts the
    publisher moves to the second and is live there, without the host doing anything."""
    from golive_support import RunningRelay

    from streaming.publisher import FailoverSignalling

    second = RunningRelay()
    signalling = FailoverSignalling(
        [
            ("first", WhipSignalling(relay.info["whip"], TOKEN, timeout_s=2)),
            ("second", WhipSignalling(second.info["whip"], TOKEN, timeout_s=3)),
        ]
    )
    rec = Recorder()
    options = PublishOptions(resolution="360p", silence_timeout_s=2.0)
    pub = Publisher(signalling, *sources, options, on_state=rec.on_state)
    pub.start()
    try:
        wait_for(lambda: pub.state == PublishState.LIVE, 15, explain=lambda: rec.states)
        assert pub.message == "Live."
        relay.stop()
        lost = time.monotonic()
        wait_for(lambda: "second" in pub.message, 20, explain=lambda: rec.states)
        assert pub.state == PublishState.LIVE and time.monotonic() - lost < 12
        assert PublishState.RECONNECTING in rec.names()
        assert second.relay.publisher_id is not None
    finally:
        pub.stop()
        second.close()
