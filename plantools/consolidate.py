"""The monthly consolidated copy: Plan, Summary, Exceptions, Change log, Completeness, Key.

It is built from the plan as read (the shared workbook is only read), compared with the
newest earlier copy in the same folder, and written atomically with xlsxwriter.
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from . import rag
from .bulk import gc_paused
from .changes import ADDED, CHANGED, REMOVED, Change, diff, got_worse, match, slips
from .checks import check
from .copies import (LOG_COLUMNS, PLAN_COLUMNS, TREND_COLUMNS, TREND_TITLE, MonthlyCopy, check_month,
                     copy_path, previous_copy, read_copy)
from .errors import PlanError
from .model import Action, Finding, Plan
from .stages import stage
from .workbook import Formats, add_rag_rules, write_key, write_row, write_text, write_workbook

PLAN_WIDTHS = {"ref": 6, "priority": 18, "objective_ref": 9, "objective": 26, "outcome": 32, "owner": 24,
               "action": 36, "governance": 22, "deadline": 18, "due": 11, "measure": 24, "rag": 9,
               "progress": 36, "overdue": 9, "source": 18, "key": 14}
SUMMARY_NAME_WIDTH = 48
SUMMARY_COUNT_WIDTH = 10
UNASSIGNED = "Unassigned (names no known body)"


@dataclass
class ExceptionRow:
    action: Action
    reasons: list[str]


@dataclass
class Consolidation:
    """What one monthly run made and found: the CLI prints it, tests read it."""

    path: Path
    month: str
    as_of: date
    actions: list[Action]
    counts: dict[str, int]
    findings: list[Finding]
    changes: list[Change]  # this month's
    previous_month: str = ""
    exceptions: list[ExceptionRow] = field(default_factory=list)
    open_in_excel: bool = False
    history: list[Change] = field(default_factory=list)  # this month's changes, then every earlier month's
    earlier: Path | None = None  # the copy compared with
    trend: list[list] = field(default_factory=list)


def status(action: Action) -> str:
    return action.rag or rag.NOT_RATED


def month_end(month: str) -> date:
    year, number = int(month[:4]), int(month[5:])
    return date(year, number, calendar.monthrange(year, number)[1])


def consolidate(plan: Plan, month: str, out: Path, today: date | None = None, force: bool = False) -> Consolidation:
    """Write '<out>/<workbook name> <month>.xlsx' and say what it holds.

    Deadlines are judged as of `today`, by default the month's last day for a past month
    and today for the current one."""
    result = compare(plan, month, out, today, force)
    write_copy(plan, result)
    return result


@dataclass
class Earlier:
    """Where this month's copy goes, and the newest earlier copy it is compared with."""

    target: Path
    path: Path | None = None
    copy: MonthlyCopy | None = None


def find_earlier(plan: Plan, month: str, out: Path, force: bool = False) -> Earlier:
    """Everything in `out` that can refuse the run (an existing copy for the month, an
    unreadable earlier copy), found before anything is written."""
    check_month(month)
    target = copy_path(out, plan.path, month)
    if target.exists() and not force:
        raise PlanError(target, f"a consolidated copy for {month} already exists: use --force to replace it")
    with stage("diff"), gc_paused():
        path = previous_copy(out, plan.path, month)
        return Earlier(target, path, read_copy(path) if path else None)


