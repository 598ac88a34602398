"""Chroma key, beauty and the 3D LUT on a known picture (`capture/filters/testcard.py`):
masks and edge sharpness measured against the regions the picture was drawn with."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from capture.filters import FilterError, create_filter
from capture.filters.beauty import Beauty, BeautySettings
from capture.filters.chroma_key import ChromaKey, ChromaKeySettings
from capture.filters.color_correction import ColorCorrection, ColorCorrectionSettings
from capture.filters.testcard import Regions, draw


@pytest.fixture(scope="module")
def card() -> tuple[np.ndarray, Regions]:
    return draw(960, 540)


def shrink(mask: np.ndarray, px: int) -> np.ndarray:
    """`mask` minus a border of `px` pixels (edges are allowed to be soft)."""
    return cv2.erode(mask.astype(np.uint8), np.ones((2 * px + 1, 2 * px + 1), np.uint8)) > 0


def grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image[:, :, :3], cv2.COLOR_BGR2GRAY).astype(np.float64)


# -- chroma key -----------------------------------------------------------------------------


def test_chroma_key_cuts_out_the_screen_and_keeps_the_host(
    card: tuple[np.ndarray, Regions],
) -> None:
    image, regions = card
    out = ChromaKey().apply(image)
    alpha = out[:, :, 3]
    keep = regions.face | regions.eyes | regions.shirt
    # Inside each region (2 px in from the drawn edges) the mask is exact.
    assert (alpha[shrink(regions.screen, 2)] == 0).mean() > 0.999, "the whole screen, dark or lit"
    assert (alpha[shrink(keep, 2)] == 255).all(), "nothing of the host is see-through"
    # Against the drawn truth: intersection over union of what is kept.
    kept = alpha > 127
    iou = (kept & keep).sum() / (kept | keep).sum()
    assert iou > 0.99


def test_chroma_key_spill_takes_the_green_cast_off_the_host() -> None:
    fringe = np.full((20, 20, 3), (110, 190, 150), np.uint8)  # skin with a green cast
    no_spill = ChromaKey(ChromaKeySettings(spill=0.0)).apply(fringe)
    spill = ChromaKey(ChromaKeySettings(spill=100.0)).apply(fringe)
    assert (no_spill[:, :, 3] == 255).all() and (spill[:, :, 3] == 255).all()
    assert np.array_equal(no_spill[:, :, :3], fringe)
    b, g, r = (spill[:, :, c].astype(int).mean() for c in range(3))
    assert g < 190 - 15, "less green"
    assert g <= max(r, b), "green no longer dominates"


def test_chroma_key_follows_the_key_colour() -> None:
    blue_screen = np.full((10, 10, 3), (200, 60, 30), np.uint8)
    green = ChromaKey().apply(blue_screen)
    blue = ChromaKey(ChromaKeySettings(key_color="#1E3CC8")).apply(blue_screen)
    assert (green[:, :, 3] == 255).all() and (blue[:, :, 3] == 0).all()


def test_greys_and_black_are_never_keyed() -> None:
    ramp = np.repeat(np.arange(0, 256, 8, dtype=np.uint8), 3).reshape(1, -1, 3)
    assert (ChromaKey().apply(ramp)[:, :, 3] == 255).all()


def test_a_keyed_layer_is_transparent_on_the_program(card: tuple[np.ndarray, Regions]) -> None:
    """Through the compositor's own placement: the canvas shows through the screen."""
    from capture.program.blend import make_patch, paint
    from capture.program.layer import Placement

    image, regions = card
    canvas = np.full((540, 960, 3), (0, 0, 255), np.uint8)  # a red backdrop
    patch = make_patch(ChromaKey().apply(image), Placement(width=960, height=540), (960, 540))
    assert patch is not None
    paint(canvas, patch)
    inner = shrink(regions.screen, 2)
    assert (canvas[inner] == (0, 0, 255)).all(axis=1).mean() > 0.999
    face = shrink(regions.face, 2)
    assert np.abs(canvas[face].astype(int) - image[face]).max() <= 1


