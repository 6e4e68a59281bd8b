"""What the fast reader does not report, read straight from the sheet's XML when needed: the
solid fill of cells (a RAG given only as a colour), error values (#REF!, #N/A), how far a
sheet's values run (before any reader builds its grid), and text a reader of the workbook
would not see in Excel (a hidden row, white text, ";;;", a formula reading another sheet).

Nothing builds a tree of a sheet: the raw XML is scanned, and for the extent and concealed
text streamed a block of whole rows at a time, so time and memory follow the sheet's size.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from plantools.errors import PlanError
from plantools.xlsx.package import MAX_XML, Zip

CELL_BUDGET = 20_000_000  # cells a sheet may span before it is not read (a plan has 1.6 million at most)
NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/?)>")
_ATTR = re.compile(rb'\b(r|s|t)="([^"]*)"')
_ATTR_ANY = re.compile(rb'\b(\w+)="([^"]*)"')
_VALUE = re.compile(rb"(?:\s*<(?:\w+:)?f\b[^>]*?(?:/>|>.*?</(?:\w+:)?f>))?\s*<(?:\w+:)?v>([^<]*)<", re.DOTALL)


_VALUED_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*?(?<!/)>')
_ROW_END = re.compile(rb"</(?:\w+:)?row>")
BLOCK = 1 << 20  # bytes of a sheet's XML read at a time
# a row's start, or a whole cell: its attributes and what it holds (None for <c .../>)
_ROW_OR_CELL = re.compile(rb'<(?:\w+:)?row\b([^>]*)>|<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.DOTALL)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?f>)", re.DOTALL)
_HAS_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]|<(?:\w+:)?t\b[^>]*>[^<]")
_SHEET_REFERENCE = re.compile(r"'((?:[^']|'')+)'!|([^\W\d][\w.]*)!")


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


@lru_cache(maxsize=4096)  # the same few columns, asked for each row of a plan, a copy and a pack
def column_letters(number: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class SheetLayout:
    hidden_columns: set[int] = field(default_factory=set)
    hidden_rows: set[int] = field(default_factory=set)
    filtered: bool = False


@dataclass
class SheetDetails:
    fills: dict[str, str] = field(default_factory=dict)  # address -> ARGB of a solid fill
    errors: dict[str, str] = field(default_factory=dict)  # address -> "#REF!"


@dataclass
class ColourRule:
    """A conditional format that fills cells: where, when, and with what colour."""
    ranges: list[tuple[int, int, int, int]]  # (first row, first column, last row, last column)
    kind: str  # cfRule type: "cellIs", "expression", "containsText", "colorScale" ...
    operator: str  # "equal", "notEqual", "containsText" ... ("" where the type has none)
    formulas: list[str]  # as written, '"Complete"' or '$H5="Complete"'
    text: str  # the text attribute of containsText, beginsWith and endsWith rules
    fill: str | None  # six hex digits of the fill it gives, or None
    priority: int

    def covers(self, row: int, col: int) -> tuple[int, int] | None:
        """The top-left of the range holding (row, col), or None."""
        return next(((top, left) for top, left, bottom, right in self.ranges
                     if top <= row <= bottom and left <= col <= right), None)


_CONDITIONAL = re.compile(rb'<(?:\w+:)?conditionalFormatting\b([^>]*)>(.*?)</(?:\w+:)?conditionalFormatting>', re.DOTALL)
_CF_RULE = re.compile(rb'<(?:\w+:)?cfRule\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?cfRule>)', re.DOTALL)
_CF_FORMULA = re.compile(rb'<(?:\w+:)?formula>(.*?)</(?:\w+:)?formula>', re.DOTALL)
_RANGE = re.compile(r"\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?")


class Package(Zip):
    """The workbook's zip, opened once for as many sheets as need looking at."""

    def __init__(self, source: Path | io.BytesIO) -> None:
        super().__init__(source if isinstance(source, Path) else Path(getattr(source, "name", "workbook.xlsx")),
                         source)
        self._fills: list[str | None] | None = None
        self._theme: list[str | None] | None = None
        self._codes: list[str] | None = None
        self._layouts: dict[str, SheetLayout] = {}  # the reader asks for a sheet's layout twice
        self._xml_name, self._xml = "", b""

    def sheet_part(self, sheet_name: str) -> str | None:
        try:
            return self.sheets.get(sheet_name, ("", ""))[0] or None
        except PlanError:  # no readable workbook.xml: calamine's reading stands alone
            return None

    def sheet_xml(self, sheet_name: str) -> bytes:
        part = self.sheet_part(sheet_name)
        if part is None or self.info(part) is None:
            return b""
        if self._xml_name != part:  # the last sheet read is kept: its cells are asked about next
            self._xml_name, self._xml = part, self.read(part, MAX_XML)
        return self._xml

    def blocks(self, sheet_name: str) -> Iterator[bytes]:
        """The sheet's XML, a block of whole rows at a time (a block ends just after a </row>)."""
        part = self.sheet_part(sheet_name)
        if part is None or self.info(part) is None:
            return
        with self.open(part) as stream:
            rest = b""
            while chunk := stream.read(BLOCK):
                data = rest + chunk
                end = _last_row_end(data)
                if end < 0:  # one row longer than a block: read on
                    rest = data
                    continue
                yield data[:end]
                rest = data[end:]
            if rest:
                yield rest

    def extent(self, sheet_name: str) -> tuple[int, int, str]:
        """(rows, columns, last cell) that the sheet's valued cells span, streamed from its XML,
        so that a sheet with one value at XFD1048576, or 5,000 columns of junk, is known before
        any reader builds its grid. The last cell is the corner: the last column, the last row.

        A row's cells are in column order (the format requires it), so only the last valued
        cell of each row is looked at."""
        last_row, last_col = 0, 0
        for xml in self.blocks(sheet_name):
            start = 0
            for end in _row_ends(xml):
                found = _last_valued_cell(xml, start, end)
                start = end
                if found:
                    last_col, last_row = max(last_col, found[0]), max(last_row, found[1])
        return last_row, last_col, f"{column_letters(last_col)}{last_row}" if last_row else ""

    def concealed(self, sheet_name: str) -> dict[str, str]:
        """Cells whose text someone reading the sheet in Excel would not see, or that bring in
        another sheet's: address -> why ("in a hidden row", "white text", "text the colour of
        its fill", "number format ';;;' hides it", "formula reads sheet 'Risk log'")."""
        looks = self.style_looks()
        found: dict[str, str] = {}
        shared: dict[bytes, str] = {}  # a shared formula's si -> the sheet its first cell reads
        hidden_row = False
        # a block with no hidden row, no formula and no cell in a concealing style holds nothing
        # to report: most blocks of most plans, so they are not looked at cell by cell
        styles = [str(index).encode() for index, look in enumerate(looks) if look]
        styled = re.compile(rb'\bs="(?:' + b"|".join(styles) + rb')"') if styles else None
        for xml in self.blocks(sheet_name):
            if not _worth_looking(xml, styled):
                continue
            for match in _ROW_OR_CELL.finditer(xml):
                if match.group(1) is not None:
                    hidden_row = bool(re.search(rb'\bhidden="(1|true)"', match.group(1)))
                    continue
                content = match.group(3)
                if not content:
                    continue
                attrs = dict(_ATTR.findall(match.group(2)))
                reasons = []
                if _HAS_VALUE.search(content):
                    if hidden_row:
                        reasons.append("in a hidden row")
                    style = int(attrs.get(b"s") or 0)
                    if style < len(looks) and looks[style]:
                        reasons.append(looks[style])
                formula = _FORMULA.search(content)
                if formula:
                    other = _other_sheet(formula, sheet_name, shared)
                    if other:
                        reasons.append(f"formula reads sheet '{other}'")
                if reasons:
                    found[attrs.get(b"r", b"").decode("ascii", "replace")] = "; ".join(reasons)
        return found

    def _styles(self):
        from defusedxml import ElementTree  # only when the styles are looked at

        try:
            return ElementTree.fromstring(self.read("xl/styles.xml"))
        except (KeyError, ElementTree.ParseError):
            return None

    def style_fills(self) -> list[str | None]:
        """For each cell style (the s attribute), the ARGB of its solid fill, or None."""
        if self._fills is None:
            self._fills = []
            styles = self._styles()
            if styles is None:
                return self._fills
            colours = [_colour(fill.find(f"{NS_MAIN}patternFill/{NS_MAIN}fgColor"))
                       if _solid(fill) else None for fill in styles.iter(f"{NS_MAIN}fill")]
            xfs = styles.find(f"{NS_MAIN}cellXfs")
            for xf in xfs if xfs is not None else []:
                fill_id = int(xf.get("fillId") or 0)
                colour = colours[fill_id] if fill_id < len(colours) else None
                if colour is not None and colour.startswith("theme"):  # "theme9:-0.25"
                    number, tint = colour[5:].split(":")
                    colour = self._theme_colour(int(number), float(tint))
                self._fills.append(colour)
        return self._fills

    def _theme_colour(self, index: int, tint: float) -> str | None:
        """A theme colour (Excel's Accent 6 with a tint, say) as RGB, from the theme part."""
        if self._theme is None:
            self._theme = []
            name = next((n for n in self.parts if re.fullmatch(r"xl/theme/theme\d*\.xml", n)), None)
            if name:
                from defusedxml import ElementTree

                try:
                    theme = ElementTree.fromstring(self.read(name))
                except ElementTree.ParseError:
                    return None
                scheme = next((e for e in theme.iter() if e.tag.endswith("}clrScheme")), None)
                for slot in scheme if scheme is not None else []:
                    value = next((c.get("val") or c.get("lastClr") for c in slot), None)
                    self._theme.append(value)
                if len(self._theme) >= 4:  # Excel numbers lt1, dk1, lt2, dk2 where the file has dk1, lt1 ...
                    self._theme[0:4] = [self._theme[1], self._theme[0], self._theme[3], self._theme[2]]
        colour = self._theme[index] if index < len(self._theme) else None
        return _tinted(colour, tint) if colour else None

    def colour_rules(self, sheet_name: str) -> list[ColourRule]:
        """The sheet's conditional formats, in the order Excel applies them (priority)."""
        xml = self.sheet_xml(sheet_name)
        end = xml.rfind(b"</sheetData>")
        if b"conditionalFormatting" not in xml[max(end, 0):]:
            return []
        fills = self._dxf_fills()
        rules = []
        for block in _CONDITIONAL.finditer(xml, max(end, 0)):
            attrs = dict(_ATTR_ANY.findall(block.group(1)))
            # Excel 2010's own form (in the extension list) names its cells in <xm:sqref>, and
            # holds its format inline: its rules are never worked out, so a cell they colour is said
            newer = block.group(0).startswith(b"<x14:")
            sqref = attrs.get(b"sqref") or b"".join(re.findall(rb"<xm:sqref>([^<]*)<", block.group(2)))
            ranges = []
            for found in _RANGE.finditer(sqref.decode("ascii", "replace")):
                first_col, first_row = column_number(found.group(1)), int(found.group(2))
                last_col = column_number(found.group(3)) if found.group(3) else first_col
                ranges.append((first_row, first_col, int(found.group(4) or first_row), last_col))
            for rule in _CF_RULE.finditer(block.group(2)):
                rule_attrs = {k.decode(): html.unescape(v.decode("utf-8", "replace"))
                              for k, v in _ATTR_ANY.findall(rule.group(1))}
                formulas = [html.unescape(f.decode("utf-8", "replace")).strip()
                            for f in _CF_FORMULA.findall(rule.group(2) or b"")]
                dxf = rule_attrs.get("dxfId", "")
                rules.append(ColourRule(
                    ranges, ("x14 " if newer else "") + rule_attrs.get("type", ""), rule_attrs.get("operator", ""), formulas,
                    rule_attrs.get("text", ""), fills[int(dxf)] if dxf.isdigit() and int(dxf) < len(fills) else None,
                    int(rule_attrs["priority"]) if rule_attrs.get("priority", "").isdigit() else 0))
        return sorted(rules, key=lambda r: r.priority)

    def _dxf_fills(self) -> list[str | None]:
        """For each differential style (what a conditional format applies), its fill colour."""
        styles = self._styles()
        dxfs = styles.find(f"{NS_MAIN}dxfs") if styles is not None else None
        fills: list[str | None] = []
        for dxf in dxfs if dxfs is not None else []:
            pattern = dxf.find(f"{NS_MAIN}fill/{NS_MAIN}patternFill")
            colour = None
            if pattern is not None and pattern.get("patternType", "solid") in ("solid", ""):
                # a format's solid fill is its background colour (LibreOffice writes only that)
                colour = _colour(pattern.find(f"{NS_MAIN}bgColor")) or _colour(pattern.find(f"{NS_MAIN}fgColor"))
            if colour is not None and colour.startswith("theme"):
                number, tint = colour[5:].split(":")
                colour = self._theme_colour(int(number), float(tint))
            fills.append(colour)
        return fills

    def layout(self, sheet_name: str) -> "SheetLayout":
        """The sheet's hidden columns and rows, and whether a filter is set."""
        if sheet_name not in self._layouts:
            self._layouts[sheet_name] = self._layout(sheet_name)
        return self._layouts[sheet_name]

    def _layout(self, sheet_name: str) -> "SheetLayout":
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
                styles = ElementTree.fromstring(self.read("xl/styles.xml"))
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

    def merged_ranges(self, sheet_name: str) -> None:
        """None: python-calamine gives an .xlsx's merged cells (otherparts reads an .ods's)."""
        return None

    def creator(self) -> str:
        """Who the document properties say made the workbook ('plantools' for its own)."""
        try:
            core = self.read("docProps/core.xml")
        except KeyError:
            return ""
        found = re.search(rb"<dc:creator>([^<]*)</dc:creator>", core)
        return found.group(1).decode("utf-8", "replace") if found else ""
    def style_looks(self) -> list[str]:
        """For each cell style, why text in it cannot be seen ("" when it can): a font the
        colour of its fill (white where there is no fill), or a number format of empty
        sections such as ';;;'."""
        styles = self._styles()
        if styles is None:
            return []
        fonts = [_colour(font.find(f"{NS_MAIN}color")) for font in styles.iter(f"{NS_MAIN}font")]
        fills = [_colour(fill.find(f"{NS_MAIN}patternFill/{NS_MAIN}fgColor")) if _solid(fill) else None
                 for fill in styles.iter(f"{NS_MAIN}fill")]
        formats = {fmt.get("numFmtId"): fmt.get("formatCode") or "" for fmt in styles.iter(f"{NS_MAIN}numFmt")}
        looks = []
        xfs = styles.find(f"{NS_MAIN}cellXfs")
        for xf in xfs if xfs is not None else []:
            font = fonts[int(xf.get("fontId") or 0)] if int(xf.get("fontId") or 0) < len(fonts) else None
            fill = fills[int(xf.get("fillId") or 0)] if int(xf.get("fillId") or 0) < len(fills) else None
            code = re.sub(r'"[^"]*"', "x", formats.get(xf.get("numFmtId"), ""))
            if code.count(";") >= 2 and not code.replace(";", "").strip():
                looks.append(f"number format '{formats[xf.get('numFmtId')]}' hides it")
            elif font is not None and fill is None and font == WHITE:
                looks.append("white text")
            elif font is not None and font == fill:
                looks.append("text the colour of its fill")
            else:
                looks.append("")
        return looks

    def details(self, sheet_name: str, fill_cells: set[str]) -> SheetDetails:
        """The solid fills of fill_cells, and every error value on the sheet."""
        found = SheetDetails()
        xml = self.sheet_xml(sheet_name)
        has_errors = b't="e"' in xml
        if not fill_cells and not has_errors:
            return found
        fills = self.style_fills() if fill_cells else []
        # with no error on the sheet, only the cells of the fill column(s) are looked at
        cells = _CELL.finditer(xml) if has_errors else _cells_at(xml, fill_cells)
        for match in cells:
            attrs = dict(_ATTR.findall(match.group(1)))
            address = attrs.get(b"r", b"").decode("ascii", "replace")
            if address in fill_cells:
                style = int(attrs.get(b"s") or 0)
                fill = fills[style] if style < len(fills) else None
                if fill:
                    found.fills[address] = fill
            if attrs.get(b"t") == b"e" and not match.group(2):
                value = _VALUE.match(xml, match.end())
                if value:
                    found.errors[address] = value.group(1).decode("utf-8", "replace")
        return found


