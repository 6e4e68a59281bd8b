"""Change a few cells of an existing .xlsx or .xlsm and lose nothing else.

openpyxl's load and save rebuilds the whole package from what it models, so a staff workbook
comes back without its shapes, pictures, charts, slicers, sparklines, x14 validations and
conditional formats, threaded comments or macros. This module never rebuilds anything: it
splices only the <c> elements being changed into the text of the sheet's XML, and copies every
other zip entry with the same name, order, compression type and content.

API (all errors are plantools.errors.PlanError, one line naming file, sheet and cell):

- ``edit_cells(source, target, edits)`` writes a copy of `source` to `target` (paths or binary
  files) with `edits` applied. `edits` maps a sheet name to {A1 address: value}: a str is written
  as an inline string (t="inlineStr", so sharedStrings.xml stays byte-identical; line breaks
  kept), an int, float or bool as a number or boolean, None or "" clears the value. Each cell
  keeps its style (its s attribute); a cell that does not exist yet is created, with its row if
  need be, in order, taking its row's or column's style as Excel would. An edit whose value the
  cell already holds is not made. Refused: a sheet that does not exist or is not a worksheet; a
  cell holding a formula, or inside an array formula or data table; a cell inside a merged range
  that is not its top-left cell; a table's header or totals row; a picture in a cell; a
  digitally signed workbook; XML with a DOCTYPE, comments or CDATA (no spreadsheet program
  writes them; they are how XML bombs and tricks come in).
- ``cell_problems(source, edits)`` says, without writing anything, why each edit that
  ``edit_cells`` would refuse cannot be made: {sheet: {address: reason}}, all of them at once,
  for a dry run to list as conflicts.
- ``changed_cells(source, target)`` reads both packages back and returns ``Changes``: for each
  sheet the cells whose XML differs, as {address: (old value, new value)}, and in ``other``
  every other difference (a part that is not byte-identical, an entry gone, added, reordered or
  recompressed, any change in a sheet outside its cells' values, a style changed). After
  ``edit_cells``, ``other`` is empty and ``cells`` holds exactly the edits that changed a value.
  A sheet that differs is compared parsed, cell by cell; rows whose bytes are identical in both
  are skipped (the part outside the rows must then be byte-identical too, but for a widened
  <dimension>), so that a 900,000-cell sheet is verified in seconds.
- ``plantools.returns.cells.write_cells_into(workbook, edits, expected_sha256, backup_dir)`` is the
  safe write into the shared workbook built on these two (owner file, hash, backup, read back).

Dependent formulas keep their cached results until the workbook is recalculated (Excel does
on F9 or on editing a precedent): setting fullCalcOnLoad would mean changing workbook.xml.
"""

from __future__ import annotations

import io
import math
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Mapping, Union

from plantools.errors import PlanError
from plantools.xlsx.package import MAX_XML, Source, Zip, local_name, part_key

Value = Union[str, int, float, bool, None]
Edits = Mapping[str, Mapping[str, Value]]

MAIN_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
           "http://purl.oclc.org/ooxml/spreadsheetml/main")  # transitional, strict
MAX_TEXT = 32767  # Excel's limit for one cell
MAX_ROW, MAX_COL = 1048576, 16384

_ATTRS = rb"([^>]*?)"  # a tag's attributes: the values in these tags never hold '>'
_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ADDRESS = re.compile(r"\$?([A-Z]{1,3})\$?([1-9][0-9]{0,6})")
_ESCAPED = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_UNESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")  # not allowed in XML, or (\r) read back as \n


# ---------------------------------------------------------------- cells and ranges

def split_address(address: str) -> tuple[int, int]:
    """'B7' -> (row 7, column 2)."""
    found = _ADDRESS.fullmatch(address.strip().upper())
    if not found:
        raise ValueError(address)
    col = 0
    for letter in found.group(1):
        col = col * 26 + ord(letter) - 64
    row = int(found.group(2))
    if row > MAX_ROW or col > MAX_COL:
        raise ValueError(address)
    return row, col


def address_of(row: int, col: int) -> str:
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def _range(ref: str) -> tuple[int, int, int, int] | None:
    """'B2:D5' -> (2, 2, 5, 4) as first row, first col, last row, last col."""
    try:
        first, _, last = ref.strip().partition(":")
        (r1, c1), (r2, c2) = split_address(first), split_address(last or first)
    except ValueError:
        return None
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def _inside(cell: tuple[int, int], box: tuple[int, int, int, int]) -> bool:
    return box[0] <= cell[0] <= box[2] and box[1] <= cell[1] <= box[3]


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTR.finditer(raw)}


# ---------------------------------------------------------------- the package


