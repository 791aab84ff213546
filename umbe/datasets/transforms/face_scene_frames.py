"""Loading of the face and scene frames of a clip."""
from typing import Dict, List, Optional

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from umbe.registry import TRANSFORMS
from ..utils import BadClipError, list_images, uniform_indices


@TRANSFORMS.register_module()
class LoadFaceSceneFrames(BaseTransform):
    """Sample T time points of a clip's face frames and scene frames.

    Sources: the face frames come from ``frame_dir`` (aligned crops, natural
    sort on the last number of the stem); the scene frames from ``scene_dir``
    when given, else decoded from the video ``filename`` with decord (only the
    sampled frames are decoded). Both sources are sampled at the same
    relative time points, uniformly and in order; when a source has fewer
    than ``clip_len`` frames all its frames are used and the rest is zero
    padding with ``frame_mask`` False. A visual source the record does not
    have marks its modality absent (zeros, ``present`` False).

    The scene is resized on its short side then centre cropped (never
    letterboxed); the face crop is resized to a square.

    Required keys: ``filename`` / ``frame_dir`` / ``scene_dir`` (at least
    one). Added keys: ``face`` uint8 (T, 3, Hf, Wf), ``scene`` uint8
    (T, 3, Hs, Ws), ``frame_mask`` bool (T,), ``num_frames``,
    ``present['face']``, ``present['scene']``.

    Args:
        clip_len (int): Frames T per clip. Defaults to 16.
        face_size (int): Side of the face frames. Defaults to 224.
        scene_size (int): Side of the scene frames. Defaults to 224.
        num_threads (int): decord decoding threads. Defaults to 1.
    """

    def __init__(self,
                 clip_len: int = 16,
                 face_size: int = 224,
                 scene_size: int = 224,
                 num_threads: int = 1) -> None:
        for name, value in (('clip_len', clip_len), ('face_size', face_size),
                            ('scene_size', scene_size)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(
                    f'{name} must be a positive int, got {value!r}')
        self.clip_len = clip_len
        self.face_size = face_size
        self.scene_size = scene_size
        self.num_threads = num_threads

    # ------------------------------------------------------------ sources
    @staticmethod
    def _image_source(folder: str) -> List[str]:
        try:
            paths = list_images(folder)
        except OSError as err:
            raise BadClipError(folder, f'cannot list the frame folder ({err})'
                               '; check the record path') from err
        if not paths:
            raise BadClipError(
                folder, 'the frame folder holds no images; remove the '
                'record or fill the folder')
        return paths

    @staticmethod
    def _read_images(paths: List[str], indices: np.ndarray) -> List[
            np.ndarray]:
        frames = []
        for i in indices:
            img = cv2.imread(paths[i], cv2.IMREAD_COLOR)
            if img is None:
                raise BadClipError(
                    paths[i], 'cannot decode this image; replace or delete '
                    'the file')
            frames.append(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
        return frames

    def _open_video(self, filename: str):
        import decord
        try:
            return decord.VideoReader(
                filename, ctx=decord.cpu(0), num_threads=self.num_threads)
        except Exception as err:  # decord raises its own DECORDError
            raise BadClipError(
                filename, f'cannot decode the video ({err}); re-encode or '
                'remove the clip, or set skip_bad_clips=True in the dataset'
            ) from err

    @staticmethod
    def _read_video(reader, filename: str,
                    indices: np.ndarray) -> List[np.ndarray]:
        try:
            batch = reader.get_batch(indices.tolist()).asnumpy()
        except Exception as err:
            raise BadClipError(
                filename, f'cannot decode frames {indices.tolist()} ({err}); '
                're-encode or remove the clip') from err
        return list(batch)

    # ------------------------------------------------------------ resizing
    def _resize_scene(self, img: np.ndarray) -> np.ndarray:
        h, w = img.shape[:2]
        scale = self.scene_size / min(h, w)
        nh = max(self.scene_size, int(round(h * scale)))
        nw = max(self.scene_size, int(round(w * scale)))
        img = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA
                         if scale < 1 else cv2.INTER_LINEAR)
        top, left = (nh - self.scene_size) // 2, (nw - self.scene_size) // 2
        return img[top:top + self.scene_size, left:left + self.scene_size]

    def _resize_face(self, img: np.ndarray) -> np.ndarray:
        scale = self.face_size / max(img.shape[:2])
        return cv2.resize(
            img, (self.face_size, self.face_size),
            interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)

    def _stack(self, frames: List[np.ndarray], size: int) -> np.ndarray:
        out = np.zeros((self.clip_len, 3, size, size), np.uint8)
        for t, img in enumerate(frames):
            out[t] = img.transpose(2, 0, 1)  # (3, H, W)
        return out

    def transform(self, results: Dict) -> Dict:
        """Load the frames.

        Args:
            results (dict): The record, with the keys above.

        Returns:
            dict: ``results`` with ``face``, ``scene``, ``frame_mask``.
        """
        present = results.setdefault('present', {})
        face_dir: Optional[str] = results.get('frame_dir')
        scene_dir: Optional[str] = results.get('scene_dir')
        filename: Optional[str] = results.get('filename')

        face_paths = self._image_source(face_dir) if face_dir else None
        scene_paths = self._image_source(scene_dir) if scene_dir else None
        reader = None
        if scene_paths is None and filename:
            reader = self._open_video(filename)
        lengths = [len(p) for p in (face_paths, scene_paths) if p]
        if reader is not None:
            lengths.append(len(reader))
        if not lengths:
            raise BadClipError(
                str(results.get('clip_id', filename)),
                'the record has no visual source; give filename, frame_dir '
                'or scene_dir')
        num = min(min(lengths), self.clip_len)
        if num == 0:
            raise BadClipError(filename, 'the video has no frames')

        def positions(length):
            # num points, the same relative times in every source
            return uniform_indices(length, num)

        if face_paths:
            faces = self._read_images(face_paths,
                                      positions(len(face_paths)))
            results['face'] = self._stack(
                [self._resize_face(f) for f in faces], self.face_size)
        else:
            results['face'] = self._stack([], self.face_size)
        present['face'] = bool(face_paths)

        if scene_paths:
            scenes = self._read_images(scene_paths,
                                       positions(len(scene_paths)))
        elif reader is not None:
            scenes = self._read_video(reader, filename,
                                      positions(len(reader)))
        else:
            scenes = []
        results['scene'] = self._stack(
            [self._resize_scene(s) for s in scenes], self.scene_size)
        present['scene'] = bool(scenes)

        mask = np.zeros(self.clip_len, dtype=bool)
        mask[:num] = True
        results['frame_mask'] = mask
        results['num_frames'] = num
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, '
                f'face_size={self.face_size}, scene_size={self.scene_size})')
