"""Adaptive bitrate through a real impaired link: our publisher in its own network namespace,
the embedded relay here, a userspace bottleneck between them (streaming/netlab)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from golive_support import TOKEN

from app.cli.publish import read_stats_samples
from streaming.loop_thread import LoopThread
from streaming.netlab.namespaces import ImpairedPath, available
from streaming.netlab.profile import Profile, Step
from streaming.relay.server import RelayServer

pytestmark = pytest.mark.skipif(available() is not None, reason=str(available()))


@pytest.fixture
def path() -> object:
    lab = ImpairedPath().up()
    yield lab
    lab.down()


def _warm(stats: Path, publisher: subprocess.Popen[str], timeout: float = 60.0) -> None:
    """Wait until the publisher has sent at 720p for 3 s (start-up takes what the load makes
    it take; the profile's time line starts only after)."""
    deadline = time.time() + timeout
    while time.time() < deadline and publisher.poll() is None:
        at_720 = [
            s for s in read_stats_samples(stats) if s.get("rendition") == "720p30" and s["fps"] > 5
        ]
        if len(at_720) >= 3:
            return
        time.sleep(0.5)
    pytest.fail(f"the publisher did not get going: {read_stats_samples(stats)[-3:]}")


def test_publisher_follows_a_bandwidth_drop_and_recovery(path: ImpairedPath, tmp_path: Path):
    """6 → 0.8 → 6 Mbps, timed from the drop: within 3 s of it the target has come under the
    link and the picture has stepped down the ladder, and what goes out stays within the link
    while probing up again (the issue's "sending within the link in ≤ 2 s"; the target itself
    may run ahead of the link: the encoder fills less than its target on a calm picture);
    within 10 s of the recovery it is back at 720p."""
    thread = LoopThread("abr-relay")
    server = RelayServer(path.relay_ip, 0, TOKEN)
    info = thread.run(server.start())
    stats = tmp_path / "stats.json"
    profile = Profile("t", (Step(0, 6000), Step(4, 800), Step(16, 6000), Step(34, 6000)))
    path.impair(profile, hold=True)
    command = ["-m", "app", "publish", "--whip", info["whip"], "--token-file", "-"]
    command += ["--resolution", "720p", "--no-voice-chain", "--duration", "120"]
    publisher = subprocess.Popen(
        [*path.exec_args(), sys.executable, *command, "--stats-json", str(stats)],
        stdin=subprocess.PIPE,
        text=True,
    )
    try:
        assert publisher.stdin is not None
        publisher.stdin.write(TOKEN + "\n")
        publisher.stdin.close()
        _warm(stats, publisher)
        drop = path.restart_clock() + 4.0
        time.sleep(4.0 + 12.0 + 10.0)
        deadline = time.time() + 10.0  # a loaded machine writes its figures late
        while time.time() < deadline and not any(
            s["wall_s"] - drop >= 22 for s in read_stats_samples(stats)
        ):
            time.sleep(0.2)
        samples = read_stats_samples(stats)
        assert samples, "the publisher reported nothing"
        timed = [(s["wall_s"] - drop, s) for s in samples]
        before = [s for t, s in timed if -3 <= t < 0]
        low = [s for t, s in timed if 3 <= t < 9]  # until probing has had time to climb back
        high = [s for t, s in timed if t >= 22]
        assert before and all(s["rendition"] == "720p30" for s in before), before
        targets = [s["target_kbps"] for s in low]
        assert low and targets[0] <= 800, targets
        sent = [round(s["video_kbps"] + s["audio_kbps"]) for s in low]
        assert all(kbps <= 1.05 * 800 for kbps in sent), (sent, targets)
        assert all(s["rendition"] in ("540p30", "360p30", "360p15") for s in low[1:])
        trace = [(round(t), s["target_kbps"], s["rendition"]) for t, s in timed if t > 0]
        assert high and high[-1]["rendition"] == "720p30", trace
    finally:
        if publisher.poll() is None:
            publisher.kill()
        path.clear()
        thread.run(server.stop(), timeout=10)
        thread.stop()
