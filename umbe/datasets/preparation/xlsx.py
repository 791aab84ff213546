"""A small reader for the first sheet of an .xlsx file.

openpyxl is not a dependency of umbe; an .xlsx file is a zip of XML parts,
and the label files of the releases need only cell values.
"""
import re
import zipfile
from typing import List
from xml.etree import ElementTree

from .release import ReleaseError

_NS = '{http://schemas.openxmlformats.org/spreadsheetml/2006/main}'
_REL_NS = ('{http://schemas.openxmlformats.org/officeDocument/2006/'
           'relationships}')
_CELL_REF = re.compile(r'([A-Z]+)(\d+)')


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - ord('A') + 1
    return index - 1


def _text(element) -> str:
    return ''.join(t.text or '' for t in element.iter(f'{_NS}t'))


def _first_sheet(archive: zipfile.ZipFile) -> str:
    names = archive.namelist()
    try:
        workbook = ElementTree.fromstring(archive.read('xl/workbook.xml'))
        rels = ElementTree.fromstring(
            archive.read('xl/_rels/workbook.xml.rels'))
        sheet = workbook.find(f'{_NS}sheets/{_NS}sheet')
        rel_id = sheet.get(f'{_REL_NS}id')
        for rel in rels:
            if rel.get('Id') == rel_id:
                target = rel.get('Target').lstrip('/')
                return target if target.startswith('xl/') else 'xl/' + target
    except (KeyError, AttributeError):
        pass
    sheets = sorted(n for n in names if n.startswith('xl/worksheets/sheet'))
    if not sheets:
        raise KeyError('no worksheet')
    return sheets[0]


def read_xlsx_rows(path: str) -> List[List[str]]:
    """Read the cell values of the first worksheet as strings.

    Args:
        path (str): The .xlsx file.

    Returns:
        list[list[str]]: One list per non-empty row; empty cells are ``''``.
        Numbers keep their stored text (``'25'``, ``'0.5'``).

    Raises:
        ReleaseError: When the file is not a readable .xlsx workbook.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            strings = []
            if 'xl/sharedStrings.xml' in archive.namelist():
                root = ElementTree.fromstring(
                    archive.read('xl/sharedStrings.xml'))
                strings = [_text(si) for si in root.iter(f'{_NS}si')]
            sheet = ElementTree.fromstring(archive.read(_first_sheet(archive)))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError,
            OSError) as e:
        raise ReleaseError(f'{path}: not a readable .xlsx workbook ({e}); '
                           'replace it with the file of the release.')
    rows = []
    for row in sheet.iter(f'{_NS}row'):
        values = {}
        for position, cell in enumerate(row.iter(f'{_NS}c')):
            ref = _CELL_REF.match(cell.get('r', ''))
            column = _column_index(ref.group(1)) if ref else position
            kind = cell.get('t')
            if kind == 'inlineStr':
                value = _text(cell)
            else:
                v = cell.find(f'{_NS}v')
                value = v.text if v is not None and v.text else ''
                if kind == 's' and value:
                    value = strings[int(value)]
            values[column] = value
        if any(str(v).strip() for v in values.values()):
            width = max(values) + 1
            rows.append([values.get(i, '') for i in range(width)])
    return rows
