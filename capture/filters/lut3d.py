"""3D LUT files (`.cube`, as DaVinci Resolve, Premiere and phone grading apps export them),
read once and applied per frame with OpenCV.

A `.cube` maps every RGB colour through an N×N×N lattice. Blue here is exact — the lattice is
resampled once to 256 blue slices, since a frame's blue has only 256 values — so a frame
costs one bilinear `cv2.remap` over a (256·N)×N table image, red along its columns and green
down its rows, with the coordinates from three 256-entry tables (no per-pixel Python).
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


@dataclass(frozen=True, slots=True)
class Lut3d:
    table: np.ndarray  # (256·N)×N×3 uint8 BGR: row = blue·N + green index, column = red index
    x_of_red: np.ndarray  # 256 float32: column coordinate of each red value
    y_of_green: np.ndarray  # 256 float32: row offset within a blue slice
    y_of_blue: np.ndarray  # 256 float32: first row of each blue slice

    def apply(self, image: Image) -> Image:
        """`image` (BGR uint8) through the LUT."""
        b, g, r = cv2.split(image)
        map_x = cv2.LUT(r, self.x_of_red)
        map_y = cv2.add(cv2.LUT(g, self.y_of_green), cv2.LUT(b, self.y_of_blue))
        return cv2.remap(
            self.table, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
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


def build(lattice: np.ndarray) -> Lut3d:
    """The per-frame form of a lattice from `parse_cube`."""
    n = lattice.shape[0]
    if n > _MAX_SIZE:  # resample red and green to what remap takes; blue is resampled below
        pick = np.linspace(0, n - 1, _MAX_SIZE)
        lattice = _resample(_resample(lattice, pick, axis=1), pick, axis=2)
    n_b, n = lattice.shape[0], lattice.shape[1]
    slices = _resample(lattice, np.arange(256) * (n_b - 1) / 255.0, axis=0)  # 256×N×N×3
    bgr = np.clip(np.round(slices[..., ::-1] * 255.0), 0, 255).astype(np.uint8)
    table = np.ascontiguousarray(bgr.reshape(256 * n, n, 3))
    level = (np.arange(256, dtype=np.float32) * (n - 1) / 255.0).astype(np.float32)
    return Lut3d(
        table,
        level.reshape(256, 1),
        level.reshape(256, 1).copy(),
        (np.arange(256, dtype=np.float32) * n).reshape(256, 1),
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
