import itertools
import threading
import time

from capture.bus import MediaBus, RateCounter
from capture.media import VideoFrame
from capture.source import Source, SourceState, SourceStatus
from capture.synthetic import SyntheticAudioSource, SyntheticVideoSource


class ManualSource(Source[int]):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.label = name
        self.running = False

    def start(self) -> None:
        self.running = True
        self._set_status(SourceState.RUNNING, self.label)

    def stop(self) -> None:
        self.running = False
        self._set_status(SourceState.STOPPED)

    def push(self, item: int) -> None:
        self._emit(item)


def test_bus_switches_sources_without_resubscribing() -> None:
    bus: MediaBus[int] = MediaBus("test")
    got: list[int] = []
    statuses: list[SourceStatus] = []
    bus.subscribe(got.append)
    bus.on_status(statuses.append)
    a, b = ManualSource("a"), ManualSource("b")
    bus.attach(a)
    assert not a.running  # bus not started yet
    bus.start()
    assert a.running
    a.push(1)
    bus.attach(b)
    assert not a.running and b.running
    a.push(99)  # the old device no longer reaches consumers
    b.push(2)
    assert got == [1, 2]
    assert statuses[-1] == SourceStatus(SourceState.RUNNING, "b")
    assert bus.counter.total == 2
    bus.stop()
    assert not b.running


def test_derived_bus_publish_and_forward_status() -> None:
    bus: MediaBus[int] = MediaBus("processed")
    got: list[int] = []
    bus.subscribe(got.append)
    bus.publish(5)
    bus.forward_status(SourceStatus(SourceState.ENDED, "gone"))
    assert got == [5] and bus.status.message == "gone"


def test_rate_counter() -> None:
    counter = RateCounter(window_s=0.5)
    t0 = time.monotonic()
    for _ in range(11):
        counter.tick()
        time.sleep(0.01)
    span = time.monotonic() - t0
    rate = counter.rate()
    if span < 0.45:  # a loaded machine may sleep far longer than asked
        assert 10 / span <= rate <= 110
    assert counter.total == 11
    time.sleep(0.6)
    assert counter.rate() == 0.0  # nothing within the window


def test_synthetic_video_is_1080p30_labelled_and_monotonic() -> None:
    source = SyntheticVideoSource()
    frames: list[VideoFrame] = []
    done = threading.Event()

    def take(frame: VideoFrame) -> None:
        frames.append(frame)
        if len(frames) == 15:
            done.set()

    source.subscribe(take)
    t0 = time.monotonic()
    source.start()
    assert done.wait(5)
    elapsed = time.monotonic() - t0
    source.stop()
    assert "SYNTHETIC" in source.label
    assert frames[0].image.shape == (1080, 1920, 3) and frames[0].image.flags.c_contiguous
    assert all(b.pts_ns > a.pts_ns for a, b in itertools.pairwise(frames))
    assert 0.35 < elapsed < 1.5  # 15 frames at 30 fps ≈ 0.47 s (loaded machine: generous)
    assert not (frames[0].image == frames[5].image).all()  # it moves


def test_synthetic_audio_tone_and_silence() -> None:
    from capture.levels import FLOOR_DBFS, block_levels

    tone = SyntheticAudioSource(level_dbfs=-20.0)
    block = tone._produce(3)
    assert block.samples.shape == (480, 1) and block.sample_rate == 48_000
    assert abs(block_levels(block.samples)[0] - -20.0) < 0.1
    silence = SyntheticAudioSource(level_dbfs=None)
    assert block_levels(silence._produce(0).samples)[0] == FLOOR_DBFS
    assert "SYNTHETIC" in tone.label and "SYNTHETIC" in silence.label