class _Package(Zip):
    """The package, refused when two parts share a name as Excel sees them, with its shared strings."""

    def __init__(self, path: Path, source: Source) -> None:
        super().__init__(path, source)
        seen: set[str] = set()
        for info in self.infos:
            if part_key(info.filename) in seen:
                raise PlanError(path, f"holds two parts named '{info.filename}': a damaged package")
            seen.add(part_key(info.filename))
        self._shared: _SharedStrings | list[str] | None = None
        self._sheets = self._read_workbook()  # read (or refused) now, before any edit

    def sheet_part(self, name: str) -> str:
        if name not in self.sheets:  # Excel's sheet names are unique regardless of case
            name = next((n for n in self.sheets if n.lower() == name.lower()), name)
        if name not in self.sheets:
            raise PlanError(self.path, "there is no such sheet", sheet=name)
        part, kind = self.sheets[name]
        if kind != "worksheet":
            raise PlanError(self.path, f"is a {kind or 'sheet of an unknown kind'}, not a worksheet: "
                                       "it has no cells to edit", sheet=name)
        if self.info(part) is None:
            raise PlanError(self.path, f"its part {part} is missing: a damaged package", sheet=name)
        return part

    def sheet_name(self, part: str) -> str | None:
        return next((n for n, (p, k) in self.sheets.items() if k == "worksheet" and part_key(p) == part_key(part)),
                    None)

    def shared_strings(self) -> _SharedStrings | list[str]:
        if self._shared is None:
            self._shared = []
            if self.shared_part and self.info(self.shared_part) is not None:
                self._shared = _SharedStrings(self.path, self.read(self.shared_part, MAX_XML))
        return self._shared

    def tables(self, part: str) -> list[tuple[str, tuple[int, int, int, int], int, int]]:
        """(name, range, header rows, totals rows) of the sheet's tables."""
        found = []
        for _, kind, target in self.relationships(part):
            if kind.endswith("/table") and self.info(target) is not None:
                table = self.xml(target)
                box = _range(table.get("ref") or "")
                header, totals = table.get("headerRowCount") or "1", table.get("totalsRowCount") or "0"
                if box and header.isdigit() and totals.isdigit():
                    found.append((table.get("displayName") or table.get("name") or "", box, int(header), int(totals)))
        return found


# ---------------------------------------------------------------- values

def _text_of(element) -> str:
    """The text of a <si> or <is>: its <t>, or its runs' <t>, without phonetic hints."""
    parts = []
    for child in element:
        if local_name(child.tag) == "t":
            parts.append(child.text or "")
        elif local_name(child.tag) == "r":
            parts.extend(t.text or "" for t in child if local_name(t.tag) == "t")
    return _UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), "".join(parts))


def _cell_value(cell, shared: Callable[[], _SharedStrings | list[str]]) -> Value:
    """What a <c> element holds: text, number, bool, an error such as '#N/A', '=FORMULA'."""
    children = {local_name(child.tag): child for child in cell}
    if "f" in children:
        return "=" + (children["f"].text or "")
    kind = cell.get("t") or "n"
    if kind == "inlineStr":
        return _text_of(children["is"]) if "is" in children else None
    raw = children["v"].text if "v" in children else None
    if raw is None:
        return None
    raw = raw.strip() if kind in ("n", "b", "s") else raw
    try:
        if kind == "s":
            return shared()[int(raw)]
        if kind == "b":
            return raw == "1"
        if kind == "n":
            return int(raw) if re.fullmatch(r"-?\d+", raw) else float(raw)
    except (ValueError, IndexError):
        return raw
    return _UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), raw) if kind == "str" else raw


def same_value(old: Value, new: Value) -> bool:
    if old is None or new is None:
        return old is None and new is None
    if isinstance(old, bool) or isinstance(new, bool):
        return isinstance(old, bool) and isinstance(new, bool) and old == new
    if isinstance(old, str) or isinstance(new, str):
        return isinstance(old, str) and isinstance(new, str) and old == new
    return old == new


def _value_problem(value: Value) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} is not a number a cell can hold"
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            return f"the text is {len(value)} characters, more than the {MAX_TEXT} a cell holds"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "the text holds characters that cannot be stored"
        return ""
    if value is None or isinstance(value, (bool, int, float)):
        return ""
    return f"cannot write a {type(value).__name__} into a cell (text, number or nothing)"


def _escape(text: str) -> bytes:
    """Text as the content of a <t>: Excel's _xHHHH_ escapes for what XML cannot carry."""
    text = _ESCAPED.sub(r"_x005F_\1", text)  # a literal '_x0041_' must not be read as 'A'
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("utf-8")


# ---------------------------------------------------------------- the sheet's XML

def _plain_xml_problem(xml: bytes) -> str:
    """Why an XML part is not one plantools scans as bytes: what no spreadsheet program
    writes, and what XML bombs and tricks come in by."""
    head = xml[:200].lstrip(b"\xef\xbb\xbf")
    declared = re.match(rb"\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']+)", head)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (
            declared and declared.group(1).lower() not in (b"utf-8", b"utf8")):
        return "its XML is not UTF-8, which no spreadsheet program writes"
    if re.search(rb"<!DOCTYPE", xml, re.IGNORECASE):
        return "its XML declares a DOCTYPE, as an XML bomb does; no spreadsheet program writes one"
    return ""


