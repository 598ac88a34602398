"""A machine-readable capture time drawn into video frames, for glass-to-glass measurements.

The code is a grid of big black/white blocks in the top-left corner (16 × 4 blocks, each 1/32
of the frame width): two reference blocks (black, white), then 40 bits of wall-clock
milliseconds (`time.time()`, the clock a browser page on the same machine also reads), 14 bits
of frame sequence number and an 8-bit checksum. It is read by averaging the middle of each
block and thresholding halfway between the two references, so it survives H.264 at any sane
bitrate and any scaling down to ~320 px wide. No QR library, and the same few lines of
JavaScript (`READER_JS`) read it in a browser from a canvas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

COLS, ROWS = 16, 4
TIME_BITS, SEQ_BITS, CHECK_BITS = 40, 14, 8
SEQ_MOD = 1 << SEQ_BITS
TIME_MOD = 1 << TIME_BITS
_CELLS = 2 + TIME_BITS + SEQ_BITS + CHECK_BITS
# A block must be this far (as a share of white − black) from the threshold to count, so a
# blurred or half-updated code reads as "no stamp" rather than as a wrong one.
MARGIN = 0.25
assert _CELLS <= COLS * ROWS


@dataclass(frozen=True, slots=True)
class Stamp:
    time_ms: int  # wall-clock milliseconds modulo 2**40
    seq: int


def block_size(width: int) -> int:
    return max(4, width // 32)


def checksum(time_ms: int, seq: int) -> int:
    """Sum of the seven payload bytes, xor 0xA5 (so an all-black or all-white area fails)."""
    total = sum((time_ms >> (8 * i)) & 0xFF for i in range(5)) + (seq & 0xFF) + (seq >> 8)
    return (total & 0xFF) ^ 0xA5


def _bits(time_ms: int, seq: int) -> list[int]:
    time_ms %= TIME_MOD
    seq %= SEQ_MOD
    fields = ((time_ms, TIME_BITS), (seq, SEQ_BITS), (checksum(time_ms, seq), CHECK_BITS))
    return [0, 1] + [(value >> (n - 1 - i)) & 1 for value, n in fields for i in range(n)]


def draw(image: np.ndarray, time_ms: int, seq: int) -> None:
    """Draw the code in place into an H×W×3 (or H×W) uint8 image."""
    size = block_size(image.shape[1])
    for cell, bit in enumerate(_bits(time_ms, seq)):
        row, col = divmod(cell, COLS)
        image[row * size : (row + 1) * size, col * size : (col + 1) * size] = 255 if bit else 0


def read(luma: np.ndarray) -> Stamp | None:
    """The stamp in a picture's luma (H×W uint8; a BGR image is accepted too), or None when
    the code is absent or damaged."""
    if luma.ndim == 3:
        luma = luma[:, :, 1]  # green follows luma closely enough for black/white blocks
    size = block_size(luma.shape[1])
    if ROWS * size > luma.shape[0]:
        return None
    inset = size // 4
    means = []
    for cell in range(_CELLS):
        row, col = divmod(cell, COLS)
        y, x = row * size + inset, col * size + inset
        means.append(float(luma[y : y + size - 2 * inset, x : x + size - 2 * inset].mean()))
    black, white = means[0], means[1]
    if white - black < 60:
        return None
    threshold = (black + white) / 2
    if any(abs(m - threshold) < MARGIN * (white - black) for m in means[2:]):
        return None  # a block in between black and white: a blend of two frames, or damage
    bits = [1 if m > threshold else 0 for m in means[2:]]
    time_ms = _value(bits[:TIME_BITS])
    seq = _value(bits[TIME_BITS : TIME_BITS + SEQ_BITS])
    check = _value(bits[TIME_BITS + SEQ_BITS :])
    if check != checksum(time_ms, seq):
        return None
    return Stamp(time_ms, seq)


def _value(bits: list[int]) -> int:
    value = 0
    for bit in bits:
        value = (value << 1) | bit
    return value


def unwrap_ms(stamp_ms: int, now_ms: int) -> int:
    """The full wall-clock time of a 40-bit stamp, the one nearest `now_ms`."""
    base = now_ms - (now_ms % TIME_MOD)
    candidates = (base - TIME_MOD + stamp_ms, base + stamp_ms, base + TIME_MOD + stamp_ms)
    return min(candidates, key=lambda t: abs(t - now_ms))


# The same reader for a browser: `readStamp(ctx, width, height)` on a canvas holding the frame,
# or `await readStampFrame(videoFrame)`, returns {timeMs, seq} or null;
# `drawStamp(ctx, width, timeMs, seq)` draws a code.
READER_JS = f"""
const STAMP = {{cols: {COLS}, rows: {ROWS}, timeBits: {TIME_BITS}, seqBits: {SEQ_BITS},
               checkBits: {CHECK_BITS}}};
