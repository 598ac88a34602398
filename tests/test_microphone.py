"""The microphone path through the real PortAudio stack: PulseAudio null sink → its monitor →
ALSA pulse plugin → PortAudio → sounddevice → MicrophoneSource → meters."""

import threading
import time

import numpy as np
import pytest
from waiting import wait_for

from capture.devices import list_microphones
from capture.levels import LevelTracker, block_levels
from capture.media import AudioBlock
from capture.microphone import MicrophoneSource
from capture.source import SourceState, SourceStatus
from tests.media_support import TONE_DBFS, PulseSink, sine


def record_while_playing(sink: PulseSink, source: MicrophoneSource, samples: np.ndarray):
    blocks: list[AudioBlock] = []
    threads: list[str] = []
    tracker = LevelTracker(window_s=0.3)

    def take(block: AudioBlock) -> None:
        blocks.append(block)
        tracker.feed(block)
        threads.append(threading.current_thread().name)

    source.subscribe(take)
    source.start()
    assert source.status.state != SourceState.FAILED, source.status.message
    wait_for(lambda: bool(blocks), 10)  # the stream is flowing
    sink.play(samples)
    return blocks, threads, tracker


def test_known_tone_is_measured_within_1_db(pulse_null_sink: PulseSink) -> None:
    source = MicrophoneSource("mic:default")
    blocks, threads, tracker = record_while_playing(pulse_null_sink, source, sine(2.0))
    levels = tracker.read()  # just after the tone: last 0.3 s of it
    source.stop()
    assert len(blocks) > 100
    assert all(b.samples.shape == (480, 1) and b.samples.dtype == np.float32 for b in blocks)
    assert set(threads) == {source.label}  # our delivery thread, not PortAudio's
    loud = [b for b in blocks if block_levels(b.samples)[0] > -60]
    assert len(loud) > 100
    peak, rms = block_levels(np.concatenate([b.samples for b in loud[10:-10]]))
    assert peak == pytest.approx(TONE_DBFS, abs=1.0)
    assert rms == pytest.approx(TONE_DBFS - 3.01, abs=1.0)
    assert levels.hold_dbfs == pytest.approx(TONE_DBFS, abs=1.0)
    pts = [b.pts_ns for b in blocks]
    assert pts == sorted(pts)


def test_microphones_are_listed_through_portaudio(pulse_null_sink: PulseSink) -> None:
    ids = [d.id for d in list_microphones()]
    assert ids[0] == "mic:default"
    assert "mic:pulse" in ids


def test_closed_stream_ends_the_source_with_a_message(pulse_null_sink: PulseSink) -> None:
    source = MicrophoneSource("mic:default")
    statuses: list[SourceStatus] = []
    source.on_status(statuses.append)
    source.start()
    time.sleep(0.3)
    source.close_stream()  # what unplugging does to the stream
    wait_for(lambda: source.status.state == SourceState.ENDED, 5)
    source.stop()
    ended = [s for s in statuses if s.state == SourceState.ENDED]
    assert ended and "stopped sending sound" in ended[0].message


def test_unknown_device_fails_with_a_message(pulse_null_sink: PulseSink) -> None:
    source = MicrophoneSource("mic:No Such Microphone 42")
    source.start()
    assert source.status.state == SourceState.FAILED
    assert "No Such Microphone 42" in source.status.message
    source.stop()