def _root(xml: bytes, name: bytes) -> tuple[bytes, bytes, int] | None:
    """The SpreadsheetML prefix (with its colon, or nothing), the namespace declarations and
    the end of the root element `name`; None when it is not SpreadsheetML."""
    root = re.search(rb"<(?:([\w.-]+):)?" + name + rb"\b" + _ATTRS + rb">", xml)
    if not root:
        return None
    prefix = root.group(1) or b""
    if _attrs(root.group(2)).get(b"xmlns:" + prefix if prefix else b"xmlns", b"").decode() not in MAIN_NS:
        return None
    namespaces = b" ".join(re.findall(rb"""xmlns(?::[\w.-]+)?\s*=\s*(?:"[^"]*"|'[^']*')""", root.group(2)))
    return (prefix + b":" if prefix else b""), namespaces, root.end()


def _fragment(namespaces: bytes, xml: bytes):
    """Parse a piece of a part (a row, a cell, a shared string) under the part's namespaces."""
    from defusedxml import ElementTree

    return ElementTree.fromstring(b"<w " + namespaces + b">" + xml + b"</w>")


class _SharedStrings:
    """The shared strings, found by a scan of the bytes; each parsed only when asked for, so
    that reading a few of 900,000 takes no time."""

    def __init__(self, path: Path, xml: bytes) -> None:
        problem, root = _plain_xml_problem(xml), _root(xml, b"sst")
        if problem or root is None or b"<!--" in xml[root[2]:] or b"<![CDATA[" in xml:
            raise PlanError(path, "its shared strings part cannot be read: "
                                  + (problem or "it is not the XML spreadsheet programs write"))
        p, self.namespaces, start = root
        self.xml = xml
        found = re.compile(b"<" + p + rb"si\b[^>]*?(?:/>|>.*?</" + p + rb"si\s*>)", re.DOTALL)
        self._found = found.finditer(xml, start)
        self.spans: list[tuple[int, int]] = []  # found so far: the scan goes only as far as asked

    def __getitem__(self, index: int) -> str:
        while len(self.spans) <= index:
            match = next(self._found, None)
            if match is None:
                raise IndexError(index)
            self.spans.append(match.span())
        start, end = self.spans[index]
        return _text_of(_fragment(self.namespaces, self.xml[start:end])[0])

@dataclass
class _Sheet:
    """One worksheet's XML and where its parts are, found by scanning the bytes (no tree)."""

    path: Path
    name: str
    xml: bytes
    p: bytes = b""  # the prefix of the SpreadsheetML namespace, with its colon
    data_start: int = 0  # the content of <sheetData> is xml[data_start:data_end]
    data_end: int = 0
    data_tag: re.Match | None = None  # when <sheetData/> is empty
    namespaces: bytes = b""

    def refuse(self, message: str, cell: str = "") -> PlanError:
        return PlanError(self.path, message, sheet=self.name, cell=cell)

    def locate(self) -> None:
        problem = _plain_xml_problem(self.xml)
        if problem:
            raise self.refuse(problem)
        root = _root(self.xml, b"worksheet")
        if root is None:
            raise self.refuse("its XML is not a SpreadsheetML worksheet")
        self.p, self.namespaces, root_end = root
        tag = re.compile(b"<" + self.p + rb"sheetData\b" + _ATTRS + rb"(/?)>").search(self.xml, root_end)
        if not tag:
            raise self.refuse("its XML has no <sheetData>")
        if tag.group(2):
            self.data_start = self.data_end = tag.end()
            self.data_tag = tag
        else:
            end = re.compile(b"</" + self.p + rb"sheetData\s*>").search(self.xml, tag.end())
            if not end:
                raise self.refuse("its XML is cut short (no </sheetData>)")
            self.data_start, self.data_end = tag.end(), end.start()
        data = self.xml[self.data_start:self.data_end]
        if b"<!--" in data or b"<![CDATA[" in data or b"<?" in data:
            raise self.refuse("its cells hold XML comments, CDATA or processing instructions, "
                              "which no spreadsheet program writes")

    def array_ranges(self) -> list[tuple[int, int, int, int]]:
        """The ranges of array formulas (dynamic arrays' spill ranges too) and data tables."""
        found = re.compile(b"<" + self.p + rb"""f\b[^>]*?\bt\s*=\s*["'](?:array|dataTable)["'][^>]*>""")
        boxes = []
        for match in found.finditer(self.xml, self.data_start, self.data_end):
            ref = _attrs(match.group(0)).get(b"ref")
            box = _range(ref.decode()) if ref else None
            if box:
                boxes.append(box)
        return boxes

    def merged_ranges(self) -> list[tuple[int, int, int, int]]:
        found = re.compile(b"<" + self.p + rb"""mergeCell\b[^>]*?\bref\s*=\s*["']([^"']+)["']""")
        boxes = [_range(m.group(1).decode()) for m in found.finditer(self.xml, self.data_end)]
        return [box for box in boxes if box]

    def column_styles(self) -> list[tuple[int, int, bytes]]:
        cols_end = self.xml.find(b"<" + self.p + b"sheetData")
        found = re.compile(b"<" + self.p + rb"col\b" + _ATTRS + rb"/?>")
        styles = []
        for match in found.finditer(self.xml, 0, cols_end):
            attrs = _attrs(match.group(1))
            bounds = attrs.get(b"min", b""), attrs.get(b"max", b"")
            if attrs.get(b"style", b"0") != b"0" and bounds[0].isdigit() and bounds[1].isdigit():
                styles.append((int(attrs[b"min"]), int(attrs[b"max"]), attrs[b"style"]))
        return styles