def test_a_keyed_chain_goes_on_with_only_what_the_key_keeps(
    card: tuple[np.ndarray, Regions],
) -> None:
    """After the key the chain works on the host's box only; on the program that is the same
    picture as the whole frame through the same filters, blended the same."""
    from capture.filters import filter_chain
    from capture.program.blend import make_patch, paint
    from capture.program.compositor import Compositor
    from capture.program.layer import Placement

    image, regions = card
    filters = [create_filter(k, {}) for k in ("chroma_key", "sharpen", "beauty")]
    filters[1].update_from_dict({"amount": 150.0, "radius": 5.0})  # the farthest reach
    chained = filter_chain(filters, image)
    h, w = chained.bgr.shape[:2]
    assert chained.cropped and w * h < 0.6 * 960 * 540, "the screen is left out"
    assert (chained.whole()[:, :, 3][shrink(regions.screen, 2)] == 0).mean() > 0.999
    place = Placement(width=960, height=540)
    boxed, whole = (np.full((540, 960, 3), (0, 0, 255), np.uint8) for _ in range(2))
    patch = Compositor._place(image, chained, place, (960, 540), 1.0, (0, 0), True)
    assert patch is not None and patch.covers == (chained.x, chained.y, w, h)
    paint(boxed, patch)
    uncut = image  # each filter on the whole frame, one after the other
    for filt in filters:
        uncut = filt.apply(uncut)
    reference = make_patch(uncut, place, (960, 540))
    assert reference is not None
    paint(whole, reference)
    assert np.abs(boxed.astype(int) - whole).max() <= 1


# -- beauty ---------------------------------------------------------------------------------


def texture(g: np.ndarray, where: np.ndarray) -> float:
    """Fine detail (the picture minus its blur), as a standard deviation over `where`."""
    return float((g - cv2.GaussianBlur(g, (0, 0), 3))[where].std())


def edge_strength(g: np.ndarray, region: np.ndarray) -> float:
    """Mean gradient magnitude on a 3 px band around the region's outline."""
    mag = np.hypot(cv2.Sobel(g, cv2.CV_64F, 1, 0), cv2.Sobel(g, cv2.CV_64F, 0, 1))
    r = region.astype(np.uint8)
    band = (cv2.dilate(r, np.ones((3, 3), np.uint8)) > 0) & ~shrink(region, 1)
    return float(mag[band].mean())


def test_beauty_smooths_skin_and_keeps_eyes_and_edges_sharp(
    card: tuple[np.ndarray, Regions],
) -> None:
    image, regions = card
    before = grey(image)
    after = grey(Beauty(BeautySettings(smoothing=100.0, brightening=0.0)).apply(image))
    skin = shrink(regions.face, 6)
    assert texture(after, skin) < 0.6 * texture(before, skin), "pores smoothed"
    assert edge_strength(after, regions.eyes) > 0.85 * edge_strength(before, regions.eyes)
    pupils_and_whites = shrink(regions.eyes, 1)
    assert np.abs(after - before)[pupils_and_whites].mean() < 3.0, "eyes (nearly) untouched"
    assert np.abs(after - before)[shrink(regions.shirt, 6)].max() <= 1, "not skin: untouched"


def test_beauty_brightening_lifts_the_skin_only(card: tuple[np.ndarray, Regions]) -> None:
    image, regions = card
    before = grey(image)
    after = grey(Beauty(BeautySettings(smoothing=0.0, brightening=100.0)).apply(image))
    skin = shrink(regions.face, 6)
    assert after[skin].mean() > before[skin].mean() + 8
    screen = shrink(regions.screen, 20)
    assert np.abs(after - before)[screen].max() <= 1


def test_beauty_off_or_no_skin_is_the_picture_itself() -> None:
    image = np.full((90, 160, 3), (40, 200, 60), np.uint8)
    assert Beauty().apply(image) is image
    assert Beauty(BeautySettings(smoothing=0.0, brightening=0.0)).apply(image) is image


def test_beauty_keeps_odd_sizes(card: tuple[np.ndarray, Regions]) -> None:
    image, _ = card
    odd = np.ascontiguousarray(image[:537, :955])
    assert Beauty().apply(odd).shape == odd.shape


# -- 3D LUT ---------------------------------------------------------------------------------


def write_cube(path: Path, n: int, transform: object, domain: float = 1.0) -> Path:
    lines = ['TITLE "test"', "# a comment", f"LUT_3D_SIZE {n}"]
    if domain != 1.0:
        lines += ["DOMAIN_MIN 0 0 0", f"DOMAIN_MAX {domain} {domain} {domain}"]
    for b in range(n):
        for g in range(n):
            for r in range(n):
                rgb = np.array([r, g, b], np.float64) / (n - 1)
                out = transform(rgb) * domain  # type: ignore[operator]
                lines.append(" ".join(f"{v:.6f}" for v in out))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_identity_lut_changes_nothing(tmp_path: Path, card: tuple[np.ndarray, Regions]) -> None:
    image, _ = card
    cube = write_cube(tmp_path / "identity.cube", 17, lambda rgb: rgb)
    out = ColorCorrection(ColorCorrectionSettings(lut_file=str(cube))).apply(image)
    assert np.abs(out.astype(int) - image).max() <= 1


