"""3D LUT files (`.cube`, as DaVinci Resolve, Premiere and phone grading apps export them),
read once and applied per frame with OpenCV.

A `.cube` maps every RGB colour through an N×N×N lattice. Blue here is exact — the lattice is
resampled once to 256 blue slices, since a frame's blue has only 256 values — so a frame
costs one bilinear `cv2.remap` over a (256·N)×N table image, red along its columns and green
down its rows, with the coordinates from three 256-entry tables (no per-pixel Python) in fixed
point; a frame of 640 px or wider is graded at half size and the change scaled up (see
`apply`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from capture.filters.base import FilterError, Image

_MAX_SIZE = 64  # remap's table must stay under 32767 rows: 256 · 64 = 16384
_CACHED = 4  # LUT files kept parsed (a show grades with one or two)
_cache: dict[tuple[str, float], Lut3d] = {}


#: Below this width a frame is graded at full size (it is cheap, and halving it loses more).
_HALF_FROM_WIDTH = 640
#: How far (per unit) an output's slope may be from the identity's for half-size grading,
#: and at what share of the lattice's points (a look clips the brightest corners) at most.
_HALF_SLOPE = 0.25
_STEEP_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class Lut3d:
    table: np.ndarray  # (256·N)×N×3 uint8 BGR: row = blue·N + green index, column = red index
    x_of_red: np.ndarray  # 256 float32: column coordinate of each red value
    y_of_green: np.ndarray  # 256 float32: row offset within a blue slice
    y_of_blue: np.ndarray  # 256 float32: first row of each blue slice
    #: The largest change the LUT makes to a level (≤ 127: the change fits a byte about 128).
    reach: int = 255
    #: Whether the LUT is near the identity in its *slope* (each output follows its own input
    #: within ±25 % at 95 % of its points, see `_HALF_SLOPE`): then fine detail passes through
    #: it almost unchanged, and a large frame can be graded at half size.
    gentle: bool = False

    def apply(self, image: Image) -> Image:
        """`image` (BGR uint8) through the LUT. A frame 640 px wide or more is graded at half
        size and the *change* scaled back up and added: a grading look varies smoothly with the
        colour, so the change is smooth wherever the picture is (its detail stays full size);
        only a hard edge between two very different colours is off, by a few levels over a
        pixel (≈ 0.4 level on average, 2 at the 99th percentile on the bench's camera). A LUT
        that is not `gentle` (one that swaps or crushes channels would move the detail into
        the wrong colour) is always applied at full size."""
        h, w = image.shape[:2]
        if not self.gentle or w < _HALF_FROM_WIDTH or h < 2:
            return self.apply_full(image)
        half = cv2.resize(image, (w // 2, h // 2), interpolation=cv2.INTER_LINEAR)
        if self.reach <= 127:
            change = cv2.addWeighted(self.apply_full(half), 1.0, half, -1.0, 128.0)
            up = cv2.resize(change, (w, h), interpolation=cv2.INTER_LINEAR)
            return cv2.addWeighted(image, 1.0, up, 1.0, -128.0)
        change = cv2.subtract(self.apply_full(half), half, dtype=cv2.CV_16S)
        up = cv2.resize(change, (w, h), interpolation=cv2.INTER_LINEAR)
        return cv2.add(image, up, dtype=cv2.CV_8U)

    def apply_full(self, image: Image) -> Image:
        """`image` through the LUT at its own size (one bilinear `cv2.remap`). The coordinates
        go in fixed point (OpenCV's own conversion, 1/32 of a lattice step): remap's integer
        path costs ≈ 15 % less CPU than its float one (the same wall time on two threads),
        within 1 level."""
        b, g, r = cv2.split(image)
        map_x = cv2.LUT(r, self.x_of_red)
        map_y = cv2.add(cv2.LUT(g, self.y_of_green), cv2.LUT(b, self.y_of_blue))
        cells, fractions = cv2.convertMaps(map_x, map_y, cv2.CV_16SC2)
        return cv2.remap(
            self.table, cells, fractions, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )


def parse_cube(text: str, name: str = "the LUT file") -> np.ndarray:
    """The lattice of a `.cube` file as N×N×N×3 float (index [b, g, r], values R, G, B in
    0…1 of its domain). Raises `FilterError` in plain words."""
    size = 0
    lo, hi = np.zeros(3), np.ones(3)
    rows: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word = line.split()[0].upper()
        if word == "LUT_3D_SIZE":
            size = int(line.split()[1])
        elif word == "LUT_1D_SIZE":
            raise FilterError(f"{name} is a 1D LUT; only 3D LUTs (LUT_3D_SIZE) are supported.")
        elif word == "DOMAIN_MIN":
            lo = np.array([float(v) for v in line.split()[1:4]])
        elif word == "DOMAIN_MAX":
            hi = np.array([float(v) for v in line.split()[1:4]])
        elif word[0].isdigit() or word[0] in "-+.":
            rows.append(line)
        # TITLE, LUT_3D_INPUT_RANGE and other keywords change nothing here.
    if size < 2 or size > 256:
        raise FilterError(f"{name} is not a 3D LUT (no usable LUT_3D_SIZE line).")
    try:
        values = np.array(" ".join(rows).split(), np.float64).reshape(-1, 3)
    except ValueError:
        raise FilterError(
            f"{name} is damaged: a colour line does not have three numbers."
        ) from None
    if len(values) != size**3:
        raise FilterError(f"{name} has {len(values)} colours; a {size}³ LUT needs {size**3}.")
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    return ((values - lo) / span).reshape(size, size, size, 3)  # red varies fastest


def slope_from_identity(lattice: np.ndarray) -> np.ndarray:
    """At each lattice point, the largest difference between its slopes (each output R, G, B
    by each input) and the identity's: 0 where a LUT only shifts colours, 1 where it swaps two
    or clips one."""
    n = lattice.shape[0]
    if n < 2:
        return np.zeros(lattice.shape[:3])
    by_b, by_g, by_r = np.gradient(lattice, 1.0 / (n - 1), axis=(0, 1, 2))
    identity = np.eye(3)  # rows: by r, g, b; columns: R, G, B out
    steep = [np.abs(d - identity[i]).max(axis=-1) for i, d in enumerate((by_r, by_g, by_b))]
    return np.max(steep, axis=0)


def build(lattice: np.ndarray) -> Lut3d:
    """The per-frame form of a lattice from `parse_cube`."""
    # Gentle: near the identity's slope but at the cube's few clipped corners.
    gentle = bool((slope_from_identity(lattice) > _HALF_SLOPE).mean() <= _STEEP_SHARE)
    n = lattice.shape[0]
    if n > _MAX_SIZE:  # resample red and green to what remap takes; blue is resampled below
        pick = np.linspace(0, n - 1, _MAX_SIZE)
        lattice = _resample(_resample(lattice, pick, axis=1), pick, axis=2)
    n_b, n = lattice.shape[0], lattice.shape[1]
    slices = _resample(lattice, np.arange(256) * (n_b - 1) / 255.0, axis=0)  # 256×N×N×3
    bgr = np.clip(np.round(slices[..., ::-1] * 255.0), 0, 255).astype(np.uint8)
    table = np.ascontiguousarray(bgr.reshape(256 * n, n, 3))
    level = (np.arange(256, dtype=np.float32) * (n - 1) / 255.0).astype(np.float32)
    # The identity at the lattice's points (blue exact), B, G, R: how far the LUT moves them.
    at = np.linspace(0.0, 255.0, n)
    identity = np.stack(np.meshgrid(np.arange(256.0), at, at, indexing="ij"), axis=-1)
    reach = int(np.abs(bgr.reshape(256, n, n, 3).astype(np.float64) - identity).max())
    return Lut3d(
        table,
        level.reshape(256, 1),
        level.reshape(256, 1).copy(),
        (np.arange(256, dtype=np.float32) * n).reshape(256, 1),
        reach,
        gentle,
    )


def _resample(lattice: np.ndarray, at: np.ndarray, axis: int) -> np.ndarray:
    """Linear interpolation of `lattice` along `axis` at fractional indices `at`."""
    low = np.floor(at).astype(int)
    high = np.minimum(low + 1, lattice.shape[axis] - 1)
    frac = (at - low).reshape([-1 if i == axis else 1 for i in range(lattice.ndim)])
    return np.take(lattice, low, axis) * (1 - frac) + np.take(lattice, high, axis) * frac


def load_lut(path: str) -> Lut3d:
    """The LUT in `path`, read once per file version (a scene edit rebuilds filters; the file
    is not parsed again). Raises `FilterError` in plain words."""
    file = Path(path).expanduser()
    try:
        key = (str(file), os.stat(file).st_mtime)
    except FileNotFoundError:
        raise FilterError(f"The LUT file {file} does not exist.") from None
    except OSError:
        raise FilterError(f"The LUT file {file} cannot be opened.") from None
    found = _cache.get(key)
    if found is None:
        try:
            text = file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            raise FilterError(f"The LUT file {file} cannot be read.") from None
        found = build(parse_cube(text, f"The LUT file {file.name}"))
        if len(_cache) >= _CACHED:
            del _cache[next(iter(_cache))]  # the oldest: memory stays flat
        _cache[key] = found
    return found