# ---------------------------------------------------------------- editing

Refused = dict[str, dict[str, str]]  # sheet -> address -> why the cell cannot be written


def edit_cells(source: Source, target: Source, edits: Edits) -> None:
    """Copy `source` to `target` with `edits` ({sheet: {address: value}}) applied; see the
    module's docstring. Nothing is written to `target` when an edit is refused."""
    path = _path(source, "workbook")
    if isinstance(target, (str, Path)) and path.exists() and Path(target).exists() and path.samefile(target):
        raise PlanError(path, "cannot be edited onto itself: write to another file, then replace")
    package = _Package(path, source)
    try:
        new_parts, refused = _edit_package(package, edits)
        for sheet, cells in refused.items():
            for address, why in cells.items():
                raise PlanError(path, f"{why}; nothing was written", sheet=sheet, cell=address)
        _write_package(package, target, new_parts)
    finally:
        package.close()


def cell_problems(source: Source, edits: Edits) -> Refused:
    """Why each edit that edit_cells would refuse cannot be made ({sheet: {address: reason}});
    all at once, for a dry run to list. Problems with the whole workbook or a whole sheet
    (not a workbook, no such sheet, signed) raise PlanError as edit_cells does."""
    package = _Package(_path(source, "workbook"), source)
    try:
        return _edit_package(package, edits)[1]
    finally:
        package.close()


def _path(source: Source, default: str) -> Path:
    return Path(source) if isinstance(source, (str, Path)) else Path(getattr(source, "name", default))


def _edit_package(package: _Package, edits: Edits) -> tuple[dict[str, bytes], Refused]:
    """The new XML of each sheet edited, by zip entry name, and the edits refused."""
    path = package.path
    if any(part_key(info.filename).startswith("_xmlsignatures/") for info in package.infos):
        raise PlanError(path, "is digitally signed: changing any cell would break its signature; nothing was written")
    new_parts: dict[str, bytes] = {}
    refused: Refused = {}
    for sheet_name, cells in edits.items():
        if not cells:
            continue
        part = package.sheet_part(sheet_name)
        info = package.info(part)
        assert info is not None
        if info.filename in new_parts:
            raise PlanError(path, "the same sheet was given twice", sheet=sheet_name)
        name = package.sheet_name(part) or sheet_name
        problems: dict[str, str] = {}
        new_parts[info.filename] = _edit_sheet(package, part, name, cells, problems)
        if problems:
            refused[name] = problems
    return new_parts, refused


def _edit_sheet(package: _Package, part: str, name: str, cells: Mapping[str, Value],
                refused: dict[str, str]) -> bytes:
    """The sheet's XML with `cells` written, but for those refused (address -> why)."""
    wanted: dict[tuple[int, int], Value] = {}
    for address, value in cells.items():
        try:
            key = split_address(str(address))
        except ValueError:
            refused[str(address)] = "is not a cell address such as B7"
            continue
        if key in wanted:
            refused[address_of(*key)] = "was given twice"
        elif _value_problem(value):
            refused[address_of(*key)] = _value_problem(value)
        else:
            wanted[key] = None if value == "" else value

    sheet = _Sheet(package.path, name, package.read(part, MAX_XML))
    sheet.locate()
    arrays, merged = sheet.array_ranges(), sheet.merged_ranges()
    tables = package.tables(part)
    for key in list(wanted):
        address = address_of(*key)
        if any(_inside(key, box) for box in arrays):
            refused[address] = "is part of an array formula or data table"
        for box in merged:
            if _inside(key, box) and key != (box[0], box[1]):
                refused[address] = (f"is inside the merged range {address_of(box[0], box[1])}:"
                                    f"{address_of(box[2], box[3])} but not its top-left cell")
        for table, box, header, totals in tables:
            if _inside(key, box) and (key[0] < box[0] + header or key[0] > box[2] - totals):
                refused[address] = f"is in the header or totals row of the table '{table}'"
        if address in refused:
            del wanted[key]

    splices: list[tuple[int, int, bytes]] = []
    by_row: dict[int, dict[int, Value]] = {}
    for (row, col), value in sorted(wanted.items()):
        by_row.setdefault(row, {})[col] = value
    p = sheet.p
    row_tag = re.compile(b"<" + p + rb"row\b" + _ATTRS + rb"(/?)>")
    row_end = re.compile(b"</" + p + rb"row\s*>")
    col_styles = sheet.column_styles()
    pending = sorted(by_row)
    number, last = 0, 0
    for match in row_tag.finditer(sheet.xml, sheet.data_start, sheet.data_end):
        if not pending:
            break
        attrs = _attrs(match.group(1))
        number = int(attrs[b"r"]) if attrs.get(b"r", b"").isdigit() else number + 1
        if number <= last:
            raise sheet.refuse(f"its rows are out of order (row {number} after row {last}); nothing was written")
        last = number
        while pending and pending[0] < number:  # rows to create before this one
            row = pending.pop(0)
            splices.append((match.start(), match.start(), _new_row(sheet, row, by_row[row], col_styles)))
        if pending and pending[0] == number:
            pending.pop(0)
            if match.group(2):  # <row .../> with no cells
                cells_xml = b"".join(_new_cell(sheet, number, col, value, _default_style(attrs, col, col_styles))
                                     for col, value in by_row[number].items() if value is not None)
                if cells_xml:
                    splices.append((match.start(), match.end(), match.group(0)[:match.start(2) - match.start()]
                                    + b">" + cells_xml + b"</" + p + b"row>"))
                continue
            end = row_end.search(sheet.xml, match.end(), sheet.data_end)
            if not end:
                raise sheet.refuse(f"its XML is cut short (row {number} is not closed)")
            splices.extend(_edit_row(package, sheet, number, attrs, match.end(), end.start(), by_row[number],
                                     col_styles, refused))
    new_rows = b"".join(_new_row(sheet, row, by_row[row], col_styles) for row in pending)
    if new_rows:
        if sheet.data_tag is not None:  # <sheetData/>
            tag = sheet.data_tag
            splices.append((tag.start(), tag.end(), sheet.xml[tag.start():tag.start(2)] + b">" + new_rows
                            + b"</" + p + b"sheetData>"))
        else:
            splices.append((sheet.data_end, sheet.data_end, new_rows))
    splices.extend(_widen_dimension(sheet, [key for key, value in wanted.items() if value is not None]))
    out, at = [], 0
    for first, stop, text in sorted(splices, key=lambda s: (s[0], s[1])):
        out.append(sheet.xml[at:first])
        out.append(text)
        at = stop
    out.append(sheet.xml[at:])
    return b"".join(out)


