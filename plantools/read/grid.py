"""The sheet as every stage of the reader sees it: its values in a grid, numbered from 1 as
Excel does, with merged ranges filled in (so an objective merged down its actions belongs to
each of them), and only the cells really there held, whatever size the sheet claims. Also the
cell's text as a person means it (`clean`), and the two kinds of finding every stage writes:
a note, and a mismatch with the layout the officer saved."""

from __future__ import annotations

from datetime import date, datetime, time

from plantools.plan.model import Finding, Plan
from plantools.xlsx.parts import column_letters

HEADER_SCAN_ROWS = 40  # title rows above the header: no real plan has more
MAX_COLUMNS = 100  # a plan has a dozen columns; a sheet claiming 16,384 is not read that wide


def mismatch(plan: Plan, severity: str, sheet: str, cell: str, message: str) -> None:
    """Where the workbook no longer matches its saved layout."""
    plan.findings.append(Finding(severity, sheet, cell, "", "layout",
                                 f"{message}; confirm the layout with `plantools layout --save`"))


def note(plan: Plan, sheet: str, cell: str, message: str, field: str = "sheet") -> None:
    plan.findings.append(Finding("note", sheet, cell, "", field, message))


class Grid:
    """A sheet's values with merged ranges filled in, numbered from 1 as Excel does.
    Only the cells really there are held, whatever size the sheet claims to be. merges: the
    merged ranges where calamine does not give them (an .ods)."""

    def __init__(self, title: str, sheet, merges: list | None = None) -> None:
        self.title = title
        rows = sheet.to_python(skip_empty_area=True) if sheet.height else []
        top, left = sheet.start or (0, 0)
        self.top, self.left = top + 1, left + 1  # the first row and column the values cover
        # each row cut to MAX_COLUMNS values, copied only when one is longer
        self.rows = rows if max(map(len, rows), default=0) <= MAX_COLUMNS else [row[:MAX_COLUMNS] for row in rows]
        self.max_row = top + len(rows)
        self.max_col = min(left + (sheet.width or 0), MAX_COLUMNS)
        self.origin: dict[tuple[int, int], tuple[int, int]] = {}  # merged cell -> its top-left
        self.width: dict[tuple[int, int], int] = {}  # top-left -> columns the merge spans
        # row -> its columns covered by a merge starting elsewhere -> the merge's top-left
        self.covered: dict[int, dict[int, tuple[int, int]]] = {}
        for (first_row, first_col), (last_row, last_col) in merges or sheet.merged_cell_ranges or []:
            top_left = (first_row + 1, first_col + 1)
            self.width[top_left] = last_col - first_col + 1
            columns = range(first_col + 1, min(last_col + 1, self.max_col) + 1)
            for row in range(first_row + 1, min(last_row + 1, self.max_row) + 1):
                for col in columns:
                    if (row, col) != top_left:
                        self.origin[(row, col)] = top_left
                        self.covered.setdefault(row, {})[col] = top_left

    def raw(self, row: int, col: int) -> object:
        """The value of the cell itself, ignoring merges; None when empty."""
        index, offset = row - self.top, col - self.left
        if 0 <= index < len(self.rows) and 0 <= offset < len(self.rows[index]):
            value = self.rows[index][offset]
            return None if value == "" else value
        return None

    def blank(self, row: int) -> bool:
        """True when the row holds no value of its own (merges from above may still show)."""
        index = row - self.top
        if not 0 <= index < len(self.rows):
            return True
        values = self.rows[index]
        return values.count("") == len(values)

    def along(self, row: int) -> tuple[list[object], list[object]]:
        """The row's values by column number, 1 to max_col (index 0 unused; None when empty):
        those that show (`value`), and the cells' own (None where a merge starting elsewhere
        covers the cell, as `own` and `raw` say). Made once per row, for the reader's per-row
        work: in a row no merge covers, the one list is both."""
        index = row - self.top
        values = self.rows[index] if 0 <= index < len(self.rows) else []
        cells: list[object] = [None] * self.left  # columns 0 .. left-1 hold nothing
        cells += [None if value == "" else value for value in values[:max(0, self.max_col - self.left + 1)]]
        cells += [None] * (self.max_col + 1 - len(cells))
        covered = self.covered.get(row)
        if not covered:
            return cells, cells
        shown = cells.copy()
        for col, top_left in covered.items():
            cells[col] = None
            shown[col] = self.raw(*top_left)
        return shown, cells

    def value(self, row: int, col: int) -> object:
        """The value that shows at (row, col): the merge's top-left value when merged."""
        return self.raw(*self.origin.get((row, col), (row, col)))

    def own(self, row: int, col: int) -> bool:
        """True unless (row, col) is covered by a merge that starts elsewhere."""
        return (row, col) not in self.origin

    def address(self, row: int, col: int) -> str:
        row, col = self.origin.get((row, col), (row, col))
        return f"{column_letters(col)}{row}"

    def texts_near_top(self) -> list[str]:
        texts = []
        for row in range(1, min(self.max_row, HEADER_SCAN_ROWS) + 1):
            for col in range(1, self.max_col + 1):
                value = self.value(row, col)
                if isinstance(value, str) and value.strip() and len(value) < 60:
                    texts.append(" ".join(value.split()))
        return list(dict.fromkeys(texts))[:12]


def clean(value: object) -> str:
    """Cell text as a person means it: stray spaces and blank lines gone, line breaks kept."""
    if value is None:
        return ""
    if type(value) is str and "\n" not in value and "  " not in value and value == value.strip():
        return value  # already clean: most cells
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    lines = (" ".join(line.split()) for line in str(value).splitlines())
    return "\n".join(line for line in lines if line)
