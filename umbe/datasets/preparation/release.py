"""Finding things in an official release tree.

Releases arrive as archives that unpack with an extra folder level
(``2_ClipsforFaceCrop/2_ClipsforFaceCrop/...``), with folder names spelt in
several ways (``train(single-labeled)``, ``train(single_labeled)``,
``train_single-labeled``) and with clip ids padded or not. The helpers here
search by normalised name, descend into the innermost copy of a folder and
key clips by integer id, so that the tools never assume one spelling.
"""
import os
import os.path as osp
import re
from typing import Callable, Dict, Hashable, List, Optional, Sequence

_SEPARATORS = re.compile(r'[\s_\-&()]+')


class ReleaseError(FileNotFoundError):
    """A release lacks a required file or folder, or holds one that is bad.

    The message names what is missing, where the tool looked and what to do.
    """


def normalize_name(name: str) -> str:
    """Lower-case a file name and drop separators for spelling-blind checks.

    ``'train(single-labeled)'`` and ``'Train_Single_Labeled'`` both become
    ``'trainsinglelabeled'``.

    Args:
        name (str): A file or folder name.

    Returns:
        str: The normalised name.
    """
    return _SEPARATORS.sub('', name.lower())


def parse_int_id(name: str) -> Optional[int]:
    """Read an integer clip id from a name such as ``'02522'`` or ``'25.mp4'``.

    Args:
        name (str): A clip name, file name or path (its stem is used).

    Returns:
        int | None: The id, or None when the stem is not a number.
    """
    stem = osp.splitext(osp.basename(str(name).strip()))[0]
    return int(stem) if stem.isdigit() else None


def official_label_name(raw: str, labels: Sequence[str]) -> Optional[str]:
    """Read a split file's label: an official 1-based id or a name.

    Args:
        raw (str): The label field (``'3'``, ``'Neutral'``).
        labels (Sequence[str]): The release's label names, in id order.

    Returns:
        str | None: The label name, or None when ``raw`` is neither.
    """
    raw = raw.strip().lower()
    if raw.isdigit() and 1 <= int(raw) <= len(labels):
        return labels[int(raw) - 1]
    return raw if raw in labels else None


def pad_id(clip_id: int, width: int = 5) -> str:
    """Zero-pad an integer clip id (``25`` -> ``'00025'``).

    Args:
        clip_id (int): The id.
        width (int): The number of digits. Defaults to 5.

    Returns:
        str: The padded id.
    """
    return str(int(clip_id)).zfill(width)


def find_dirs(root: str,
              match: Callable[[str], bool],
              max_depth: int = 4) -> List[str]:
    """Find folders under ``root`` whose normalised name satisfies ``match``.

    The search stops descending at matching folders and at ``max_depth``
    levels below ``root``; ``root`` itself is a candidate.

    Args:
        root (str): The release root.
        match (callable): Called with the normalised folder name.
        max_depth (int): The deepest level searched. Defaults to 4.

    Returns:
        list[str]: The matching folders, sorted.
    """
    found = []
    stack = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        if match(normalize_name(osp.basename(osp.normpath(folder)))):
            found.append(innermost(folder))
            continue
        if depth >= max_depth:
            continue
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir():
                stack.append((entry.path, depth + 1))
    return sorted(set(found))


def innermost(folder: str) -> str:
    """Descend into nested copies of a folder (``X/X/X`` -> the last ``X``).

    Archives of the releases often unpack into a folder of the same name as
    the one they hold. Only a child with the same normalised name counts as
    a copy.

    Args:
        folder (str): The folder.

    Returns:
        str: The innermost copy.
    """
    name = normalize_name(osp.basename(osp.normpath(folder)))
    while True:
        copies = [
            e.path for e in os.scandir(folder)
            if e.is_dir() and normalize_name(e.name) == name
        ]
        if len(copies) != 1:
            return folder
        folder = copies[0]


