"""Sender-side adaptive bitrate: a congestion controller fed by the relay's RTCP, a
resolution/frame-rate ladder driven by its rate, and the rate learned per relay.

See docs/abr.md for the rules and why."""