WHITE = "FFFFFF"


def _cells_at(xml: bytes, addresses: set[str]) -> list[re.Match]:
    """The tags (as _CELL matches them) of the cells at these addresses, in sheet order.
    Each is found by its address (r="AB12"), searched for by its column's fixed start, and
    only then its tag read: not every cell of the sheet looked at, which took a tenth of a
    second at 20,000 rows."""
    tags: dict[int, re.Match] = {}
    wanted = {address.encode() for address in addresses}
    for letters in {address.rstrip(b"0123456789") for address in wanted}:  # b"AB12" -> b"AB"
        for found in re.finditer(rb'r="(' + re.escape(letters) + rb'\d+)"', xml):
            at = found.start()
            if found.group(1) not in wanted or (at and re.match(rb"\w", xml[at - 1:at])):
                continue  # another row's cell, or the end of a longer name (ref="AB12")
            start = xml.rfind(b"<", 0, at)
            tag = _CELL.match(xml, start) if start >= 0 else None
            if tag and tag.end(1) >= found.end():  # the address is in this cell's tag
                tags[start] = tag
    return [tags[start] for start in sorted(tags)]


_PLAIN_FORMULA = re.compile(rb"<f\b")
_ANY_FORMULA = re.compile(rb"<(?:\w+:)?f\b")


