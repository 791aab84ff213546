"""Inference on your own videos: the Python API behind tools/infer.py."""
from .face_tracking import (FaceTrack, FaceTracker, HaarFaceDetector,
                            detect_and_track, square_crop)
from .in_memory_transforms import (AudioSegment, FrameSequence, InMemoryAudio,
                                   InMemoryFaceSceneFrames, make_record)
from .inference import (build_inference_pipeline, inference_recognizer,
                        init_recognizer, predict_records)
from .video_inference import infer_video
from .video_source import VIDEO_EXTENSIONS, VideoSource, load_sound
from .windows import overall_scores, sliding_windows, smooth_scores

__all__ = [
    'init_recognizer', 'inference_recognizer', 'infer_video',
    'predict_records', 'build_inference_pipeline', 'HaarFaceDetector',
    'FaceTracker', 'FaceTrack', 'square_crop', 'detect_and_track',
    'FrameSequence', 'AudioSegment', 'InMemoryFaceSceneFrames',
    'InMemoryAudio', 'make_record', 'VideoSource', 'load_sound',
    'VIDEO_EXTENSIONS', 'sliding_windows', 'smooth_scores', 'overall_scores'
]
