"""The demo dataset's cartoon faces: backgrounds, five expressions, crops.

Drawn with OpenCV in BGR on ``FRAME_SIZE`` square frames; the aligned face
crops are ``FACE_CROP`` square. These are the looks of
:mod:`umbe.testing.demo_dataset` (OpenCV's Haar cascade finds them only
sometimes; :mod:`umbe.testing.synthetic_video` draws faces it finds).
"""
from typing import Tuple

import cv2
import numpy as np

#: side of the scene frames and of the face crops, pixels
FRAME_SIZE = 96
FACE_CROP = 48

#: BGR colours by the name the captions use
SKINS = {
    'pale': (200, 215, 240),
    'light': (160, 190, 230),
    'tan': (110, 160, 210),
    'brown': (90, 130, 180),
    'olive': (120, 170, 190),
    'rosy': (170, 170, 235),
}
HAIRS = {
    'black': (30, 30, 30),
    'brown': (30, 60, 110),
    'blond': (90, 200, 230),
    'red': (40, 60, 190),
    'grey': (160, 160, 160),
    'blue': (200, 90, 40),
}
BACKGROUNDS = {
    'green': (60, 150, 60),
    'blue': (170, 110, 50),
    'beige': (170, 200, 220),
    'grey': (120, 120, 120),
    'purple': (140, 60, 120),
    'orange': (40, 130, 230),
    'teal': (140, 140, 40),
}


