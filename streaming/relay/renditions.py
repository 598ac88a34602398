"""A picture per viewer: which of the publisher's renditions each viewer gets.

The publisher sends several renditions of the one program (e.g. 1080p and 360p, encoded from
the same frame, so their timestamps match). Each viewer has its own `ViewerSelector`: the same
congestion controller the publisher uses (`streaming/abr/controller.py`) fed from *that
viewer's* RTCP — its receiver reports' loss and RTT, its REMB — estimates what the viewer's link
carries, and the resolution ladder's hysteresis (`streaming/abr/ladder.py`) picks the best
rendition under it. A switch waits for a keyframe of the new rendition (asked for at once), so
the viewer's decoder never sees a delta frame of a picture it does not have: no frozen or broken
frame, and until then it keeps the old rendition. A slow viewer only moves itself down; the
others and the publisher are untouched.

How it is wired: the publisher sends each rendition as a video track of its own, named by its
track id (`streaming/simulcast.py`, `livedesk publish --renditions 360p`); the relay's ingest
routes each track's frames as that rendition's (`FanOut.set_renditions`,
`FanOut.on_frame(..., rendition)`), and a keyframe asked for goes as a PLI on that rendition's
track. Each viewer still gets one video track; the relay's sender to it reads its RTCP into
its selector and pads its link up to the estimate while a better rendition waits
(`streaming/relay/viewer_link.py`). docs/abr.md, "A picture per viewer".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from streaming.abr.controller import Feedback, RateController
from streaming.abr.ladder import UP_MARGIN, Ladder, Rung
from streaming.simulcast import Rendition

#: A viewer's estimate never goes below this (the lowest rendition is always allowed).
VIEWER_FLOOR_BPS = 100_000


class ViewerSelector:
    """Chooses, for one viewer, among `renditions` (best first). `request_keyframe(name)` asks
    the publisher for a keyframe of that rendition (a PLI on its track)."""

    def __init__(
        self, renditions: Sequence[Rendition], request_keyframe: Callable[[str], None]
    ) -> None:
        if not renditions:
            raise ValueError("give at least one rendition")
        best = sorted(renditions, key=lambda r: -r.bitrate_bps)
        # the lowest rendition is the ladder's floor rung: always allowed
        rungs = tuple(
            Rung(r.name, r.width, r.height, 30, r.bitrate_bps if i < len(best) - 1 else 0)
            for i, r in enumerate(best)
        )
        self.ladder = Ladder(rungs)
        top = best[0].bitrate_bps
        # The estimate may run past the best rendition by the ladder's margin: stepping up to a
        # rendition needs the link to carry UP_MARGIN × its rate for a while.
        ceiling = round(top * UP_MARGIN)
        self.controller = RateController(top, min(VIEWER_FLOOR_BPS, top), ceiling)
        self.ladder.start_at(top)
        self.current = self.ladder.rung.name
        self.pending: str | None = None
        self._request_keyframe = request_keyframe

    def on_feedback(self, feedback: Feedback) -> None:
        """One of this viewer's RTCP observations (receiver report, REMB)."""
        decision = self.controller.on_feedback(feedback)
        wanted = self.ladder.choose(decision.picture_bps or decision.target_bps, feedback.at).name
        if wanted == self.current:
            self.pending = None
        elif wanted != self.pending:
            self.pending = wanted
            self._request_keyframe(wanted)

    @property
    def probing(self) -> bool:
        """Whether this viewer's link should be tried at the estimate (padding beside the
        picture, `streaming/relay/viewer_link.py`): a better rendition exists, and no switch
        waits for its keyframe."""
        return self.pending is None and self.current != self.ladder.rungs[0].name

    def accept(self, rendition: str, keyframe: bool) -> bool:
        """Whether a frame of `rendition` goes to this viewer; it switches at a keyframe of the
        rendition it waits for. (The renditions' RTP clocks differ by each sender's random
        origin: the viewer's track continues its own timestamps across a switch, see
        `ForwardTrack.push`.)"""
        if rendition == self.pending and keyframe:
            self.current, self.pending = rendition, None
        return rendition == self.current
