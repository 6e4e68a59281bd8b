"""Two things the fast reader does not report, read straight from the sheet's XML when needed:
the solid fill of cells (a RAG given only as a colour) and error values (#REF!, #N/A).

Only the few cells asked about are looked at, by a scan of the raw XML that does not build
a tree, so asking costs a fraction of a second even for a sheet of 100,000 rows.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

CELL_BUDGET = 20_000_000  # cells a sheet may span before it is not read (a plan has 1.6 million at most)
NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/?)>")
_ATTR = re.compile(rb'\b(r|s|t)="([^"]*)"')
_VALUE = re.compile(rb"(?:\s*<(?:\w+:)?f\b[^>]*?(?:/>|>.*?</(?:\w+:)?f>))?\s*<(?:\w+:)?v>([^<]*)<", re.DOTALL)


_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
_VALUED_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*?(?<!/)>')
_WIDE_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{2,3})\d+"[^>]*?(?<!/)>')


_COL = re.compile(rb"<(?:\w+:)?col\b([^>]*)>")
_COL_ATTR = re.compile(rb'\b(min|max|hidden)="([^"]*)"')
_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\b(?=[^>]*\bhidden="(?:1|true)")[^>]*?\br="(\d+)"')
# Excel's built-in date formats, by number (the rest are numbers, text or times)
BUILTIN_DATE_FORMATS = {14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 22: "m/d/yy h:mm"}
BUILTIN_PERCENT_FORMATS = {9: "0%", 10: "0.00%"}


def shows_month_only(code: str) -> bool:
    """A date format with a month but no day: 'mmm-yy', 'mmmm yyyy'."""
    plain = re.sub(r'"[^"]*"|\[[^]]*\]|\\.', "", code.lower())
    return "m" in plain and "y" in plain and "d" not in plain and "h" not in plain


def _tinted(rgb: str, tint: float) -> str:
    """Excel's tint: towards white when positive, towards black when negative (in HLS)."""
    import colorsys

    red, green, blue = (int(rgb[-6:][i:i + 2], 16) / 255 for i in (0, 2, 4))
    hue, light, sat = colorsys.rgb_to_hls(red, green, blue)
    light = light * (1 + tint) if tint < 0 else light * (1 - tint) + tint
    return "FF" + "".join(f"{round(v * 255):02X}" for v in colorsys.hls_to_rgb(hue, light, sat))


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


@dataclass
class SheetLayout:
    hidden_columns: set[int] = field(default_factory=set)
    hidden_rows: set[int] = field(default_factory=set)
    filtered: bool = False


@dataclass
class SheetDetails:
    fills: dict[str, str] = field(default_factory=dict)  # address -> ARGB of a solid fill
    errors: dict[str, str] = field(default_factory=dict)  # address -> "#REF!"