def compare(plan: Plan, month: str, out: Path, today: date | None = None, force: bool = False,
            earlier: Earlier | None = None) -> Consolidation:
    """Everything the copy says, without writing it: the checks, and the changes since the
    newest earlier copy in `out` (this gives every action its lasting key)."""
    found = earlier or find_earlier(plan, month, out, force)
    as_of = today or min(date.today(), month_end(month))
    with stage("check"):
        findings = check(plan, as_of)
    with stage("diff"), gc_paused():
        earlier_copy = found.copy
        changes: list[Change] = []
        history: list[Change] = []
        pairs: dict[int, tuple[Action, Action]] = {}
        if earlier_copy:
            pairs = match(earlier_copy.actions, plan.actions)
            changes = diff(earlier_copy.actions, plan.actions, month, pairs)
            history = changes + earlier_copy.log
        else:
            for action in plan.actions:
                action.key = action.key or f"{action.ref}@{month}"
    counts = Counter(status(a) for a in plan.actions)
    result = Consolidation(found.target, month, as_of, plan.actions,
                           {s: counts[s] for s in (*rag.STATUSES, rag.NOT_RATED)}, findings, changes,
                           earlier_copy.month if earlier_copy else "", open_in_excel=plan.open_in_excel,
                           history=history, earlier=found.path)
    result.exceptions = _exceptions(plan.actions, pairs, history, result)
    result.trend = [row for row in (earlier_copy.trend if earlier_copy else []) if row[0] != month]
    result.trend.append([month, *(result.counts[s] for s in (*rag.STATUSES, rag.NOT_RATED)), len(plan.actions)])
    return result


def write_copy(plan: Plan, result: Consolidation) -> None:
    with stage("write copy"):
        write_workbook(result.path, lambda book: _copy_sheets(book, plan, result))


def _copy_sheets(book, plan: Plan, result: Consolidation) -> None:
    formats = Formats(book)
    book.set_properties({"title": f"{plan.title} – consolidated {result.month}", "author": "plantools"})
    _plan_sheet(book, formats, plan, result)
    _summary_sheet(book, formats, plan, result, result.trend)
    _exceptions_sheet(book, formats, result)
    _log_sheet(book, formats, result, result.history, result.earlier)
    _completeness_sheet(book, formats, result)
    write_key(book, formats)


def _exceptions(actions: list[Action], pairs: dict, history: list[Change], result: Consolidation) -> list[ExceptionRow]:
    slipped_now = {c.key for c in result.changes if c.field == "When?"}
    slipped = slips(history) if slipped_now else Counter()
    found = []
    for action in actions:
        reasons = []
        if action.rag in (rag.RED, rag.AMBER):
            reasons.append(action.rag)
        if overdue(action, result.as_of):
            reasons.append(f"Overdue (due {action.deadline.due:%d %b %Y})")
        before = pairs.get(id(action), (None,))[0]
        if before is not None:
            if got_worse(before.rag, action.rag):
                reasons.append(f"RAG worse ({before.rag} to {action.rag})")
            if before.progress == action.progress and action.rag != rag.COMPLETE:
                reasons.append(f"No update since {result.previous_month}")
            times = slipped[action.key] if action.key in slipped_now else 0
            if times:
                reasons.append(f"Deadline slipped ({_times(times)})")
        if reasons:
            found.append(ExceptionRow(action, reasons))
    order = {rag.RED: 0, rag.AMBER: 1}
    return sorted(found, key=lambda e: order.get(e.action.rag, 2))


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"


def overdue(action: Action, as_of: date) -> bool:
    due = action.deadline.due
    return bool(due and due < as_of and action.rag != rag.COMPLETE)


def _page_setup(sheet, title: str, month: str, header_row: int) -> None:
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header_row)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_header(f"&L&B{_escape(title)}&R{month}")
    sheet.set_footer("&LPrinted &D&RPage &P of &N")


def _escape(text: str) -> str:
    return text.replace("&", "&&")[:200]


def _title(sheet, formats: Formats, text: str, note: str) -> None:
    write_text(sheet, 0, 0, text, formats.title)
    write_text(sheet, 1, 0, note, formats.subtitle)


def _plan_sheet(book, formats: Formats, plan: Plan, result: Consolidation) -> None:
    write_plan_sheet(
        book, formats, f"{plan.title} – consolidated {result.month}",
        f"{len(plan.actions)} actions read from {plan.path.name} on {date.today():%d %b %Y}; "
        f"deadlines judged as of {result.as_of:%d %b %Y}. Overdue actions are marked in red.",
        plan.actions, result.month, result.as_of, plan.title,
    )


