"""Counts, failures and warnings of one preparation run."""
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

from terminaltables import AsciiTable

from .io import atomic_write_json, atomic_write_text


class PrepReport:
    """Collects what a preparation run found and writes it out.

    Args:
        dataset (str): The dataset's name.
        classes (Sequence[str]): The class names in label order.
    """

    def __init__(self, dataset: str, classes: Sequence[str]) -> None:
        self.dataset = dataset
        self.classes = list(classes)
        self.counts: Dict[str, List[int]] = OrderedDict()
        self.failures: List[dict] = []
        self.warnings: List[str] = []
        self.notes: List[str] = []

    def fail(self, kind: str, clip: str, message: str) -> None:
        """Record a clip or line that could not be used as it is.

        Args:
            kind (str): A short category (``'corrupt'``, ``'no_audio'``,
                ``'bad_label'``, ``'no_frames'``, ...).
            clip (str): The clip id, or the file and line.
            message (str): What went wrong, naming the file.
        """
        self.failures.append(dict(kind=kind, clip=str(clip), message=message))

    def warn(self, message: str) -> None:
        """Record and print a warning."""
        self.warnings.append(message)
        print(f'WARNING: {message}', flush=True)

    def note(self, message: str) -> None:
        """Record and print a finding about the release layout."""
        self.notes.append(message)
        print(message, flush=True)

    def failure_counts(self) -> Dict[str, int]:
        """Number of failures per kind."""
        counts: Dict[str, int] = OrderedDict()
        for failure in self.failures:
            counts[failure['kind']] = counts.get(failure['kind'], 0) + 1
        return counts

    def add_split(self, split: str, records: List[dict]) -> None:
        """Count the records of one written split per class."""
        counts = [0] * len(self.classes)
        for record in records:
            counts[record['label']] += 1
        self.counts[split] = counts

    def compare(self, what: str, found: Dict[str, int],
                expected: Dict[str, int]) -> bool:
        """Compare counts with those of the official release.

        Args:
            what (str): What is counted, for the warning.
            found (dict): name -> count found here.
            expected (dict): name -> count of the complete release
                (DATASETS.md).

        Returns:
            bool: Whether all counts are equal; otherwise a warning lists
            the differences.
        """
        diffs = [
            f'{name} {found.get(name, 0)} (official {count})'
            for name, count in expected.items() if found.get(name, 0) != count
        ]
        if diffs:
            self.warn(f'{what} differ from the official release: ' +
                      ', '.join(diffs))
        return not diffs

    def table(self, splits: Optional[Sequence[str]] = None) -> str:
        """The per-class, per-split count table."""
        splits = list(self.counts) if splits is None else list(splits)
        rows = [['label', 'class'] + splits]
        for label, name in enumerate(self.classes):
            rows.append([str(label), name] +
                        [str(self.counts[s][label]) for s in splits])
        rows.append(['', 'total'] + [str(sum(self.counts[s])) for s in splits])
        return AsciiTable(rows, f' {self.dataset} clips ').table

    def summary(self) -> str:
        """The text report: counts, failures by kind and warnings."""
        lines = [self.table(), '']
        counts = self.failure_counts()
        if counts:
            lines.append('Clips and lines not used as they are: ' + ', '.join(
                f'{kind} {n}' for kind, n in counts.items()))
            lines += [f'  [{f["kind"]}] {f["message"]}' for f in self.failures]
        else:
            lines.append('No unreadable clips or bad lines.')
        if self.warnings:
            lines.append(f'{len(self.warnings)} warning(s):')
            lines += [f'  {w}' for w in self.warnings]
        return '\n'.join(lines) + '\n'

    def write(self, out_dir: str) -> str:
        """Write ``prepare_report.{txt,json}`` to ``out_dir`` and print it.

        Returns:
            str: The text report.
        """
        text = self.summary()
        print(text, flush=True)
        atomic_write_text(text, osp.join(out_dir, 'prepare_report.txt'))
        atomic_write_json(
            dict(
                dataset=self.dataset,
                classes=self.classes,
                counts=self.counts,
                failures=self.failures,
                warnings=self.warnings,
                notes=self.notes), osp.join(out_dir, 'prepare_report.json'))
        return text
