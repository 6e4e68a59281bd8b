"""What the reader needs from an .xls or .ods workbook beyond its values, which python-calamine
reads: which columns and rows are hidden (never read, never sent), the solid fill of an empty
cell (a RAG shown by its colour), and, for .ods, the merged cells. Conditional formats,
number formats and fonts are not looked at: the reader says so in a note.

An .xls keeps each sheet as a run of BIFF records in its 'Workbook' stream (COLINFO and ROW
records carry the hidden flags, XF records the fills, BLANK and MULBLANK records the empty
cells' XF); an .ods keeps its sheets and cell styles in content.xml.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from plantools.errors import PlanError
from plantools.xlsx.parts import ColourRule, SheetDetails, SheetLayout, column_letters

MAX_COLUMNS = 100  # as the reader: cells further right are not read
MAX_REPEAT = 100_000  # rows an .ods repeats past the last value (a million, blank) are not listed one by one
Merges = list[tuple[tuple[int, int], tuple[int, int]]]  # ((first row, first col), (last row, last col)), from 0
Fills = dict[str, str]  # address of an empty cell -> the ARGB of its solid fill


class OtherPackage:
    """Stands in for xlsx.parts.Package when the workbook is an .xls or .ods."""

    def __init__(self, path: Path, kind: str, book) -> None:
        self.path = path
        self.book = book
        self.layouts: dict[str, SheetLayout] = {}
        self.merges: dict[str, Merges] = {}
        self.fills: dict[str, Fills] = {}
        try:
            if kind == "xls":
                self.layouts, self.fills = _xls_layouts(path)
            else:
                self.layouts, self.merges, self.fills = _ods_layouts(path)
        except (OSError, ValueError, KeyError, IndexError, struct.error, zipfile.BadZipFile):
            pass  # no sheet's layout known: layout() refuses each sheet rather than send a hidden column

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
        if sheet_name not in self.layouts:  # which columns are hidden is unknown: never guessed
            raise PlanError(self.path, "which of its columns and rows are hidden cannot be read: open it and save "
                                       "it as an Excel Workbook (.xlsx)", sheet=sheet_name)
        return self.layouts[sheet_name]

    def details(self, sheet_name: str, fill_cells: set[str]) -> SheetDetails:
        fills = self.fills.get(sheet_name, {})
        return SheetDetails(fills={address: fills[address] for address in fill_cells if address in fills})

    def number_formats(self, sheet_name: str, cells: set[str]) -> dict[str, str]:
        return {}

    def concealed(self, sheet_name: str) -> dict[str, str]:
        return {}

    def colour_rules(self, sheet_name: str) -> list[ColourRule]:
        return []  # conditional formats are not read: the note says colours are not


def _xls_layouts(path: Path) -> tuple[dict[str, SheetLayout], dict[str, Fills]]:
    import olefile

    with olefile.OleFileIO(str(path)) as ole:
        stream = "Workbook" if ole.exists("Workbook") else "Book"
        data = ole.openstream(stream).read()
    sheets: list[tuple[str, int]] = []  # name, offset of its BOF record
    palette = list(DEFAULT_PALETTE)
    xf_fills: list[str | None] = []  # each XF's solid fill, as ARGB
    biff8 = data[4:6] == b"\x00\x06"  # the first BOF's version: Excel 97 on (BIFF8) or Excel 95 (BIFF5)
    for kind, body, _ in _records(data, 0):
        if kind == 0x0085:  # BOUNDSHEET: where a sheet starts, and its name
            sheets.append((_sheet_name(body[6:], biff8), struct.unpack_from("<I", body)[0]))
        elif kind == 0x0092:  # PALETTE: the colours 8 onwards, as this workbook has them
            count = struct.unpack_from("<H", body)[0]
            palette = [body[2 + 4 * i:5 + 4 * i].hex().upper() for i in range(count)]
        elif kind == 0x00E0 and len(body) >= 20:  # XF: fill pattern (1 = solid) and its colour index
            pattern = struct.unpack_from("<I", body, 14)[0] >> 26 & 0x3F
            xf_fills.append(f"#{struct.unpack_from('<H', body, 18)[0] & 0x7F}" if pattern == 1 else None)
        elif kind == 0x000A:  # EOF of the workbook globals
            break
    colours = [_palette_colour(fill, palette) for fill in xf_fills]
    layouts: dict[str, SheetLayout] = {}
    fills: dict[str, Fills] = {}
    for name, offset in sheets:
        layout = SheetLayout()
        found: Fills = {}
        for kind, body, _ in _records(data, offset):
            if kind == 0x007D and struct.unpack_from("<H", body, 8)[0] & 1:  # COLINFO, hidden
                first, last = struct.unpack_from("<HH", body)
                layout.hidden_columns.update(range(first + 1, min(last, 16383) + 2))
            elif kind == 0x0208 and struct.unpack_from("<H", body, 12)[0] & 0x20:  # ROW, height zero
                layout.hidden_rows.add(struct.unpack_from("<H", body)[0] + 1)
            elif kind == 0x009B:  # FILTERMODE
                layout.filtered = True
            elif kind == 0x0201:  # BLANK: an empty cell with a format
                row, col, xf = struct.unpack_from("<HHH", body)
                _fill(found, row, col, xf, colours)
            elif kind == 0x00BE:  # MULBLANK: empty cells along a row, each with its format
                row, first = struct.unpack_from("<HH", body)
                for index in range((len(body) - 6) // 2):
                    _fill(found, row, first + index, struct.unpack_from("<H", body, 4 + 2 * index)[0], colours)
            elif kind == 0x000A:
                break
        layouts[name], fills[name] = layout, found
    return layouts, fills


def _palette_colour(fill: str | None, palette: list[str]) -> str | None:
    """'#10' (a colour index) -> 'FF800000'; None for no fill or the system's colours."""
    if fill is None:
        return None
    index = int(fill[1:]) - 8
    return f"FF{palette[index]}" if 0 <= index < len(palette) else None