def _default_style(row_attrs: dict[bytes, bytes], col: int, col_styles: list[tuple[int, int, bytes]]) -> bytes:
    """The style Excel gives a new cell: its row's if the row is formatted, else its column's."""
    if row_attrs.get(b"customFormat") in (b"1", b"true") and row_attrs.get(b"s"):
        return row_attrs[b"s"]
    return next((style for first, last, style in col_styles if first <= col <= last), b"")


def _new_row(sheet: _Sheet, row: int, values: dict[int, Value], col_styles) -> bytes:
    cells = b"".join(_new_cell(sheet, row, col, value, _default_style({}, col, col_styles))
                     for col, value in values.items() if value is not None)
    return b"<" + sheet.p + b'row r="' + str(row).encode() + b'">' + cells + b"</" + sheet.p + b"row>" if cells else b""


def _new_cell(sheet: _Sheet, row: int, col: int, value: Value, style: bytes) -> bytes:
    attrs = b' r="' + address_of(row, col).encode() + b'"'
    if style and style != b"0":
        attrs += b' s="' + style + b'"'
    return _cell_xml(sheet.p, attrs, value)


def _cell_xml(p: bytes, attrs: bytes, value: Value) -> bytes:
    if value is None:
        return b"<" + p + b"c" + attrs + b"/>"
    if isinstance(value, str):
        return (b"<" + p + b"c" + attrs + b' t="inlineStr"><' + p + b"is><" + p + b't xml:space="preserve">'
                + _escape(value) + b"</" + p + b"t></" + p + b"is></" + p + b"c>")
    if isinstance(value, bool):
        return (b"<" + p + b"c" + attrs + b' t="b"><' + p + b"v>" + (b"1" if value else b"0") + b"</" + p
                + b"v></" + p + b"c>")
    number = repr(float(value)) if isinstance(value, float) else str(int(value))
    return b"<" + p + b"c" + attrs + b"><" + p + b"v>" + number.encode() + b"</" + p + b"v></" + p + b"c>"


