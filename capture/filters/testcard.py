"""A known picture to measure filters on (tests and `livedesk bench compositor`): a host in
front of a green screen, drawn so that every region is known exactly.

- the screen: green, unevenly lit (brighter at the top, as under studio lights), with noise;
- the face: skin-coloured with a fine texture (pores, the thing beauty smooths) and a soft
  shading;
- the eyes: dark discs with white around them and hard edges (what beauty must keep);
- a shirt: blue-grey, not skin, not screen.

`regions()` returns the masks the picture was drawn with, so tests measure against truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

SKIN_BGR = (120, 150, 205)
SHIRT_BGR = (110, 80, 60)


@dataclass(frozen=True, slots=True)
class Regions:
    screen: np.ndarray  # bool H×W: the green screen
    face: np.ndarray  # bool: skin, eyes excluded
    eyes: np.ndarray  # bool: the eyes (white and pupil)
    shirt: np.ndarray  # bool


def draw(width: int = 1920, height: int = 1080, seed: int = 7) -> tuple[np.ndarray, Regions]:
    """The picture (BGR uint8) and its regions."""
    rng = np.random.default_rng(seed)
    s = height / 1080
    yy = np.arange(height, dtype=np.float32).reshape(-1, 1)
    light = 1.15 - 0.35 * yy / height  # the screen is lit from above
    screen = np.empty((height, width, 3), np.float32)
    for c, value in enumerate((60.0, 190.0, 70.0)):
        screen[:, :, c] = value * light
    image = screen + rng.normal(0, 3, screen.shape).astype(np.float32)
    cx, cy = width // 2, int(height * 0.45)
    face = np.zeros((height, width), np.uint8)
    cv2.ellipse(face, (cx, cy), (int(190 * s), int(250 * s)), 0, 0, 360, 255, -1)
    shirt = np.zeros((height, width), np.uint8)
    cv2.ellipse(shirt, (cx, height), (int(420 * s), int(300 * s)), 0, 180, 360, 255, -1)
    shirt[face > 0] = 0
    eyes = np.zeros((height, width), np.uint8)
    pupils = np.zeros((height, width), np.uint8)
    for ex in (cx - int(75 * s), cx + int(75 * s)):
        cv2.ellipse(eyes, (ex, cy - int(40 * s)), (int(40 * s), int(20 * s)), 0, 0, 360, 255, -1)
        cv2.circle(pupils, (ex, cy - int(40 * s)), int(16 * s), 255, -1)
    skin = np.array(SKIN_BGR, np.float32)
    shade = 1.0 - 0.12 * ((np.arange(width, dtype=np.float32) - cx) / (200 * s)) ** 2
    texture = rng.normal(0, 9, (height, width)).astype(np.float32)  # pores and blotches
    texture = cv2.GaussianBlur(texture, (0, 0), 1.2 * s) * 2.2
    on_face = face > 0
    for c in range(3):
        channel = skin[c] * np.clip(shade, 0.7, 1.0) + texture
        image[:, :, c][on_face] = np.broadcast_to(channel, (height, width))[on_face]
    image[shirt > 0] = SHIRT_BGR
    image[eyes > 0] = (235, 235, 235)
    image[pupils > 0] = (30, 25, 20)
    picture = np.clip(image, 0, 255).astype(np.uint8)
    body = (face > 0) | (shirt > 0)
    return picture, Regions(
        screen=~body, face=on_face & (eyes == 0), eyes=eyes > 0, shirt=shirt > 0
    )
