"""Small media writers shared by the dataset and transform tests."""
import os
import os.path as osp

import av
import cv2
import numpy as np
import pytest
import soundfile as sf


def _write_mp4(path, values, size=(24, 32), audio=None, audio_rate=16000):
    """An mp4 whose frame i is a flat grey of ``values[i]`` (+ AAC track)."""
    container = av.open(path, 'w')
    video = container.add_stream('libx264', rate=8)
    video.height, video.width = size
    video.pix_fmt = 'yuv420p'
    video.options = {'crf': '10', 'preset': 'ultrafast', 'threads': '1'}
    stream = None
    if audio is not None:
        stream = container.add_stream('aac', rate=audio_rate)
        stream.layout = 'mono'
    for v in values:
        img = np.full((*size, 3), v, np.uint8)
        for packet in video.encode(av.VideoFrame.from_ndarray(img, 'rgb24')):
            container.mux(packet)
    for packet in video.encode():
        container.mux(packet)
    if stream is not None:
        frame = av.AudioFrame.from_ndarray(
            audio[None].astype(np.float32), format='fltp', layout='mono')
        frame.sample_rate = audio_rate
        frame.pts = 0
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    container.close()
    return path


def _write_frames(folder, names, values, size=(20, 20)):
    """Images named ``names`` (written in the given order), flat greys."""
    os.makedirs(folder, exist_ok=True)
    for name, v in zip(names, values):
        cv2.imwrite(osp.join(folder, name), np.full((*size, 3), v, np.uint8))
    return folder


def _write_wav(path, wave, rate, subtype='PCM_16'):
    sf.write(path, wave, rate, subtype=subtype)
    return path


def sine(freq, rate, seconds, amp=0.5):
    t = np.arange(int(rate * seconds)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def dominant_frequency(wave, rate):
    spectrum = np.abs(np.fft.rfft(wave))
    return np.fft.rfftfreq(wave.size, 1 / rate)[np.argmax(spectrum)]


@pytest.fixture
def media_writer():
    """Namespace of media writers and signal helpers."""

    class Media:
        mp4 = staticmethod(_write_mp4)
        frames = staticmethod(_write_frames)
        wav = staticmethod(_write_wav)

    Media.sine = staticmethod(sine)
    Media.dominant_frequency = staticmethod(dominant_frequency)
    return Media