def _edit_row(package: _Package, sheet: _Sheet, number: int, row_attrs: dict[bytes, bytes], start: int, end: int,
              values: dict[int, Value], col_styles, refused: dict[str, str]) -> list[tuple[int, int, bytes]]:
    p = sheet.p
    cell_tag = re.compile(b"<" + p + rb"c\b" + _ATTRS + rb"(/?)>")
    cell_end = re.compile(b"</" + p + rb"c\s*>")
    existing: dict[int, tuple[int, int, re.Match, bytes]] = {}  # col -> (start, end, tag, content)
    col, after_last = 0, start
    for match in cell_tag.finditer(sheet.xml, start, end):
        attrs = _attrs(match.group(1))
        try:
            col = split_address(attrs[b"r"].decode())[1] if b"r" in attrs else col + 1
        except ValueError:
            raise sheet.refuse(f"a cell in row {number} has the address '{attrs[b'r'].decode()}'") from None
        if match.group(2):
            existing[col] = (match.start(), match.end(), match, b"")
            after_last = match.end()
            continue
        close = cell_end.search(sheet.xml, match.end(), end)
        if not close:
            raise sheet.refuse(f"its XML is cut short (a cell in row {number} is not closed)")
        existing[col] = (match.start(), close.end(), match, sheet.xml[match.end():close.start()])
        after_last = close.end()
    splices = []
    for col, value in values.items():
        address = address_of(number, col)
        if col not in existing:
            if value is not None:
                later = [s for c, (s, _, _, _) in existing.items() if c > col]
                at = min(later) if later else after_last
                splices.append((at, at, _new_cell(sheet, number, col, value,
                                                  _default_style(row_attrs, col, col_styles))))
            continue
        cell_start, cell_stop, tag, content = existing[col]
        if re.search(b"<" + p + rb"f\b", content):
            refused[address] = "holds a formula: plantools does not overwrite formulas"
            continue
        attrs = _attrs(tag.group(1))
        if b"vm" in attrs:
            refused[address] = "holds a picture or other rich value in the cell"
            continue
        if same_value(_old_value(package, sheet, sheet.xml[cell_start:cell_stop]), value):
            continue
        kept = b"".join(b" " + m.group(0) for m in _ATTR.finditer(tag.group(1))
                        if m.group(1) not in (b"t", b"cm", b"vm"))  # the type is the new value's
        splices.append((cell_start, cell_stop, _cell_xml(p, kept, value)))
    return splices


def _old_value(package: _Package, sheet: _Sheet, cell_xml: bytes) -> Value:
    from defusedxml import DefusedXmlException, ElementTree

    try:
        wrapped = _fragment(sheet.namespaces, cell_xml)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise sheet.refuse(f"a cell's XML cannot be read ({exc})") from None
    return _cell_value(wrapped[0], package.shared_strings)


def _widen_dimension(sheet: _Sheet, cells: list[tuple[int, int]]) -> list[tuple[int, int, bytes]]:
    """The <dimension> widened to take in new cells outside it: some readers stop at it."""
    found = re.compile(b"<" + sheet.p + rb"""dimension\b[^>]*?\bref\s*=\s*(["'])([^"']+)\1""").search(
        sheet.xml, 0, sheet.data_start)
    box = _range(found.group(2).decode()) if found else None
    if not found or not box or all(_inside(cell, box) for cell in cells):
        return []
    rows, cols = [box[0], box[2], *(r for r, _ in cells)], [box[1], box[3], *(c for _, c in cells)]
    ref = f"{address_of(min(rows), min(cols))}:{address_of(max(rows), max(cols))}".encode()
    return [(found.start(2), found.end(2), ref)]


def _write_package(package: _Package, target: Source, new_parts: dict[str, bytes]) -> None:
    """Every entry in its order, with its name, date, attributes and compression; new content
    only for the parts in new_parts. The old content is streamed, never held whole."""
    try:
        with zipfile.ZipFile(target, "w", allowZip64=True) as out:
            out.comment = package.zip.comment
            for info in package.infos:
                entry = zipfile.ZipInfo(info.filename, info.date_time)
                entry.filename = info.filename  # ZipInfo turns '\' into '/' on Windows: keep the name as it was
                entry.compress_type = info.compress_type
                entry.external_attr = info.external_attr
                entry.create_system = info.create_system
                entry.comment = info.comment
                if info.filename in new_parts:
                    out.writestr(entry, new_parts[info.filename])
                    continue
                entry.file_size = info.file_size  # so that zip64 is chosen up front for a huge part
                with package.zip.open(info) as old, out.open(entry, "w", force_zip64=info.file_size > 2**31) as new:
                    shutil.copyfileobj(old, new, 1024 * 1024)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError) as exc:
        raise PlanError(package.path, f"a part cannot be copied ({exc}); nothing was written") from None
    except OSError as exc:
        where = Path(target) if isinstance(target, (str, Path)) else package.path
        raise PlanError(where, f"cannot be written: {exc.strerror or exc}") from None


# ---------------------------------------------------------------- reading back

@dataclass
class Changes:
    """What differs between two packages: cells[sheet][address] = (old, new), and every other
    difference in words (empty when only cell values changed)."""

    cells: dict[str, dict[str, tuple[Value, Value]]] = field(default_factory=dict)
    other: list[str] = field(default_factory=list)


def changed_cells(source: Source, target: Source) -> Changes:
    """Compare two packages part by part and the sheets that differ cell by cell (parsed XML)."""
    old, new = _Package(_path(source, "source"), source), _Package(_path(target, "target"), target)
    changes = Changes()
    try:
        names, new_names = [i.filename for i in old.infos], [i.filename for i in new.infos]
        gone, added = [n for n in names if n not in new_names], [n for n in new_names if n not in names]
        if gone:
            changes.other.append("parts gone: " + ", ".join(gone))
        if added:
            changes.other.append("parts added: " + ", ".join(added))
        if not gone and not added and names != new_names:
            changes.other.append("the parts are in another order")
        news = {i.filename: i for i in new.infos}
        for a in old.infos:
            b = news.get(a.filename)
            if b is None:
                continue
            if a.compress_type != b.compress_type:
                changes.other.append(f"{a.filename}: compression changed")
            if _same_bytes(old, a, new, b):
                continue
            sheet = old.sheet_name(a.filename)
            if sheet is None:
                changes.other.append(f"{a.filename}: content changed")
            elif not _compare_rows(old, new, a.filename, sheet, changes):
                _compare_sheet(old, new, a.filename, sheet, changes)
    finally:
        old.close()
        new.close()
    return changes


