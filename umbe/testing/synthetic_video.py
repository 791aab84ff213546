"""Synthetic talking-face videos for tests and the inference benchmark.

The drawn face (skin oval, dark brows and eyes, nose, mouth) is found by
OpenCV's bundled frontal-face Haar cascade, unlike the cartoon faces of the
demo dataset, which it finds only sometimes.
"""
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np


def draw_face(img: np.ndarray,
              cx: float,
              cy: float,
              size: float,
              mouth: float = 0.0) -> np.ndarray:
    """Draw a frontal face of width ``size`` centred at (cx, cy), in place.

    Args:
        img (np.ndarray): (H, W, 3) uint8 image (RGB or BGR: the colours
            are greyish, either order works).
        cx (float): Centre x.
        cy (float): Centre y.
        size (float): Face width in pixels (the oval is 1.3x as tall).
        mouth (float): Mouth opening in [0, 1]. Defaults to 0.

    Returns:
        np.ndarray: ``img``.
    """
    s, cx, cy = float(size), int(cx), int(cy)
    aa = cv2.LINE_AA
    cv2.ellipse(img, (cx, cy), (int(s * .5), int(s * .65)), 0, 0, 360,
                (150, 175, 215), -1, aa)  # skin
    ey = int(cy - s * .12)
    for sgn in (-1, 1):
        x = cx + sgn * int(s * .2)
        cv2.ellipse(img, (x, ey - int(s * .1)), (int(s * .13), int(s * .03)),
                    0, 0, 360, (40, 40, 50), -1, aa)  # brow
        cv2.ellipse(img, (x, ey), (int(s * .1), int(s * .05)), 0, 0, 360,
                    (60, 60, 70), -1, aa)  # eye
        cv2.circle(img, (x, ey), max(1, int(s * .035)), (20, 20, 20), -1, aa)
    cv2.ellipse(img, (cx, int(cy + s * .12)), (int(s * .08), int(s * .03)), 0,
                0, 360, (100, 120, 160), -1, aa)  # nose
    cv2.ellipse(img, (cx, int(cy + s * .32)),
                (int(s * .18), int(s * (.04 + .08 * mouth))), 0, 0, 360,
                (60, 60, 120), -1, aa)  # mouth
    return img


def face_frames(seconds: float,
                fps: float = 10.0,
                size: Tuple[int, int] = (160, 120),
                faces: Sequence[Tuple[float, float,
                                      float]] = ((.5, .5, .45), ),
                face_span: Optional[Tuple[float, float]] = None,
                seed: int = 0) -> np.ndarray:
    """RGB frames with drawn faces that move a little and talk.

    Args:
        seconds (float): Length.
        fps (float): Frame rate. Defaults to 10.
        size (tuple): (width, height). Defaults to (160, 120).
        faces (Sequence[tuple]): Per face (x, y, width) as fractions of the
            frame width/height/height; empty for no face.
            Defaults to one centred face.
        face_span (tuple, optional): (start, end) seconds where the faces
            are shown; None = always. Defaults to None.
        seed (int): Background noise seed. Defaults to 0.

    Returns:
        np.ndarray: (N, H, W, 3) uint8, N = round(seconds * fps).
    """
    rng = np.random.default_rng(seed)
    w, h = size
    n = max(1, int(round(seconds * fps)))
    background = np.full((h, w, 3), 110, np.uint8)
    background += rng.integers(0, 12, (h, w, 3), dtype=np.uint8)
    out = np.empty((n, h, w, 3), np.uint8)
    for i in range(n):
        img = background.copy()
        t = i / fps
        if face_span is None or face_span[0] <= t < face_span[1]:
            for k, (fx, fy, fw) in enumerate(faces):
                dx = 3 * np.sin(2 * np.pi * 0.3 * t + k)
                draw_face(
                    img,
                    fx * w + dx,
                    fy * h,
                    fw * h,
                    mouth=0.5 + 0.5 * np.sin(2 * np.pi * 2 * t))
        out[i] = img
    return out


def tone(seconds: float,
         rate: int = 16000,
         freq: float = 440.0,
         level: float = 0.3) -> np.ndarray:
    """A mono sine tone.

    Args:
        seconds (float): Length.
        rate (int): Sample rate in Hz. Defaults to 16000.
        freq (float): Frequency in Hz. Defaults to 440.
        level (float): Peak amplitude. Defaults to 0.3.

    Returns:
        np.ndarray: (S,) float32, S = round(seconds * rate).
    """
    t = np.arange(int(round(seconds * rate))) / rate
    return (level * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def write_video(path: str,
                frames: np.ndarray,
                fps: float = 10.0,
                audio: Optional[np.ndarray] = None,
                audio_rate: int = 16000,
                options: Optional[dict] = None) -> str:
    """Write RGB frames (and optional mono audio, muxed) with PyAV.

    ``.avi`` gets MPEG-4 part 2 video, every other name H.264; the sound
    is AAC. Encoding runs on one thread so that the frames decode alike run
    to run (x264's bytes still vary slightly).

    Args:
        path (str): Output file.
        frames (np.ndarray): (N, H, W, 3) uint8 RGB; H and W even.
        fps (float): Frame rate. Defaults to 10.
        audio (np.ndarray, optional): float mono waveform. Defaults to None.
        audio_rate (int): Its rate. Defaults to 16000.
        options (dict, optional): Video encoder options, e.g.
            ``{'crf': '27', 'preset': 'veryfast'}``. Defaults to None.

    Returns:
        str: ``path``.
    """
    import av
    from fractions import Fraction
    codec = 'mpeg4' if path.endswith('.avi') else 'libx264'
    with av.open(path, 'w') as container:
        video = container.add_stream(
            codec, rate=Fraction(fps).limit_denominator())
        video.height, video.width = frames.shape[1:3]
        video.pix_fmt = 'yuv420p'
        if options:
            video.options = dict(options)
        video.codec_context.thread_count = 1  # threaded x264 not repeatable
        stream = None
        if audio is not None:
            stream = container.add_stream('aac', rate=audio_rate)
            stream.layout = 'mono'
        for rgb in frames:
            for packet in video.encode(
                    av.VideoFrame.from_ndarray(rgb, format='rgb24')):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        if stream is not None:
            # whole AAC frames: the encoder pads a partial last frame with
            # uninitialised memory, and the bytes would change run to run
            size = stream.codec_context.frame_size or 1024
            audio = np.pad(
                np.asarray(audio, np.float32), (0, -len(audio) % size))
            for start in range(0, audio.size, size):
                frame = av.AudioFrame.from_ndarray(
                    audio[None, start:start + size],
                    format='fltp',
                    layout='mono')
                frame.sample_rate = audio_rate
                frame.pts = start
                for packet in stream.encode(frame):
                    container.mux(packet)
            for packet in stream.encode(None):
                container.mux(packet)
    return path