def write_plan_sheet(book, formats: Formats, title: str, note: str, actions: list[Action], month: str,
                     as_of: date, page_title: str, columns: list[tuple[str, str]] = PLAN_COLUMNS) -> None:
    """The Plan sheet: one row an action, RAG rules and dropdown, filters, print set-up.
    The consolidated copy and every sub-group's pack share it."""
    sheet = book.add_worksheet("Plan")
    _title(sheet, formats, title, note)
    top = 3
    for col, (label, name) in enumerate(columns):
        write_text(sheet, top, col, label, formats.header)
        sheet.set_column(col, col, PLAN_WIDTHS[name])
    fields = [name for _, name in columns]
    widths = [PLAN_WIDTHS[name] for name in fields]
    values = [_FIELD_VALUES.get(name, _text) for name in fields]
    # the four ways a row is formatted: (overdue?, has a due date?) -> a format for each column
    row_formats = {(late, dated): [_plan_format(formats, name, late, dated) for name in fields]
                   for late in (False, True) for dated in (False, True)}
    for row, action in enumerate(actions, start=top + 1):
        late = overdue(action, as_of)
        cells = [value(action, name, late) for value, name in zip(values, fields)]
        write_row(sheet, row, cells, row_formats[late, action.deadline.due is not None], widths)
    last = top + max(len(actions), 1)
    add_rag_rules(sheet, formats, top + 1, last, fields.index("rag"))
    sheet.autofilter(top, 0, last, len(fields) - 1)
    sheet.freeze_panes(top + 1, 1)
    _page_setup(sheet, page_title, month, top)
    # on paper, the board reads up to "Overdue"; the source cell and key are for the BSU
    sheet.print_area(0, 0, last, fields.index("overdue"))


def _plan_format(formats: Formats, name: str, late: bool, dated: bool):
    if name == "due" and dated:
        return formats.date
    if name == "overdue" or (name == "deadline" and late):
        return formats.overdue
    return formats.text


def _text(action: Action, name: str, late: bool) -> str:
    return action.text(name)


def _due(action: Action, name: str, late: bool) -> datetime | str:
    due = action.deadline.due
    if due:
        return datetime(due.year, due.month, due.day)
    return "Ongoing" if action.deadline.kind == "ongoing" else ""


# What the Plan sheet shows in a column: (action, field, overdue?) -> a value for write_row.
_FIELD_VALUES = {
    "due": _due,
    "overdue": lambda action, name, late: "Overdue" if late else "",
    "source": lambda action, name, late: f"{action.sheet}!{action.cell('ref')}" if action.sheet else "",
    "key": lambda action, name, late: action.key,
}


def _summary_sheet(book, formats: Formats, plan: Plan, result: Consolidation, trend: list[list]) -> None:
    sheet = book.add_worksheet("Summary")
    _title(sheet, formats, f"{plan.title} – summary {result.month}",
           f"{len(plan.actions)} actions. Counts by RAG status; an action overseen by several bodies "
           "counts once for each.")
    statuses = [*rag.STATUSES, rag.NOT_RATED]
    by_priority = _counts((a.priority or "(no priority)", status(a)) for a in plan.actions)
    by_body = _counts((body, status(a)) for a in plan.actions for body in (a.bodies or (UNASSIGNED,)))
    named = [b.name for b in plan.bodies] + sorted(set(by_body) - {b.name for b in plan.bodies})
    by_body = {name: by_body[name] for name in named if name in by_body}
    row = 3
    first_table = row
    row = _count_table(sheet, formats, row, "Priority", by_priority, statuses)
    _chart(book, sheet, first_table, len(by_priority), statuses, "Actions by priority and RAG", "I4")
    row = _count_table(sheet, formats, row + 2, "Governance body", by_body, statuses)
    row += 2
    write_text(sheet, row, 0, TREND_TITLE, formats.bold_text)
    for col, label in enumerate(TREND_COLUMNS):
        write_text(sheet, row + 1, col, label, formats.header)
    for offset, values in enumerate(trend, start=row + 2):
        write_text(sheet, offset, 0, str(values[0]), formats.text)
        for col, value in enumerate(values[1:], start=1):
            sheet.write_number(offset, col, value, formats.text)
    if len(trend) > 1:
        chart = book.add_chart({"type": "line"})
        for col, label in enumerate(statuses, start=1):
            chart.add_series({
                "name": label,
                "categories": ["Summary", row + 2, 0, row + 1 + len(trend), 0],
                "values": ["Summary", row + 2, col, row + 1 + len(trend), col],
                "line": {"color": rag.COLOURS.get(label, ("#A6A6A6",))[0], "width": 2.25},
            })
        chart.set_title({"name": TREND_TITLE})
        sheet.insert_chart(row, len(TREND_COLUMNS) + 1, chart)
    sheet.set_column(0, 0, SUMMARY_NAME_WIDTH)
    sheet.set_column(1, len(statuses) + 1, SUMMARY_COUNT_WIDTH)
    _page_setup(sheet, plan.title, result.month, 0)


