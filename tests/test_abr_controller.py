"""The ABR controller and ladder from synthetic feedback sequences (no network: pure rules)."""

from __future__ import annotations

from pathlib import Path

from streaming.abr.controller import Feedback, RateController
from streaming.abr.ladder import Ladder
from streaming.abr.memory import RateMemory


def _run(ctrl: RateController, seconds: int, start: float = 0.0, **fb: object) -> list[int]:
    out = []
    for i in range(seconds):
        sent = fb.get("sent_bps", ctrl.target_bps)
        args = {**fb, "sent_bps": sent}
        out.append(ctrl.on_feedback(Feedback(at=start + i, **args)).target_bps)  # type: ignore[arg-type]
    return out


def test_clean_link_probes_up_multiplicatively() -> None:
    ctrl = RateController(1_000_000, 300_000, 6_000_000)
    rates = _run(ctrl, 4, rtt_s=0.02, fraction_lost=0.0)
    assert rates == sorted(rates) and rates[-1] > 1_300_000
    assert "probing" in ctrl.reason.text


def test_recovery_ramps_from_0_3_to_5_mbps_within_10_s() -> None:
    ctrl = RateController(300_000, 300_000, 6_000_000)
    rates = _run(ctrl, 10, rtt_s=0.02, fraction_lost=0.0)
    assert rates[-1] >= 4_800_000


def test_starts_at_the_given_rate_and_stays_at_full_quality() -> None:
    ctrl = RateController(6_000_000, 300_000, 6_000_000)
    assert _run(ctrl, 5, rtt_s=0.02, fraction_lost=0.0) == [6_000_000] * 5


def test_sustained_loss_backs_off_and_moderate_loss_holds() -> None:
    ctrl = RateController(4_000_000, 300_000, 6_000_000)
    rates = _run(ctrl, 3, rtt_s=0.02, fraction_lost=0.2)
    assert rates[0] == 3_600_000 and rates[-1] < 3_000_000
    held = _run(ctrl, 5, start=3, rtt_s=0.02, fraction_lost=0.05)
    assert len(set(held)) == 1 and "holding" in ctrl.reason.text


def test_nack_rate_counts_as_loss_between_reports() -> None:
    ctrl = RateController(4_000_000, 300_000, 6_000_000)
    ctrl.on_feedback(Feedback(at=0, rtt_s=0.02, nacked=30, packets=100, sent_bps=4e6))
    ctrl.on_feedback(Feedback(at=1, rtt_s=0.02, nacked=900, packets=100, sent_bps=4e6))
    assert ctrl.loss == 0.5  # NACKs of older packets: capped
    ctrl = RateController(4_000_000, 300_000, 6_000_000)
    ctrl.on_feedback(Feedback(at=0, rtt_s=0.02, nacked=30, packets=100, sent_bps=4e6))
    assert ctrl.target_bps < 4_000_000 and ctrl.loss == 0.3


def test_rising_delay_backs_off_before_any_loss() -> None:
    ctrl = RateController(4_000_000, 300_000, 6_000_000)
    _run(ctrl, 3, rtt_s=0.02, fraction_lost=0.0)
    before = ctrl.target_bps
    for i, rtt in enumerate((0.05, 0.08, 0.11)):
        ctrl.on_feedback(Feedback(at=3 + i, rtt_s=rtt, fraction_lost=0.0, sent_bps=before))
    assert ctrl.target_bps < before and "delay" in ctrl.reason.text
    assert ctrl.loss == 0.0


def test_one_keyframe_burst_is_not_overuse() -> None:
    ctrl = RateController(2_000_000, 300_000, 6_000_000)
    _run(ctrl, 3, rtt_s=0.02, fraction_lost=0.0)
    ctrl.on_feedback(Feedback(at=3, rtt_s=0.12, sent_bps=2e6))
    ctrl.on_feedback(Feedback(at=4, rtt_s=0.02, sent_bps=2e6))
    assert ctrl.target_bps >= 2_000_000


def test_remb_alone_does_not_hold_a_clean_link_back() -> None:
    ctrl = RateController(2_000_000, 300_000, 6_000_000)
    _run(ctrl, 3, rtt_s=0.02, fraction_lost=0.0, remb_bps=500_000)
    assert ctrl.target_bps > 2_000_000


def test_a_keyframe_burst_seen_at_its_peak_is_not_severe() -> None:
    ctrl = RateController(5_000_000, 150_000, 6_000_000)
    for i, rtt in enumerate((0.02, 0.25, 0.15, 0.05, 0.02)):  # reports every 0.1 s
        ctrl.on_feedback(Feedback(at=0.1 * i, rtt_s=rtt, sent_bps=5e6, received_bps=5e6))
    assert ctrl.target_bps >= 5_000_000  # no cut


