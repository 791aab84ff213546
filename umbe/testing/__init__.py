"""Media and datasets generated for the tests and the demo (not part of the
user API): synthetic talking-face videos, the demo dataset."""
from .demo_dataset import (DEMO_CLASSES, DEMO_CLIPS_PER_CLASS,
                           generate_demo_dataset)
from .synthetic_video import draw_face, face_frames, tone, write_video

__all__ = [
    'DEMO_CLASSES', 'DEMO_CLIPS_PER_CLASS', 'generate_demo_dataset',
    'draw_face', 'face_frames', 'tone', 'write_video'
]
