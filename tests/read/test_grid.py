"""A sheet's grid as the reader's per-row work sees it (Grid.along) says what the per-cell
questions say (value, raw, own) of every cell: merges across and down, values that start
right of column A and below row 1, an empty cell inside a merge's reach and rows past the end."""

from datetime import date

import openpyxl
import python_calamine

from plantools.read.grid import Grid


def test_a_row_at_once_is_each_of_its_cells(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Plan"
    rows = [["Objective", "Action", "Lead", "When", "RAG"],
            ["Hear children", "Survey them", "Jo", date(2019, 3, 31), "Green"],
            ["", "Publish it", "Sam", "May 2019", ""],
            ["Tackle neglect", "Audit cases", 0, 1.5, "Red"],
            ["Priority 2: Prevention"]]
    for r, values in enumerate(rows, start=3):  # from C3: the values start right of A and below 1
        for c, value in enumerate(values, start=3):
            sheet.cell(r, c, value)
    sheet.merge_cells("C4:C5")  # an objective merged down its actions
    sheet.merge_cells("C7:G7")  # a heading merged across
    sheet.merge_cells("G5:G6")  # down from an empty cell
    book.save(tmp_path / "plan.xlsx")
    workbook = python_calamine.CalamineWorkbook.from_path(str(tmp_path / "plan.xlsx"))
    grid = Grid("Plan", workbook.get_sheet_by_name("Plan"))
    assert grid.covered  # the merges are there to be followed
    for row in range(1, grid.max_row + 2):
        shown, cells = grid.along(row)
        assert len(shown) == len(cells) == grid.max_col + 1
        for col in range(1, grid.max_col + 1):
            assert shown[col] == grid.value(row, col), (row, col)
            assert cells[col] == (grid.raw(row, col) if grid.own(row, col) else None), (row, col)
