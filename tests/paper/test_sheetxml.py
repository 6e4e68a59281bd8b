"""A table's rows written as plantools' own sheet XML read back exactly as xlsxwriter's own
cell writes of the same values and formats would."""

import random
import zipfile
from datetime import date, datetime, timedelta

import openpyxl
import pytest
import xlsxwriter

from plantools.paper.formats import WORKBOOK_OPTIONS
from plantools.paper.sharedstrings import hook_into, write_rich_string
from plantools.paper.sheetxml import rows_of

TEXTS = ["", "Green", "=SUM(A1:A2)", "+44 20 7946 0000", "  leading and trailing  ", "line one\nline two",
         "café – “quoted” …", "a\x01control", "<b>&amp;</b>", "0042", "_x0041_", "x" * 300]


def generated_rows(seed: int, count: int) -> list[list]:
    """Rows of every kind of value a table holds: text (odd ones included), dates, numbers, blanks."""
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        row: list = []
        for _ in range(rng.randint(1, 9)):
            kind = rng.random()
            if kind < 0.6:
                row.append(rng.choice(TEXTS) + (str(rng.randint(0, 50)) if rng.random() < 0.3 else ""))
            elif kind < 0.8:
                when = datetime(2019, 1, 1) + timedelta(days=rng.randint(-30000, 3000), seconds=rng.randint(0, 86399))
                row.append(when if rng.random() < 0.5 else when.date())
            else:
                row.append(rng.choice([0, 1, -3, 2.5, 1e-7, 123456789012, 10 ** 15]))
        rows.append(row)
    return rows


def write_both(path_ours, path_theirs, rows: list[list], seed: int) -> None:
    """The same sheet twice: each table row as plantools' own XML, and by xlsxwriter's own
    writes and set_row; xlsxwriter's rows (a merged heading, a header, a gap row with a height)
    interleaved with the table's."""
    rng = random.Random(seed)
    layout = [("table" if rng.random() < 0.8 else rng.choice(["merged", "header", "gap"])) for _ in rows]
    shifts = [0 if number % 7 else rng.choice([60, 120, 700]) for number in range(len(rows))]  # rows of many columns
    for path, own in ((path_ours, True), (path_theirs, False)):
        book = xlsxwriter.Workbook(path, WORKBOOK_OPTIONS)
        text = book.add_format({"text_wrap": True, "border": 1})
        day = book.add_format({"num_format": "dd mmm yyyy hh:mm", "bold": True})
        sheet = book.add_worksheet("Plan")
        for number, (values, kind) in enumerate(zip(rows, layout)):
            far = shifts[number]
            cells = [(col + far, value, day if isinstance(value, date) else text) for col, value in enumerate(values)
                     if value != "" or col != 2]  # column C's blanks: no cell at all
            height = [None, 15, 27.75, 40.5, 408.75][number % 5]  # whole pixels (and others: see below)
            if kind == "merged":
                sheet.merge_range(number, 0, number, 3, f"heading {number}", text)
            elif kind == "header":
                sheet.write_string(number, 0, f"header {number}", day)
            elif kind == "gap":
                sheet.set_row(number, 6)
            elif own:
                rows_of(sheet).add(number, cells, height)
            else:
                for col, value, fmt in cells:
                    if value == "":
                        sheet.write_blank(number, col, None, fmt)
                    elif isinstance(value, str):
                        sheet.write_string(number, col, value, fmt)
                    elif isinstance(value, date):
                        sheet.write_datetime(number, col, value, fmt)
                    else:
                        sheet.write_number(number, col, value, fmt)
                if height is not None:
                    sheet.set_row(number, height)
        book.close()


def described(path) -> list[tuple]:
    """Every cell as a user sees it: value, type, number format, bold, border; every row's height."""
    sheet = openpyxl.load_workbook(path)["Plan"]
    cells = [(c.coordinate, c.value, c.data_type, c.number_format, c.font.b, c.border.left.style, c.alignment.wrap_text)
             for row in sheet.iter_rows() for c in row if c.value is not None or c.has_style]
    heights = [(n, d.height) for n, d in sorted(sheet.row_dimensions.items()) if d.height]
    return [*cells, *heights, ("merged", sorted(map(str, sheet.merged_cells.ranges))),
            ("dimensions", sheet.dimensions)]


