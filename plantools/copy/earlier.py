"""The consolidated monthly copies in the output folder: naming, finding and reading them back.

A copy is named "<plan workbook name> <YYYY-MM>.xlsx". Its Plan sheet, Change log and the
trend table on its Summary sheet are what the next month builds on.
"""

from __future__ import annotations

import re
from copy import copy
from dataclasses import dataclass, field, replace
from pathlib import Path

from plantools.copy.changes import Change, settle_refs
from plantools.errors import PlanError
from plantools.plan import rag
from plantools.plan.columns import PLAN_COLUMNS as COLUMNS
from plantools.plan.deadlines import parse_deadline
from plantools.plan.model import Action, Plan
from plantools.plan.months import from_label
from plantools.xlsx.values import open_values

# The Plan sheet's columns: (header, field). The header row is the first row of the table;
# columns the writer makes for print only (the objective shown once) are not read back.
PLAN_COLUMNS = [(c.label, c.name) for c in COLUMNS if c.name != "objective_once"]
PRINT_ONLY = {c.label for c in COLUMNS if c.name == "objective_once"}
LOG_COLUMNS = ["Month", "Ref", "Field", "Old", "New", "Change", "Returned by", "Action", "Action key"]
TREND_COLUMNS = ["Month", *rag.STATUSES, rag.NOT_RATED, "Total"]
TREND_TITLE = "RAG trend by month"


@dataclass
class MonthlyCopy:
    path: Path
    month: str
    actions: list[Action] = field(default_factory=list)
    log: list[Change] = field(default_factory=list)
    trend: list[list] = field(default_factory=list)  # rows of TREND_COLUMNS


def copy_path(out: Path, workbook: Path, month: str) -> Path:
    return Path(out) / f"{Path(workbook).stem} {month}.xlsx"


def previous_copy(out: Path, workbook: Path, month: str, inclusive: bool = False) -> Path | None:
    """The newest copy of this plan in `out` for a month before `month` (or `month` itself,
    when inclusive). Its name in any capitals, as Windows finds a file: a workbook renamed
    from 'Plan.xlsx' to 'PLAN.xlsx' still has last month's copy."""
    stem = Path(workbook).stem
    pattern = re.compile(re.escape(stem) + r" (\d{4}-\d{2})\.xlsx$", re.IGNORECASE)
    earlier = []
    for path in Path(out).glob("*.xlsx") if Path(out).is_dir() else []:
        found = pattern.match(path.name)
        if found and (found.group(1) < month or inclusive and found.group(1) == month):
            earlier.append((found.group(1), path))
    return max(earlier)[1] if earlier else None


def refs_as_copied(plan: Plan, out: Path, month: str) -> Plan:
    """The plan with each action's ref as the newest copy in `out` up to `month` shows it (a
    letter kept from month to month, see changes.settle_refs), so that what a sub-group's
    pack says matches the board's copy. The plan itself is left as it was."""
    path = previous_copy(out, plan.path, month, inclusive=True)
    if path is None or not any(action.ref_base for action in plan.actions):
        return plan
    copied = read_copy(path)
    settled = replace(plan, actions=[copy(action) for action in plan.actions])
    settle_refs(copied.actions, settled.actions)
    return settled


def read_copy(path: Path) -> MonthlyCopy:
    """Read back a consolidated copy that plantools wrote."""
    import python_calamine

    month = re.search(r"(\d{4}-\d{2})\.xlsx$", path.name)
    copy = MonthlyCopy(path, month.group(1) if month else "")
    try:
        book = open_values(path)
        sheets = {name: book.get_sheet_by_name(name).to_python() for name in ("Plan", "Change log", "Summary")}
        book.close()
    except python_calamine.WorksheetNotFound as exc:
        raise PlanError(path, f"earlier consolidated copy has no {exc} sheet; "
                              "move it out of the folder to start afresh") from None
    except Exception as exc:
        raise PlanError(path, f"earlier consolidated copy cannot be read ({type(exc).__name__}: {exc}); "
                              "move it out of the folder to start afresh") from None
    copy.actions = _read_actions(sheets["Plan"])
    copy.log = _read_log(sheets["Change log"])
    copy.trend = _read_trend(sheets["Summary"])
    return copy


def _table(rows: list[list], first_header: str) -> tuple[list[str], list[list]]:
    """The table whose header row starts with first_header, and its rows."""
    lines = iter(rows)
    for row in lines:
        if row and row[0] == first_header:
            header = [str(value or "") for value in row]
            return header, [r for r in lines if any(v not in (None, "") for v in r)]
    return [], []


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value)


def _texts(row: list, width: int) -> list[str]:
    """A row's values as text, `width` of them: most are text already, so _text is called only
    for the others (a third of the time, over the 320,000 cells of a copy of 20,000 actions)."""
    texts = [value if type(value) is str else _text(value) for value in row[:width]]
    return texts + [""] * (width - len(texts))


def _read_actions(rows: list[list]) -> list[Action]:
    header, rows = _table(rows, "Ref")
    fields = {name: header.index(label) for label, name in PLAN_COLUMNS if label in header}
    known = {label for label, _ in PLAN_COLUMNS} | PRINT_ONLY
    extras = {label: index for index, label in enumerate(header) if label and label not in known}
    statuses: dict[str | None, str | None] = {}  # each RAG text read once: a copy has a handful
    actions = []
    for row in rows:
        texts = _texts(row, len(header))
        value = {name: texts[index] for name, index in fields.items()}
        extra = {label: texts[index] for label, index in extras.items()}
        if value.get("rag") not in statuses:
            statuses[value.get("rag")] = rag.normalise(value.get("rag"))
        actions.append(Action(
            ref=value["ref"], objective_ref=value.get("objective_ref", ""), priority=value.get("priority", ""),
            objective=value.get("objective", ""), outcome=value.get("outcome", ""), owner=value.get("owner", ""),
            action=value.get("action", ""), governance=value.get("governance", ""),
            deadline=parse_deadline(value.get("deadline") or None), measure=value.get("measure", ""),
            rag=statuses[value.get("rag")], rag_text=value.get("rag", ""),
            progress=value.get("progress", ""), key=value.get("key", ""), extra=extra,
        ))
    return actions


def _read_log(rows: list[list]) -> list[Change]:
    header, rows = _table(rows, "Month")
    index = {label: header.index(label) for label in LOG_COLUMNS if label in header}
    log = []
    for row in rows:
        get = {label: _text(row[i]) if i < len(row) else "" for label, i in index.items()}
        log.append(Change(from_label(get.get("Month", "")), get.get("Ref", ""), get.get("Field", ""), get.get("Old", ""),
                          get.get("New", ""), get.get("Change", ""), get.get("Action", ""),
                          get.get("Action key", ""), get.get("Returned by", "")))
    return log


def _read_trend(rows: list[list]) -> list[list]:
    lines = iter(rows)
    for row in lines:
        if row and row[0] == TREND_TITLE:
            break
    next(lines, None)  # its header
    table = []
    for row in lines:
        if not row or row[0] in (None, ""):
            break
        table.append([from_label(str(row[0])), *(int(v or 0) for v in row[1:len(TREND_COLUMNS)])])
    return table