class Package:
    """The workbook's zip, opened once for as many sheets as need looking at."""

    def __init__(self, source: Path | io.BytesIO) -> None:
        self.zip = zipfile.ZipFile(source)
        self.names = {info.filename.replace("\\", "/").lstrip("/").lower(): info.filename
                      for info in self.zip.infolist()}
        self._sheets: dict[str, str] | None = None
        self._fills: list[str | None] | None = None
        self._theme: list[str | None] | None = None
        self._codes: list[str] | None = None
        self._xml_name, self._xml = "", b""

    def close(self) -> None:
        self.zip.close()

    def _read(self, name: str) -> bytes:
        return self.zip.read(self.names[name.lower()])

    def sheet_part(self, sheet_name: str) -> str | None:
        if self._sheets is None:
            from defusedxml import ElementTree  # only when a sheet's XML is looked at

            self._sheets = {}
            try:
                book = ElementTree.fromstring(self._read("xl/workbook.xml"))
                rels = ElementTree.fromstring(self._read("xl/_rels/workbook.xml.rels"))
            except (KeyError, ElementTree.ParseError):
                return None
            targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
            for sheet in book.iter(f"{NS_MAIN}sheet"):
                target = targets.get(sheet.get(f"{NS_REL}id"), "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                self._sheets[sheet.get("name")] = path
        return self._sheets.get(sheet_name)

    def sheet_xml(self, sheet_name: str) -> bytes:
        part = self.sheet_part(sheet_name)
        if part is None or part.lower() not in self.names:
            return b""
        if self._xml_name != part:  # the last sheet read is kept: its cells are asked about next
            self._xml_name, self._xml = part, self._read(part)
        return self._xml

    def extent(self, sheet_name: str) -> tuple[int, int, str]:
        """(rows, columns, last cell) that the sheet's valued cells span, from its XML, so that
        a sheet with one value at XFD1048576 is known before any reader builds its grid."""
        xml = self.sheet_xml(sheet_name)
        rows = max((int(r) for r in _ROW.findall(xml)), default=0)
        cols = max((column_number(c.decode()) for c in _WIDE_CELL.findall(xml)), default=26)
        if rows * cols <= CELL_BUDGET:
            return rows, cols, ""
        # row elements can be styled and empty: count only cells that hold a value
        last_row, last_col, last = 0, 0, ""
        for letters, number in _VALUED_CELL.findall(xml):
            row, col = int(number), column_number(letters.decode())
            if row > last_row or col > last_col:
                last_row, last_col = max(row, last_row), max(col, last_col)
                last = letters.decode() + number.decode()
        return last_row, last_col, last

    def style_fills(self) -> list[str | None]:
        """For each cell style (the s attribute), the ARGB of its solid fill, or None."""
        if self._fills is None:
            from defusedxml import ElementTree

            self._fills = []
            try:
                styles = ElementTree.fromstring(self._read("xl/styles.xml"))
            except (KeyError, ElementTree.ParseError):
                return self._fills
            colours = []
            for fill in styles.iter(f"{NS_MAIN}fill"):
                pattern = fill.find(f"{NS_MAIN}patternFill")
                colour = None
                if pattern is not None and pattern.get("patternType") == "solid":
                    fg = pattern.find(f"{NS_MAIN}fgColor")
                    if fg is not None and fg.get("rgb"):
                        colour = fg.get("rgb")
                    elif fg is not None and (fg.get("theme") or "").isdigit():
                        colour = self._theme_colour(int(fg.get("theme")), float(fg.get("tint") or 0))
                    elif fg is not None and (fg.get("indexed") or "").isdigit() and int(fg.get("indexed")) < 64:
                        # the legacy palette; imported only here, as openpyxl (and numpy with it)
                        # takes a third of a second to import
                        from openpyxl.styles.colors import COLOR_INDEX

                        colour = COLOR_INDEX[int(fg.get("indexed"))]
                colours.append(colour)
            xfs = styles.find(f"{NS_MAIN}cellXfs")
            for xf in xfs if xfs is not None else []:
                fill_id = int(xf.get("fillId") or 0)
                self._fills.append(colours[fill_id] if fill_id < len(colours) else None)
        return self._fills

    def _theme_colour(self, index: int, tint: float) -> str | None:
        """A theme colour (Excel's Accent 6 with a tint, say) as RGB, from the theme part."""
        if self._theme is None:
            self._theme = []
            name = next((n for n in self.names if re.fullmatch(r"xl/theme/theme\d*\.xml", n)), None)
            if name:
                from defusedxml import ElementTree

                try:
                    theme = ElementTree.fromstring(self._read(name))
                except ElementTree.ParseError:
                    return None
                scheme = next((e for e in theme.iter() if e.tag.endswith("}clrScheme")), None)
                for slot in scheme if scheme is not None else []:
                    value = next((c.get("val") or c.get("lastClr") for c in slot), None)
                    self._theme.append(value)
                if len(self._theme) >= 4:  # Excel numbers lt1, dk1, lt2, dk2 where the file has dk1, lt1 ...
                    self._theme[0:4] = [self._theme[1], self._theme[0], self._theme[3], self._theme[2]]
        if index >= len(self._theme) or not self._theme[index]:
            return None
        return _tinted(self._theme[index], tint)

    def layout(self, sheet_name: str) -> "SheetLayout":
        """The sheet's hidden columns and rows, and whether a filter is set."""
        xml = self.sheet_xml(sheet_name)
        end = xml.find(b"sheetData")
        found = SheetLayout()
        for match in _COL.finditer(xml, 0, end if end >= 0 else len(xml)):
            attrs = dict(_COL_ATTR.findall(match.group(1)))
            if attrs.get(b"hidden") in (b"1", b"true") and attrs.get(b"min", b"").isdigit():
                first, last = int(attrs[b"min"]), int(attrs.get(b"max") or attrs[b"min"])
                found.hidden_columns.update(range(first, min(last, first + 16384) + 1))
        if b'hidden="' in xml:
            found.hidden_rows = {int(r) for r in _HIDDEN_ROW.findall(xml)}
        found.filtered = b"autoFilter" in xml
        return found

    def number_formats(self, sheet_name: str, cells: set[str]) -> dict[str, str]:
        """The number format code of each of the cells ('mmm-yy'), where it has one."""
        if not cells:
            return {}
        codes = self._format_codes()
        xml = self.sheet_xml(sheet_name)
        found = {}
        for match in _CELL.finditer(xml):
            attrs = dict(_ATTR.findall(match.group(1)))
            address = attrs.get(b"r", b"").decode("ascii", "replace")
            if address in cells:
                style = int(attrs.get(b"s") or 0)
                if style < len(codes) and codes[style]:
                    found[address] = codes[style]
        return found

    def _format_codes(self) -> list[str]:
        if self._codes is None:
            from defusedxml import ElementTree

            self._codes = []
            try:
                styles = ElementTree.fromstring(self._read("xl/styles.xml"))
            except (KeyError, ElementTree.ParseError):
                return self._codes
            custom = {int(f.get("numFmtId") or 0): f.get("formatCode") or ""
                      for f in styles.iter(f"{NS_MAIN}numFmt")}
            xfs = styles.find(f"{NS_MAIN}cellXfs")
            for xf in xfs if xfs is not None else []:
                number = int(xf.get("numFmtId") or 0)
                builtin = BUILTIN_DATE_FORMATS.get(number) or BUILTIN_PERCENT_FORMATS.get(number, "")
                self._codes.append(custom.get(number, builtin))
        return self._codes

    def creator(self) -> str:
        """Who the document properties say made the workbook ('plantools' for its own)."""
        try:
            core = self._read("docProps/core.xml")
        except KeyError:
            return ""
        found = re.search(rb"<dc:creator>([^<]*)</dc:creator>", core)
        return found.group(1).decode("utf-8", "replace") if found else ""

    def details(self, sheet_name: str, fill_cells: set[str]) -> SheetDetails:
        """The solid fills of fill_cells, and every error value on the sheet."""
        found = SheetDetails()
        xml = self.sheet_xml(sheet_name)
        has_errors = b't="e"' in xml
        if not fill_cells and not has_errors:
            return found
        fills = self.style_fills() if fill_cells else []
        cells = _CELL
        if not has_errors:  # only the fill column(s): let the regex skip every other cell
            letters = sorted({re.match(r"[A-Z]+", a).group(0) for a in fill_cells})
            column = b"|".join(letter.encode() for letter in letters)
            cells = re.compile(rb'<(?:\w+:)?c\b([^>]*?\br="(?:' + column + rb')\d+"[^>]*?)(/?)>')
        for match in cells.finditer(xml):
            attrs = dict(_ATTR.findall(match.group(1)))
            address = attrs.get(b"r", b"").decode("ascii", "replace")
            if address in fill_cells:
                style = int(attrs.get(b"s") or 0)
                if style < len(fills) and fills[style]:
                    found.fills[address] = fills[style]
            if attrs.get(b"t") == b"e" and not match.group(2):
                value = _VALUE.match(xml, match.end())
                if value:
                    found.errors[address] = value.group(1).decode("utf-8", "replace")
        return found
