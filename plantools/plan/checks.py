"""Completeness and monitoring checks: Plan -> Findings, each pointing at a cell."""

from __future__ import annotations

import re
from datetime import date

from plantools.plan import rag
from plantools.plan.deadlines import MISSING, ONGOING, PLAIN_NOTES, UNREADABLE
from plantools.plan.model import Action, Finding, Plan
from plantools.plan.overdue import is_overdue
from plantools.text import short

_ACHIEVED = re.compile(r"\b(achieved|completed?|done)\b", re.IGNORECASE)


def check(plan: Plan, today: date | None = None) -> list[Finding]:
    """Every finding for the plan: the reader's, then each action's, in sheet order."""
    today = today or date.today()
    findings = list(plan.findings)
    if plan.open_in_excel:
        findings.append(Finding(
            "warning", "", "", "", "file",
            "the workbook is open in Excel (an owner file ~$ is beside it): "
            "this reads the last saved version",
        ))
    known = bool(plan.bodies) and not plan.bodies[0].inferred
    for action in plan.actions:
        findings.extend(_check_action(action, today, known))
    findings.extend(_check_refs(plan))
    order = {name: index for index, name in enumerate(plan.plan_sheets)}
    return sorted(findings, key=lambda f: (f.sheet != "", order.get(f.sheet, -1), _row(f.cell)))


def _check_action(action: Action, today: date, known_bodies: bool) -> list[Finding]:
    found: list[Finding] = []

    def add(severity: str, field: str, message: str) -> None:
        found.append(Finding(severity, action.sheet, action.cell(field), action.ref, field, message))

    if action.has("owner") and not action.owner:
        add("error", "owner", "no owner: say who leads this action")
    deadline = action.deadline
    if action.has("deadline"):
        if deadline.kind == MISSING:
            add("error", "deadline", "no deadline: give a month and year, e.g. 'March 2019', or 'Ongoing'")
        elif deadline.kind == UNREADABLE:
            add("error", "deadline", f"deadline '{short(deadline.text)}' cannot be read as a date: "
                + (deadline.note or "write a month and year, e.g. 'March 2019'"))
        elif deadline.kind == ONGOING and deadline.note:
            add("warning", "deadline", f"deadline '{short(deadline.text)}' has no due date: {deadline.note}; "
                "write the month it is due, or 'Ongoing'")
        elif deadline.note and deadline.due:
            guessed = not deadline.note.startswith(PLAIN_NOTES)
            add("warning" if guessed else "note", "deadline",
                f"deadline '{short(deadline.text)}' read as {deadline.due:%d %b %Y} ({deadline.note})"
                + (": correct the cell if that is not what it means" if guessed else ""))
    if action.has("governance"):
        if not action.governance:
            add("error", "governance", "no governance body: name the sub-group or board that oversees it")
        elif known_bodies and not action.bodies:
            add("error", "governance", f"'{short(action.governance)}' names no governance body "
                "on the Governance sheet: correct it, or add it there as an alias")
        elif not action.bodies:  # "TBC", "N/A": no body to send the action to
            add("error", "governance", f"'{short(action.governance)}' names no governance body: "
                "name the sub-group or board that oversees it")
        elif known_bodies and action.unknown_bodies:
            unknown = "', '".join(short(name) for name in action.unknown_bodies)
            add("warning", "governance", f"'{short(action.governance)}': '{unknown}' is no body on the "
                "Governance sheet (the rest is read): correct it, or add it there as an alias")
    if action.has("rag") and action.rag_text and action.rag is None:
        add("error", "rag", f"RAG '{short(action.rag_text)}' is not one of Red, Amber, Green or Complete "
            "(nor a word of the workbook's own key): type one of them")
    _monitoring(action, today, add)
    return found


def _monitoring(action: Action, today: date, add) -> None:
    """What the board asks about: overdue, Green past its date, Red or Amber unexplained."""
    due = action.deadline.due
    if due and is_overdue(action, today):
        if action.rag == rag.GREEN:
            add("warning", "deadline", f"Green but the deadline ({due:%d %b %Y}) has passed: "
                "mark it Complete, or give a new date and a RAG")
        elif _ACHIEVED.search(action.deadline.text):
            add("warning", "deadline", f"due {due:%d %b %Y}; the date cell says it was achieved: "
                "set the RAG to Complete")
        else:
            add("warning", "deadline", f"overdue: due {due:%d %b %Y} and not complete")
    if action.rag in (rag.RED, rag.AMBER) and not action.progress and action.has("progress"):
        add("warning", "progress", f"{action.rag} with no progress note saying why")
    elif action.rag in (rag.RED, rag.AMBER) and not action.has("progress"):
        add("warning", "progress", f"{action.rag}, and the sheet has no progress column to say why")


def _check_refs(plan: Plan) -> list[Finding]:
    """Two actions under one ref the user typed for an action; one objective number naming two
    different objectives; an action with no ref where the others of its sheet have one.
    A plan with no refs at all is fine: its actions are told apart by what they say."""
    found = []
    seen: dict[str, Action] = {}
    objectives: dict[str, Action] = {}
    with_refs = {a.sheet for a in plan.actions if a.ref}
    for action in plan.actions:
        if not action.ref:
            if action.sheet in with_refs and action.has("ref"):
                found.append(Finding("warning", action.sheet, action.cell("ref"), "", "ref",
                                     "no reference, where the sheet's other actions have one: give it one"))
            continue
        first = seen.setdefault(action.ref, action)
        if first is not action:
            found.append(Finding("error", action.sheet, action.cell("ref"), action.ref, "ref",
                                 f"duplicate reference {action.ref}: also at '{first.sheet}'!{first.cell('ref')}"))
        if action.objective_ref and action.objective:
            other = objectives.setdefault(action.objective_ref, action)
            if _words(other.objective) != _words(action.objective):
                found.append(Finding("error", action.sheet, action.cell("objective_ref"), action.ref, "ref",
                                     f"objective {action.objective_ref} is numbered twice: "
                                     f"also at '{other.sheet}'!{other.cell('objective_ref')}"))
                objectives[action.objective_ref] = action  # report each further objective once
    return found


def _words(text: str) -> str:
    return " ".join(text.lower().split())


def _row(cell: str) -> int:
    digits = "".join(ch for ch in cell if ch.isdigit())
    return int(digits) if digits else 0


def summary_line(plan: Plan, findings: list[Finding]) -> str:
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    sheets = len(plan.plan_sheets)
    count = len(plan.actions)
    return (f"{count} action{'s' * (count != 1)} on {sheets} plan sheet{'s' * (sheets != 1)}: "
            f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}")


def format_table(findings: list[Finding]) -> str:
    """The findings as a plain table that reads well in a Windows console."""
    rows = [("Severity", "Where", "Ref", "Field", "Message")]
    for f in findings:
        where = f"{f.sheet}!{f.cell}" if f.sheet else "(workbook)"
        rows.append((f.severity, where, f.ref, f.field, f.message))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4] for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths) + "  " + "-" * 7)
    return "\n".join(line.rstrip() for line in lines)