@pytest.mark.parametrize("seed", range(6))
def test_own_rows_read_back_as_xlsxwriters_cells(tmp_path, seed):
    rows = generated_rows(seed, 120)
    ours, theirs = tmp_path / "ours.xlsx", tmp_path / "theirs.xlsx"
    write_both(ours, theirs, rows, seed)
    assert described(ours) == described(theirs)
    # the same strings first used in the same order: the shared strings alike to the byte,
    # with the count of uses xlsxwriter writes (count="...")
    with zipfile.ZipFile(ours) as mine, zipfile.ZipFile(theirs) as its:
        assert mine.read("xl/sharedStrings.xml") == its.read("xl/sharedStrings.xml")


def test_a_row_written_both_ways_is_refused(tmp_path):
    """A row both xlsxwriter and plantools wrote would be two rows of one number: refused."""
    book = xlsxwriter.Workbook(tmp_path / "both.xlsx", WORKBOOK_OPTIONS)
    sheet = book.add_worksheet("Plan")
    rows_of(sheet).add(3, [(0, "ours", None)], None)
    sheet.write_string(3, 1, "theirs")
    with pytest.raises(ValueError, match="row 4 of sheet 'Plan' written by xlsxwriter and by plantools"):
        book.close()


def test_shared_strings_are_xlsxwriters_byte_for_byte(tmp_path):
    """Strings of every kind xlsxwriter escapes (and rich text) are written as it writes them."""
    rng = random.Random(7)
    pieces = ["plain", " ", "\t", "\n", "&", "<", ">", '"', "\x00", "\x1f", "_x0041_", "_x00", "\ufffe", "é", "–",
              "\u00a0", "\u2028", "_"]
    strings = sorted({"".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))) for _ in range(3000)})
    written = {}
    for name, hooked in (("ours", True), ("theirs", False)):
        path = tmp_path / f"{name}.xlsx"
        book = xlsxwriter.Workbook(path, WORKBOOK_OPTIONS)
        if hooked:
            hook_into(book)
        sheet = book.add_worksheet()
        bold = book.add_format({"bold": True})
        for row, string in enumerate(strings):
            sheet.write_string(row, 0, string)
        rich = (len(strings), 0, "a ", bold, "rich", " string")
        if hooked:
            write_rich_string(sheet, *rich)
        else:
            sheet.write_rich_string(*rich)
        book.close()
        with zipfile.ZipFile(path) as package:
            written[name] = package.read("xl/sharedStrings.xml")
    assert written["ours"] == written["theirs"] and len(written["ours"]) > 30_000


def test_a_workbook_that_writes_rows_as_they_come_is_refused(tmp_path):
    """In constant_memory mode xlsxwriter writes each row as it goes, never through the sheet's
    row writer: plantools' rows would be lost, so they are refused at the first."""
    book = xlsxwriter.Workbook(tmp_path / "streamed.xlsx", {**WORKBOOK_OPTIONS, "constant_memory": True})
    with pytest.raises(ValueError, match="in_memory mode"):
        rows_of(book.add_worksheet("Plan"))
    book.close()


def test_numbers_no_cell_holds_are_written_as_xlsxwriter_writes_them(tmp_path):
    """NaN and the infinities: the errors xlsxwriter writes under the workbook's nan_inf_to_errors
    (as the history of a frame with gaps was written before the rows were plantools' own), and
    refused without it, as xlsxwriter refuses them."""
    values = [float("nan"), float("inf"), float("-inf"), 2.5]
    for path, own in ((tmp_path / "ours.xlsx", True), (tmp_path / "theirs.xlsx", False)):
        book = xlsxwriter.Workbook(path, WORKBOOK_OPTIONS)
        sheet = book.add_worksheet("Plan")
        if own:
            rows_of(sheet).add(0, [(col, value, None) for col, value in enumerate(values)], None)
        else:
            for col, value in enumerate(values):
                sheet.write_number(0, col, value)
        book.close()
    assert described(tmp_path / "ours.xlsx") == described(tmp_path / "theirs.xlsx")
    assert [c[1] for c in described(tmp_path / "ours.xlsx")[:4]] == ["=#NUM!", "=1/0", "=-1/0", 2.5]
    book = xlsxwriter.Workbook(tmp_path / "refused.xlsx", {**WORKBOOK_OPTIONS, "nan_inf_to_errors": False})
    with pytest.raises(ValueError, match="not a number a cell can hold: nan in A1"):
        rows_of(book.add_worksheet("Plan")).add(0, [(0, float("nan"), None)], None)
    book.close()


