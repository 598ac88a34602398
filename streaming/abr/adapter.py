"""The glue between the controller and one rendition's encoder: each tick it turns what the
publisher's RTCP counters saw into `Feedback`, asks the controller for a rate and the ladder
for a rung, and applies both to the encoder; it picks the Opus rate too (`audio_bps`). It
also keeps the learned rate for the relay and the figures the Go live panel shows (quality,
rung, rate, reason)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from streaming.abr.controller import LOSS_BACKOFF, LOSS_HOLD, Feedback, RateController
from streaming.abr.ladder import LADDER, Ladder, Rung
from streaming.abr.memory import RateMemory
from streaming.encoder import VideoEncoder
from streaming.h264 import VideoProfile

#: The lowest video rate the controller goes to (360p15 still moves at 150 kbps).
FLOOR_BPS = 150_000
#: Seconds of clean feedback between two updates of the learned rate.
LEARN_EVERY_S = 10.0
#: The Opus rate follows the video target, on a ladder of its own (the same hysteresis; only
#: the floors matter): the 96 kbps voice Opus, ~120 kbps with its packets' overhead, filled
#: a 0.3 Mbps link on its own and kept the video from ever fitting. Speech stays clear at 32.
AUDIO_LADDER: tuple[Rung, ...] = (
    Rung("opus96", 0, 0, 0, 1_000_000),
    Rung("opus48", 0, 0, 0, 500_000),
    Rung("opus32", 0, 0, 0, 0),
)
OPUS_BPS = {"opus96": 96_000, "opus48": 48_000, "opus32": 32_000}


def adaptive_profile(profile: VideoProfile, start_bps: int | None) -> VideoProfile:
    """`profile` with the controller's range: down to `FLOOR_BPS`, starting at `start_bps`
    (the learned or configured rate). Being a different profile from the fixed one, it is its
    own rendition in the hub: adapting the live stream never lowers the backup recording."""
    start = profile.start_bitrate if start_bps is None else start_bps
    start = max(FLOOR_BPS, min(start, profile.max_bitrate))
    return replace(profile, min_bitrate=FLOOR_BPS, start_bitrate=start)


def top_rung(profile: VideoProfile) -> int:
    """The ladder index of the configured resolution (the best rung allowed)."""
    short = min(profile.width, profile.height)
    return next((i for i, r in enumerate(LADDER) if r.height <= short), len(LADDER) - 1)


@dataclass(frozen=True, slots=True)
class Quality:
    """What the host sees: good / fair / poor, the rung, the rate and the last reason."""

    grade: str
    rung: str
    target_kbps: int
    reason: str
    cause: str  # the reason's key in `controller.REASONS` (the console translates it)
    figure: int


class Adapter:
    """Drives `profile`'s encoder from feedback; remembers the rate for `relay` in `memory`."""

    def __init__(
        self, profile: VideoProfile, relay: str = "", memory: RateMemory | None = None
    ) -> None:
        self.profile = profile
        self.relay, self.memory = relay, memory
        self.controller = RateController(
            profile.start_bitrate, profile.min_bitrate, profile.max_bitrate
        )
        self.ladder = Ladder(top=top_rung(profile))
        self.ladder.start_at(profile.start_bitrate)
        self.audio_ladder = Ladder(AUDIO_LADDER)
        self.audio_ladder.start_at(profile.start_bitrate)
        self._learned_at: float | None = None

    @property
    def rung(self) -> Rung:
        return self.ladder.rung

    @property
    def audio_bps(self) -> int:
        """The Opus rate for the current video target."""
        return OPUS_BPS[self.audio_ladder.rung.name]

    def tick(self, feedback: Feedback, encoder: VideoEncoder | None) -> Quality:
        """One observation: new target and rung, applied to `encoder` (if it runs yet)."""
        decision = self.controller.on_feedback(feedback)
        rung = self.ladder.choose(decision.picture_bps or decision.target_bps, feedback.at)
        self.audio_ladder.choose(decision.picture_bps or decision.target_bps, feedback.at)
        if encoder is not None:
            encoder.set_bitrate(decision.target_bps)
            size = (rung.width, rung.height) if rung.height < self.profile.height else None
            encoder.set_picture(size, rung.fps)
        self._learn(feedback.at)
        return self.quality()

    def quality(self) -> Quality:
        ctrl = self.controller
        delay = ctrl.queuing_delay_s
        if ctrl.loss > LOSS_BACKOFF or delay > 0.2:
            grade = "poor"
        elif ctrl.loss >= LOSS_HOLD or delay > 0.05 or self.ladder.index > 1:
            grade = "fair"
        else:
            grade = "good"
        reason = ctrl.reason
        return Quality(
            grade, self.rung.name, ctrl.target_bps // 1000, reason.text, reason.cause, reason.figure
        )

    def _learn(self, at: float) -> None:
        if self.memory is None or not self.relay:
            return
        clean = self.controller.loss < LOSS_HOLD and self.controller.queuing_delay_s < 0.05
        if not clean:
            self._learned_at = at  # a bad spell restarts the count
            return
        if self._learned_at is None:
            self._learned_at = at
        elif at - self._learned_at >= LEARN_EVERY_S:
            self.memory.remember(self.relay, self.controller.target_bps)
            self._learned_at = at
