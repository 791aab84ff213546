"""umbe.apis.face_detectors: the YuNet wrapper (OpenCV's FaceDetectorYN
stubbed: no model file in the tests) and the --detector choice."""
import os

import cv2
import numpy as np
import pytest

from umbe.apis import (HaarFaceDetector, YuNetFaceDetector,
                       build_face_detector)
from umbe.testing.synthetic_video import face_frames


class FakeYuNet:
    """Records what FaceDetectorYN gets; finds two faces (x, y, w, h, 10
    landmark values, score) in input pixels."""
    created = []

    def __init__(self, model, config, size, score, nms):
        self.args = (model, config, size, score, nms)
        self.sizes, self.images = [], []
        FakeYuNet.created.append(self)

    def setInputSize(self, size):
        self.sizes.append(size)

    def detect(self, image):
        self.images.append(image)
        faces = np.zeros((3, 15), np.float32)
        faces[0, :4] = (200, 40, 60, 80)  # right
        faces[1, :4] = (20, 30, 50, 50)  # left
        faces[2, :4] = (5, 5, 3, 3)  # too small
        faces[:, 14] = 0.95
        return 1, faces


@pytest.fixture
def fake_yunet(monkeypatch, tmp_path):
    FakeYuNet.created = []
    monkeypatch.setattr(cv2.FaceDetectorYN, 'create', FakeYuNet, raising=False)
    model = tmp_path / 'face_detection_yunet_2023mar.onnx'
    model.write_bytes(b'onnx')
    return str(model)


def test_opencv_has_facedetectoryn():
    assert hasattr(cv2, 'FaceDetectorYN')  # opencv >= 4.8


def test_yunet_scales_boxes_back_and_orders_them(fake_yunet):
    detector = YuNetFaceDetector(fake_yunet, max_side=320, min_size=0.05)
    frame = np.zeros((480, 640, 3), np.uint8)
    frame[..., 0] = 255  # red in RGB
    boxes = detector(frame)
    (net, ) = FakeYuNet.created
    assert net.args[0] == fake_yunet and net.args[3:] == (0.8, 0.3)
    assert net.sizes == [(320, 240)]  # downscaled by 2
    image = net.images[0]
    assert image.shape == (240, 320, 3) and image[0, 0].tolist() == [0, 0, 255]
    assert boxes == [(40., 60., 100., 100.), (400., 80., 120., 160.)]
    detector(frame)
    assert net.sizes == [(320, 240)]  # the input size is set once


def test_yunet_errors_name_the_file_and_where_to_get_it(tmp_path):
    with pytest.raises(FileNotFoundError, match='opencv_zoo'):
        YuNetFaceDetector(str(tmp_path / 'missing.onnx'))
    bad = tmp_path / 'bad.onnx'
    bad.write_bytes(b'not an onnx model')
    with pytest.raises(ValueError, match='cannot load it as a YuNet'):
        YuNetFaceDetector(str(bad))


def test_build_face_detector(fake_yunet):
    assert isinstance(build_face_detector('haar', 320), HaarFaceDetector)
    yunet = build_face_detector('yunet', 320, fake_yunet)
    assert isinstance(yunet, YuNetFaceDetector) and yunet.max_side == 320
    with pytest.raises(ValueError, match='haar cascade is bundled'):
        build_face_detector('haar', 640, fake_yunet)
    with pytest.raises(FileNotFoundError):
        build_face_detector('yunet', 640, None)
    with pytest.raises(ValueError, match="one of \\('haar', 'yunet'\\)"):
        build_face_detector('mtcnn')


@pytest.mark.skipif(
    not os.path.isfile(os.environ.get('UMBE_YUNET_ONNX', '')),
    reason='set UMBE_YUNET_ONNX to a YuNet ONNX file to run the real model')
def test_real_yunet_finds_the_drawn_face():
    detector = YuNetFaceDetector(os.environ['UMBE_YUNET_ONNX'])
    frame = face_frames(0.2, fps=5, size=(320, 240))[0]
    (box, ) = detector(frame)
    assert box[0] < 160 < box[0] + box[2]
