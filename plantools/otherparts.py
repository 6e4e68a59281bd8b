"""What the reader needs from an .xls or .ods workbook beyond its values, which python-calamine
reads: which columns and rows are hidden (never read, never sent), and, for .ods, the merged
cells. Fills, number formats and fonts are not looked at: the reader says so in a note.

An .xls keeps each sheet as a run of BIFF records in its 'Workbook' stream (COLINFO and ROW
records carry the hidden flags); an .ods keeps its sheets in content.xml.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from .xlsxparts import ColourRule, SheetDetails, SheetLayout, column_letters

MAX_REPEAT = 100_000  # rows an .ods repeats past the last value (a million, blank) are not listed one by one
Merges = list[tuple[tuple[int, int], tuple[int, int]]]  # ((first row, first col), (last row, last col)), from 0


class OtherPackage:
    """Stands in for xlsxparts.Package when the workbook is an .xls or .ods."""

    def __init__(self, path: Path, kind: str, book) -> None:
        self.book = book
        self.layouts: dict[str, SheetLayout] = {}
        self.merges: dict[str, Merges] = {}
        try:
            if kind == "xls":
                self.layouts = _xls_layouts(path)
            else:
                self.layouts, self.merges = _ods_layouts(path)
        except (OSError, ValueError, KeyError, IndexError, struct.error, zipfile.BadZipFile):
            pass  # calamine says what is wrong with a damaged file when it reads the values

    def close(self) -> None:
        pass

    def merged_ranges(self, sheet_name: str) -> Merges | None:
        """An .ods's merged cells (calamine gives an .xls's)."""
        return self.merges.get(sheet_name)

    def creator(self) -> str:
        return ""  # plantools writes only .xlsx: an .xls or .ods is never its own output

    def extent(self, sheet_name: str) -> tuple[int, int, str]:
        sheet = self.book.get_sheet_by_name(sheet_name)
        top, left = sheet.start or (0, 0)
        rows, cols = top + sheet.height, left + sheet.width
        return rows, cols, f"{column_letters(cols)}{rows}" if rows else ""

    def layout(self, sheet_name: str) -> SheetLayout:
        return self.layouts.get(sheet_name, SheetLayout())

    def details(self, sheet_name: str, fill_cells: set[str]) -> SheetDetails:
        return SheetDetails()

    def number_formats(self, sheet_name: str, cells: set[str]) -> dict[str, str]:
        return {}

    def concealed(self, sheet_name: str) -> dict[str, str]:
        return {}

    def colour_rules(self, sheet_name: str) -> list[ColourRule]:
        return []  # conditional formats are not read: the note says colours are not


def _xls_layouts(path: Path) -> dict[str, SheetLayout]:
    import olefile

    with olefile.OleFileIO(str(path)) as ole:
        stream = "Workbook" if ole.exists("Workbook") else "Book"
        data = ole.openstream(stream).read()
    sheets: list[tuple[str, int]] = []  # name, offset of its BOF record
    layouts: dict[str, SheetLayout] = {}
    for kind, body, _ in _records(data, 0):
        if kind == 0x0085:  # BOUNDSHEET: where a sheet starts, and its name
            sheets.append((_sheet_name(body[6:]), struct.unpack_from("<I", body)[0]))
        elif kind == 0x000A:  # EOF of the workbook globals
            break
    for name, offset in sheets:
        layout = SheetLayout()
        for kind, body, _ in _records(data, offset):
            if kind == 0x007D and struct.unpack_from("<H", body, 8)[0] & 1:  # COLINFO, hidden
                first, last = struct.unpack_from("<HH", body)
                layout.hidden_columns.update(range(first + 1, min(last, 16383) + 2))
            elif kind == 0x0208 and struct.unpack_from("<H", body, 12)[0] & 0x20:  # ROW, height zero
                layout.hidden_rows.add(struct.unpack_from("<H", body)[0] + 1)
            elif kind == 0x009B:  # FILTERMODE
                layout.filtered = True
            elif kind == 0x000A:
                break
        layouts[name] = layout
    return layouts


def _records(data: bytes, offset: int):
    """(type, body, offset) of each BIFF record from offset on; bounded by the stream's length."""
    while offset + 4 <= len(data):
        kind, size = struct.unpack_from("<HH", data, offset)
        yield kind, data[offset + 4:offset + 4 + size], offset
        offset += 4 + size


def _sheet_name(body: bytes) -> str:
    length, wide = body[0], body[1] & 1
    raw = body[2:2 + length * (2 if wide else 1)]
    return raw.decode("utf-16-le") if wide else raw.decode("latin-1")


TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _ods_layouts(path: Path) -> tuple[dict[str, SheetLayout], dict[str, Merges]]:
    from defusedxml.ElementTree import iterparse

    layouts: dict[str, SheetLayout] = {}
    merges: dict[str, Merges] = {}
    name, row, col, column = "", 0, 0, 0
    with zipfile.ZipFile(path) as package, package.open("content.xml") as content:
        for event, element in iterparse(content, events=("start", "end")):
            tag = element.tag
            if event == "start" and tag == f"{TABLE}table":
                name, row, column = element.get(f"{TABLE}name", ""), 0, 0
                layouts[name], merges[name] = SheetLayout(), []
            elif event == "start" and tag == f"{TABLE}table-column":
                repeat = min(int(element.get(f"{TABLE}number-columns-repeated", "1")), 16384)
                if element.get(f"{TABLE}visibility", "visible") != "visible":
                    layouts[name].hidden_columns.update(range(column + 1, column + repeat + 1))
                column += repeat
            elif event == "start" and tag == f"{TABLE}table-row":
                col = 0
            elif event == "end" and tag == f"{TABLE}table-row":
                repeat = int(element.get(f"{TABLE}number-rows-repeated", "1"))
                visibility = element.get(f"{TABLE}visibility", "visible")
                if visibility != "visible":
                    layouts[name].hidden_rows.update(range(row + 1, row + min(repeat, MAX_REPEAT) + 1))
                    layouts[name].filtered |= visibility == "filter"
                row += repeat
                element.clear()
            elif event == "start" and tag in (f"{TABLE}table-cell", f"{TABLE}covered-table-cell"):
                across = int(element.get(f"{TABLE}number-columns-spanned", "1"))
                down = int(element.get(f"{TABLE}number-rows-spanned", "1"))
                if across > 1 or down > 1:
                    merges[name].append(((row, col), (row + down - 1, col + across - 1)))
                col += int(element.get(f"{TABLE}number-columns-repeated", "1"))
    return layouts, merges
