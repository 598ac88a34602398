"""A sender-side congestion controller in the spirit of Google Congestion Control.

Pure: it sees `Feedback` (what one RTCP round told the sender) and answers a `Decision` (the
target bitrate and why). Two parts decide together and the lower wins:

- **delay-based**: queuing delay is the round-trip time above the lowest one seen recently; when
  it grows past a threshold and keeps growing, the path's queue is filling, so the rate backs off
  to 85 % of what the link carried — before any packet is lost;
- **loss-based**: below 2 % loss the rate may grow, 2–10 % it holds, above 10 % it backs off by
  half the loss fraction (GCC's rule).

When both are clean it probes up multiplicatively (8 % a second, GCC's ramp, then 40 % a
second once clean for 2 s while the queue stays under 20 ms: the first queue of a link being
reached slows it back to 8 % before it becomes overuse), never above 1.5×
what went out until the link has been clean with an empty queue for 2 s;
REMB, when the relay sends it, is a ceiling once it falls clearly (15 %) below what the link
carried while our own signals see congestion (a queue over 50 ms, or loss over 10 %): a receiver's estimate trails the incoming rate
(aiortc's does, and it dips after every keyframe), so obeying it alone would bring back the slow
start and slow recovery this controller exists to avoid. Times are seconds on any monotonic clock.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

NACK_LOSS_CAP = 0.5
#: Loss fractions: below HOLD the rate may grow; above BACKOFF it shrinks.
LOSS_HOLD = 0.02
LOSS_BACKOFF = 0.10
#: The span the sender counts loss over (streaming/publisher.py): one cut per span for loss.
LOSS_WINDOW_S = 1.0
#: Queuing delay (s) above the base RTT that counts as a queue building up.
DELAY_OVERUSE_S = 0.050
#: Queuing delay that means the link is far below our rate: back off hard at once.
DELAY_SEVERE_S = 0.200
DELAY_BACKOFF = 0.85
#: How long the queue must stay above the threshold, still growing, to count as overuse: one
#: keyframe's burst queues for a moment on a slow link (30 kB is 300 ms at 0.8 Mbps) and must not.
OVERUSE_MIN_S = 0.25
SEVERE_BACKOFF = 0.5
#: With reports every 0.1 s one can catch a keyframe's burst at its peak (100 kB queue 130 ms
#: at 6 Mbps); that queue falls by 0.1 s every 0.1 s. A severe queue still there this long
#: after it was first seen is a link that shrank. (Reports further apart act at once.)
SEVERE_CONFIRM_S = 0.15
SPARSE_REPORTS_S = 0.5
#: A severe cut goes *below* the link (60 % of what it carried) so that its queue drains in well
#: under a second; once it has drained the target returns to 85 % of that link at once.
SEVERE_DRAIN = 0.6
#: A second severe cut only after this long (or one RTT) and only if the queue is not yet falling:
#: reports come every 0.1 s, faster than a cut can show at the far end of a full queue.
RECUT_AFTER_S = 0.3
PROBE_PER_S = 1.08
#: After FAST_AFTER_S of clean feedback the ramp speeds up: a link that came back is usually
#: back whole, and 8 %/s would need ~35 s from 0.3 to 5 Mbps (Chromium's 25 s at 270p).
FAST_PROBE_PER_S = 1.4
FAST_AFTER_S = 2.0
#: The fast ramp runs only while the queue is under this: at 40 %/s a steady 0.8 Mbps link was
#: overshot to 1.3 Mbps before overuse (50 ms, growing for 0.25 s) could show.
FAST_QUEUE_S = 0.020
#: No probing for this long after a decrease (let the queue drain first).
HOLD_AFTER_DECREASE_S = 1.0
#: The base RTT is the minimum over this window (routes change; an old minimum must age out).
BASE_RTT_WINDOW_S = 30.0
#: Never probe further than this above the rate that went out, unless the link has been clean
#: with an empty queue for FAST_AFTER_S: an encoder that undershoots (a still picture) would
#: otherwise pin the target — and so the picture size — at the floor; an overshoot then shows as
#: queuing delay within a report and is cut back to what the link carried.
PROBE_HEADROOM = 1.5
EMPTY_QUEUE_S = 0.010


@dataclass(frozen=True, slots=True)
class Feedback:
    """One observation: at `at`, the RTT (s), the fraction of packets lost since the last
    report (0–1), the relay's REMB (bps), the bitrate that went out (bps, measured by the
    sender) and the bitrate the relay received (from its reports' sequence numbers: what the
    link carried), and the NACKed packets and packets sent since the last observation."""

    at: float
    rtt_s: float | None = None
    fraction_lost: float | None = None
    remb_bps: int | None = None
    sent_bps: float | None = None
    received_bps: float | None = None
    nacked: int = 0
    packets: int = 0


#: Why the target is what it is: cause → English text (`{0}`: the figure). The console shows
#: these translated (widgets/golive_panel.py), so a cause is a key, not free text.
REASONS: dict[str, str] = {
    "start": "starting at the configured or last-learned rate",
    "severe": "queuing delay {0} ms: backing off hard",
    "drained": "queue drained: back just under the link",
    "loss_backoff": "loss {0} %: backing off",
    "delay_backoff": "queuing delay rising ({0} ms): backing off",
    "loss_hold": "loss {0} %: holding",
    "draining": "queue draining: holding",
    "full": "clean link: at full quality",
    "probe": "clean link: probing up",
    "remb": "held to the relay's estimate ({0} kbps)",
}


@dataclass(frozen=True, slots=True)
class Reason:
    cause: str
    figure: int = 0

    @property
    def text(self) -> str:
        return REASONS[self.cause].format(self.figure)


@dataclass(frozen=True, slots=True)
class Decision:
    target_bps: int
    reason: Reason
    changed: bool
    #: The rate to size the picture for: while a severe cut drains the queue, the rate it will
    #: return to (the picture should not step down and up again for a second's drain).
    picture_bps: int = 0


class RateController:
    """Target bitrate between `min_bps` and `max_bps`, starting at `start_bps` (the configured
    or last-learned rate: full quality at once when the link allows)."""

    def __init__(self, start_bps: int, min_bps: int, max_bps: int) -> None:
        if not 0 < min_bps <= max_bps:
            raise ValueError("bitrates must satisfy 0 < min <= max")
        self.min_bps, self.max_bps = min_bps, max_bps
        self.target_bps = self._clamp(start_bps)
        self.reason = Reason("start")
        self.queuing_delay_s = 0.0
        self.loss = 0.0
        self._rtts: deque[tuple[float, float]] = deque()
        self._last_delay: float | None = None
        self._over_since: float | None = None  # since when the queue is above the threshold
        self._severe_since: float | None = None  # since when it is above the severe one
        self._state = "normal"
        self._rising_now = False  # the last report's queue above the threshold and growing
        self._severe_at: float | None = None  # the last severe cut: when, and at what delay
        self._severe_delay = 0.0
        self._link_bps: float | None = None  # what the link carried at that cut (while draining)
        self._last_at: float | None = None
        self._decreased_at: float | None = None
        self._clean_since: float | None = None

    def _clamp(self, bps: float) -> int:
        return int(max(self.min_bps, min(bps, self.max_bps)))

    def on_feedback(self, fb: Feedback) -> Decision:
        """Take one observation; return the new target and the reason for it."""
        elapsed = 1.0 if self._last_at is None else max(0.0, min(fb.at - self._last_at, 2.0))
        self._last_at = fb.at
        before = self.target_bps
        sent = fb.sent_bps if fb.sent_bps and fb.sent_bps > 0 else float(self.target_bps)
        # A back-off is a fraction of what the link carried (GCC's acknowledged rate): after
        # a 6 → 0.3 Mbps drop one step lands under the link, not a halving per second.
        carried = min(sent, fb.received_bps) if fb.received_bps else sent
        target, reason = self._decide(fb, elapsed, sent, carried)
        if reason.cause not in ("probe", "full"):
            self._clean_since = None
        congested = (
            self._state in ("severe", "overuse") or self._rising_now or self.loss > LOSS_BACKOFF
        )
        if (
            fb.remb_bps is not None
            and congested
            and fb.remb_bps < min(target, carried * DELAY_BACKOFF)
        ):
            target, reason = fb.remb_bps, Reason("remb", fb.remb_bps // 1000)
        self.target_bps = self._clamp(target)
        if self.target_bps < before:
            self._decreased_at = fb.at
        if self.target_bps != before or reason != self.reason:
            self.reason = reason
        picture = self.target_bps
        if self._link_bps is not None:
            picture = max(picture, self._clamp(self._link_bps * DELAY_BACKOFF))
        return Decision(self.target_bps, self.reason, self.target_bps != before, picture)

    def _decide(
        self, fb: Feedback, elapsed: float, sent: float, carried: float
    ) -> tuple[float, Reason]:
        delay_state = self._state = self._delay_state(fb)
        loss = self._loss(fb)
        target = float(self.target_bps)
        delay_ms, loss_pct = round(self.queuing_delay_s * 1000), round(loss * 100)
        if delay_state == "severe":
            cut = self._severe(fb, target, sent, carried)
            return (
                (target, Reason("draining")) if cut is None else (cut, Reason("severe", delay_ms))
            )
        if loss > LOSS_BACKOFF and not self._recently_cut(fb.at):
            return min(target, carried * (1 - 0.5 * loss)), Reason("loss_backoff", loss_pct)
        if loss > LOSS_BACKOFF:  # the loss counted is still the drop's, already answered
            return target, Reason("loss_hold", loss_pct)
        if delay_state == "overuse":
            return min(target, carried * DELAY_BACKOFF), Reason("delay_backoff", delay_ms)
        if self._link_bps is not None and self.queuing_delay_s < DELAY_OVERUSE_S:
            link, self._link_bps = self._link_bps, None
            return max(target, link * DELAY_BACKOFF), Reason("drained")
        if loss >= LOSS_HOLD:
            return target, Reason("loss_hold", loss_pct)
        if delay_state == "draining":
            return target, Reason("draining")
        if self._decreased_at is not None and fb.at - self._decreased_at < HOLD_AFTER_DECREASE_S:
            return target, self.reason
        if target >= self.max_bps:
            return target, Reason("full")
        if self._clean_since is None:
            self._clean_since = fb.at
        fast = fb.at - self._clean_since >= FAST_AFTER_S and self.queuing_delay_s < FAST_QUEUE_S
        factor = FAST_PROBE_PER_S if fast else PROBE_PER_S
        probe = target * factor**elapsed
        if not (fast and self.queuing_delay_s < EMPTY_QUEUE_S):
            probe = min(probe, max(sent * PROBE_HEADROOM, self.min_bps))
        return max(target, probe), Reason("probe")

    def _recently_cut(self, at: float) -> bool:
        """Whether a cut came within the loss window: the loss reported since is (partly) from
        before it, and cutting for it again would cut twice for one drop."""
        return self._decreased_at is not None and at - self._decreased_at < LOSS_WINDOW_S

    def _severe(self, fb: Feedback, target: float, sent: float, carried: float) -> float | None:
        """The cut for a queue far above the threshold: below the link, so that it drains; again
        only once the last cut has had time to show and the queue is still not falling."""
        delay = self.queuing_delay_s
        if self._severe_at is not None:
            wait = max(RECUT_AFTER_S, fb.rtt_s or 0.0)
            if fb.at - self._severe_at < wait or delay < self._severe_delay - 0.03:
                return None
        self._severe_at, self._severe_delay = fb.at, delay
        link = carried if self._link_bps is None else min(carried, self._link_bps)
        self._link_bps = link
        return min(target, sent * SEVERE_BACKOFF, link * SEVERE_DRAIN)

    def _loss(self, fb: Feedback) -> float:
        """The loss fraction: the relay's report, or between reports the NACK rate (NACKs come
        sooner than receiver reports)."""
        if fb.fraction_lost is not None:
            loss = fb.fraction_lost
        elif fb.packets > 0:  # NACKs may name packets sent before this interval: capped
            loss = min(NACK_LOSS_CAP, fb.nacked / fb.packets)
        else:
            loss = self.loss
        self.loss = loss
        return loss

    def _delay_state(self, fb: Feedback) -> str:
        """ "severe", "overuse", "draining" or "normal", from the queuing delay and its trend."""
        if fb.rtt_s is None:
            return "normal"
        self._rtts.append((fb.at, fb.rtt_s))
        while self._rtts and fb.at - self._rtts[0][0] > BASE_RTT_WINDOW_S:
            self._rtts.popleft()
        base = min(r for _, r in self._rtts)
        delay = fb.rtt_s - base
        previous, self._last_delay = self._last_delay, delay
        self.queuing_delay_s = delay
        sparse = len(self._rtts) < 2 or fb.at - self._rtts[-2][0] >= SPARSE_REPORTS_S
        if delay <= DELAY_SEVERE_S:
            self._severe_since = None
        elif self._severe_since is None:
            self._severe_since = fb.at
        if self._severe_since is not None:
            if sparse or fb.at - self._severe_since >= SEVERE_CONFIRM_S:
                return "severe"
            return "draining"  # not probing into what may be a shrunken link
        rising = previous is not None and delay > previous + 0.005
        self._rising_now = rising and delay > DELAY_OVERUSE_S
        if delay <= DELAY_OVERUSE_S:
            self._over_since = None
        elif self._over_since is None:
            self._over_since = fb.at if rising else None
        elif rising and fb.at - self._over_since >= OVERUSE_MIN_S:
            return "overuse"
        # Falling counts only for a real queue: reports every 0.1 s jitter by a few ms, and a
        # "draining" that noise calls every other second would keep the ramp from speeding up.
        falling = previous is not None and delay < previous - 0.005 and delay > 2 * EMPTY_QUEUE_S
        if delay > DELAY_OVERUSE_S or falling:
            return "draining"
        return "normal"
