"""The filter contract and registry, and colour correction and sharpen on known images."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from capture.filters import FILTERS, FilterError, apply_filters, create_filter
from capture.filters.color_correction import ColorCorrection, ColorCorrectionSettings
from capture.filters.sharpen import Sharpen, SharpenSettings
from capture.properties import properties, to_dict, validated


def gradient(h: int = 90, w: int = 160) -> np.ndarray:
    """A colourful test card: horizontal and vertical ramps in different channels."""
    y, x = np.mgrid[0:h, 0:w]
    return np.dstack(
        ((x * 255 // (w - 1)), (y * 255 // (h - 1)), ((x + y) * 255 // (w + h - 2)))
    ).astype(np.uint8)


@pytest.mark.parametrize("kind", sorted(FILTERS))
def test_every_kind_keeps_the_contract(kind: str) -> None:
    cls = FILTERS[kind]
    assert cls.kind == kind and cls.label
    assert properties(cls.Settings), "settings are described with setting()"
    filt = create_filter(kind, {})
    image = gradient()
    before = image.copy()
    out = filt.apply(image)
    assert out.dtype == np.uint8 and out.shape[:2] == image.shape[:2]
    assert out.shape[2] == (4 if cls.keys else 3)
    assert np.array_equal(image, before), "apply() never writes into its input"
    # A keyed (BGRA) input keeps its cut-out through any filter.
    bgra = np.dstack((image, np.tile(np.arange(160, dtype=np.uint8), (90, 1))))
    out = filt.apply(bgra)
    assert out.shape == bgra.shape
    assert (out[:, :, 3] <= bgra[:, :, 3]).all()
    if not cls.keys:
        assert np.array_equal(out[:, :, 3], bgra[:, :, 3])


def test_saved_settings_round_trip_through_the_registry() -> None:
    saved = to_dict(ColorCorrectionSettings(brightness=20.0, saturation=150.0))
    filt = create_filter("color_correction", saved)
    assert filt.settings == ColorCorrectionSettings(brightness=20.0, saturation=150.0)
    # A hand-edited scene: out-of-range clamped, wrong types ignored, unknown keys dropped.
    filt = create_filter("color_correction", {"contrast": 999, "gamma": "x", "new": 1})
    assert filt.settings == ColorCorrectionSettings(contrast=100.0)


def test_unknown_kind_is_a_plain_message() -> None:
    with pytest.raises(FilterError, match='Unknown video filter "warp_drive"'):
        create_filter("warp_drive")


def test_neutral_colour_correction_is_the_identity() -> None:
    image = gradient()
    assert np.array_equal(ColorCorrection().apply(image), image)


def test_colour_correction_does_what_each_control_says() -> None:
    image = gradient().astype(np.uint8) // 2 + 64  # mid-tones, away from clipping

    def run(**changes: float) -> np.ndarray:
        settings = validated(ColorCorrectionSettings(), **changes)
        return ColorCorrection(settings).apply(image).astype(np.float64)

    base = image.astype(np.float64)
    assert run(brightness=20).mean() == pytest.approx(base.mean() + 0.2 * 255, abs=1.0)
    assert run(contrast=50).std() > 1.8 * base.std()
    assert run(contrast=-50).std() < 0.6 * base.std()
    grey = run(saturation=0)
    assert np.abs(grey[:, :, 0] - grey[:, :, 2]).max() <= 1, "no colour left"
    warm = run(temperature=60)
    assert warm[:, :, 2].mean() > base[:, :, 2].mean() + 10  # more red
    assert warm[:, :, 0].mean() < base[:, :, 0].mean() - 10  # less blue
    assert run(gamma=2.0).mean() > base.mean() + 15  # lifts the mid-tones
    assert run(tint=50)[:, :, 1].mean() < base[:, :, 1].mean() - 10  # towards magenta


def reference_correction(image: np.ndarray, s: ColorCorrectionSettings) -> np.ndarray:
    """What the controls mean, in floating point: per channel, white balance, contrast about
    mid-grey, brightness, clipped, gamma; then the mix with the grey for saturation."""
    x = image.astype(np.float64) / 255.0
    warm, tint = s.temperature / 100.0, s.tint / 100.0
    gains = np.array((1.0 - 0.25 * warm, 1.0 - 0.2 * tint, 1.0 + 0.25 * warm))
    y = (x * gains - 0.5) * 2.0 ** (s.contrast / 50.0) + 0.5 + s.brightness / 100.0
    y = np.clip(y, 0.0, 1.0) ** (1.0 / s.gamma)
    grey = (y * np.array([0.114, 0.587, 0.299])).sum(axis=2, keepdims=True)
    sat = s.saturation / 100.0
    return np.clip(np.round(255.0 * (sat * y + (1.0 - sat) * grey)), 0, 255)


@pytest.mark.parametrize(("gamma", "contrast"), [(1.0, 20), (1.0, -20), (1.5, 20), (0.6, 20)])
def test_colour_correction_matches_its_definition(gamma: float, contrast: float) -> None:
    """The fast form (lines as one transform, gamma as one table) against the definition,
    over every level of every channel: within 3 levels anywhere, ½ a level on average."""
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (64, 256, 3), dtype=np.uint8)
    image[0] = np.arange(256, dtype=np.uint8)[:, None]  # every level, every channel
    settings = ColorCorrectionSettings(
        temperature=20, tint=20, brightness=10, contrast=contrast, gamma=gamma, saturation=130
    )
    error = np.abs(ColorCorrection(settings).apply(image) - reference_correction(image, settings))
    assert error.max() <= 3 and error.mean() <= 0.5


def test_live_update_takes_effect_on_the_next_frame() -> None:
    filt = ColorCorrection()
    image = gradient()
    filt.update(ColorCorrectionSettings(brightness=-100.0))
    assert filt.apply(image).max() == 0


def gradient_energy(image: np.ndarray) -> float:
    grey = image.astype(np.float64).mean(axis=2)
    return float(np.abs(np.diff(grey, axis=1)).mean() + np.abs(np.diff(grey, axis=0)).mean())


def test_sharpen_raises_edge_contrast_and_zero_is_the_identity() -> None:
    rng = np.random.default_rng(1)
    image = np.full((90, 160, 3), 100, np.uint8)
    image[:, 80:] = 160
    image = (image + rng.integers(0, 4, image.shape)).astype(np.uint8)
    soft = cv2.GaussianBlur(image, (0, 0), 1.5)
    sharp = Sharpen(SharpenSettings(amount=150.0, radius=1.5)).apply(soft)
    assert gradient_energy(sharp) > 1.5 * gradient_energy(soft)
    assert Sharpen(SharpenSettings(amount=0.0)).apply(soft) is soft


def test_filters_chain_in_order() -> None:
    image = gradient()
    first = create_filter("color_correction", {"brightness": -100})
    second = create_filter("color_correction", {"brightness": 50})
    assert apply_filters([first, second], image).min() == 128
    assert apply_filters([second, first], image).max() == 0