def _same_bytes(old: _Package, a: zipfile.ZipInfo, new: _Package, b: zipfile.ZipInfo) -> bool:
    if a.file_size != b.file_size or a.CRC != b.CRC:
        return False
    with old.zip.open(a) as x, new.zip.open(b) as y:
        while True:
            chunk = x.read(1024 * 1024)
            if chunk != y.read(1024 * 1024):
                return False
            if not chunk:
                return True


_ROW_NUMBER = re.compile(rb"""(?:^|\s)r\s*=\s*["'](\d+)["']""")


def _rows(xml: bytes) -> tuple[_Sheet, bytes, dict[int, bytes], bytes] | None:
    """The sheet cut at the start of each row: (sheet, head, {row: its XML up to the next
    row}, tail), which put together again are the whole XML. None when it cannot be cut so
    (rows without numbers or out of order, comments in the cells...)."""
    sheet = _Sheet(Path(), "", xml)
    try:
        sheet.locate()
    except PlanError:
        return None
    starts: list[tuple[int, int]] = []
    for match in re.compile(b"<" + sheet.p + rb"row\b" + _ATTRS + rb"/?>").finditer(xml, sheet.data_start,
                                                                                   sheet.data_end):
        number = _ROW_NUMBER.search(match.group(1))
        if not number or (starts and int(number.group(1)) <= starts[-1][0]):
            return None
        starts.append((int(number.group(1)), match.start()))
    ends = [start for _, start in starts[1:]] + [sheet.data_end]
    rows = {number: xml[start:end] for (number, start), end in zip(starts, ends)}
    return sheet, xml[:starts[0][1] if starts else sheet.data_end], rows, xml[sheet.data_end:]


def _compare_rows(old: _Package, new: _Package, part: str, sheet: str, changes: Changes) -> bool:
    """The quick comparison of two versions of a sheet: byte-identical rows are the same rows;
    only the rows that differ are parsed and compared cell by cell. False, with nothing
    recorded, when anything else differs: the whole sheets are then compared parsed."""
    from defusedxml import DefusedXmlException, ElementTree

    before, after = _rows(old.read(part, MAX_XML)), _rows(new.read(part, MAX_XML))
    if before is None or after is None:
        return False
    dimension = re.compile(rb"""(<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*["'])([^"']*)""")
    refs = [dimension.search(version[1]) for version in (before, after)]
    if (before[3] != after[3] or dimension.sub(rb"\1", before[1], 1) != dimension.sub(rb"\1", after[1], 1)
            or (refs[0] is None) != (refs[1] is None)):
        return False
    cells: dict[str, tuple[Value, Value]] = {}
    found = Changes(cells={sheet: cells})
    if refs[0] and refs[1] and refs[0].group(2) != refs[1].group(2) and not _wider(
            ("", "", [("ref", refs[0].group(2).decode())]), ("", "", [("ref", refs[1].group(2).decode())])):
        found.other.append(f"{sheet}: <dimension> changed")
    try:
        _well_formed(new.read(part, MAX_XML))
        for number in sorted(set(before[2]) | set(after[2])):
            x, y = before[2].get(number), after[2].get(number)
            if x != y:
                _compare_row(old, new, sheet, number, x and _fragment(before[0].namespaces, x),
                             y and _fragment(after[0].namespaces, y), found)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        found.other.append(f"{sheet}: its XML cannot be read ({exc})")
    if cells:
        changes.cells[sheet] = cells
    changes.other.extend(found.other)
    return True


def _well_formed(xml: bytes) -> None:
    """Parse the whole part without building anything, to know it is XML throughout (it has
    no DOCTYPE, so no entities: _rows made sure)."""
    from xml.parsers import expat

    try:
        expat.ParserCreate().Parse(xml, True)
    except expat.ExpatError as exc:
        raise ValueError(str(exc)) from None


def _compare_row(old: _Package, new: _Package, sheet: str, number: int, x, y, changes: Changes) -> None:
    """One row as parsed from each version (None where it is not there)."""
    items: list[list[tuple]] = []
    for version in (x, y):
        rows = [] if version is None else [e for e in version if local_name(e.tag) == "row"]
        if version is not None and len(rows) != 1 or rows and rows[0].get("r") != str(number):
            raise ValueError(f"row {number} is not one row")
        found, col = [], 0
        for index, element in enumerate(rows[0] if rows else []):
            if local_name(element.tag) != "c":
                found.append(((1, index, 0), ("xml", *_canonical(element))))
                continue
            col = split_address(element.get("r"))[1] if element.get("r") else col + 1
            found.append(((0, col, 0), ("cell", address_of(number, col), _canonical(element))))
        if [key for key, _ in found] != sorted(set(key for key, _ in found)):
            raise ValueError(f"the cells of row {number} are out of order")
        items.append([((0, 0, 0), ("row", dict(rows[0].attrib)))] + found if rows else [])
    cells = changes.cells[sheet]
    for a, b in _paired(iter(items[0]), iter(items[1])):
        one: tuple = a if a is not None else b  # type: ignore[assignment]
        if one[0] == "cell":
            _compare_cell(old, new, a, b, f"{sheet}!{one[1]}", cells, changes)
        elif one[0] == "row" and a is None and set(one[1]) == {"r"}:
            continue  # a row made for new cells
        elif a != b:
            changes.other.append(f"{sheet}: row {number} changed")


