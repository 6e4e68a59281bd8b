"""What every workbook plantools writes shares: atomic saving, formats, RAG rules, dropdowns."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any, Callable, Sequence

from plantools.paper import printed
from plantools.paper.sheetxml import rows_of
from plantools.plan import rag
from plantools.text import MAX_CELL_TEXT, fit_cell
from plantools.xlsx.files import atomic_file
from plantools.xlsx.gcpause import gc_paused

# Never turn text into a formula or a number: a progress note "=HYPERLINK(...)" or
# "+44 20 ..." stays exactly what staff typed.
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "nan_inf_to_errors": True,
}


DEFAULT_FONT_SIZE = 11  # points: Calibri 11, a workbook's own default


def write_workbook(path: Path, fill: Callable[[Any], None], force: bool = True) -> None:
    """Write the xlsxwriter Workbook that `fill` fills so that it appears under `path` only
    once it is complete: a crash or a full disk leaves the old file or none.

    Cells are kept in memory until the end (xlsxwriter's in_memory mode): a fifth faster than
    its constant_memory mode, for about 250 MB more at the peak of a 100,000-action copy."""
    import xlsxwriter

    from plantools.paper.compression import compressed_at_level
    from plantools.paper.sharedstrings import hook_into

    with atomic_file(path, force) as temp:
        # zipped into memory, then written in one go: a full disk or a lost share then fails
        # in our own write below, with nothing of xlsxwriter's left half open
        buffer = io.BytesIO()
        with gc_paused():  # every cell is an object until the end (see xlsx/gcpause.py)
            book = xlsxwriter.Workbook(buffer, {**WORKBOOK_OPTIONS, "in_memory": True})
            hook_into(book)
            fill(book)
            with compressed_at_level():
                book.close()
            # each sheet refers back to its workbook, a cycle only the collector would free, by
            # walking every cell; with the sheets' references dropped the cells go now, freed
            # by their counts (the collector's pass as the pause ends then has little to walk)
            for sheet in book.worksheets():
                vars(sheet).clear()
            del book
        with temp.open("wb") as handle:
            handle.write(buffer.getbuffer())
            handle.flush()
            os.fsync(handle.fileno())


class Formats:
    """The named cell formats of one workbook; font_size sets the body text (the workbook's
    default font, Calibri 11, when not given)."""

    def __init__(self, book, font_size: float | None = None) -> None:
        size = {"font_size": font_size} if font_size else {}
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.long_title = book.add_format({"bold": True, "font_size": 14, "text_wrap": True, "valign": "top"})
        self.subtitle = book.add_format({"italic": True, "text_wrap": True, "valign": "top", **size})
        self.header = book.add_format({
            "bold": True, "bg_color": "#1F3864", "font_color": "#FFFFFF", "text_wrap": True,
            "valign": "top", "border": 1, **size,
        })
        # a pack's cells to fill in: unlocked (the sheet is protected) and shaded
        self.fill_in = book.add_format({"text_wrap": True, "valign": "top", "border": 1, "locked": False,
                                        "bg_color": "#FFF2CC", **size})
        self.fill_in_header = book.add_format({
            "bold": True, "bg_color": "#BF8F00", "font_color": "#FFFFFF", "text_wrap": True,
            "valign": "top", "border": 1, **size,
        })
        self.heading = book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, **size})
        self.text = book.add_format({"text_wrap": True, "valign": "top", "border": 1, **size})
        self.bold_text = book.add_format({"text_wrap": True, "valign": "top", "border": 1, "bold": True, **size})
        self.date = book.add_format({"num_format": "dd mmm yyyy", "valign": "top", "border": 1, **size})
        self.overdue = book.add_format({
            "text_wrap": True, "valign": "top", "border": 1, "font_color": "#C00000", "bold": True, **size,
        })
        self.rag = {
            status: book.add_format({"bg_color": fill, "font_color": font, "border": 1, "bold": True,
                                     "valign": "top", **size})
            for status, (fill, font) in rag.COLOURS.items()
        }
        # conditional formats take only what differs from the cell's own format
        self.rag_rule = {
            status: book.add_format({"bg_color": fill, "font_color": font})
            for status, (fill, font) in rag.COLOURS.items()
        }


def add_rag_rules(sheet, formats: Formats, first_row: int, last_row: int, col: int,
                  dropdown: bool = True) -> None:
    """Colour the RAG column by its text, so a change typed in Excel recolours at once,
    and offer the key's words as a dropdown."""
    last_row = max(last_row, first_row)
    for status in rag.STATUSES:
        sheet.conditional_format(first_row, col, last_row, col, {
            "type": "text", "criteria": "begins with", "value": status,
            "format": formats.rag_rule[status],
        })
    if not dropdown:
        return
    sheet.data_validation(first_row, col, last_row, col, {
        "validate": "list",
        "source": list(rag.STATUSES),
        "input_title": "RAG status",
        "input_message": "Red, Amber, Green or Complete",
        "error_title": "RAG status",
        "error_message": "Choose Red, Amber, Green or Complete (see the Key sheet).",
        "error_type": "warning",
    })


def write_key(book, formats: Formats, name: str = "Key", font_size: float = DEFAULT_FONT_SIZE, heading: str = ""):
    """The RAG key, set up to print on one page, under `heading` when given; returns the sheet."""
    sheet = book.add_worksheet(name)
    widths: list[float] = [14, 56]
    top = 2 if heading else 0
    if heading:
        sheet.write_string(0, 0, heading, formats.title)
    sheet.write_string(top, 0, "RAG status", formats.header)
    sheet.write_string(top, 1, "Meaning", formats.header)
    for row, status in enumerate(rag.STATUSES, start=top + 1):
        write_row(sheet, row, [status, rag.KEY[status]], [formats.rag[status], formats.text], widths, font_size)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.set_portrait()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 1)
    return sheet


def write_text(sheet, row: int, col: int, text: str, fmt=None) -> None:
    """Text always as text (never a formula, number or link); nothing at all as a blank cell."""
    if text:
        sheet.write_string(row, col, fit_cell(text), fmt)
    else:
        sheet.write_blank(row, col, None, fmt)


def write_row(sheet, row: int, values: list, formats: list, widths: Sequence[float] | None = None,
              font_size: float = DEFAULT_FONT_SIZE) -> None:
    """One row of a table: text as text (as write_text), a datetime as a date, a number as a
    number; and, given the column widths, the row made as tall as its printed text (see
    printed.py). A width of 0 marks a column that is not printed: left out of the height, and an
    empty value there writes no cell. The row's XML is plantools' own (see sheetxml.py): it
    runs once a cell in tables of 100,000 rows, so it is kept lean."""
    heights = []
    cells: list[tuple[int, Any, Any]] = []
    for col, value in enumerate(values):
        if value.__class__ is str:
            if not value:
                if widths is None or widths[col]:  # a border on paper; nothing at all off it
                    cells.append((col, value, formats[col]))
                continue
            cells.append((col, value if len(value) <= MAX_CELL_TEXT // 2 else fit_cell(value), formats[col]))
            if widths is not None and widths[col] and not printed.fits_on_one_line(value, widths[col], font_size):
                heights.append(printed.text_height(value, widths[col], font_size))
        else:
            cells.append((col, value, formats[col]))
    rows_of(sheet).add(row, cells, None if widths is None else printed.row_height(heights, font_size))