def _worth_looking(xml: bytes, styled: re.Pattern | None) -> bool:
    """Whether a block has a hidden row, a formula or a cell in a concealing style (`styled`).
    Each test is a search of its own for a fixed start, and the prefixed form of a formula
    (<x:f>) only looked for where one may be: a few milliseconds for a block, where one
    pattern of alternatives took ten times as long."""
    return (b'hidden="' in xml or _PLAIN_FORMULA.search(xml) is not None
            or (b":f" in xml and _ANY_FORMULA.search(xml) is not None)
            or (styled is not None and styled.search(xml) is not None))


def _solid(fill) -> bool:
    pattern = fill.find(f"{NS_MAIN}patternFill")
    return pattern is not None and pattern.get("patternType") == "solid"


def _colour(element) -> str | None:
    """A colour element as six hex digits, or 'theme<n>' for a theme colour (theme 0 with no
    tint is the theme's white, as Excel numbers them); None for none or automatic."""
    if element is None:
        return None
    if element.get("rgb"):
        return element.get("rgb")[-6:].upper()
    indexed = element.get("indexed") or ""
    if indexed.isdigit() and int(indexed) < 64:
        # the legacy palette; imported only here, as openpyxl (and numpy with it) takes a
        # third of a second to import
        from openpyxl.styles.colors import COLOR_INDEX

        return COLOR_INDEX[int(indexed)][-6:].upper()
    theme = element.get("theme")
    if theme is not None:
        tint = float(element.get("tint") or 0)
        return WHITE if theme == "0" and not tint else f"theme{theme}:{tint}"
    return None


