"""The rows of plantools' tables as sheet XML, written by plantools into the sheet xlsxwriter writes.

xlsxwriter keeps every cell as an object and writes its XML with general code; the monthly
job's 840,000 cells at 20,000 actions take it 7.4 CPU s, and these rows 3.1 (the benchmark's
--writers, docs/benchmark.md). So a table's rows are joined here, and xlsxwriter, writing the sheet,
writes them where they belong among its own rows. Everything else is still xlsxwriter's: the
shared strings and cell formats the rows point into (its own string table and format indexes),
widths, merged cells, page set-up, RAG rules, dropdowns and protection.

It imports nothing of xlsxwriter (the sheets it is given are xlsxwriter's), so that `check`, which
imports the paper room, loads no xlsxwriter; sharedstrings.py is imported where a workbook is
written. This leans on xlsxwriter's internals, each the one it uses itself to write a cell (the tests
compare the two ways cell by cell, and setup.cfg bounds the versions): a format's
`_get_xf_index`, the workbook's string table, `_convert_date_time`, `_check_dimensions`, and
`_write_rows`, which writes the sheet's rows and here writes plantools' among them.
"""

from __future__ import annotations

from datetime import date
from math import isfinite
from typing import Any

from plantools.xlsx.parts import column_letters

COLUMNS = [column_letters(col + 1) for col in range(64)]  # letters; more made as a wider row needs them
DEFAULT_ROW_PIXELS = 20  # a row 15 points tall: no height is written for it, as xlsxwriter does
# a number no cell holds, as xlsxwriter writes it under nan_inf_to_errors: the formula and its error
NOT_FINITE = {"nan": ("#NUM!", "#NUM!"), "inf": ("1/0", "#DIV/0!"), "-inf": ("-1/0", "#DIV/0!")}


class SheetRows:
    """A sheet's rows written by plantools: each row's XML, by row number."""

    def __init__(self, sheet: Any) -> None:
        if sheet.constant_memory:  # its rows go out as they are written, not through _write_rows
            raise ValueError("a table's own rows need xlsxwriter's in_memory mode, not constant_memory")
        self.sheet = sheet
        self.rows: dict[int, str] = {}
        self.strings = sheet.str_table  # the workbook's shared strings
        self.styles: dict[Any, str] = {None: ""}  # format -> its attribute, s="<its index>"
        self._write_theirs = sheet._write_rows
        sheet._write_rows = self._write_all_rows

    def add(self, row: int, cells: list[tuple[int, Any, Any]], height: float | None) -> None:
        """Row `row` (0-based) of (column, value, format) cells, left to right: a str is shared text, "" a
        formatted blank, a date or datetime a date, a number a number; `height` in points, or the default."""
        if not cells and height is None:
            return
        number = str(row + 1)
        if cells and cells[-1][0] >= len(COLUMNS):  # a plan with dozens of columns of its own
            COLUMNS.extend(column_letters(col + 1) for col in range(len(COLUMNS), cells[-1][0] + 1))
        xml = [_row_start(number, height)]
        styles = self.styles
        # a string's index in the shared strings as xlsxwriter's _get_shared_string_index gives
        # it, which adds a new one and counts every use (the count is written with them); a
        # known string's index looked up here, and counted once for the row
        strings, known, uses = self.strings, self.strings.string_table, 0
        for col, value, fmt in cells:
            ref = COLUMNS[col] + number
            style = styles.get(fmt)
            if style is None:
                style = styles[fmt] = f' s="{fmt._get_xf_index()}"'
            if value.__class__ is str:
                if value:
                    index = known.get(value)
                    if index is None:
                        index = strings._get_shared_string_index(value)
                    else:
                        uses += 1
                    xml.append(f'<c r="{ref}"{style} t="s"><v>{index}</v></c>')
                else:
                    xml.append(f'<c r="{ref}"{style}/>')
            elif isinstance(value, date):  # a datetime too
                xml.append(f'<c r="{ref}"{style}><v>{self.sheet._convert_date_time(value):.16G}</v></c>')
            elif isfinite(value):
                xml.append(f'<c r="{ref}"{style}><v>{value:.16G}</v></c>')
            elif self.sheet.nan_inf_to_errors:  # the workbook's choice, as xlsxwriter's write_number takes it
                formula, error = NOT_FINITE["nan" if value != value else "inf" if value > 0 else "-inf"]
                xml.append(f'<c r="{ref}"{style} t="e"><f>{formula}</f><v>{error}</v></c>')
            else:
                raise ValueError(f"not a number a cell can hold: {value!r} in {ref}")
        xml.append("</row>")
        strings.count += uses
        if row in self.rows:
            raise ValueError(f"row {number} of sheet {self.sheet.name!r} written twice")
        # the sheet's used range, which xlsxwriter writes; -1 beyond the sheet's last row or column,
        # where xlsxwriter's own writes are dropped and a row of ours would make a file Excel refuses
        check = self.sheet._check_dimensions
        if check(row, cells[0][0] if cells else 0) or (cells and check(row, cells[-1][0])):
            raise ValueError(f"row {number} of sheet {self.sheet.name!r} is beyond the last row or column a sheet holds")
        self.rows[row] = "".join(xml)

    def _write_all_rows(self) -> None:
        """xlsxwriter's rows and ours, in row order: its own rows a run at a time, within the
        bounds of each run (the bounds are what its loop goes by), ours between them."""
        sheet, ours = self.sheet, self.rows
        first, last = sheet.dim_rowmin, sheet.dim_rowmax
        theirs = _rows_of_xlsxwriter(sheet)
        clash = theirs.intersection(ours)
        if clash:
            raise ValueError(f"row {min(clash) + 1} of sheet {sheet.name!r} written by xlsxwriter and by plantools")
        order = sorted([*((row, False) for row in theirs), *((row, True) for row in ours)])
        run: list[int] = []
        try:
            for row, own in order:
                if own:
                    self._write_run(run)
                    run = []
                    sheet.fh.write(ours[row])
                else:
                    run.append(row)
            self._write_run(run)
        finally:
            sheet.dim_rowmin, sheet.dim_rowmax = first, last

    def _write_run(self, run: list[int]) -> None:
        if run:
            self.sheet.dim_rowmin, self.sheet.dim_rowmax = run[0], run[-1]
            self._write_theirs()


def rows_of(sheet: Any) -> SheetRows:
    """The sheet's own rows, made (and hooked into xlsxwriter's writing) on first use."""
    rows = vars(sheet).get("plantools_rows")
    if rows is None:
        rows = sheet.plantools_rows = SheetRows(sheet)
    return rows


def _row_start(number: str, height: float | None) -> str:
    if height is None:
        return f'<row r="{number}">'
    pixels = int(height * 4.0 / 3.0 + 0.5)  # as xlsxwriter's set_row rounds a height
    if pixels == DEFAULT_ROW_PIXELS:
        return f'<row r="{number}">'
    return f'<row r="{number}" ht="{pixels * 0.75:.16g}" customHeight="1">'


def _rows_of_xlsxwriter(sheet: Any) -> set[int]:
    """The rows xlsxwriter writes: cells, a height or format (`row_info`), comments."""
    return {row for row, cells in sheet.table.items() if cells} | set(sheet.row_info) | set(sheet.comments)
