"""Tiny fake DFEW, FERV39k and MAFW releases in the official layouts.

Media are real but small: 32x32 mp4 clips of 4 frames (MPEG-4 video, AAC
audio at 16 kHz), 16x16 jpg frames. Each builder takes the layout variants
that docs/datasets.md lists as uncertain.
"""
import os
import os.path as osp
import zipfile
from typing import Callable, List, Optional, Sequence
from xml.sax.saxutils import escape

import av
import cv2
import numpy as np

DFEW_NAMES = ('happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust',
              'fear')
MAFW_NAMES = ('anger', 'disgust', 'fear', 'happiness', 'neutral', 'sadness',
              'surprise', 'contempt', 'anxiety', 'helplessness',
              'disappointment')


def write_video(path: str,
                audio: bool = True,
                frames: int = 4,
                tone_hz: float = 440.0) -> None:
    """Write a tiny mp4 clip, with an AAC track unless ``audio`` is False."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    with av.open(path, 'w') as out:
        video = out.add_stream('mpeg4', rate=8)
        video.width = video.height = 32
        video.pix_fmt = 'yuv420p'
        sound = out.add_stream('aac', rate=16000) if audio else None
        if sound is not None:
            sound.layout = 'mono'
        for i in range(frames):
            image = np.full((32, 32, 3), 30 * i, np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format='rgb24')
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        if sound is not None:
            t = np.arange(8000) / 16000
            wave = (0.3 * np.sin(2 * np.pi * tone_hz * t)).astype(np.float32)
            for start in range(0, wave.size, 1024):
                chunk = wave[None, start:start + 1024]
                frame = av.AudioFrame.from_ndarray(
                    chunk, format='fltp', layout='mono')
                frame.sample_rate = 16000
                for packet in sound.encode(frame):
                    out.mux(packet)
            for packet in sound.encode():
                out.mux(packet)


def write_corrupt(path: str) -> None:
    """Write a file with an mp4 name that no decoder can open."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(b'\x00\x00\x00\x18ftypmp42 this clip was cut off')


def write_frames(folder: str, names: Sequence[str]) -> None:
    """Write 16x16 jpg frames with the given file names."""
    os.makedirs(folder, exist_ok=True)
    for i, name in enumerate(names):
        cv2.imwrite(
            osp.join(folder, name), np.full((16, 16, 3), 10 * i, np.uint8))


