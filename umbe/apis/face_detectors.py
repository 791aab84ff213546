"""Face detectors: OpenCV's bundled Haar cascade, or YuNet from a file.

A detector is a callable ``RGB frame (H, W, 3) uint8 -> [(x, y, w, h), ...]``
in frame pixels, boxes left to right (so track ids are the same every run).
Both downscale a frame to ``max_side`` before detecting and scale the boxes
back. :func:`.face_tracking.detect_and_track` (and the live stream) track
the boxes of any of them the same way.

- ``haar``: the frontal-face cascade shipped with opencv-python under
  ``cv2.data.haarcascades`` (no download). Frontal, reasonably lit faces.
- ``yunet``: OpenCV's ``cv2.FaceDetectorYN`` (a small CNN, OpenCV >= 4.8)
  with a YuNet ONNX file the user gives, e.g.
  ``face_detection_yunet_2023mar.onnx`` of the OpenCV model zoo
  (``models/face_detection_yunet`` of github.com/opencv/opencv_zoo). It
  also finds turned, small and badly lit faces.
"""
import argparse
import os.path as osp
from typing import Callable, List, Optional, Tuple

import cv2
import numpy as np

Box = Tuple[float, float, float, float]  # x, y, w, h in pixels

#: the ``--detector`` names
DETECTORS = ('haar', 'yunet')


def _downscaled(image: np.ndarray, max_side: int) -> Tuple[np.ndarray, float]:
    """``image`` with its long side at most ``max_side``, and the scale."""
    scale = min(1.0, max_side / max(image.shape[:2]))
    if scale < 1:
        image = cv2.resize(
            image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return image, scale


class HaarFaceDetector:
    """Frontal faces with an OpenCV Haar cascade (bundled with OpenCV).

    Args:
        cascade (str): File name under ``cv2.data.haarcascades`` or a path.
            Defaults to 'haarcascade_frontalface_default.xml'.
        max_side (int): Frames are downscaled so that their long side is at
            most this before detection (boxes are scaled back).
            Defaults to 640.
        scale_factor (float): Cascade pyramid step. Defaults to 1.1.
        min_neighbors (int): Cascade grouping threshold (higher = fewer
            false faces). Defaults to 4.
        min_size (float): Smallest face side as a fraction of the frame's
            short side. Defaults to 0.08.
    """

    def __init__(self,
                 cascade: str = 'haarcascade_frontalface_default.xml',
                 max_side: int = 640,
                 scale_factor: float = 1.1,
                 min_neighbors: int = 4,
                 min_size: float = 0.08) -> None:
        path = cascade if osp.isfile(cascade) else osp.join(
            cv2.data.haarcascades, cascade)
        self.classifier = cv2.CascadeClassifier(path)
        if self.classifier.empty():
            raise FileNotFoundError(
                f'cannot load the Haar cascade {path}; pass a file name from '
                f'{cv2.data.haarcascades} or a path to a cascade xml')
        if not 0 < min_size < 1:
            raise ValueError(f'min_size must be in (0, 1), got {min_size!r}')
        self.max_side = max_side
        self.scale_factor = scale_factor
        self.min_neighbors = min_neighbors
        self.min_size = min_size

    def __call__(self, frame: np.ndarray) -> List[Box]:
        """Detect faces.

        Args:
            frame (np.ndarray): (H, W, 3) uint8 RGB.

        Returns:
            list[Box]: ``(x, y, w, h)`` boxes in frame pixels, left to right.
        """
        gray, scale = _downscaled(
            cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY), self.max_side)
        side = max(12, int(self.min_size * min(gray.shape)))
        found = self.classifier.detectMultiScale(
            gray,
            scaleFactor=self.scale_factor,
            minNeighbors=self.min_neighbors,
            minSize=(side, side))
        # OpenCV returns the boxes in a run-dependent order; sorted, the
        # tracks (and their ids) are the same every run
        return sorted(tuple(float(v) / scale for v in box) for box in found)