def _counts(pairs) -> dict[str, Counter]:
    """(group, status) pairs -> group -> Counter of statuses, groups in order of first sight."""
    table: dict[str, Counter] = {}
    for group, status_name in pairs:
        table.setdefault(group, Counter())[status_name] += 1
    return table


def _count_table(sheet, formats: Formats, row: int, label: str, table: dict[str, Counter],
                 statuses: list[str]) -> int:
    headers = [label, *statuses, "Total"]
    for col, text in enumerate(headers):
        write_text(sheet, row, col, text, formats.header)
    row_formats = [formats.text] * (len(statuses) + 1) + [formats.bold_text]
    widths = [SUMMARY_NAME_WIDTH] + [SUMMARY_COUNT_WIDTH] * (len(statuses) + 1)
    for name, counts in table.items():
        row += 1
        write_row(sheet, row, [name, *(counts[s] for s in statuses), sum(counts.values())], row_formats, widths)
    return row


def _chart(book, sheet, header_row: int, rows: int, statuses: list[str], title: str, where: str) -> None:
    if not rows:
        return
    chart = book.add_chart({"type": "bar", "subtype": "stacked"})
    for col, label in enumerate(statuses, start=1):
        chart.add_series({
            "name": ["Summary", header_row, col],
            "categories": ["Summary", header_row + 1, 0, header_row + rows, 0],
            "values": ["Summary", header_row + 1, col, header_row + rows, col],
            "fill": {"color": rag.COLOURS.get(label, ("#BFBFBF",))[0]},
        })
    chart.set_title({"name": title})
    chart.set_y_axis({"reverse": True})
    chart.set_size({"width": 620, "height": 300})
    sheet.insert_chart(where, chart)


def _exceptions_sheet(book, formats: Formats, result: Consolidation) -> None:
    sheet = book.add_worksheet("Exceptions")
    _title(sheet, formats, f"Exceptions for the board – {result.month}",
           "Red and Amber actions, overdue actions, RAG got worse, no update since last month, "
           "deadline slipped." + ("" if result.previous_month else " No earlier month to compare with."))
    headers = [("Ref", 7), ("Why it is here", 30), ("RAG", 10), ("Who (owner)", 24), ("Governance oversight", 22),
               ("When?", 16), ("Action", 40), ("Progress update", 40)]
    for col, (label, width) in enumerate(headers):
        write_text(sheet, 3, col, label, formats.header)
        sheet.set_column(col, col, width)
    widths = [width for _, width in headers]
    text_formats = [formats.text] * len(headers)
    for row, item in enumerate(result.exceptions, start=4):
        a = item.action
        write_row(sheet, row, [a.ref, "\n".join(item.reasons), a.text("rag"), a.owner, a.governance,
                               a.deadline.text, a.action or a.outcome or a.objective, a.progress],
                  text_formats, widths)
    if not result.exceptions:
        write_text(sheet, 4, 0, "No exceptions this month.", formats.subtitle)
    add_rag_rules(sheet, formats, 4, 3 + max(len(result.exceptions), 1), 2, dropdown=False)
    sheet.freeze_panes(4, 1)
    _page_setup(sheet, "Exceptions", result.month, 3)


