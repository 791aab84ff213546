import subprocess
import sys

import numpy as np
import pytest

from umbe.apis import HaarFaceDetector, VideoSource, load_sound
from umbe.testing.synthetic_video import face_frames, tone, write_video
from umbe.apis.video_source import VIDEO_EXTENSIONS

FORMATS = (('mp4', 'libx264'), ('avi', 'mpeg4'), ('mkv', 'libx264'),
           ('flv', 'flv'), ('webm', 'libvpx'), ('mov', 'libx264'))
# encoded in a fresh process: inside a long pytest process libvpx's
# avcodec_open2 sometimes returns EINVAL (decoding, the thing under test,
# is unaffected)
ENCODE = """
import sys
import av
import numpy as np
frames = np.load(sys.argv[1])
for arg in sys.argv[2:]:
    path, codec = arg.split('=')
    with av.open(path, 'w') as container:
        stream = container.add_stream(codec, rate=10)
        stream.height, stream.width = frames.shape[1:3]
        stream.pix_fmt = 'yuv420p'
        for rgb in frames:
            for packet in stream.encode(
                    av.VideoFrame.from_ndarray(rgb, format='rgb24')):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
"""


@pytest.fixture(scope='module')
def formats(tmp_path_factory):
    root = tmp_path_factory.mktemp('formats')
    np.save(root / 'frames.npy', face_frames(1.0, 10))
    paths = {ext: str(root / f'clip.{ext}') for ext, _ in FORMATS}
    subprocess.run(
        [sys.executable, '-c', ENCODE,
         str(root / 'frames.npy')] +
        [f'{paths[ext]}={codec}' for ext, codec in FORMATS],
        check=True,
        timeout=120)
    return paths


@pytest.mark.parametrize('ext', [ext for ext, _ in FORMATS])
def test_every_listed_container_decodes(formats, ext):
    assert f'.{ext}' in VIDEO_EXTENSIONS
    source = VideoSource(formats[ext])
    assert source.num_frames == 10
    assert source.fps == pytest.approx(10.0)
    assert source.duration == pytest.approx(1.0)
    (frame, ) = source.read([5])
    assert frame.shape == (120, 160, 3) and frame.dtype == np.uint8
    assert len(HaarFaceDetector()(frame)) == 1
    # decoded forward, the frames decord's random access gives
    import decord
    reader = decord.VideoReader(formats[ext], num_threads=1)
    ids = [0, 3, 4, 9]
    got = VideoSource(formats[ext]).read(ids)
    for a, b in zip(got, reader.get_batch(ids).asnumpy()):
        np.testing.assert_array_equal(a, b)


def test_reads_in_the_order_asked_with_a_bounded_cache(tmp_path):
    frames = face_frames(2.0, 10)
    path = write_video(str(tmp_path / 'v.mp4'), frames, 10)
    timings = {}
    source = VideoSource(path, cache_size=4, timings=timings)
    got = source.read([7, 2, 7])
    assert np.abs(got[0].astype(int) - got[2]).max() == 0
    assert np.abs(got[0].astype(int) - frames[7]).mean() < 8  # lossy codec
    source.read(list(range(10)))
    assert len(source.cache) == 10  # one request is never cut short
    source.read([11])
    assert len(source.cache) == 4
    assert timings['decode'] > 0


def test_reads_forward_and_reopens_to_go_back(tmp_path):
    path = write_video(str(tmp_path / 'v.mp4'), face_frames(3.0, 10), 10)
    source = VideoSource(path, cache_size=2)
    first = source.read([5, 20])
    assert source.reopens == 0 and source._next == 21
    source.read([25, 29])  # forward: the same decoder
    assert source.reopens == 0
    again = source.read([5])  # behind the decoder, no longer cached
    assert source.reopens == 1
    np.testing.assert_array_equal(again[0], first[0])
    with pytest.raises(IndexError, match='the video has 30'):
        source.read([30])


def test_load_sound_notes(tmp_path):
    with_track = write_video(
        str(tmp_path / 'a.mp4'), face_frames(1.0, 10), 10, audio=tone(1.0))
    without = write_video(str(tmp_path / 'b.mp4'), face_frames(1.0, 10), 10)
    notes = []
    wave, rate = load_sound(with_track, 'track', notes)
    assert rate == 16000 and wave.size >= 16000 and not notes
    assert np.abs(wave).max() == pytest.approx(0.3, abs=0.05)
    assert load_sound(without, 'track', notes) is None
    assert 'no audio track' in notes[-1]
    assert load_sound(with_track, None, notes) is None
    assert 'audio not used' in notes[-1]
    bad = tmp_path / 'bad.wav'
    bad.write_text('not a wav')
    assert load_sound(with_track, str(bad), notes) is None
    assert str(bad) in notes[-1] and 'marked missing' in notes[-1]
