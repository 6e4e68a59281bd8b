"""A pack as an update form, and a returned pack read back.

Each pack carries a very hidden sheet, "plantools", with its pack id, the plan's file name,
the month, the body, and for each of the body's actions its return key (the sheet and row it
came from), its ref, action, RAG and progress as sent. Nothing else: no other body's actions,
nothing from the shared workbook that the pack does not show.

A sub-group can edit that sheet as easily as any other, so `collect` reads only the pack id
from it: what was sent, and to whom, comes from plantools' own record (plantools.packs.sent). The
plan, month and body it says are read only to name the pack in a message.

A returned pack is read as the sub-group left it, sorted, filtered or re-saved by Excel or
LibreOffice: rows are found by their return key, columns by their headers.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from plantools.errors import PlanError
from plantools.packs.form import FORM, RETURN_SHEET
from plantools.plan import rag
from plantools.plan.columns import EDITABLE, FORM_COLUMNS, LABELS, PLAN_COLUMNS, RETURN_KEY
from plantools.plan.model import Action
from plantools.returns.mail import workbooks_attached
from plantools.xlsx.parts import column_letters
from plantools.xlsx.sniff import is_outlook_message
from plantools.xlsx.values import open_values

# the form's columns a sub-group fills in: header on the Plan sheet -> field
FILLED_IN = {c.label: c.name for c in (*PLAN_COLUMNS, *FORM_COLUMNS) if c.name in EDITABLE}
# the protected columns that say which action a row is: checked against its return key, so a
# row whose key was sorted away from it (the hidden column left out of a sort) is caught
SHOWN = {LABELS[name]: name for name in ("ref", "action")}


@dataclass
class Row:
    """One action's row of a returned pack."""
    key: str
    cell_row: int  # the row in the returned pack's Plan sheet
    values: dict[str, object]  # field of FILLED_IN -> what the return holds
    columns: dict[str, int]  # field of FILLED_IN -> column in the returned pack
    shown: dict[str, str] = field(default_factory=dict)  # SHOWN field -> what the row's cell says
    key_column: str = ""  # the letter of the Return key column

    def cell(self, name: str) -> str:
        return f"{column_letters(self.columns[name])}{self.cell_row}"


@dataclass
class Returned:
    path: Path
    pack_id: str  # "" for a pack made before plantools kept a record of what it sent
    plan_file: str  # as the return says, until collect puts the record's in its place
    month: str
    body: str
    sent: dict[str, Action] = field(default_factory=dict)  # return key -> the action as sent, from the record
    rows: dict[str, Row] = field(default_factory=dict)
    added: list[int] = field(default_factory=list)  # Plan rows with no return key: typed in by hand
    missing: list[str] = field(default_factory=list)  # return keys sent but not in the return (set by collect)
    repeated: dict[str, list[int]] = field(default_factory=dict)  # return key -> its rows, when on several
    no_column: list[str] = field(default_factory=list)  # FILLED_IN headers not found in the return
    notes: list[str] = field(default_factory=list)  # what was left out in reading it
    sheet: str = "Plan"


def read_return(path: Path | str) -> list[Returned]:
    """The returned pack(s) in a workbook, or in a mail file saved from the mail client (an
    .eml, or an Outlook .msg: its attached workbooks). Raises PlanError, naming the file, for
    anything else."""
    path = Path(path)
    if path.suffix.lower() == ".eml" or is_outlook_message(path):
        return _packs_attached(path)
    return [_read_workbook(path, None)]


def _packs_attached(path: Path) -> list[Returned]:
    """The packs attached to a mail; other workbooks attached beside one are left out, and said so."""
    packs, others = [], []
    attached, left_out = workbooks_attached(path)
    for name, data in attached:
        try:
            packs.append(_read_workbook(path, data))
        except PlanError as exc:
            others.append((name, exc))
    if not packs:
        raise others[0][1]
    packs[0].notes += [f"{path.name}: its attachment '{name}' is no returned pack ({exc.message}): left out"
                       for name, exc in others]
    packs[0].notes += [f"{path.name}: {note}" for note in left_out]
    return packs