def find_dir(root: str,
             match: Callable[[str], bool],
             what: str,
             hint: str,
             required: bool = True,
             max_depth: int = 4) -> Optional[str]:
    """Find the one folder of a release that holds ``what``.

    Args:
        root (str): The release root.
        match (callable): Called with the normalised folder name.
        what (str): What the folder holds, for the messages.
        hint (str): The folder's name in the official layout.
        required (bool): Raise when nothing matches; otherwise return None.
            Defaults to True.
        max_depth (int): The deepest level searched. Defaults to 4.

    Returns:
        str | None: The folder.

    Raises:
        ReleaseError: When no folder (required) or several folders match.
    """
    found = find_dirs(root, match, max_depth)
    if not found:
        if required:
            raise ReleaseError(
                f'{what}: no folder like "{hint}" found under {root} '
                f'(searched {max_depth} levels deep). Pass the root of the '
                'unpacked official release, with its archives extracted.')
        return None
    if len(found) > 1:
        raise ReleaseError(
            f'{what}: several folders like "{hint}" under {root}: '
            f'{found}. Keep one copy of the release under the root.')
    return found[0]


def index_files(root: str,
                extensions: tuple,
                key: Callable[[str, str], Optional[Hashable]],
                duplicates: Optional[list] = None) -> Dict[Hashable, str]:
    """Index all files with given extensions below ``root`` by a key.

    Args:
        root (str): The folder searched recursively.
        extensions (tuple): Lower-case extensions such as ``('.mp4',)``.
        key (callable): ``key(path, rel_path)``; files whose key is None are
            ignored.
        duplicates (list, optional): Receives the paths of files whose key
            was already taken (the first in sorted order wins).

    Returns:
        dict: key -> path.
    """
    index = {}
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if not name.lower().endswith(extensions):
                continue
            path = osp.join(folder, name)
            k = key(path, osp.relpath(path, root))
            if k is None:
                continue
            if k in index:
                if duplicates is not None:
                    duplicates.append(path)
                continue
            index[k] = path
    return index


def index_clip_dirs(root: str,
                    depth: int,
                    key: Callable[[List[str]], Optional[Hashable]],
                    max_extra: int = 2) -> Dict[Hashable, str]:
    """Index per-clip frame folders that sit ``depth`` levels below ``root``.

    Extra levels (an archive part folder, a nested copy) are tolerated: a
    folder whose key is None is searched again one level deeper, up to
    ``max_extra`` times.

    Args:
        root (str): The frame-set folder.
        depth (int): Levels of the clip folders under ``root`` (1 for
            ``<id>/``, 3 for ``<Scene>/<Emotion>/<NNNN>/``).
        key (callable): Called with the last ``depth`` folder names; returns
            the clip key or None when the folder is not a clip folder.
        max_extra (int): Extra levels allowed above the clip folders.
            Defaults to 2.

    Returns:
        dict: key -> folder.
    """
    index = {}

    def visit(folder, names, extra):
        if len(names) == depth:
            k = key(names)
            if k is not None:
                index.setdefault(k, folder)
                return
            if extra >= max_extra:
                return
            extra += 1
            names = names[1:]
        try:
            entries = sorted(
                (e for e in os.scandir(folder) if e.is_dir()),
                key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            visit(entry.path, names + [entry.name], extra)

    visit(root, [], 0)
    return index


def read_text_lines(path: str) -> List[str]:
    """Read a text file as UTF-8 (with or without BOM), else as GB18030.

    Args:
        path (str): The file.

    Returns:
        list[str]: Its non-empty lines, stripped of line ends.

    Raises:
        ReleaseError: When neither encoding decodes the file.
    """
    with open(path, 'rb') as f:
        raw = f.read()
    for encoding in ('utf-8-sig', 'gb18030'):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ReleaseError(f'{path}: neither UTF-8 nor GB18030 text; '
                           'replace it with the file of the release.')
    return [line.rstrip('\r') for line in text.split('\n') if line.strip()]
