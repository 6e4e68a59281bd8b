"""How hard the files plantools writes are compressed: zlib's level 5, not its default 6.

An .xlsx file is a zip of XML. At 20,000 actions the monthly job's copy and packs are 63 MB of
XML; level 6 packs it into 7.45 MB in 1.34 CPU s, level 5 into 7.94 MB (7% more) in 0.58 s
(measured with zlib on those very parts; docs/benchmark.md). The second of CPU is a sixth of
the job; the 7% is a few kilobytes on a sub-group's pack. Reading is as fast at either level.

xlsxwriter compresses each part at zlib's default, through a ZipInfo it makes for the part and
no option to choose: so while a workbook is stored, the ZipInfo its module makes is one that
carries the level. That is the module's, for the whole process: a workbook another thread
stores with xlsxwriter meanwhile comes out at level 5 too (as valid, 7% larger). Imported
where a workbook is written (xlsxwriter with it)."""

from __future__ import annotations

import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

import xlsxwriter.workbook

LEVEL = 5


class _LevelledZipInfo(zipfile.ZipInfo):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._compresslevel = LEVEL  # zipfile's own name for it (3.13 also calls it compress_level)


_swapping = threading.Lock()  # two threads writing workbooks at once swap it one at a time


@contextmanager
def compressed_at_level() -> Iterator[None]:
    """While the block stores a workbook, xlsxwriter compresses its parts at LEVEL."""
    with _swapping:
        xlsxwriter.workbook.ZipInfo = _LevelledZipInfo  # type: ignore[misc]
        try:
            yield
        finally:
            xlsxwriter.workbook.ZipInfo = zipfile.ZipInfo  # type: ignore[misc]
