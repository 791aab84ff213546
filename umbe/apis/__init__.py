"""Inference on your own videos: the Python API behind tools/infer.py."""
from .face_tracking import (FaceTrack, FaceTracker, HaarFaceDetector,
                            square_crop)
from .in_memory_transforms import (AudioSegment, FrameSequence, InMemoryAudio,
                                   InMemoryFaceSceneFrames, make_record)
from .inference import (build_inference_pipeline, inference_recognizer,
                        init_recognizer, predict_records)
from .video_inference import VIDEO_EXTENSIONS, VideoSource, infer_video
from .windows import overall_scores, sliding_windows, smooth_scores

__all__ = [
    'init_recognizer', 'inference_recognizer', 'infer_video',
    'predict_records', 'build_inference_pipeline', 'HaarFaceDetector',
    'FaceTracker', 'FaceTrack', 'square_crop', 'FrameSequence', 'AudioSegment',
    'InMemoryFaceSceneFrames', 'InMemoryAudio', 'make_record', 'VideoSource',
    'VIDEO_EXTENSIONS', 'sliding_windows', 'smooth_scores', 'overall_scores'
]