def _log_sheet(book, formats: Formats, result: Consolidation, log: list[Change], earlier: Path | None) -> None:
    sheet = book.add_worksheet("Change log")
    if earlier is None:
        note = "No earlier consolidated copy in this folder to compare with: this is the first month."
    else:
        note = (f"{len(result.changes)} changes since {result.previous_month} ({earlier.name}); "
                "earlier months' changes follow this month's.")
    _title(sheet, formats, f"Change log – {result.month}", note)
    widths = [9, 7, 20, 40, 40, 10, 40, 14]
    for col, (label, width) in enumerate(zip(LOG_COLUMNS, widths)):
        write_text(sheet, 3, col, label, formats.header)
        sheet.set_column(col, col, width)
    text_formats = [formats.text] * len(LOG_COLUMNS)
    for row, change in enumerate(log, start=4):
        write_row(sheet, row, [change.month, change.ref, change.field, change.old, change.new, change.change,
                               change.action, change.key], text_formats, widths)
    sheet.autofilter(3, 0, 3 + max(len(log), 1), len(LOG_COLUMNS) - 1)
    sheet.freeze_panes(4, 0)
    _page_setup(sheet, "Change log", result.month, 3)


def _completeness_sheet(book, formats: Formats, result: Consolidation) -> None:
    sheet = book.add_worksheet("Completeness")
    errors = sum(f.severity == "error" for f in result.findings)
    _title(sheet, formats, f"Completeness – {result.month}",
           f"{errors} errors and {sum(f.severity == 'warning' for f in result.findings)} warnings from plantools check, "
           f"as of {result.as_of:%d %b %Y}. Each points at the cell to fix in the shared workbook.")
    headers = [("Severity", 9), ("Sheet", 16), ("Cell", 7), ("Ref", 7), ("Field", 11), ("Message", 90)]
    for col, (label, width) in enumerate(headers):
        write_text(sheet, 3, col, label, formats.header)
        sheet.set_column(col, col, width)
    warning_formats = [formats.text] * len(headers)
    error_formats = [formats.overdue, *warning_formats[1:]]
    for row, finding in enumerate(result.findings, start=4):
        write_row(sheet, row, [finding.severity, finding.sheet, finding.cell, finding.ref, finding.field,
                               finding.message], error_formats if finding.severity == "error" else warning_formats)
    sheet.autofilter(3, 0, 3 + max(len(result.findings), 1), len(headers) - 1)
    sheet.freeze_panes(4, 0)
    _page_setup(sheet, "Completeness", result.month, 3)


def summary_lines(result: Consolidation) -> list[str]:
    """What the officer reads on screen after the run."""
    counts = result.counts
    errors = sum(f.severity == "error" for f in result.findings)
    lines = [
        f"wrote {result.path}",
        *(["the workbook is open in Excel: this is its last saved version"] if result.open_in_excel else []),
        f"{len(result.actions)} actions: " + ", ".join(f"{counts[s]} {s}" for s in rag.STATUSES)
        + f", {counts[rag.NOT_RATED]} not yet rated",
        f"{errors} errors, {sum(f.severity == 'warning' for f in result.findings)} warnings (see the Completeness sheet)",
        f"{len(result.exceptions)} exceptions for the board (see the Exceptions sheet)",
    ]
    if result.previous_month:
        kinds = Counter(c.change for c in result.changes)
        lines.append(f"{len(result.changes)} changes since {result.previous_month}: "
                     f"{kinds[ADDED]} added, {kinds[REMOVED]} removed, {kinds[CHANGED]} changed")
    else:
        lines.append("no earlier consolidated copy to compare with: this is the first month")
    return lines
