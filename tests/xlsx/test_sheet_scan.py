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