def test_severe_delay_halves_at_once() -> None:
    ctrl = RateController(6_000_000, 300_000, 6_000_000)
    ctrl.on_feedback(Feedback(at=0, rtt_s=0.02, sent_bps=6e6))
    ctrl.on_feedback(Feedback(at=1, rtt_s=0.5, sent_bps=6e6))
    assert ctrl.target_bps == 3_000_000


def test_remb_is_a_ceiling() -> None:
    ctrl = RateController(4_000_000, 300_000, 6_000_000)
    ctrl.on_feedback(Feedback(at=0, rtt_s=0.02, sent_bps=4e6))
    ctrl.on_feedback(Feedback(at=1, rtt_s=0.09, remb_bps=1_000_000, sent_bps=4e6))
    assert ctrl.target_bps == 1_000_000 and "relay" in ctrl.reason.text


def test_probing_never_runs_far_ahead_of_what_went_out() -> None:
    ctrl = RateController(1_000_000, 300_000, 6_000_000)
    ctrl.on_feedback(Feedback(at=0, rtt_s=0.02, sent_bps=800_000))
    _run(ctrl, 30, start=1, rtt_s=0.04, fraction_lost=0.0, sent_bps=800_000)  # a small queue
    assert ctrl.target_bps <= 1_200_000


def test_flapping_loss_holds_instead_of_oscillating() -> None:
    ctrl = RateController(3_000_000, 300_000, 6_000_000)
    for i in range(20):  # 3 % and 6 %: inside the hold band every time
        ctrl.on_feedback(Feedback(at=i, rtt_s=0.02, fraction_lost=(0.03, 0.06)[i % 2]))
    assert ctrl.target_bps == 3_000_000


def test_ladder_steps_down_at_once_and_up_only_after_hysteresis() -> None:
    ladder = Ladder()
    assert ladder.start_at(6_000_000).name == "1080p30"
    assert ladder.choose(1_000_000, 0).name == "540p30"
    assert ladder.choose(300_000, 1).name == "360p15"
    # a rate flapping around the 360p30 floor does not switch the picture back and forth
    names = {ladder.choose(bps, 2 + i).name for i, bps in enumerate([360_000, 340_000] * 5)}
    assert names == {"360p15"}
    assert ladder.choose(3_000_000, 20).name == "360p15"  # not before the hold time
    assert ladder.choose(3_000_000, 21).name == "360p15"
    assert ladder.choose(3_000_000, 22).name == "1080p30"  # then straight up: one keyframe


def test_ladder_top_is_the_configured_resolution() -> None:
    ladder = Ladder(top=1)
    assert ladder.start_at(6_000_000).name == "720p30"


def test_rate_memory_per_relay(tmp_path: Path) -> None:
    memory = RateMemory(tmp_path / "abr.json")
    assert memory.recall("http://a") is None
    memory.remember("http://a", 4_200_000)
    memory.remember("http://b", 900_000)
    assert RateMemory(tmp_path / "abr.json").recall("http://a") == 4_200_000
    (tmp_path / "abr.json").write_text("not json")
    assert memory.recall("http://a") is None


def test_adapter_steps_the_real_encoder_down_with_one_keyframe(tmp_path: Path) -> None:
    import numpy as np

    from streaming.abr.adapter import Adapter, adaptive_profile
    from streaming.encoder import VideoEncoder
    from streaming.h264 import PROFILES, bgr_to_video_frame

    memory = RateMemory(tmp_path / "abr.json")
    profile = adaptive_profile(PROFILES["720p"], None)
    assert profile.min_bitrate < PROFILES["720p"].min_bitrate  # its own rendition in the hub
    adapter = Adapter(profile, "http://relay", memory)
    encoder = VideoEncoder(profile)
    image = np.full((720, 1280, 3), 128, np.uint8)

    def encode(i: int) -> list:
        frame = bgr_to_video_frame(image) if encoder.picture_size == (1280, 720) else None
        if frame is None:
            w, h = encoder.picture_size
            frame = bgr_to_video_frame(np.full((h, w, 3), 128, np.uint8))
        return encoder.encode(frame, i * 33_333_333)

    assert encode(0)[0].keyframe and encoder.info is not None and encoder.info.width == 1280
    for i in range(1, 5):
        encode(i)
    # the link collapses to 1 Mbps: queuing delay over 200 ms, then heavy loss
    adapter.tick(Feedback(at=0, rtt_s=0.02, sent_bps=2.5e6), encoder)
    fb = Feedback(at=1, rtt_s=0.6, fraction_lost=0.3, sent_bps=2e6, received_bps=1e6)
    quality = adapter.tick(fb, encoder)
    # the rate drains the queue (60 % of the link); the picture is sized for 85 % of it
    assert quality.grade == "poor" and quality.rung == "540p30"
    assert encoder.target_bitrate == 600_000
    packets = encode(5)
    assert packets[0].keyframe and encoder.info.width == 960  # one keyframe at the new size
    assert not encode(6)[0].keyframe
    # clean for 10 s: the rate for this relay is learned
    for t in range(2, 14):
        adapter.tick(Feedback(at=t, rtt_s=0.02, fraction_lost=0.0, sent_bps=5e6), encoder)
    assert memory.recall("http://relay") is not None
    assert adapter.rung.name == "720p30"


