"""Read the shared plan workbook as staff really keep it, without ever writing to it
(`load_plan`): open the file (an .xlsx; an .xls or .ods for its values), refuse plantools'
own outputs, sort the sheets by kind (plan, governance, key, a contents or summary page,
and confidential: a risk log, register or any hidden sheet, never read unless pinned), read
each plan sheet, then the plan-level passes: governance bodies, RAG words and colour rules,
lettered refs and a note per sheet read. Values and merged ranges come from python-calamine
(fast, and bounded by the cells really there); fills, formats and error text come from
xlsx.parts, and only when a sheet has them."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from plantools.errors import PlanError
from plantools.plan.columns import not_for_circulation
from plantools.plan.model import Finding, Plan
from plantools.plan.months import check_month
from plantools.read.details import rag_by_rules, rag_said_more, read_bodies, read_bodies_of_actions
from plantools.read.grid import Grid, mismatch, note
from plantools.read.header import WHAT_COLUMNS, Header, Latest, find_header, follow_saved, sheet_header, title_above
from plantools.read.key import KeyWords, key_words, rag_by_key
from plantools.read.refs import assign_refs
from plantools.read.rows import read_actions
from plantools.read.saved import SavedLayout
from plantools.xlsx.files import is_open_in_excel
from plantools.xlsx.gcpause import gc_paused
from plantools.xlsx.parts import CELL_BUDGET
from plantools.xlsx.values import open_values


def load_plan(path: Path | str, sheets: list[str] | tuple[str, ...] = (), month: str | None = None) -> Plan:
    """Read a plan workbook. Raises PlanError, with the file named, when it cannot.

    sheets: the plan sheets, by name, when the officer pins them; by default every visible
    sheet with a plan's header row, except those whose name or title speaks of risk, a
    register, RAID, issues or confidential matters. month (YYYY-MM): where RAG and progress
    have a column a month or quarter, the columns of this month are read; by default those
    of the latest period with any entry.
    """
    from plantools.read.saved import read_saved
    from plantools.xlsx.otherparts import OtherPackage
    from plantools.xlsx.parts import Package
    from plantools.xlsx.sniff import OTHER_FORMATS, open_spreadsheet

    path = Path(path)
    with gc_paused():
        source, kind = open_spreadsheet(path, other_formats=True)
        book = _open(path, source)
        package = Package(source) if kind == "xlsx" else OtherPackage(path, kind, book)
        try:
            plan = _read_plan(path, book, package, tuple(sheets), month or "", read_saved(path))
        finally:
            package.close()
            book.close()
    if kind != "xlsx":  # its values are read; what only an .xlsx keeps is said, not guessed
        note(plan, "", "", f"read from {OTHER_FORMATS[kind]}: its values, merged cells, hidden columns and rows "
              "and the fills of empty cells were read, but not its conditional formats or other formats (a RAG "
              "shown by a conditional format is not rated); the copy and the packs are .xlsx", field="workbook")
        for action in plan.actions:
            if action.has("rag") and not action.rag_text and action.rag is None:
                plan.findings.append(Finding(
                    "warning", action.sheet, action.cell("rag"), action.ref, "rag",
                    f"RAG cell empty, and the conditional formats of {OTHER_FORMATS[kind]} are not read: a RAG "
                    "shown by one is not seen; type the status, or save the workbook as .xlsx"))
    return plan


def _read_plan(path: Path, book, package, pinned: tuple[str, ...], month: str, saved: SavedLayout | None) -> Plan:
    _refuse_own_outputs(path, book, package)
    if month:
        check_month(month)
    plan = Plan(path=path, open_in_excel=is_open_in_excel(path), period_month=month)
    missing = [name for name in pinned if name not in book.sheet_names]
    if missing:
        raise PlanError(path, f"has no sheet named '{missing[0]}' (its sheets: {', '.join(book.sheet_names)})")
    # the sheets read: the officer's --sheet, else the saved layout's (only --sheet overrides a
    # title that marks a sheet confidential)
    named = pinned or (_saved_sheets(book, saved, plan) if saved else ())
    sheets = []
    rag_words = KeyWords()
    for name, kind, grid in _worksheets(path, book, package, plan, named):
        if kind == "confidential":
            plan.confidential_sheets.append(name)
        elif grid is None:
            continue
        elif kind == "governance" and find_header(grid, set(), Plan(path)) is not None:
            # a sheet per priority, this one "Governance & accountability": a plan sheet (if
            # shown), not the list of bodies
            if name in _visible_sheets(book):
                sheets.append(grid)
            else:
                plan.confidential_sheets.append(name)
        elif kind == "governance":
            plan.bodies = read_bodies(grid, plan)
        elif kind == "key":
            key_words(grid, rag_words)
        elif kind == "plan":
            sheets.append(grid)
    found_headers: dict[str, list[str]] = {}
    latest: Latest = {}
    headers = {}  # with several sheets: each one's header, found first (and the plan's latest period)
    if len(sheets) > 1:
        headers = {grid.title: find_header(grid, set(package.layout(grid.title).hidden_columns), Plan(path), latest)
                   for grid in sheets}
    asides = {grid.title: why for grid in sheets if grid.title not in named
              and (why := _aside(grid.title, headers.get(grid.title), len(headers)))}
    for grid in sheets:
        if grid.title not in asides:
            _read_sheet(path, grid, package, plan, (pinned, named), rag_words, found_headers, latest, saved)
    for grid in sheets:  # a contents, summary or lists sheet: read only when no other sheet is a plan
        if grid.title not in asides:
            continue
        if plan.plan_sheets:
            note(plan, grid.title, "A1", f"sheet '{grid.title}' left out: {asides[grid.title]}, not the plan "
                  "(pin it with --sheet to read it)")
        elif _read_sheet(path, grid, package, plan, (pinned, named), rag_words, found_headers, latest, saved):
            note(plan, grid.title, "A1", f"sheet '{grid.title}' read as plan though {asides[grid.title]}: "
                  "no other sheet is a plan")
    if not plan.plan_sheets:
        skipped = "; ".join(f.message for f in plan.findings
                            if f.field == "sheet" and (f.severity != "note" or " left out" in f.message))
        if skipped and not found_headers:
            raise PlanError(path, f"no plan sheet could be read: {skipped}")
        raise PlanError(path, _no_plan_sheet_message(found_headers) + (f"; {skipped}" if skipped else ""))
    read_bodies_of_actions(plan)
    for action in plan.actions:
        if action.rag_text and not action.rag_from_fill:
            action.rag = rag_by_key(action, rag_words, plan) or rag_said_more(action, rag_words, plan)
    grids = {grid.title: grid for grid in sheets}
    unrated = [a for a in plan.actions if a.has("rag") and a.rag is None]
    for sheet in dict.fromkeys(a.sheet for a in unrated):  # only sheets with an unrated action look at their rules
        rag_by_rules([a for a in unrated if a.sheet == sheet], grids[sheet], package.colour_rules(sheet), plan)
    assign_refs(plan)
    _sheet_notes(plan)
    plan.title = plan.title or path.stem
    return plan


def _read_sheet(path: Path, grid: Grid, package, plan: Plan, sheet_names: tuple[tuple[str, ...], tuple[str, ...]],
                rag_words: KeyWords, found_headers: dict[str, list[str]], latest: Latest,
                saved: SavedLayout | None) -> bool:
    """Read a candidate sheet's actions into the plan; False (and a note) when it is no plan.
    sheet_names: those pinned with --sheet, and those read (pinned, or the saved layout's)."""
    pinned, named = sheet_names
    confirmed = saved.sheet(grid.title) if saved else None
    header = find_header(grid, package.layout(grid.title).hidden_columns, plan, latest,
                          confirmed.header_rows[0] if confirmed else 0)
    if header is None:
        found_headers[grid.title] = grid.texts_near_top()
        if grid.title in named:
            raise PlanError(path, "no plan header row found on this sheet", sheet=grid.title)
        note(plan, grid.title, "A1", f"sheet '{grid.title}' not read as plan: no header row of plan columns")
        return False
    if grid.title not in named and not header.columns.keys() & WHAT_COLUMNS:
        note(plan, grid.title, "A1", f"sheet '{grid.title}' not read as plan: its header (row {header.row}) names "
              "no action, outcome or objective column, so no row says what is to be done (a list of values?)")
        return False
    title = title_above(grid, header.row)
    if grid.title not in pinned and (CONFIDENTIAL_TITLE.search(title) or not_for_circulation(title)):
        plan.confidential_sheets.append(grid.title)
        # the title is not quoted: notes reach the board's copy, and the sheet's words must not
        note(plan, grid.title, "A1", f"sheet '{grid.title}' left out as confidential: its title row names "
              "a register or log, or marks it confidential (pin it with --sheet to read it)")
        return False
    plan.title = plan.title or title
    key_words(grid, rag_words, rows=range(grid.top, header.row))  # a key above the table
    if header.key:
        key_words(grid, rag_words, columns=range(header.key, header.key + 2))
    if confirmed:
        follow_saved(grid, header, confirmed, plan)
    plan.layouts[grid.title] = (header.row, header.columns)
    first_action = len(plan.actions)
    read_actions(grid, header, plan, package, rag_words)
    plan.headers[grid.title] = sheet_header(grid, header, plan.actions[first_action:])
    return True


# A visible sheet so named is a contents page, a summary or the dropdowns' lists: read as plan
# only when no other sheet is one (the officer can pin it with --sheet).
ASIDE_NAMES = (
    ("a contents page", re.compile(r"\b(contents|index|cover|front\s*sheet|read\s*me|introduction|instructions|guidance)\b", re.I)),
    ("a summary", re.compile(r"\b(summary|overview|dashboard|at a glance|plan on a page|on a page|highlights)\b", re.I)),
    ("a sheet of lists", re.compile(r"\b(lists?|look\s*ups?|drop\s*-?\s*downs?|validations?|pick\s*lists?|options|ref(erence)?\s*data)\b", re.I)),
)


def _aside(name: str, header: Header | None, sheets: int) -> str:
    """Why a sheet looks like no plan ("its name says it is a summary"), or "": by its name;
    or, beside other sheets, by a header that names neither actions nor deadlines (a plan on
    a page: Priority | Objective | Lead | RAG)."""
    what = next((what for what, pattern in ASIDE_NAMES if pattern.search(name)), "")
    if what:
        return f"its name says it is {what}"
    if sheets > 1 and header is not None and header.columns.keys() & WHAT_COLUMNS and not header.columns.keys() & {
            "action", "deadline"}:  # (one that names nothing to be done is no plan at all: _read_sheet)
        return f"its header (row {header.row}) names no action and no deadline, as a summary's does"
    return ""


# A sheet whose name speaks of these, or of anything not for circulation, is never read as plan
# unless the officer pins it: what is read goes into the board's copy and the sub-groups' packs.
CONFIDENTIAL_NAME = re.compile(r"risk|regist|\braid\b|issues?\b", re.IGNORECASE)
# A title row marks a sheet only when it names a register or log or marks it not for
# circulation: a plan's title may well speak of "reducing the risk of abuse".
CONFIDENTIAL_TITLE = re.compile(r"risks?\s*(register|log|matrix|assessment)|\bregist(er|ry)\b|\braid\b|"
                                r"issues?\s*(log|register)", re.IGNORECASE)


def _saved_sheets(book, saved: SavedLayout, plan: Plan) -> tuple[str, ...]:
    """The plan sheets of the saved layout, read as if pinned; none (every sheet looked at
    afresh) when one of them is gone, hidden or now named as confidential, said at the sheet."""
    visible = _visible_sheets(book)
    sound = True
    for sheet in saved.sheets:
        if sheet.name not in book.sheet_names:
            why = "is not in the workbook (renamed or deleted?)"
        elif sheet_kind(sheet.name, sheet.name in visible) == "confidential":
            why = "is now hidden, or named as confidential, so it is left out"
        else:
            continue
        sound = False
        mismatch(plan, "error", sheet.name, "", f"plan sheet '{sheet.name}' of {saved.path.name} {why}: "
                  "the plan sheets are looked for afresh")
    return tuple(sheet.name for sheet in saved.sheets) if sound else ()


def _refuse_own_outputs(path: Path, book, package) -> None:
    """A monthly copy or a pack picked by mistake would read as a plan of its own rows."""
    if package.creator() != "plantools":
        return
    what = "a monthly consolidated copy" if "Change log" in book.sheet_names else "a sub-group's pack"
    raise PlanError(path, f"is {what} that plantools wrote, not the shared plan: give the shared plan workbook")


def _worksheets(path: Path, book, package, plan: Plan, pinned: tuple[str, ...]):
    """(name, kind, grid) for each worksheet; grid is None for a confidential sheet (never
    read), and for one whose values span far more cells than any plan (never handed to the
    reader, which would try to hold them all)."""
    import python_calamine

    for meta in book.sheets_metadata:
        if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
            continue  # chart sheets and macro sheets hold no plan
        visible = meta.visible == python_calamine.SheetVisibleEnum.Visible
        kind = sheet_kind(meta.name, visible)
        if meta.name in pinned:
            kind = "plan"  # the officer's word
        elif pinned and kind == "plan":
            kind = "other"  # the officer named the plan sheets: this is not one of them
        if kind in ("confidential", "other"):
            reason = _left_out_reason(meta.name, visible, kind)
            note(plan, meta.name, "A1", f"sheet '{meta.name}' left out: {reason}")
            yield meta.name, kind, None
            continue
        rows, cols, last = package.extent(meta.name)
        if rows * cols > CELL_BUDGET:
            plan.findings.append(Finding(
                "warning", meta.name, last, "", "sheet",
                f"sheet '{meta.name}' not read: its values run as far as {last}, {rows:,} rows by "
                f"{cols:,} columns (a stray value far below or right of the plan?): clear it and save",
            ))
            yield meta.name, kind, None
            continue
        yield meta.name, kind, Grid(meta.name, _sheet(path, book, meta.name), package.merged_ranges(meta.name))


def _visible_sheets(book) -> set[str]:
    import python_calamine

    return {meta.name for meta in book.sheets_metadata if meta.visible == python_calamine.SheetVisibleEnum.Visible}


def _left_out_reason(name: str, visible: bool, kind: str) -> str:
    if kind == "other":
        return "not one of the plan sheets named (with --sheet, or in the saved layout)"
    if not visible:
        return "it is hidden, so treated as confidential"
    return "its name speaks of risk or confidential matters, so it is never sent (pin it with --sheet to read it)"


def sheet_kind(name: str, visible: bool = True) -> str:
    """'confidential' (a risk log, register, RAID or issues log, named confidential, or any
    other hidden sheet), 'governance', 'key' (read even when hidden: they are never sent, and
    BSUs hide the distribution list), or 'plan' (a candidate)."""
    if CONFIDENTIAL_NAME.search(name) or not_for_circulation(name):
        return "confidential"
    if re.search(r"governance|bodies|distribution", name, re.IGNORECASE):
        return "governance"
    if re.fullmatch(r"\s*(rag\s*)?(key|legend)\s*", name, re.IGNORECASE):
        return "key"
    return "plan" if visible else "confidential"


def _open(path: Path, source):
    import python_calamine

    try:
        return open_values(source)
    except python_calamine.PasswordError:
        raise PlanError(path, "is encrypted (password-protected): remove the password in Excel") from None
    except Exception as exc:  # the reader's own words for a damaged or hostile package
        if "entity" in str(exc):
            raise PlanError(path, "refused: its XML declares entities, as an XML bomb does; no workbook "
                                  "saved by Excel has them") from None
        raise PlanError(path, f"cannot be read as a workbook: it is damaged ({_reason(exc)})") from None


def _sheet(path: Path, book, name: str):
    try:
        return book.get_sheet_by_name(name)
    except Exception as exc:
        raise PlanError(path, f"cannot be read: it is damaged ({_reason(exc)})", sheet=name) from None


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:160]}"


def _sheet_notes(plan: Plan) -> None:
    counts = Counter(a.sheet for a in plan.actions)
    for sheet in plan.plan_sheets:
        row, _ = plan.layouts[sheet]
        note(plan, sheet, f"A{row}", f"sheet '{sheet}' read as plan: {counts[sheet]} "
              f"action{'s' * (counts[sheet] != 1)}, header row {row}")


def _no_plan_sheet_message(found: dict[str, list[str]]) -> str:
    expected = "Objectives, Outcomes, Actions, Who?, Governance oversight, When?, RAG"
    if not found:
        return f"no plan sheet: the workbook has no visible worksheet with a header row ({expected})"
    seen = "; ".join(f"'{name}' has {', '.join(texts) or 'no text'}" for name, texts in found.items())
    return f"no plan sheet: expected a header row with at least three of {expected}; found: {seen}"