def test_lut_maps_colours_as_the_file_says(tmp_path: Path) -> None:
    # A look that swaps red and blue and darkens green: non-separable per channel.
    cube = write_cube(
        tmp_path / "swap.cube", 33, lambda rgb: np.array([rgb[2], rgb[1] * 0.5, rgb[0]]), 2.0
    )
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    out = ColorCorrection(ColorCorrectionSettings(lut_file=str(cube))).apply(image)
    want = np.dstack((image[:, :, 2], image[:, :, 1] * 0.5, image[:, :, 0]))
    assert np.abs(out.astype(float) - want).max() <= 1.5
    half = ColorCorrection(ColorCorrectionSettings(lut_file=str(cube), lut_strength=50.0))
    mixed = half.apply(image).astype(float)
    assert np.abs(mixed - (want + image) / 2).max() <= 1.5


@pytest.mark.parametrize("look", ["warm", "swap"])
def test_a_large_frame_graded_at_half_size_stays_close(
    tmp_path: Path, card: tuple[np.ndarray, Regions], look: str
) -> None:
    """The half-size grading of a frame against the same LUT at full size, on the host before
    the screen (hard edges: the eyes, the shirt) — a gentle look, and one that swaps red and
    blue (which must not be graded at half size)."""
    from capture.filters.lut3d import load_lut

    looks = {
        "warm": lambda rgb: np.clip(np.array([rgb[0] * 0.9 + 0.08, rgb[1], rgb[2] * 0.8]), 0, 1),
        "swap": lambda rgb: np.array([rgb[2], rgb[1] * 0.5, rgb[0]]),
    }
    lut = load_lut(str(write_cube(tmp_path / f"{look}.cube", 17, looks[look])))
    assert lut.gentle == (look == "warm")
    image, _ = card
    error = np.abs(lut.apply(image).astype(int) - lut.apply_full(image))
    if look == "swap":  # detail would land in the wrong colour: graded at full size
        assert error.max() == 0
    else:
        assert error.mean() < 0.6 and np.percentile(error, 99) <= 3


def test_bad_lut_files_are_plain_messages(tmp_path: Path) -> None:
    with pytest.raises(FilterError, match="does not exist"):
        create_filter("color_correction", {"lut_file": str(tmp_path / "missing.cube")})
    (tmp_path / "flat.cube").write_text("LUT_1D_SIZE 4\n0 0 0\n")
    with pytest.raises(FilterError, match="1D LUT"):
        create_filter("color_correction", {"lut_file": str(tmp_path / "flat.cube")})
    (tmp_path / "short.cube").write_text("LUT_3D_SIZE 2\n0 0 0\n1 1 1\n")
    with pytest.raises(FilterError, match="has 2 colours; a 2³ LUT needs 8"):
        create_filter("color_correction", {"lut_file": str(tmp_path / "short.cube")})
    (tmp_path / "junk.cube").write_text("LUT_3D_SIZE 2\n" + "0 0 x\n" * 8)
    with pytest.raises(FilterError, match="damaged"):
        create_filter("color_correction", {"lut_file": str(tmp_path / "junk.cube")})


def test_a_bad_lut_on_a_layer_is_reported_and_the_layer_still_shows() -> None:
    from capture.program.compositor import Compositor
    from capture.program.feeds import FeedPool
    from capture.program.layer import FilterSpec
    from capture.program.scene import Scene, Show, new_layer

    layer = new_layer("color", "720p").replace(
        filters=(FilterSpec("color_correction", {"lut_file": "/nowhere/look.cube"}),)
    )
    scene = Scene("s", "s", (layer,))
    compositor = Compositor(FeedPool())
    problems: list[str] = []
    compositor.on_problem = problems.append
    compositor.set_show(Show("720p", (scene,), "s", "s"))
    frame = compositor.tick()
    assert frame is not None and frame.image.shape == (720, 1280, 3)
    assert problems and "does not exist" in problems[0] and "Errno" not in problems[0]