def write_text(path: str, lines: List[str], encoding: str = 'utf-8') -> None:
    """Write lines (with a final newline) in the given encoding."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', encoding=encoding, newline='') as f:
        f.write('\n'.join(lines) + '\n')


def write_xlsx(path: str, rows: List[list], shared: bool = False) -> None:
    """Write a one-sheet .xlsx (inline or shared strings) without openpyxl."""
    ns = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
    rel = ('http://schemas.openxmlformats.org/officeDocument/2006/'
           'relationships')
    strings: List[str] = []
    sheet_rows = []
    for r, row in enumerate(rows, 1):
        cells = []
        for c, value in enumerate(row):
            ref = f'{chr(ord("A") + c)}{r}'
            if isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif shared:
                strings.append(str(value))
                cells.append(
                    f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>'
                             f'{escape(str(value))}</t></is></c>')
        sheet_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    os.makedirs(osp.dirname(path), exist_ok=True)
    with zipfile.ZipFile(path, 'w') as z:
        z.writestr(
            'xl/workbook.xml',
            f'<workbook xmlns="{ns}" xmlns:r="{rel}"><sheets><sheet '
            'name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr(
            'xl/_rels/workbook.xml.rels',
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="'
            f'{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            '</Relationships>')
        z.writestr(
            'xl/worksheets/sheet1.xml',
            f'<worksheet xmlns="{ns}"><sheetData>{"".join(sheet_rows)}'
            '</sheetData></worksheet>')
        if shared:
            z.writestr(
                'xl/sharedStrings.xml', f'<sst xmlns="{ns}">' +
                ''.join(f'<si><t>{escape(s)}</t></si>'
                        for s in strings) + '</sst>')


def dfew_clips(per_class: int = 3) -> List[tuple]:
    """``(int id, official label 1..7)`` of a fake DFEW, ids not contiguous."""
    return [(10 * (c * per_class + i) + 7, c + 1)
            for c in range(len(DFEW_NAMES)) for i in range(per_class)]


def make_dfew(root: str,
              split_dirs: Sequence[str] = ('train(single-labeled)',
                                           'test(single-labeled)'),
              header: bool = True,
              padded_ids: bool = False,
              padded_mp4: bool = False,
              nested: bool = False,
              frame_parts: bool = False,
              frame_names: Optional[Sequence[str]] = None,
              no_audio: Sequence[int] = (),
              corrupt: Sequence[int] = (),
              extra_lines: Sequence[str] = ()) -> List[tuple]:
    """Build a fake DFEW under ``root``; test fold k holds clips i % 5 == k-1.

    Returns:
        list[tuple]: ``(id, official label)`` of the clips.
    """
    clips = dfew_clips()
    base = osp.join(root, 'DFEW') if nested else root
    frames = osp.join(base, 'Clip', 'clip_224x224')
    if nested:
        frames = osp.join(frames, 'clip_224x224')
    names = frame_names or ('1.jpg', '2.jpg', '3.jpg')
    for i, (clip, label) in enumerate(clips):
        folder = frames
        if frame_parts:  # one folder per unpacked part archive
            folder = osp.join(base, 'Clip', f'clip_224x224_part_{1 + i % 2}')
            if i % 2:
                folder = osp.join(folder, 'clip_224x224')
        write_frames(osp.join(folder, f'{clip:05d}'), names)
        stem = f'{clip:05d}' if padded_mp4 else str(clip)
        video = osp.join(base, 'Clip', 'original', f'part_{1 + i % 2}',
                         f'{stem}.mp4')
        if clip in corrupt:
            write_corrupt(video)
        else:
            write_video(video, audio=clip not in no_audio)
    for k in range(1, 6):
        for part, split_dir in zip(('train', 'test'), split_dirs):
            rows = [(c, lab) for i, (c, lab) in enumerate(clips)
                    if (i % 5 == k - 1) == (part == 'test')]
            lines = ['video_name,label'] if header else []
            lines += [f'{c:05d},{lab}' if padded_ids else f'{c},{lab}'
                      for c, lab in rows]
            if part == 'train' and k == 1:
                lines += list(extra_lines)
            write_text(
                osp.join(base, 'EmoLabel_DataSplit', split_dir,
                         f'set_{k}.csv'), lines)
    return clips


def mafw_clips(per_class: int = 2) -> List[tuple]:
    """``(int id, label name)`` of a fake MAFW (ids not contiguous)."""
    return [(100 * c + 3 * i + 25, name)
            for c, name in enumerate(MAFW_NAMES) for i in range(per_class)]


def make_mafw(root: str,
              caption_source: str = 'xlsx',
              xlsx_header: bool = False,
              shared_strings: bool = False,
              face_frames: bool = True,
              no_audio: Sequence[int] = (),
              corrupt: Sequence[int] = (),
              extra_lines: Sequence[str] = (),
              missing: Sequence[str] = ()) -> List[tuple]:
    """Build a fake MAFW under ``root``; test fold k holds clips i % 5 == k-1.

    Args:
        caption_source (str): ``'xlsx'`` (Labels/descriptive_text.xlsx),
            ``'lists'`` (single/with_caption, GB18030, tab-separated) or
            ``'none'``. Neutral clips have no caption, as in the release.
        xlsx_header (bool): Whether the sheet has a header row.
        shared_strings (bool): Store the sheet's text as shared strings.
        face_frames (bool): 16x16 face crops in data/frames, else 48x32 full
            frames.
        missing (Sequence[str]): Split files to leave out, as
            ``'set_3/test.txt'``.

    Returns:
        list[tuple]: ``(id, label name)`` of the clips.
    """
    clips = mafw_clips()
    base = osp.join(root, 'MAFW')
    size = (16, 16) if face_frames else (32, 48)
    for i, (clip, name) in enumerate(clips):
        folder = osp.join(base, 'data', 'frames', f'{clip:05d}')
        os.makedirs(folder, exist_ok=True)
        for j in (1, 2, 10):
            cv2.imwrite(
                osp.join(folder, f'{clip:05d}_{j}.png'),
                np.full(size + (3, ), 20 * j, np.uint8))
        video = osp.join(base, 'data', 'clips', f'{clip:05d}.mp4')
        if clip in corrupt:
            write_corrupt(video)
        else:
            write_video(video, audio=clip not in no_audio)
    captions = {c: f'A person shows {n} (clip {c}).'
                for c, n in clips if n != 'neutral'}
    sets = osp.join(base, 'Train & Test Set')
    for k in range(1, 6):
        for part in ('train', 'test'):
            rows = [(c, n) for i, (c, n) in enumerate(clips)
                    if (i % 5 == k - 1) == (part == 'test')]
            if f'set_{k}/{part}.txt' not in missing:
                lines = [f'{c:05d}.mp4 {n}' for c, n in rows]
                if part == 'train' and k == 1:
                    lines += list(extra_lines)
                write_text(
                    osp.join(sets, 'single', 'no_caption', f'set_{k}',
                             f'{part}.txt'), lines)
            # the compound set must never be read for the 11 classes
            write_text(
                osp.join(sets, 'compound', 'no_caption', f'set_{k}',
                         f'{part}.txt'),
                [f'{c:05d}.mp4 anger_sadness' for c, _ in rows])
            if caption_source == 'lists':
                write_text(
                    osp.join(sets, 'single', 'with_caption', f'set_{k}',
                             f'{part}.txt'),
                    [f'{c:05d}.mp4\t{n}\t一个人\t{captions[c]}'
                     for c, n in rows if c in captions], encoding='gb18030')
    if caption_source == 'xlsx':
        rows = [['name', '中文', 'e_cap']] if xlsx_header else []
        rows += [[f'{c:05d}', '一个人', text]
                 for c, text in sorted(captions.items())]
        write_xlsx(
            osp.join(base, 'Labels', 'descriptive_text.xlsx'), rows,
            shared=shared_strings)
    return clips


def make_ferv39k(root: str,
                 nested: bool = True,
                 scene_frames: bool = True,
                 header: bool = False,
                 extra_lines: Sequence[str] = (),
                 missing_frames: Sequence[str] = ()) -> List[tuple]:
    """Build a fake FERV39k under ``root``: 2 scenes, 3 clips per class.

    Returns:
        list[tuple]: ``(relative clip path, class name, split)``.
    """
    names = ('Happy', 'Sad', 'Neutral', 'Angry', 'Surprise', 'Disgust',
             'Fear')
    clips = []
    for c, name in enumerate(names):
        for i in range(3):
            scene = ('Action', 'DailyLife')[i % 2]
            rel = f'{scene}/{name}/{c * 10 + i + 1:04d}'
            clips.append((rel, name, 'test' if i == 2 else 'train'))
    face = osp.join(root, '2_ClipsforFaceCrop')
    if nested:
        face = osp.join(face, '2_ClipsforFaceCrop')
    for rel, name, _ in clips:
        if rel not in missing_frames:
            write_frames(osp.join(face, rel), ('3.jpg', '1.jpg', '2.jpg'))
        if scene_frames:
            write_frames(
                osp.join(root, '3_ClipsforScenImages', rel), ('1.jpg', ))
        write_video(osp.join(root, '0_7_LabelClips', rel + '.mp4'), False)
    for split in ('train', 'test'):
        lines = ['path label'] if header else []
        lines += [f'{rel} {name}' for rel, name, s in clips if s == split]
        if split == 'train':
            lines += list(extra_lines)
        write_text(
            osp.join(root, '4_setups', 'All_scenes', f'{split}_All.csv'),
            lines)
    return clips


def runner(prepare: Callable, **options):
    """``run(root, out, **extra)``: ``prepare(root, out, **options,
    **extra)`` (a ``prepare_<dataset>`` function), returning its report."""

    def run(root, out, **extra):
        return prepare(str(root), str(out), **dict(options, **extra))

    return run


def prepare_release(tmp_path_factory, prefix: str, make, run,
                    **make_kwargs) -> tuple:
    """Build a fake release with ``make(root, **make_kwargs)`` in a fresh
    folder ``<prefix>_release`` and prepare it into ``<prefix>_out``.

    Returns:
        tuple: ``(root, out, clips, report)``.
    """
    root = tmp_path_factory.mktemp(f'{prefix}_release')
    out = tmp_path_factory.mktemp(f'{prefix}_out')
    clips = make(str(root), **make_kwargs)
    return root, out, clips, run(root, out)


def read_split(out_dir: str, name: str) -> list:
    """The records of ``OUT_DIR/annotations/<name>.json``."""
    import json
    with open(osp.join(out_dir, 'annotations', f'{name}.json')) as f:
        return json.load(f)


def snapshot(folder: str) -> dict:
    """path -> (mtime_ns, bytes) of every file under ``folder`` except the
    run's own report (``prepare_report.*``)."""
    state = {}
    for parent, _, files in os.walk(folder):
        for name in files:
            if name.startswith('prepare_report'):
                continue
            path = osp.join(parent, name)
            with open(path, 'rb') as f:
                state[osp.relpath(path, folder)] = (os.stat(path).st_mtime_ns,
                                                    f.read())
    return state