def _sheet_items(package: _Package, part: str) -> Iterator[tuple[tuple[int, int, int], tuple]]:
    """The sheet as keyed items: elements outside <sheetData> by their order, rows and cells
    by (row, column), so that two versions can be walked side by side."""
    from defusedxml import ElementTree

    stack: list[str] = []
    row = col = seq = 0
    phase = 0
    for event, element in ElementTree.iterparse(io.BytesIO(package.read(part, MAX_XML)), events=("start", "end")):
        name = local_name(element.tag)
        if event == "start":
            stack.append(name)
            if stack[-2:] == ["sheetData", "row"]:
                row = int(element.get("r") or row + 1)
                col = 0
                yield (1, row, 0), ("row", dict(element.attrib))
            elif name == "sheetData":
                phase = 1
            continue
        stack.pop()
        if stack[-2:] == ["sheetData", "row"] and name == "c":
            col = split_address(element.get("r"))[1] if element.get("r") else col + 1
            yield (1, row, col), ("cell", address_of(row, col), _canonical(element))
            element.clear()
        elif stack[-1:] == ["sheetData"] and name == "row":
            element.clear()
        elif "sheetData" not in stack:
            if name == "sheetData":
                phase = 2
            text = ((element.text or "").strip(), (element.tail or "").strip())
            yield (phase * 2, seq, 0), ("xml", element.tag, sorted(element.attrib.items()), text)
            seq += 1


def _canonical(element) -> tuple:
    return (element.tag, sorted(element.attrib.items()), element.text,
            [_canonical(child) for child in element])


def _paired(a: Iterator[tuple], b: Iterator[tuple]) -> Iterator[tuple[tuple | None, tuple | None]]:
    """Walk two key-sorted streams side by side: items with equal keys together, others alone."""
    x, y = next(a, None), next(b, None)
    while x is not None or y is not None:
        if x is not None and (y is None or x[0] < y[0]):
            yield x[1], None
            x = next(a, None)
        elif y is not None and (x is None or y[0] < x[0]):
            yield None, y[1]
            y = next(b, None)
        elif x is not None and y is not None:
            yield x[1], y[1]
            x, y = next(a, None), next(b, None)


def _compare_sheet(old: _Package, new: _Package, part: str, sheet: str, changes: Changes) -> None:
    from defusedxml import DefusedXmlException, ElementTree

    cells = changes.cells.setdefault(sheet, {})
    try:
        for x, y in _paired(_sheet_items(old, part), _sheet_items(new, part)):
            one: tuple = x if x is not None else y  # type: ignore[assignment]
            if one[0] == "cell":
                _compare_cell(old, new, x, y, f"{sheet}!{one[1]}", cells, changes)
            elif one[0] == "row":
                if x is None and set(one[1]) == {"r"}:
                    continue  # a row made for new cells
                if x != y:
                    changes.other.append(f"{sheet}: row {one[1].get('r', '?')} changed")
            elif x != y:
                if x is not None and y is not None and local_name(x[1]) == "dimension" and _wider(x, y):
                    continue  # widened to take in new cells
                changes.other.append(f"{sheet}: <{local_name(one[1])}> changed")
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        changes.other.append(f"{sheet}: its XML cannot be read ({exc})")
    if not cells:
        del changes.cells[sheet]


def _wider(old: tuple, new: tuple) -> bool:
    before, after = _range(dict(old[2]).get("ref", "")), _range(dict(new[2]).get("ref", ""))
    return bool(before and after and _inside(before[:2], after) and _inside(before[2:], after))


def _element(canonical: tuple):
    """An element again from its canonical form, to read its value."""
    from xml.etree.ElementTree import Element

    tag, attrs, text, children = canonical
    element = Element(tag, dict(attrs))
    element.text = text
    element.extend(_element(child) for child in children)
    return element


def _compare_cell(old: _Package, new: _Package, x: tuple | None, y: tuple | None, where: str, cells: dict,
                  changes: Changes) -> None:
    if x is not None and y is not None and x[2] == y[2]:
        return
    before = _cell_value(_element(x[2]), old.shared_strings) if x is not None else None
    after = _cell_value(_element(y[2]), new.shared_strings) if y is not None else None
    cells[where.rpartition("!")[2]] = (before, after)
    if x is not None and y is not None and dict(x[2][1]).get("s") != dict(y[2][1]).get("s"):
        changes.other.append(f"{where}: its style changed")
