"""`bench abr`'s recovery figure: when the publisher is at full quality for good (top rung at the
resolution's highest bitrate), from its per-second stats."""

from __future__ import annotations

from app.cli.bench_abr import full_quality_time


def _at(t: float, rendition: str, kbps: int) -> dict:
    return {"wall_s": 100.0 + t, "rendition": rendition, "target_kbps": kbps}


def test_full_quality_counts_from_the_last_time_it_was_reached() -> None:
    samples = [
        _at(-1, "360p30", 300),
        _at(1, "540p30", 900),
        _at(3, "720p30", 3400),  # full, then lost again: not yet for good
        _at(4, "720p30", 2000),
        _at(6, "720p30", 3350),
        _at(7, "720p30", 3500),
        _at(9, "720p30", 3500),
    ]
    assert full_quality_time(samples, 100.0, 110.0, "720p30", 3_500_000) == 6.0


def test_never_at_full_quality_or_the_wrong_rung_is_none() -> None:
    low = [_at(1, "720p30", 2500), _at(2, "720p30", 2600)]
    assert full_quality_time(low, 100.0, 110.0, "720p30", 3_500_000) is None
    wrong = [_at(1, "540p30", 3500)]
    assert full_quality_time(wrong, 100.0, 110.0, "720p30", 3_500_000) is None
    assert full_quality_time([], 100.0, 110.0, "720p30", 3_500_000) is None
