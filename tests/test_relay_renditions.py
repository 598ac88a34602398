"""A picture per viewer, relay side: each viewer's own feedback picks its rendition, and a
switch happens only at a keyframe of the rendition switched to (synthetic feedback)."""

from __future__ import annotations

from streaming.abr.controller import Feedback
from streaming.relay.renditions import Rendition, ViewerSelector

RENDITIONS = (
    Rendition("1080p", 1920, 1080, 4_000_000),
    Rendition("360p", 640, 360, 500_000),
)


def _viewer() -> tuple[ViewerSelector, list[str]]:
    asked: list[str] = []
    return ViewerSelector(RENDITIONS, asked.append), asked


_clock = iter(range(0, 10**9, 3000))


def _frames(viewer: ViewerSelector, keyframe_360: bool = False) -> list[str]:
    """One program frame in both renditions (360p first, as the hub encodes it): which reach
    the viewer."""
    ts = next(_clock)
    both = (("360p", keyframe_360), ("1080p", False))
    return [name for name, key in both if viewer.accept(name, key, ts)]


def test_each_viewer_gets_what_its_own_link_carries_and_switches_at_a_keyframe() -> None:
    slow, asked = _viewer()
    fast, fast_asked = _viewer()
    t = 0.0
    for t in (0.0, 0.1):
        for viewer in (slow, fast):
            viewer.on_feedback(Feedback(at=t, rtt_s=0.02, fraction_lost=0.0, sent_bps=4e6))
    assert _frames(slow) == ["1080p"] and _frames(fast) == ["1080p"]
    # the slow viewer's link is 500 kbps: its queue fills, its receiver reports say so
    for i, rtt in enumerate((0.35, 0.36, 0.37)):
        t = 0.2 + 0.1 * i
        slow.on_feedback(Feedback(at=t, rtt_s=rtt, sent_bps=4e6, received_bps=0.5e6))
        fast.on_feedback(Feedback(at=t, rtt_s=0.02, fraction_lost=0.0, sent_bps=4e6))
    assert asked == ["360p"] and fast_asked == []
    assert _frames(slow) == ["1080p"]  # no keyframe of 360p yet: the old picture goes on
    assert _frames(slow, keyframe_360=True) == ["360p"]
    assert _frames(slow) == ["360p"] and _frames(fast) == ["1080p"]
    # its link recovers: clean reports; up only after the ladder's hysteresis, at a keyframe
    for _ in range(120):
        t += 0.1
        slow.on_feedback(Feedback(at=t, rtt_s=0.02, fraction_lost=0.0, sent_bps=4e6))
        if slow.pending == "1080p":
            break
    assert slow.pending == "1080p" and asked[-1] == "1080p" and t < 0.5 + 12
    assert slow.accept("360p", False, 10**8)  # until 1080p's keyframe
    assert not slow.accept("1080p", True, 10**8)  # that moment went out already: missed
    assert asked[-2:] == ["1080p", "1080p"]  # … and asked for again
    assert slow.accept("1080p", True, 10**8 + 3000) and not slow.accept("360p", False, 10**8 + 6000)


def test_flapping_feedback_does_not_switch_back_and_forth() -> None:
    viewer, asked = _viewer()
    for i in range(40):  # loss 3 % / 6 %: the controller holds, the picture too
        viewer.on_feedback(Feedback(at=0.1 * i, rtt_s=0.02, fraction_lost=(0.03, 0.06)[i % 2]))
    assert asked == [] and viewer.current == "1080p"