def _last_row_end(data: bytes) -> int:
    """Where the last </row> in data ends, or -1."""
    at = data.rfind(b"row>")
    while at >= 0:
        start = data.rfind(b"</", 0, at)
        if start >= 0 and _ROW_END.fullmatch(data, start, at + 4):
            return at + 4
        at = data.rfind(b"row>", 0, at)
    return -1


def _row_ends(xml: bytes) -> Iterator[int]:
    at = xml.find(b"row>")
    while at >= 0:
        start = xml.rfind(b"</", 0, at)
        if start >= 0 and _ROW_END.fullmatch(xml, start, at + 4):
            yield at + 4
        at = xml.find(b"row>", at + 4)
    yield len(xml)  # what follows the last row (or a sheet with no rows)


def _last_valued_cell(xml: bytes, start: int, end: int) -> tuple[int, int] | None:
    """(column, row) of the last cell with a value between start and end (one row)."""
    close = xml.rfind(b"</c>", start, end)
    if close >= 0:
        opening = xml.rfind(b"<c ", start, close)
        cell = _VALUED_CELL.match(xml, opening) if opening >= 0 else None
        if cell and cell.end() <= close:
            return column_number(cell.group(1).decode()), int(cell.group(2))
    if xml.find(b"c>", start, end) < 0:
        return None  # no cell here holds anything
    found = None  # prefixed names (<x:c>) or odd spacing: every cell of the row looked at
    for cell in _VALUED_CELL.finditer(xml, start, end):
        column, row = column_number(cell.group(1).decode()), int(cell.group(2))
        found = (max(column, found[0]), max(row, found[1])) if found else (column, row)
    return found


def _other_sheet(formula: re.Match, sheet_name: str, shared: dict[bytes, str]) -> str:
    """The first other sheet a cell's formula reads ('' if none): its own text, or for a
    cell of a shared formula, the text of the formula's first cell."""
    attrs = dict(_ATTR_ANY.findall(formula.group(1)))
    text = html.unescape((formula.group(2) or b"").decode("utf-8", "replace"))
    if not text:
        return shared.get(attrs.get(b"si", b""), "")
    text = re.sub(r'"(?:[^"]|"")*"', '""', text)  # "Done!" in quotes reads no sheet
    other = ""
    for quoted, plain in _SHEET_REFERENCE.findall(text):
        name = quoted.replace("''", "'") if quoted else plain
        name = re.sub(r"^\[\d+\]", "", name)  # [1]Sheet: a linked workbook's sheet
        if name != sheet_name:
            other = name
            break
    if attrs.get(b"t") == b"shared" and b"si" in attrs:
        shared[attrs[b"si"]] = other
    return other
