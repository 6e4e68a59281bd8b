"""A year of monthly copies as one table, for the annual report: month x action.

    frame = plantools.history("S:/Safeguarding/monthly")
    write_history(frame, Path("history.xlsx"))     # or .csv

Each consolidated copy in the folder ("<plan> YYYY-MM.xlsx") gives one row per action that
month (its RAG, deadline, owner and progress as the copy recorded them, and what that month's
change log says about it), plus a row for each action removed that month. Rows are matched
across months by the copy's action key, so an action renumbered mid-year is still one action.
Needs pandas: pip install plantools[pandas].
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from plantools.copy.changes import ADDED, REMOVED, Change
from plantools.copy.earlier import read_copy
from plantools.errors import PlanError
from plantools.plan.model import Action
from plantools.xlsx.files import is_owner_file

if TYPE_CHECKING:
    import pandas

COLUMNS = ["Month", "Ref", "Action", "Owner", "Deadline", "RAG", "Progress", "Changes", "Action key"]
WIDTHS: list[float] = [9, 7, 50, 22, 16, 10, 50, 45, 14]
COPY_NAME = re.compile(r"^(?P<plan>.+) (?P<month>\d{4}-(?:0[1-9]|1[0-2]))\.xlsx$", re.IGNORECASE)
NEEDS_PANDAS = "plantools history needs pandas: pip install plantools[pandas]"


def _pandas():
    try:
        import pandas
    except ImportError:
        raise ModuleNotFoundError(NEEDS_PANDAS, name="pandas") from None
    return pandas


def copies_in(folder: Path, plan: str | None = None) -> list[Path]:
    """The consolidated copies of one plan in `folder`, oldest month first. Excel's "~$" owner
    files and plantools' own temporary files are not copies."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PlanError(folder, "no such folder")
    found: dict[str, list[tuple[str, Path]]] = {}
    for path in folder.iterdir():
        name = COPY_NAME.match(path.name)
        if name and path.is_file() and not is_owner_file(path) and not path.name.startswith(".~"):
            found.setdefault(name["plan"], []).append((name["month"], path))
    if plan is not None:
        found = {name: paths for name, paths in found.items() if name.casefold() == plan.casefold()}
    if not found:
        wanted = f"'{plan} YYYY-MM.xlsx'" if plan else "'<plan> YYYY-MM.xlsx'"
        raise PlanError(folder, f"no consolidated copies here (named {wanted}, as plantools consolidate writes them)")
    if len(found) > 1:
        raise PlanError(folder, f"copies of {len(found)} plans here ({', '.join(sorted(found))}): "
                                "name one with --plan")
    [months] = found.values()
    return [path for _, path in sorted(months)]


def default_path(folder: Path, plan: str | None = None) -> Path:
    """Where the CLI writes the table unless told: '<plan> history.xlsx' beside the copies
    (not named like a copy, so never taken for one)."""
    plan_name = copies_in(folder, plan)[0].stem.rsplit(" ", 1)[0]  # "<plan> YYYY-MM"
    return Path(folder) / f"{plan_name} history.xlsx"


def _changes_said(changes: list[Change]) -> str:
    """That month's change-log entries for one action, as one line."""
    said = []
    for change in changes:
        if change.change in (ADDED, REMOVED):
            said.append(change.change)
        else:
            said.append(f"{change.field}: {change.old or '(blank)'} → {change.new or '(blank)'}")
    return "; ".join(said)


def _row(month: str, action: Action, changes: str) -> list[str]:
    return [month, action.ref, action.what, action.owner,
            action.text("deadline"), action.text("rag"), action.progress, changes, action.key]


def history(folder: Path | str, plan: str | None = None) -> "pandas.DataFrame":
    """One row per action per month from the consolidated copies in `folder` (of the plan
    named `plan`, needed only when the folder holds copies of more than one), with the
    columns COLUMNS, months in order, each month's actions in the plan's order."""
    pandas = _pandas()
    rows = []
    for path in copies_in(Path(folder), plan):
        copy = read_copy(path)
        logged: dict[str, list[Change]] = {}
        for change in copy.log:
            if change.month == copy.month:
                logged.setdefault(change.key, []).append(change)
        for action in copy.actions:
            rows.append(_row(copy.month, action, _changes_said(logged.pop(action.key, []))))
        for changes in logged.values():  # left: actions removed this month, as the log names them
            removed = [c for c in changes if c.change == REMOVED]
            if removed:
                rows.append([copy.month, removed[0].ref, removed[0].action, "", "", "", "",
                             _changes_said(changes), removed[0].key])
    return pandas.DataFrame(rows, columns=COLUMNS)


def write_history(frame: "pandas.DataFrame", path: Path) -> None:
    """The table as a formatted workbook (.xlsx: RAG colours, filters, frozen header) or as
    CSV (.csv, UTF-8 for Excel), written whole or not at all."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        _write_csv(frame, path)
    elif suffix == ".xlsx":
        _write_xlsx(frame, path)
    else:
        raise PlanError(path, "write the history as .xlsx or .csv")


def _write_csv(frame: "pandas.DataFrame", path: Path) -> None:
    import csv

    from plantools.xlsx.csvfiles import csv_safe
    from plantools.xlsx.files import atomic_file

    with atomic_file(path) as temp, temp.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows(csv_safe(row) for row in frame[COLUMNS].itertuples(index=False, name=None))


def _write_xlsx(frame: "pandas.DataFrame", path: Path) -> None:
    from plantools.paper.formats import Formats, add_rag_rules, write_row, write_workbook
    from plantools.xlsx.edit import MAX_ROW

    if len(frame) > MAX_ROW - 3:  # under the title and the header
        raise PlanError(path, f"would hold {len(frame):,} rows, more than an Excel sheet holds under its title and "
                              f"header ({MAX_ROW - 3:,}): write the history as .csv; nothing was written")
    rows = [list(row) for row in frame[COLUMNS].itertuples(index=False, name=None)]
    months = sorted(set(frame["Month"]))
    title = f"Plan history, {months[0]} to {months[-1]}" if months else "Plan history"

    def fill(book) -> None:
        formats = Formats(book)
        sheet = book.add_worksheet("Plan history")  # "History" alone is a name Excel reserves
        sheet.write_string(0, 0, title, formats.title)
        write_row(sheet, 2, COLUMNS, [formats.header] * len(COLUMNS))
        for number, row in enumerate(rows, start=3):
            write_row(sheet, number, row, [formats.text] * len(COLUMNS), WIDTHS)
        for col, width in enumerate(WIDTHS):
            sheet.set_column(col, col, width)
        add_rag_rules(sheet, formats, 3, 2 + len(rows), COLUMNS.index("RAG"), dropdown=False)
        sheet.autofilter(2, 0, 2 + len(rows), len(COLUMNS) - 1)
        sheet.freeze_panes(3, 0)
        # printed for the annual report: landscape A4, the page width, the header on every page
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(2)

    write_workbook(path, fill)