def test_pacer_spreads_a_keyframe_and_leaves_audio_and_rtcp_alone() -> None:
    import asyncio
    import time

    from streaming.abr.pacer import Pacer

    class Transport:
        def __init__(self) -> None:
            self.sent: list[tuple[float, bytes]] = []

        async def _send_rtp(self, data: bytes) -> None:
            self.sent.append((time.monotonic(), data))

    def rtp(ssrc: int, size: int = 1200) -> bytes:
        return bytes([0x80, 96]) + bytes(6) + ssrc.to_bytes(4, "big") + bytes(size - 12)

    async def run() -> Transport:
        transport = Transport()
        Pacer(lambda: 1_000_000, {7}).install(transport)
        for _ in range(50):  # a 60 kB keyframe: 0.19 s at 2.5 × 1 Mbps
            await transport._send_rtp(rtp(7))
        await transport._send_rtp(rtp(9))  # audio
        await transport._send_rtp(bytes([0x80, 200]) + bytes(26))  # an RTCP sender report
        return transport

    started = time.monotonic()
    transport = asyncio.run(run())
    video = [t for t, d in transport.sent if d[8:12] == (7).to_bytes(4, "big")]
    assert video[-1] - video[0] >= 0.17
    assert transport.sent[-1][0] - started < 0.3 and len(transport.sent) == 52


def test_severe_cut_drains_below_the_link_then_returns_just_under_it() -> None:
    """6 → 1.5 Mbps with reports every 0.1 s: one cut to 60 % of the link (the queue drains),
    no second cut while it falls, then 85 % of the link as soon as it has drained."""
    ctrl = RateController(6_000_000, 150_000, 6_000_000)
    ctrl.on_feedback(Feedback(at=0.0, rtt_s=0.02, sent_bps=6e6, received_bps=6e6))
    seen = ctrl.on_feedback(Feedback(at=0.1, rtt_s=0.33, sent_bps=6e6, received_bps=1.5e6))
    assert seen.target_bps == 6_000_000  # could be one keyframe's burst at its peak
    cut = ctrl.on_feedback(Feedback(at=0.25, rtt_s=0.33, sent_bps=6e6, received_bps=1.5e6))
    assert cut.target_bps == 900_000 and cut.picture_bps == 1_275_000
    for i, rtt in enumerate((0.33, 0.30, 0.25, 0.18, 0.1)):  # draining: held, not cut again
        held = ctrl.on_feedback(Feedback(at=0.35 + 0.1 * i, rtt_s=rtt, sent_bps=0.9e6))
        assert held.target_bps == 900_000, (rtt, held)
    back = ctrl.on_feedback(Feedback(at=0.9, rtt_s=0.04, sent_bps=0.9e6, received_bps=0.9e6))
    assert back.target_bps == 1_275_000 and back.reason.cause == "drained"


def _through_link(ctrl: RateController, link_bps: float, seconds: float, at: float) -> list[int]:
    """Reports every 0.1 s from a bottleneck of `link_bps` with a queue: what the target sent
    beyond the link waits, and the RTT shows it."""
    queue_bits, targets = 0.0, []
    for i in range(int(seconds * 10)):
        sent = float(ctrl.target_bps)
        queue_bits = max(0.0, queue_bits + (sent - link_bps) * 0.1)
        rtt = 0.02 + queue_bits / link_bps
        received = min(sent, link_bps)
        fb = Feedback(at=at + 0.1 * i, rtt_s=rtt, sent_bps=sent, received_bps=received)
        targets.append(ctrl.on_feedback(fb).target_bps)
    return targets


def test_the_fast_ramp_stops_at_the_first_queue_and_does_not_overshoot_a_steady_link() -> None:
    """Probing at 40 %/s into a steady 0.8 Mbps link would reach 1.3 Mbps before overuse
    shows; slowing to 8 %/s at the first 20 ms of queue keeps it within 20 % of the link, and
    a link that then grows to 6 Mbps is used within 10 s."""
    ctrl = RateController(400_000, 150_000, 6_000_000)
    _through_link(ctrl, 6e6, 1.0, at=0.0)
    steady = _through_link(ctrl, 0.8e6, 20.0, at=1.0)
    assert max(steady) > 700_000, max(steady)  # it does find the link
    assert max(steady) <= 1.2 * 800_000, max(steady)
    grown = _through_link(ctrl, 6e6, 10.0, at=21.0)
    assert grown[-1] >= 3_000_000, grown[::10]