STAMP.cells = 2 + STAMP.timeBits + STAMP.seqBits + STAMP.checkBits;
function stampBlock(width) {{ return Math.max(4, Math.floor(width / 32)); }}
function stampChecksum(timeMs, seq) {{
  let total = (seq & 0xFF) + (seq >> 8);
  let t = timeMs;
  for (let i = 0; i < 5; i++) {{ total += t % 256; t = Math.floor(t / 256); }}
  return (total & 0xFF) ^ 0xA5;
}}
function stampBits(timeMs, seq) {{
  const bits = [0, 1];
  const push = (value, n) => {{
    for (let i = n - 1; i >= 0; i--) bits.push(Math.floor(value / 2 ** i) % 2);
  }};
  timeMs = timeMs % 2 ** STAMP.timeBits; seq = seq % 2 ** STAMP.seqBits;
  push(timeMs, STAMP.timeBits); push(seq, STAMP.seqBits);
  push(stampChecksum(timeMs, seq), STAMP.checkBits);
  return bits;
}}
function drawStamp(ctx, width, timeMs, seq) {{
  const size = stampBlock(width);
  stampBits(Math.floor(timeMs), seq).forEach((bit, cell) => {{
    ctx.fillStyle = bit ? '#fff' : '#000';
    ctx.fillRect((cell % STAMP.cols) * size, Math.floor(cell / STAMP.cols) * size, size, size);
  }});
}}
// means[cell] of one 8-bit channel laid out as rows of `stride` values `step` apart.
function stampMeans(pixels, stride, step, size) {{
  const inset = Math.floor(size / 4), span = size - 2 * inset;
  const means = [];
  for (let cell = 0; cell < STAMP.cells; cell++) {{
    const x0 = (cell % STAMP.cols) * size + inset, y0 = Math.floor(cell / STAMP.cols) * size + inset;
    let sum = 0;
    for (let y = y0; y < y0 + span; y += 2)
      for (let x = x0; x < x0 + span; x += 2) sum += pixels[y * stride + x * step];
    means.push(sum / (Math.ceil(span / 2) ** 2));
  }}
  return means;
}}
function stampFromMeans(means) {{
  const black = means[0], white = means[1];
  if (white - black < 60) return null;
  const threshold = (black + white) / 2;
  for (let i = 2; i < STAMP.cells; i++)
    if (Math.abs(means[i] - threshold) < {MARGIN} * (white - black)) return null;
  const value = (from, n) => {{
    let v = 0;
    for (let i = from; i < from + n; i++) v = v * 2 + (means[i] > threshold ? 1 : 0);
    return v;
  }};
  const timeMs = value(2, STAMP.timeBits);
  const seq = value(2 + STAMP.timeBits, STAMP.seqBits);
  const check = value(2 + STAMP.timeBits + STAMP.seqBits, STAMP.checkBits);
  return check === stampChecksum(timeMs, seq) ? {{timeMs, seq}} : null;
}}
// From a 2D canvas holding the picture at (0, 0) (green channel).
function readStamp(ctx, width, height) {{
  const size = stampBlock(width);
  if (STAMP.rows * size > height) return null;
  const data = ctx.getImageData(0, 0, STAMP.cols * size, STAMP.rows * size);
  return stampFromMeans(stampMeans(data.data.subarray(1), data.width * 4, 4, size));
}}
// From a WebCodecs VideoFrame: copies out only the code's corner of the luma plane, no RGB
// conversion of the whole picture (null if the frame's memory is not readable that way).
async function readStampFrame(frame) {{
  const width = frame.visibleRect.width, size = stampBlock(width);
  if (STAMP.rows * size > frame.visibleRect.height) return null;
  if (!frame.format || !(frame.format.startsWith('I4') || frame.format.startsWith('NV12'))) return null;
  const rect = {{x: 0, y: 0, width: STAMP.cols * size, height: STAMP.rows * size}};
  const buffer = new Uint8Array(frame.allocationSize({{rect}}));
  const layout = await frame.copyTo(buffer, {{rect}});
  return stampFromMeans(stampMeans(buffer.subarray(layout[0].offset), layout[0].stride, 1, size));
}}
"""
