"""Write a plan workbook in plantools' layout: the bundled plans and `plantools new`.

The layout follows the published plans: title rows, a two-row header ("Actions (who and
what)" over "Who" and "What"), priority heading rows, objectives merged down their actions,
then the sheets Governance (bodies, aliases, email), Risk log (confidential) and Key.
"""

from __future__ import annotations

from pathlib import Path

from plantools.paper.formats import Formats, add_rag_rules, write_key, write_text, write_workbook

# (group header, header, field): a blank header means the group header names the column.
DEFAULT_COLUMNS = [
    ("Objectives", "", "objective_ref"),
    ("Objectives", "", "objective"),
    ("Outcomes", "", "outcome"),
    ("Actions (who and what)", "Who", "owner"),
    ("Actions (who and what)", "What", "action"),
    ("Resources", "Governance oversight", "governance"),
    ("Resources", "When?", "deadline"),
    ("Performance Measurement / Metrics", "", "measure"),
    ("RAG", "", "rag"),
    ("Progress update", "", "progress"),
]
WIDTHS = {"objective_ref": 6, "objective": 30, "outcome": 34, "owner": 26, "action": 36,
          "governance": 22, "deadline": 14, "measure": 26, "rag": 10, "progress": 36}
RISK_LOG_COLUMNS = ["Ref", "Risk", "Owner", "Likelihood", "Impact", "Mitigation", "RAG", "Date raised"]
BLANK_ROWS = 200  # rows of an empty plan that carry the RAG dropdown and colours


def new_plan(path: Path | str, title: str = "Business Plan", force: bool = False) -> Path:
    """An empty plan workbook in plantools' layout (next year's plan, say), with its
    Governance, Risk log and Key sheets. An existing file is kept (PlanError) unless force."""
    write_plan_workbook(Path(path), {"title": title}, force=force)
    return Path(path)


def write_plan_workbook(path: Path, plan: dict, force: bool = False) -> None:
    """plan: {title, subtitle: [..], columns: [[group, header, field], ..], priorities:
    [{title, objectives: [{ref, objective, actions: [{field: text, merge_up: [field]}]}]}],
    bodies: [{name, aliases: [..], email: [..]}]}"""
    write_workbook(path, lambda book: _plan_sheets(book, plan), force=force)


def _plan_sheets(book, plan: dict) -> None:
    columns = [tuple(column) for column in plan.get("columns", DEFAULT_COLUMNS)]
    formats = Formats(book)
    sheet = book.add_worksheet(plan.get("sheet", "Business Plan"))
    last = len(columns) - 1
    row = _write_titles(sheet, formats, plan, last)
    header_row = row
    _write_header(sheet, formats, columns, row)
    row += 2
    fields = [field for _, _, field in columns]
    for priority in plan.get("priorities", []):
        sheet.merge_range(row, 0, row, last, priority["title"], formats.heading)
        row += 1
        for objective in priority.get("objectives", []):
            row = _write_objective(sheet, formats, fields, objective, row)
    for index, field in enumerate(fields):
        sheet.set_column(index, index, WIDTHS.get(field, 20))
    if "rag" in fields:
        add_rag_rules(sheet, formats, header_row + 2, max(row, header_row + 2 + BLANK_ROWS), fields.index("rag"))
    sheet.freeze_panes(header_row + 2, 0)
    sheet.repeat_rows(header_row, header_row + 1)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    _write_bodies(book, formats, plan.get("bodies", []))
    _write_risk_log(book, formats)
    write_key(book, formats)


def _write_titles(sheet, formats: Formats, plan: dict, last: int) -> int:
    row = 0
    if plan.get("title"):
        sheet.merge_range(row, 0, row, last, plan["title"], formats.title)
        row += 1
    for line in plan.get("subtitle", []):
        sheet.merge_range(row, 0, row, last, line, formats.subtitle)
        row += 1
    return row + 1  # a blank row before the header, as staff leave one


def _write_header(sheet, formats: Formats, columns: list[tuple], row: int) -> None:
    col = 0
    while col < len(columns):
        group = columns[col][0]
        end = col
        while end + 1 < len(columns) and columns[end + 1][0] == group:
            end += 1
        labelled = any(columns[c][1] for c in range(col, end + 1))
        if labelled:
            _merge(sheet, row, col, row, end, group, formats.header)
            for c in range(col, end + 1):
                write_text(sheet, row + 1, c, columns[c][1], formats.header)
        else:
            _merge(sheet, row, col, row + 1, end, group, formats.header)
        col = end + 1


def _write_objective(sheet, formats: Formats, fields: list[str], objective: dict, row: int) -> int:
    actions = objective.get("actions") or [{}]
    first = row
    for index, action in enumerate(actions):
        for col, field in enumerate(fields):
            if field in ("objective_ref", "objective"):
                continue
            if field in action.get("merge_up", []):
                continue  # written as one merged cell with the action above, below
            span = 1
            while index + span < len(actions) and field in actions[index + span].get("merge_up", []):
                span += 1
            _merge(sheet, row, col, row + span - 1, col, action.get(field, ""), formats.text)
        row += 1
    for field in ("objective_ref", "objective"):
        if field in fields:
            value = objective.get("ref" if field == "objective_ref" else "objective", "")
            _merge(sheet, first, fields.index(field), row - 1, fields.index(field), value, formats.bold_text)
    return row


def _merge(sheet, first_row: int, first_col: int, last_row: int, last_col: int, text: str, fmt) -> None:
    if (first_row, first_col) == (last_row, last_col):
        write_text(sheet, first_row, first_col, text, fmt)
    else:
        sheet.merge_range(first_row, first_col, last_row, last_col, "", fmt)
        write_text(sheet, first_row, first_col, text, fmt)


def _write_bodies(book, formats: Formats, bodies: list[dict]) -> None:
    sheet = book.add_worksheet("Governance")
    for col, header in enumerate(["Governance body", "Also written as (one per line)", "Email"]):
        write_text(sheet, 0, col, header, formats.header)
    for row, body in enumerate(bodies, start=1):
        write_text(sheet, row, 0, body["name"], formats.text)
        write_text(sheet, row, 1, "\n".join(body.get("aliases", [])), formats.text)
        write_text(sheet, row, 2, "; ".join(body.get("email", [])), formats.text)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 50)
    sheet.set_column(2, 2, 40)
    sheet.freeze_panes(1, 0)


def write_governance_workbook(plan, path: Path, force: bool = False) -> Path:
    """A workbook holding a starting Governance sheet for a plan that has none: each body its
    governance cells name, the other spellings found (one per line) and an empty email column,
    for the officer to correct and copy into the shared workbook as its Governance sheet."""
    bodies = [{"name": body.name, "aliases": list(body.aliases), "email": list(body.emails)} for body in plan.bodies]
    write_workbook(Path(path), lambda book: _write_bodies(book, Formats(book), bodies), force=force)
    return Path(path)


def _write_risk_log(book, formats: Formats) -> None:
    sheet = book.add_worksheet("Risk log")
    write_text(sheet, 0, 0, "CONFIDENTIAL risk log: never sent to sub-groups", formats.title)
    for col, header in enumerate(RISK_LOG_COLUMNS):
        write_text(sheet, 2, col, header, formats.header)
        sheet.set_column(col, col, 30 if header in ("Risk", "Mitigation") else 14)
    sheet.set_tab_color("#C00000")