def test_severe_cuts_again_when_the_first_was_not_enough() -> None:
    ctrl = RateController(6_000_000, 150_000, 6_000_000)
    ctrl.on_feedback(Feedback(at=0.0, rtt_s=0.02, sent_bps=6e6))
    ctrl.on_feedback(Feedback(at=0.1, rtt_s=0.33, sent_bps=6e6, received_bps=3e6))
    first = ctrl.on_feedback(Feedback(at=0.25, rtt_s=0.33, sent_bps=6e6, received_bps=3e6))
    assert first.target_bps == 1_800_000
    same = ctrl.on_feedback(Feedback(at=0.35, rtt_s=0.33, sent_bps=5e6, received_bps=0.3e6))
    assert same.target_bps == 1_800_000  # too soon for the cut to show
    again = ctrl.on_feedback(Feedback(at=0.6, rtt_s=0.34, sent_bps=2e6, received_bps=0.3e6))
    assert again.target_bps == 180_000


def test_pacer_flush_drops_stale_video_until_the_encoders_next_keyframe() -> None:
    """Real x264 output packetized by aiortc: after a flush, the delta frames and their
    retransmissions are dropped; the keyframe (SEI first, as after every re-open) goes out."""
    import asyncio

    import numpy as np
    from aiortc.codecs.h264 import H264Encoder

    from streaming.abr.pacer import Pacer, starts_keyframe
    from streaming.encoder import VideoEncoder
    from streaming.h264 import PROFILES, bgr_to_video_frame

    encoder = VideoEncoder(PROFILES["360p"])
    image = np.full((360, 640, 3), 128, np.uint8)
    frames = [encoder.encode(bgr_to_video_frame(image), i * 33_333_333)[0] for i in range(3)]
    seq = iter(range(1000))

    def rtp(payload: bytes, ssrc: int = 7) -> bytes:
        header = bytes([0x80, 96]) + next(seq).to_bytes(2, "big") + bytes(4)
        return header + ssrc.to_bytes(4, "big") + payload

    def packets(frame: object) -> list[bytes]:
        nals = H264Encoder._split_bitstream(frame.data)  # type: ignore[attr-defined]
        return [rtp(p) for p in H264Encoder._packetize(nals)]

    key, delta = packets(frames[0]), packets(frames[1])
    assert frames[0].keyframe and starts_keyframe(key[0]) and not starts_keyframe(delta[0])

    class Transport:
        def __init__(self) -> None:
            self.sent: list[bytes] = []

        async def _send_rtp(self, data: bytes) -> None:
            self.sent.append(data)

    async def run() -> tuple[Transport, Pacer]:
        transport = Transport()
        pacer = Pacer(lambda: 50_000_000, {7, 8}, rtx=8)
        pacer.install(transport)
        pacer.flush()
        for data in delta:
            await transport._send_rtp(data)
        await transport._send_rtp(rtp(delta[0][2:4] + b"x", ssrc=8))  # its retransmission
        fresh = packets(frames[0])
        for data in fresh:
            await transport._send_rtp(data)
        for data in packets(frames[2]):
            await transport._send_rtp(data)
        return transport, pacer

    transport, pacer = asyncio.run(run())
    assert pacer.dropped == len(delta) + 1
    assert starts_keyframe(transport.sent[0]) and len(transport.sent) == len(key) + len(delta)


def test_opus_follows_the_link_down_at_once_and_up_after_hysteresis() -> None:
    """At 0.3 Mbps the 96 kbps Opus (~120 with overhead) would fill the link on its own."""
    from streaming.abr.adapter import Adapter, adaptive_profile
    from streaming.h264 import PROFILES

    adapter = Adapter(adaptive_profile(PROFILES["1080p"], 5_000_000))
    adapter.tick(Feedback(at=0, rtt_s=0.02, fraction_lost=0.0, sent_bps=5e6), None)
    assert adapter.audio_bps == 96_000
    fb = Feedback(at=0.5, rtt_s=0.6, sent_bps=5e6, received_bps=0.3e6)
    adapter.tick(fb, None)
    assert adapter.controller.target_bps < 300_000 and adapter.audio_bps == 32_000
    ups = []
    for i in range(1, 200):  # the link is back: clean reports every 0.1 s
        at = 0.5 + 0.1 * i
        adapter.tick(Feedback(at=at, rtt_s=0.02, fraction_lost=0.0, sent_bps=5e6), None)
        ups.append((at, adapter.controller.target_bps, adapter.audio_bps))
    back = next(at for at, _, audio in ups if audio == 96_000)
    first_above = next(at for at, target, _ in ups if target >= 1_150_000)
    assert back >= first_above + 2.0 and back < 20
