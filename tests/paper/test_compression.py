"""The files plantools writes are compressed at zlib's level 5 (see paper/compression.py), and
xlsxwriter is left as it was for anyone else's workbook."""

import zipfile
import zlib

import pytest
import xlsxwriter.workbook

from plantools.paper.compression import LEVEL, compressed_at_level
from plantools.paper.formats import write_row, write_workbook


def deflated_size(data: bytes, level: int) -> int:
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)  # raw deflate, as a zip holds it
    return len(packer.compress(data) + packer.flush())


def fill(book) -> None:
    sheet = book.add_worksheet("Plan")
    for row in range(2000):  # enough XML that the two levels come out at different sizes
        write_row(sheet, row, [f"action {row * 7919 % 10007}", f"owner {row % 37}", row * 1.5], [None] * 3)


def test_each_part_is_compressed_at_the_level(tmp_path):
    path = tmp_path / "out.xlsx"
    write_workbook(path, fill)
    with zipfile.ZipFile(path) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
        data = archive.read(sheet)
    assert deflated_size(data, LEVEL) != deflated_size(data, zlib.Z_DEFAULT_COMPRESSION)  # the test can tell
    assert sheet.compress_size == deflated_size(data, LEVEL)


def test_xlsxwriter_is_left_as_it_was(tmp_path):
    with pytest.raises(RuntimeError):
        with compressed_at_level():
            assert xlsxwriter.workbook.ZipInfo is not zipfile.ZipInfo
            raise RuntimeError("a workbook that failed to store")
    assert xlsxwriter.workbook.ZipInfo is zipfile.ZipInfo
    path = tmp_path / "theirs.xlsx"
    book = xlsxwriter.Workbook(path)
    fill(book)
    book.close()
    with zipfile.ZipFile(path) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
        assert sheet.compress_size == deflated_size(archive.read(sheet), zlib.Z_DEFAULT_COMPRESSION)
