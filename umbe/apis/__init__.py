"""Inference on your own videos: the Python API behind tools/infer.py.

No circle inside: ``inference`` (init_recognizer, inference_recognizer)
imports ``video_inference`` (infer_video), which imports its three steps
(``windows``, ``window_records``, ``timeline``) and ``predict``
(predict_records), which imports ``pipeline`` (build_inference_pipeline);
docs/inference.md lists every module.
"""
from .face_detectors import (DETECTORS, HaarFaceDetector, YuNetFaceDetector,
                             add_face_detection_arguments,
                             build_face_detector,
                             check_face_detection_arguments)
from .face_tracking import (FaceTrack, FaceTracker, detect_and_track,
                            square_crop)
from .feature_extraction import (extract_split_features,
                                 extract_video_features, load_features,
                                 reproduce_logits, save_features)
from .frame_embeddings import EmbeddingCache, FrozenFeatureEncoder
from .in_memory_transforms import (AudioSegment, FrameSequence, InMemoryAudio,
                                   InMemoryFaceSceneFrames, make_record)
from .inference import inference_recognizer, init_recognizer
from .pipeline import (build_inference_pipeline, clip_seconds,
                       inference_settings)
from .predict import predict_records
from .stream import StreamRecognizer
from .stream_sources import open_stream_source
from .timeline import overall_scores, smooth_scores, summarise_timeline
from .video_inference import infer_video
from .video_results import (RESULT_EXTENSIONS, failure_reason, format_result,
                            json_ready, result_persons, write_results,
                            write_results_csv, write_results_json)
from .video_source import (VIDEO_EXTENSIONS, VideoSource, collect_videos,
                           load_sound)
from .windows import VideoWindow, WindowPlan, plan_windows, sliding_windows

__all__ = [
    'init_recognizer', 'inference_recognizer', 'infer_video',
    'predict_records', 'build_inference_pipeline', 'inference_settings',
    'clip_seconds', 'HaarFaceDetector', 'YuNetFaceDetector',
    'build_face_detector', 'add_face_detection_arguments',
    'check_face_detection_arguments', 'DETECTORS', 'FaceTracker', 'FaceTrack',
    'EmbeddingCache', 'FrozenFeatureEncoder',
    'square_crop', 'detect_and_track', 'FrameSequence', 'AudioSegment',
    'InMemoryFaceSceneFrames', 'InMemoryAudio', 'make_record', 'VideoSource',
    'load_sound', 'VIDEO_EXTENSIONS', 'collect_videos', 'RESULT_EXTENSIONS',
    'result_persons', 'json_ready', 'format_result', 'failure_reason',
    'write_results', 'write_results_json', 'write_results_csv', 'VideoWindow',
    'WindowPlan', 'plan_windows', 'sliding_windows', 'smooth_scores',
    'overall_scores', 'summarise_timeline', 'StreamRecognizer',
    'open_stream_source', 'extract_split_features', 'extract_video_features',
    'save_features', 'load_features', 'reproduce_logits'
]
