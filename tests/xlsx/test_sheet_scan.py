"""The sheet XML scans the reader relies on: how far a sheet's values run (streamed, named by
its true corner), and text a reader would not see in Excel, in workbooks made with openpyxl."""

from pathlib import Path

import openpyxl
from click.testing import CliRunner
from conftest import PLAN_HEADER
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.colors import Color

from plantools.cli import main
from plantools.xlsx import parts as xlsxparts
from plantools.xlsx.parts import Package


def test_extent_is_the_corner_of_the_last_column_and_the_last_row(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Notes"
    sheet["B2"] = "top"
    sheet["AB3"] = "far right"  # the last column...
    sheet["C40"] = "far down"  # ...and the last row are in different rows
    sheet["AZ60"].fill = PatternFill("solid", fgColor="FFFF00")  # styled, no value: not part of it
    sheet.row_dimensions[80].height = 30  # an empty row with a height
    book.save(tmp_path / "notes.xlsx")
    package = Package(tmp_path / "notes.xlsx")
    assert package.extent("Notes") == (40, 28, "AB40")


def test_a_sheet_wider_than_the_budget_is_refused_naming_its_true_extent(tmp_path, monkeypatch):
    book = openpyxl.Workbook()
    plan = book.active
    plan.title = "Plan"
    for row in [["Partnership business plan"], [], PLAN_HEADER,
                ["1.1", "Agreement", "Draft it", "Jo", "Board", "May 2019", "Green", ""]]:
        plan.append(row)
    junk = book.create_sheet("Pasted")
    for row in range(1, 31):
        for col in range(1, 41):
            junk.cell(row, col, "junk")
    junk["B45"] = "below"
    book.save(tmp_path / "plan.xlsx")
    monkeypatch.setattr("plantools.read.workbook.CELL_BUDGET", 1000)
    result = CliRunner().invoke(main, ["check", str(tmp_path / "plan.xlsx"), "--format", "json"])
    assert "sheet 'Pasted' not read: its values run as far as AN45, 45 rows by 40 columns" in result.output


def concealing_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    plan = book.active
    plan.title = "Plan"
    plan["A1"] = "Header"
    plan["A1"].font = Font(color="FFFFFF", bold=True)
    plan["A1"].fill = PatternFill("solid", fgColor="1F3864")  # white on navy: seen
    plan["A2"] = "shown"
    plan["A3"] = "HIDDEN ROW TEXT"
    plan.row_dimensions[3].hidden = True
    plan["B3"].fill = PatternFill("solid", fgColor="FFFF00")  # hidden row, no value: nothing to see
    plan["A4"] = "WHITE TEXT"
    plan["A4"].font = Font(color="FFFFFF")
    plan["B4"] = "THEME WHITE TEXT"
    plan["B4"].font = Font(color=Color(theme=0))
    plan["A5"] = "YELLOW ON YELLOW"
    plan["A5"].font = Font(color="FFFF00")
    plan["A5"].fill = PatternFill("solid", fgColor="FFFF00")
    plan["A6"] = "SEMICOLONS"
    plan["A6"].number_format = ";;;"
    plan["A7"] = "='Risk log'!B4"
    plan["B7"] = "=Plan!A2"  # its own sheet
    plan["C7"] = '="Done!"&A2'  # an exclamation mark in quotes
    plan["D7"] = "=SUM(A1:A2)"
    risk = book.create_sheet("Risk log")
    risk["B4"] = "a child protection case"
    book.save(path)
    return path


def test_concealed_text_is_found_with_why(tmp_path):
    package = Package(concealing_workbook(tmp_path / "plan.xlsx"))
    assert package.concealed("Plan") == {
        "A3": "in a hidden row",
        "A4": "white text",
        "B4": "white text",
        "A5": "text the colour of its fill",
        "A6": "number format ';;;' hides it",
        "A7": "formula reads sheet 'Risk log'",
    }
    assert package.concealed("Risk log") == {}


def test_extent_and_concealed_read_a_block_at_a_time(tmp_path, monkeypatch):
    """Blocks far smaller than a row: the same answers as from one block."""
    path = concealing_workbook(tmp_path / "plan.xlsx")
    whole = Package(path).concealed("Plan"), Package(path).extent("Plan")
    monkeypatch.setattr(xlsxparts, "BLOCK", 7)
    assert (Package(path).concealed("Plan"), Package(path).extent("Plan")) == whole


def test_fills_found_by_address_are_those_every_cell_gives(tmp_path):
    """With no error value on a sheet, the cells whose fills are asked for are found by their
    addresses alone: the same fills as when every cell is looked at (an error value on the
    sheet makes it so), in plain and in prefixed XML (<x:c>), whatever else names the address."""
    import zipfile

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Plan"
    sheet["I1"] = "RAG"
    for address, colour in (("I2", "FF0000"), ("I3", "00B050"), ("I5", "FFC000"), ("I6", "0070C0"), ("AI2", "FFFF00")):
        sheet[address].fill = PatternFill("solid", fgColor=colour)
    sheet["I4"] = 'r="I5"'  # an address in a cell's text
    sheet["I5"].hyperlink = "https://example.org"  # <hyperlink ref="I5">
    sheet.merge_cells("I6:I7")  # <mergeCell ref="I6:I7">
    asked = {"I2", "I3", "I4", "I5", "I6", "I7", "H5"}
    expected = {"I2": "FF0000", "I3": "00B050", "I5": "FFC000", "I6": "0070C0"}
    book.save(tmp_path / "plain.xlsx")
    sheet["Z1"] = "#N/A"  # an error value
    book.save(tmp_path / "error.xlsx")
    with zipfile.ZipFile(tmp_path / "plain.xlsx") as plain, zipfile.ZipFile(tmp_path / "prefixed.xlsx", "w") as out:
        for info in plain.infolist():
            data = plain.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = (data.replace(b"<c ", b"<x:c ").replace(b"</c>", b"</x:c>")
                        .replace(b"<worksheet ", b'<worksheet xmlns:x="http://schemas.openxmlformats.org/'
                                                 b'spreadsheetml/2006/main" ', 1))
                assert b"<x:c " in data
            out.writestr(info, data)
    for name in ("plain", "error", "prefixed"):
        assert Package(tmp_path / f"{name}.xlsx").details("Plan", asked).fills == expected, name