class YuNetFaceDetector:
    """Faces with OpenCV's YuNet CNN (``cv2.FaceDetectorYN``).

    Args:
        model (str): The YuNet ONNX file (e.g.
            ``face_detection_yunet_2023mar.onnx`` of the OpenCV model zoo).
        max_side (int): Frames are downscaled so that their long side is at
            most this before detection (boxes are scaled back).
            Defaults to 640.
        score_threshold (float): Smallest face score kept. Defaults to 0.8.
        nms_threshold (float): IoU above which overlapping boxes are merged.
            Defaults to 0.3.
        min_size (float): Smallest face side kept, as a fraction of the
            frame's short side (as the Haar detector's). Defaults to 0.04.
    """

    def __init__(self,
                 model: str,
                 max_side: int = 640,
                 score_threshold: float = 0.8,
                 nms_threshold: float = 0.3,
                 min_size: float = 0.04) -> None:
        if not hasattr(cv2, 'FaceDetectorYN'):
            raise RuntimeError(
                f'OpenCV {cv2.__version__} has no FaceDetectorYN (needs '
                '>= 4.8); upgrade opencv-python or use the haar detector')
        if not model or not osp.isfile(model):
            raise FileNotFoundError(
                f'YuNet model {model!r} not found; download '
                'face_detection_yunet_2023mar.onnx from the OpenCV model zoo '
                '(github.com/opencv/opencv_zoo, models/face_detection_yunet) '
                'and pass its path')
        if not 0 <= min_size < 1:
            raise ValueError(f'min_size must be in [0, 1), got {min_size!r}')
        self.model = model
        self.max_side = max_side
        self.min_size = min_size
        try:
            self.net = cv2.FaceDetectorYN.create(model, '', (320, 320),
                                                 score_threshold,
                                                 nms_threshold)
        except cv2.error as err:
            raise ValueError(f'{model}: OpenCV cannot load it as a YuNet '
                             f'model ({err})') from err
        self._size: Optional[Tuple[int, int]] = None

    def __call__(self, frame: np.ndarray) -> List[Box]:
        """Detect faces.

        Args:
            frame (np.ndarray): (H, W, 3) uint8 RGB.

        Returns:
            list[Box]: ``(x, y, w, h)`` boxes in frame pixels, left to right.
        """
        image, scale = _downscaled(frame, self.max_side)
        size = (image.shape[1], image.shape[0])  # (w, h)
        if size != self._size:
            self.net.setInputSize(size)
            self._size = size
        _, faces = self.net.detect(cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
        if faces is None:
            return []
        side = self.min_size * min(image.shape[:2])
        boxes = [
            tuple(float(v) / scale for v in face[:4]) for face in faces
            if min(face[2], face[3]) >= side
        ]
        return sorted(boxes)


def build_face_detector(name: str = 'haar',
                        max_side: int = 640,
                        model: Optional[str] = None) -> Callable:
    """The detector of a ``--detector`` name.

    Args:
        name (str): ``'haar'`` or ``'yunet'``. Defaults to 'haar'.
        max_side (int): Long side frames are downscaled to. Defaults to 640.
        model (str, optional): The YuNet ONNX file (``'yunet'`` only).

    Returns:
        Callable: ``RGB frame -> boxes``.
    """
    if name == 'haar':
        if model is not None:
            raise ValueError('a model file is for --detector yunet; the haar '
                             'cascade is bundled with OpenCV')
        return HaarFaceDetector(max_side=max_side)
    if name == 'yunet':
        return YuNetFaceDetector(model, max_side=max_side)
    raise ValueError(f'detector must be one of {DETECTORS}, got {name!r}')


def add_face_detection_arguments(parser: argparse.ArgumentParser) -> None:
    """The face options of ``tools/infer.py`` and ``tools/stream.py``:
    ``--margin``, ``--det-fps``, ``--det-size``, ``--detector``,
    ``--yunet-model`` (checked by :func:`check_face_detection_arguments`)."""
    parser.add_argument(
        '--margin',
        type=float,
        default=0.25,
        help='face crop margin per side (fraction of the face box)')
    parser.add_argument(
        '--det-fps',
        type=float,
        default=5.0,
        help='face detections per second of video')
    parser.add_argument(
        '--det-size',
        type=int,
        default=640,
        help='frames are downscaled to this long side for face detection '
        '(smaller = faster, misses small faces)')
    parser.add_argument(
        '--detector',
        choices=DETECTORS,
        default='haar',
        help='face detector: OpenCV\'s bundled Haar cascade, or YuNet '
        '(cv2.FaceDetectorYN) with --yunet-model')
    parser.add_argument(
        '--yunet-model',
        help='YuNet ONNX file for --detector yunet, e.g. '
        'face_detection_yunet_2023mar.onnx of the OpenCV model zoo')


def check_face_detection_arguments(parser: argparse.ArgumentParser,
                                   args: argparse.Namespace) -> None:
    """``parser.error`` unless ``--detector`` and ``--yunet-model`` go
    together."""
    if args.detector == 'yunet' and not args.yunet_model:
        parser.error('--detector yunet needs --yunet-model FILE (a YuNet '
                     'ONNX file, e.g. face_detection_yunet_2023mar.onnx of '
                     'the OpenCV model zoo)')
    if args.yunet_model and args.detector != 'yunet':
        parser.error('--yunet-model is for --detector yunet')