def _fill(found: Fills, row: int, col: int, xf: int, colours: list[str | None]) -> None:
    colour = colours[xf] if xf < len(colours) else None
    if colour:
        found[f"{column_letters(col + 1)}{row + 1}"] = colour


# Excel 97's colours 8-63, for a workbook with no PALETTE record of its own
DEFAULT_PALETTE = (
    "000000", "FFFFFF", "FF0000", "00FF00", "0000FF", "FFFF00", "FF00FF", "00FFFF", "800000", "008000",
    "000080", "808000", "800080", "008080", "C0C0C0", "808080", "9999FF", "993366", "FFFFCC", "CCFFFF",
    "660066", "FF8080", "0066CC", "CCCCFF", "000080", "FF00FF", "FFFF00", "00FFFF", "800080", "800000",
    "008080", "0000FF", "00CCFF", "CCFFFF", "CCFFCC", "FFFF99", "99CCFF", "FF99CC", "CC99FF", "FFCC99",
    "3366FF", "33CCCC", "99CC00", "FFCC00", "FF9900", "FF6600", "666699", "969696", "003366", "339966",
    "003300", "333300", "993300", "993366", "333399", "333333",
)


def _records(data: bytes, offset: int):
    """(type, body, offset) of each BIFF record from offset on; bounded by the stream's length."""
    while offset + 4 <= len(data):
        kind, size = struct.unpack_from("<HH", data, offset)
        yield kind, data[offset + 4:offset + 4 + size], offset
        offset += 4 + size


def _sheet_name(body: bytes, biff8: bool) -> str:
    if not biff8:  # a byte string in the workbook's code page
        return body[1:1 + body[0]].decode("cp1252", "replace")
    length, wide = body[0], body[1] & 1
    raw = body[2:2 + length * (2 if wide else 1)]
    return raw.decode("utf-16-le") if wide else raw.decode("latin-1")


TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
FO = "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}"


def _ods_layouts(path: Path) -> tuple[dict[str, SheetLayout], dict[str, Merges], dict[str, Fills]]:
    from defusedxml.ElementTree import iterparse

    layouts: dict[str, SheetLayout] = {}
    merges: dict[str, Merges] = {}
    fills: dict[str, Fills] = {}
    backgrounds: dict[str, str] = {}  # a cell style's name -> its background, as ARGB
    style = ""
    name, row, col, column = "", 0, 0, 0
    with zipfile.ZipFile(path) as package, package.open("content.xml") as content:
        for event, element in iterparse(content, events=("start", "end")):
            tag = element.tag
            if event == "start" and tag == f"{STYLE}style":
                style = element.get(f"{STYLE}name", "")
            elif event == "start" and tag == f"{STYLE}table-cell-properties":
                colour = element.get(f"{FO}background-color", "")
                if len(colour) == 7 and colour.startswith("#"):
                    backgrounds[style] = "FF" + colour[1:].upper()
            elif event == "start" and tag == f"{TABLE}table":
                name, row, column = element.get(f"{TABLE}name", ""), 0, 0
                layouts[name], merges[name], fills[name] = SheetLayout(), [], {}
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
                repeat = min(int(element.get(f"{TABLE}number-columns-repeated", "1")), 16384)
                background = backgrounds.get(element.get(f"{TABLE}style-name", ""))
                if background and repeat <= MAX_COLUMNS:  # a fill along a whole row is no RAG
                    for offset in range(repeat):
                        fills[name][f"{column_letters(col + offset + 1)}{row + 1}"] = background
                col += repeat
    return layouts, merges, fills