def draw_background(rng: np.random.Generator,
                    color: Tuple[int, int, int]) -> np.ndarray:
    """A two-colour gradient with a few static shapes.

    Args:
        rng (np.random.Generator): Draws the second colour, the gradient
            direction and the shapes.
        color (tuple[int]): BGR colour of the gradient's start.

    Returns:
        np.ndarray: (FRAME_SIZE, FRAME_SIZE, 3) uint8 BGR image.
    """
    base = np.array(color, np.float32)
    other = np.clip(base + rng.uniform(-70, 70, 3), 0, 255)
    ramp = np.linspace(0, 1, FRAME_SIZE, dtype=np.float32)
    if rng.random() < 0.5:
        ramp = ramp[:, None, None] * np.ones((1, FRAME_SIZE, 1), np.float32)
    else:
        ramp = ramp[None, :, None] * np.ones((FRAME_SIZE, 1, 1), np.float32)
    img = (base * (1 - ramp) + other * ramp).astype(np.uint8)
    for _ in range(rng.integers(1, 4)):
        col = tuple(int(c) for c in rng.integers(0, 256, 3))
        x, y = (int(v) for v in rng.integers(0, FRAME_SIZE, 2))
        w, h = (int(v) for v in rng.integers(8, 30, 2))
        if rng.random() < 0.5:
            cv2.rectangle(img, (x, y), (x + w, y + h), col, -1)
        else:
            cv2.circle(img, (x, y), w // 2, col, -1, cv2.LINE_AA)
    return img


def face_pose(face_id: int, i: int, n: int, radius: float,
              phase: float) -> Tuple[float, float, float]:
    """Where the face is at frame ``i`` of ``n``: its motion by ``face_id``.

    Args:
        face_id (int): Face 0 sways, 1 bobs, 2 stays nearly still, 3 zooms,
            4 circles.
        i (int): Frame index.
        n (int): Frames in the clip (one motion period).
        radius (float): The face's resting radius in pixels.
        phase (float): Start of the motion, radians.

    Returns:
        tuple[float]: Offset (dx, dy) from the resting centre and the
        radius, in pixels.
    """
    t = 2 * np.pi * i / n + phase
    if face_id == 0:  # sway left-right
        return 14 * np.sin(t), 0.0, radius
    if face_id == 1:  # bob up-down twice per clip
        return 0.0, 9 * np.sin(2 * t), radius
    if face_id == 2:  # nearly still
        return 1.0 * np.sin(t), 0.0, radius
    if face_id == 3:  # zoom pulse
        return 0.0, 0.0, radius * (1 + 0.22 * np.sin(2 * t))
    return 9 * np.cos(t), 9 * np.sin(t), radius  # circle


def draw_cartoon_face(img: np.ndarray, face_id: int, i: int, n: int,
                      cx: float, cy: float, r: float,
                      skin: Tuple[int, int, int], hair: Tuple[int, int, int],
                      ink: Tuple[int, int, int]) -> None:
    """Draw one face centred at (cx, cy), in place.

    Args:
        img (np.ndarray): (H, W, 3) uint8 BGR image.
        face_id (int): The expression: 0 smile, 1 frown under slanted
            brows, 2 closed eyes, 3 raised brows with a talking mouth,
            4 blinking with a crooked mouth.
        i (int): Frame index (animates mouth and blinks).
        n (int): Frames in the clip.
        cx (float): Centre x in pixels.
        cy (float): Centre y in pixels.
        r (float): Radius in pixels (the oval is 1.15 r tall).
        skin (tuple[int]): BGR skin colour.
        hair (tuple[int]): BGR hair colour.
        ink (tuple[int]): BGR colour of eyes, brows and mouth.
    """
    c = (int(round(cx)), int(round(cy)))
    ri = int(round(r))
    cv2.ellipse(img, (c[0], c[1] - ri // 3), (ri + 2, int(ri * 0.9)), 0, 180,
                360, hair, -1, cv2.LINE_AA)  # hair
    cv2.ellipse(img, c, (ri, int(r * 1.15)), 0, 0, 360, skin, -1,
                cv2.LINE_AA)
    ex, ey, er = int(r * 0.4), int(r * 0.3), max(2, int(r * 0.16))
    thick = max(1, int(r * 0.12))
    left, right = (c[0] - ex, c[1] - ey), (c[0] + ex, c[1] - ey)
    my = c[1] + int(r * 0.45)
    mw = int(r * 0.5)
    if face_id == 0:  # round eyes, wide smile
        for e in (left, right):
            cv2.circle(img, e, er, ink, -1, cv2.LINE_AA)
        cv2.ellipse(img, (c[0], my - int(r * 0.15)), (mw, int(r * 0.3)), 0,
                    20, 160, ink, thick + 1, cv2.LINE_AA)
    elif face_id == 1:  # slanted brows, frown
        for e, s in ((left, 1), (right, -1)):
            cv2.circle(img, e, er, ink, -1, cv2.LINE_AA)
            cv2.line(img, (e[0] - s * er * 2, e[1] - er * 3),
                     (e[0] + s * er, e[1] - er * 2), ink, thick, cv2.LINE_AA)
        cv2.ellipse(img, (c[0], my + int(r * 0.15)), (mw, int(r * 0.25)), 0,
                    200, 340, ink, thick + 1, cv2.LINE_AA)
    elif face_id == 2:  # closed eyes, flat mouth
        for e in (left, right):
            cv2.line(img, (e[0] - er * 2, e[1]), (e[0] + er * 2, e[1]), ink,
                     thick, cv2.LINE_AA)
        cv2.line(img, (c[0] - mw, my), (c[0] + mw, my), ink, thick + 1,
                 cv2.LINE_AA)
    elif face_id == 3:  # raised brows, mouth opening and closing
        for e in (left, right):
            cv2.circle(img, e, er + 1, ink, thick, cv2.LINE_AA)
            cv2.line(img, (e[0] - er * 2, e[1] - er * 3),
                     (e[0] + er * 2, e[1] - er * 3), ink, thick, cv2.LINE_AA)
        open_ = 0.5 + 0.5 * np.sin(4 * np.pi * i / n)
        mouth = (int(r * 0.3), max(2, int(r * 0.42 * open_) + 2))
        cv2.ellipse(img, (c[0], my), mouth, 0, 0, 360, ink, -1, cv2.LINE_AA)
    else:  # blinking eyes, crooked mouth
        blink = (i % 4) == 0
        for e in (left, right):
            if blink:
                cv2.line(img, (e[0] - er * 2, e[1]), (e[0] + er * 2, e[1]),
                         ink, thick, cv2.LINE_AA)
            else:
                cv2.circle(img, e, er, ink, -1, cv2.LINE_AA)
        cv2.line(img, (c[0] - mw, my + int(r * 0.15)),
                 (c[0] + mw, my - int(r * 0.2)), ink, thick + 1, cv2.LINE_AA)


def crop_face(frame: np.ndarray, cx: float, cy: float,
              r: float) -> np.ndarray:
    """Aligned square crop around a drawn face (borders replicated).

    Args:
        frame (np.ndarray): (H, W, 3) uint8 image.
        cx (float): Face centre x in pixels.
        cy (float): Face centre y in pixels.
        r (float): Face radius in pixels.

    Returns:
        np.ndarray: (FACE_CROP, FACE_CROP, 3) uint8 crop.
    """
    half = int(round(r * 1.35))
    pad = cv2.copyMakeBorder(frame, half, half, half, half,
                             cv2.BORDER_REPLICATE)
    x0, y0 = int(round(cx)), int(round(cy)) - int(r * 0.1)
    crop = pad[y0:y0 + 2 * half, x0:x0 + 2 * half]
    return cv2.resize(crop, (FACE_CROP, FACE_CROP),
                      interpolation=cv2.INTER_AREA)