def _read_workbook(path: Path, data: io.BytesIO | None) -> Returned:

    from plantools.xlsx.sniff import check_package, open_workbook_bytes

    if data is None:
        source = open_workbook_bytes(path) or path
    else:
        check_package(data, path)
        data.seek(0)
        source = data
    _check_extent(path, source)
    try:
        book = open_values(source)
    except Exception as exc:
        raise PlanError(path, f"cannot be read as a workbook ({type(exc).__name__})") from None
    try:
        if RETURN_SHEET not in book.sheet_names:
            raise PlanError(path, "is not a pack that plantools made (it has no record of what was sent): "
                                  "only returned packs can be collected")
        record = book.get_sheet_by_name(RETURN_SHEET).to_python()
        if not record or cell_text(record[0][0] if record[0] else "") != FORM:
            raise PlanError(path, "is not a pack that plantools made (its record of what was sent is not one)")
        returned = _record(path, record)
        if "Plan" not in book.sheet_names:
            raise PlanError(path, "has no Plan sheet: was it renamed? Name it Plan again")
        _read_rows(returned, book.get_sheet_by_name("Plan").to_python())
    finally:
        book.close()
    return returned


def _check_extent(path: Path, source: Path | io.BytesIO) -> None:
    """Each sheet's true extent, streamed from its XML before calamine builds its grid: a
    value far below or right of the form (XFD1048576) would ask it for more memory than there
    is."""
    from plantools.xlsx.parts import CELL_BUDGET, Package

    package = Package(source)
    try:
        for sheet in (RETURN_SHEET, "Plan"):
            rows, cols, last = package.extent(sheet)
            if rows * cols > CELL_BUDGET:
                raise PlanError(path, f"has a value as far as {last} ({rows:,} rows by {cols:,} columns), far outside "
                                      "the form: clear it and save the pack again; nothing was collected",
                                sheet=sheet, cell=last)
    finally:
        package.close()
        if isinstance(source, io.BytesIO):
            source.seek(0)


def _record(path: Path, rows: list[list]) -> Returned:
    settings = {cell_text(row[0]): cell_text(row[1]) for row in rows[1:6] if len(row) > 1}
    return Returned(path, settings.get("Pack id", ""), settings.get("Plan", ""), settings.get("Month", ""),
                    settings.get("Body", ""))


def _read_rows(returned: Returned, rows: list[list]) -> None:
    top = next((i for i, row in enumerate(rows) if RETURN_KEY.label in [cell_text(v) for v in row]), None)
    if top is None:
        raise PlanError(returned.path, "its Return key column is gone: collect matches rows by it; "
                                       "use the pack as it was sent", sheet="Plan")
    header = [cell_text(v) for v in rows[top]]
    key_col = header.index(RETURN_KEY.label)
    columns = {name: header.index(label) for label, name in FILLED_IN.items() if label in header}
    returned.no_column = [label for label in FILLED_IN if label not in header]
    shown = {name: header.index(label) for label, name in SHOWN.items() if label in header}
    for number, row in enumerate(rows[top + 1:], start=top + 2):
        if rag.is_key_row([cell_text(v) for v in row]):  # the RAG key under the table: no action
            continue
        key = cell_text(row[key_col]) if key_col < len(row) else ""
        if not key:
            if any(v not in (None, "") for v in row):
                returned.added.append(number)
            continue
        if key in returned.rows:  # a row copied, hidden key and all
            returned.repeated.setdefault(key, [returned.rows[key].cell_row]).append(number)
            continue
        values = {name: row[col] if col < len(row) else None for name, col in columns.items()}
        returned.rows[key] = Row(key, number, values, {name: col + 1 for name, col in columns.items()},
                                 {name: cell_text(row[col]) if col < len(row) else "" for name, col in shown.items()},
                                 column_letters(key_col + 1))


def cell_text(value: object) -> str:
    """A returned cell as the text it shows (a date as 31 Mar 2019)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value:%d %b %Y}"
    return str(value).strip()