def test_row_heights_between_pixels_are_xlsxwriters(tmp_path):
    """A table row's height as printed.py gives it (rarely a whole number of pixels) is written as
    xlsxwriter's set_row writes it, rounded to a pixel, a half pixel up: the same height a row of
    the sheet xlsxwriter writes gets, and the one the row had before it was plantools' own."""
    heights = [13.98, 14.9, 27.7, 46.92, 112.8, 13.875, 16.875, 409.0]  # 18.5 and 22.5 pixels: halves
    for path, own in ((tmp_path / "ours.xlsx", True), (tmp_path / "theirs.xlsx", False)):
        book = xlsxwriter.Workbook(path, WORKBOOK_OPTIONS)
        sheet = book.add_worksheet("Plan")
        for row, height in enumerate(heights):
            if own:
                rows_of(sheet).add(row, [(0, "text", None)], height)
            else:
                sheet.write_string(row, 0, "text")
                sheet.set_row(row, height)
        book.close()
    assert described(tmp_path / "ours.xlsx") == described(tmp_path / "theirs.xlsx")


def test_a_row_beyond_the_sheets_last_is_refused(tmp_path):
    """Row 1,048,577 is none a sheet holds: refused, where written it made a file Excel will not
    open (xlsxwriter's own writes there are dropped)."""
    book = xlsxwriter.Workbook(tmp_path / "far.xlsx", WORKBOOK_OPTIONS)
    sheet = book.add_worksheet("Plan")
    rows_of(sheet).add(1048575, [(0, "the last row", None)], None)
    with pytest.raises(ValueError, match="row 1048577 of sheet 'Plan' is beyond the last row or column a sheet holds"):
        rows_of(sheet).add(1048576, [(0, "one too far", None)], None)
    with pytest.raises(ValueError, match="row 7 of sheet 'Plan' is beyond the last row or column"):
        rows_of(sheet).add(6, [(0, "A", None), (16384, "one column too far", None)], None)
    book.close()
    assert [c.coordinate for row in openpyxl.load_workbook(tmp_path / "far.xlsx")["Plan"].iter_rows(min_row=1048576)
            for c in row if c.value] == ["A1048576"]


def test_text_that_looks_like_rich_text_is_written_as_text(tmp_path):
    """A progress note typed as "<r>a & b</r>" is text: xlsxwriter would write it as rich text's
    XML, unescaped, and no program could open the file. plantools' own rich text (the key under
    a form) is still rich."""
    book = xlsxwriter.Workbook(tmp_path / "rich.xlsx", WORKBOOK_OPTIONS)
    hook_into(book)
    sheet = book.add_worksheet("Plan")
    bold = book.add_format({"bold": True})
    typed = ["<r>a & b</r>", "<r><t>looks rich</t></r>", " <r>x</r>", "<r>x</r>  "]
    rows_of(sheet).add(0, [(col, text, None) for col, text in enumerate(typed)], None)
    sheet.write_string(1, 0, typed[0])  # through xlsxwriter's own write too
    write_rich_string(sheet, 2, 0, "RAG key: ", bold, "Red", " – unlikely")
    book.close()
    values = openpyxl.load_workbook(tmp_path / "rich.xlsx", rich_text=True)["Plan"]
    assert [values.cell(1, col + 1).value for col in range(len(typed))] == typed
    assert values["A2"].value == typed[0]
    assert str(values["A3"].value) == "RAG key: Red – unlikely" and len(values["A3"].value) == 3  # three runs
