"""Read the shared plan workbook as staff really keep it, without ever writing to it.

A plan sheet is any visible worksheet with a header row that names at least three of the
columns plantools knows (objectives, outcomes, who, what, governance, when, measures, RAG,
progress), under any number of title rows. The header may be two rows deep, as in the
published plans ("Actions (who and what)" over "Who" and "What"). Merged cells count for
every cell they cover, so an objective merged down its actions belongs to each of them.

How an action is identified from month to month: by its "Action ref" column when the sheet
has one and the cell is filled; otherwise by its objective reference and its place under
that objective, as a letter: the actions of objective 2.1 are 2.1a, 2.1b, 2.1c.

Values and merged ranges come from python-calamine (fast, and bounded by the cells really
there, whatever size a sheet claims); the solid fill of an empty RAG cell and the text of
error cells (#REF!) come from xlsxparts, and only when a sheet has them.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from plantools.errors import PlanError
from plantools.plan import rag as ragmod
from plantools.plan.columns import EXPECTED_HEADERS, HEADER_PATTERNS, not_for_circulation
from plantools.plan.deadlines import parse_deadline
from plantools.plan.governance import Body, Matcher, infer_bodies, merge_duplicates
from plantools.plan.model import Action, Finding, Plan, SheetHeader, letters, short
from plantools.plan.months import check_month
from plantools.plan.months import label as month_label
from plantools.read.saved import SavedLayout, SavedSheet
from plantools.xlsx.files import is_open_in_excel
from plantools.xlsx.gcpause import gc_paused
from plantools.xlsx.parts import CELL_BUDGET, ColourRule, column_letters, column_number, shows_month_only

HEADER_SCAN_ROWS = 40  # title rows above the header: no real plan has more
MAX_COLUMNS = 100  # a plan has a dozen columns; a sheet claiming 16,384 is not read that wide

_PRIORITY_HEADING = re.compile(r"^\s*((strategic\s+)?(priority|theme|work\s*stream)(?![a-z])\s*\d*\s*[.:)-]?|\d+\s*[.:)])\s*\S",
                               re.IGNORECASE)
_OBJECTIVE_REF = re.compile(r"^\s*(?:objective\s*)?(\d+(?:\.\d+)*)\.?\s*$", re.IGNORECASE)
_REF_AT_START = re.compile(r"^\s*(\d+\.\d+(?:\.\d+)*)\s+(\S.*)$", re.DOTALL)


def header_role(text: object) -> str | None:
    """The column a header names ('When?' -> 'deadline'), or None."""
    if not isinstance(text, str):
        return None
    if text.strip() in ("#", "No.", "Nº", "№"):
        return "action_ref" if text.strip() == "#" else "ref"
    words = " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower().replace("#", " no ")).split())  # "Action #"
    if not words or len(words.split()) > 6 or words[0].isdigit():
        return None  # a title, a sentence or a numbered heading, not a column header
    for role, pattern in HEADER_PATTERNS:
        if pattern.search(words):
            return role
    return None


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
        _note(plan, "", "", f"read from {OTHER_FORMATS[kind]}: its values, merged cells, hidden columns and rows "
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
    rag_words: dict[str, str] = {}
    for name, kind, grid in _worksheets(path, book, package, plan, named):
        if kind == "confidential":
            plan.confidential_sheets.append(name)
        elif grid is None:
            continue
        elif kind == "governance" and _find_header(grid, set(), Plan(path)) is not None:
            # a sheet per priority, this one "Governance & accountability": a plan sheet (if
            # shown), not the list of bodies
            if name in _visible_sheets(book):
                sheets.append(grid)
            else:
                plan.confidential_sheets.append(name)
        elif kind == "governance":
            plan.bodies = _read_bodies(grid, plan)
        elif kind == "key":
            rag_words.update(_key_words(grid))
        elif kind == "plan":
            sheets.append(grid)
    found_headers: dict[str, list[str]] = {}
    latest: Latest = {}
    headers = {}  # with several sheets: each one's header, found first (and the plan's latest period)
    if len(sheets) > 1:
        headers = {grid.title: _find_header(grid, set(package.layout(grid.title).hidden_columns), Plan(path), latest)
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
            _note(plan, grid.title, "A1", f"sheet '{grid.title}' left out: {asides[grid.title]}, not the plan "
                  "(pin it with --sheet to read it)")
        elif _read_sheet(path, grid, package, plan, (pinned, named), rag_words, found_headers, latest, saved):
            _note(plan, grid.title, "A1", f"sheet '{grid.title}' read as plan though {asides[grid.title]}: "
                  "no other sheet is a plan")
    if not plan.plan_sheets:
        skipped = "; ".join(f.message for f in plan.findings
                            if f.field == "sheet" and (f.severity != "note" or " left out" in f.message))
        if skipped and not found_headers:
            raise PlanError(path, f"no plan sheet could be read: {skipped}")
        raise PlanError(path, _no_plan_sheet_message(found_headers) + (f"; {skipped}" if skipped else ""))
    _read_bodies_of_actions(plan)
    for action in plan.actions:
        if action.rag_text and not action.rag_from_fill:
            action.rag = ragmod.normalise(action.rag_text, rag_words) or _rag_said_more(action, rag_words, plan)
    grids = {grid.title: grid for grid in sheets}
    unrated = [a for a in plan.actions if a.has("rag") and a.rag is None]
    for sheet in dict.fromkeys(a.sheet for a in unrated):  # only sheets with an unrated action look at their rules
        _rag_by_rules([a for a in unrated if a.sheet == sheet], grids[sheet], package.colour_rules(sheet), plan)
    _assign_refs(plan)
    _sheet_notes(plan)
    plan.title = plan.title or path.stem
    return plan


def _read_sheet(path: Path, grid: _Grid, package, plan: Plan, sheet_names: tuple[tuple[str, ...], tuple[str, ...]],
                rag_words: dict[str, str], found_headers: dict[str, list[str]], latest: Latest,
                saved: SavedLayout | None) -> bool:
    """Read a candidate sheet's actions into the plan; False (and a note) when it is no plan.
    sheet_names: those pinned with --sheet, and those read (pinned, or the saved layout's)."""
    pinned, named = sheet_names
    confirmed = saved.sheet(grid.title) if saved else None
    header = _find_header(grid, package.layout(grid.title).hidden_columns, plan, latest,
                          confirmed.header_rows[0] if confirmed else 0)
    if header is None:
        found_headers[grid.title] = grid.texts_near_top()
        if grid.title in named:
            raise PlanError(path, "no plan header row found on this sheet", sheet=grid.title)
        _note(plan, grid.title, "A1", f"sheet '{grid.title}' not read as plan: no header row of plan columns")
        return False
    if grid.title not in named and not header.columns.keys() & WHAT_COLUMNS:
        _note(plan, grid.title, "A1", f"sheet '{grid.title}' not read as plan: its header (row {header.row}) names "
              "no action, outcome or objective column, so no row says what is to be done (a list of values?)")
        return False
    title = _title_above(grid, header.row)
    if grid.title not in pinned and (CONFIDENTIAL_TITLE.search(title) or not_for_circulation(title)):
        plan.confidential_sheets.append(grid.title)
        # the title is not quoted: notes reach the board's copy, and the sheet's words must not
        _note(plan, grid.title, "A1", f"sheet '{grid.title}' left out as confidential: its title row names "
              "a register or log, or marks it confidential (pin it with --sheet to read it)")
        return False
    plan.title = plan.title or title
    rag_words.update(_key_words(grid, rows=range(grid.top, header.row)))  # a key above the table
    if header.key:
        rag_words.update(_key_words(grid, columns=range(header.key, header.key + 2)))
    if confirmed:
        _follow_saved(grid, header, confirmed, plan)
    plan.layouts[grid.title] = (header.row, header.columns)
    first_action = len(plan.actions)
    _read_actions(grid, header, plan, package, rag_words)
    plan.headers[grid.title] = _sheet_header(grid, header, plan.actions[first_action:])
    return True


WHAT_COLUMNS = {"action", "outcome", "objective", "measure"}  # a plan says what is to be done
# A visible sheet so named is a contents page, a summary or the dropdowns' lists: read as plan
# only when no other sheet is one (the officer can pin it with --sheet).
ASIDE_NAMES = (
    ("a contents page", re.compile(r"\b(contents|index|cover|front\s*sheet|read\s*me|introduction|instructions|guidance)\b", re.I)),
    ("a summary", re.compile(r"\b(summary|overview|dashboard|at a glance|plan on a page|on a page|highlights)\b", re.I)),
    ("a sheet of lists", re.compile(r"\b(lists?|look\s*ups?|drop\s*-?\s*downs?|validations?|pick\s*lists?|options|ref(erence)?\s*data)\b", re.I)),
)


def _aside(name: str, header: _Header | None, sheets: int) -> str:
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
        _mismatch(plan, "error", sheet.name, "", f"plan sheet '{sheet.name}' of {saved.path.name} {why}: "
                  "the plan sheets are looked for afresh")
    return tuple(sheet.name for sheet in saved.sheets) if sound else ()


def _mismatch(plan: Plan, severity: str, sheet: str, cell: str, message: str) -> None:
    """Where the workbook no longer matches its saved layout."""
    plan.findings.append(Finding(severity, sheet, cell, "", "layout",
                                 f"{message}; confirm the layout with `plantools layout --save`"))


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
            _note(plan, meta.name, "A1", f"sheet '{meta.name}' left out: {reason}")
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
        yield meta.name, kind, _Grid(meta.name, _sheet(path, book, meta.name), package.merged_ranges(meta.name))


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


def _note(plan: Plan, sheet: str, cell: str, message: str, field: str = "sheet") -> None:
    plan.findings.append(Finding("note", sheet, cell, "", field, message))


def _open(path: Path, source):
    import python_calamine

    try:
        if isinstance(source, Path):
            return python_calamine.CalamineWorkbook.from_path(str(source))
        return python_calamine.CalamineWorkbook.from_filelike(source)
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


@dataclass
class _Header:
    row: int  # the last header row: data starts below it
    columns: dict[str, int]  # role -> column number
    extra: dict[int, str] = field(default_factory=dict)  # column -> header, for visible columns of no role
    key: int = 0  # a column headed "Key" beside the table: the RAG key, its meanings to its right
    top: int = 0  # the first header row
    left_out: dict[int, str] = field(default_factory=dict)  # column -> why it is never read


class _Grid:
    """A sheet's values with merged ranges filled in, numbered from 1 as Excel does.
    Only the cells really there are held, whatever size the sheet claims to be. merges: the
    merged ranges where calamine does not give them (an .ods)."""

    def __init__(self, title: str, sheet, merges: list | None = None) -> None:
        self.title = title
        rows = sheet.to_python(skip_empty_area=True) if sheet.height else []
        top, left = sheet.start or (0, 0)
        self.top, self.left = top + 1, left + 1  # the first row and column the values cover
        self.rows = [row[:MAX_COLUMNS] for row in rows]
        self.max_row = top + len(rows)
        self.max_col = min(left + (sheet.width or 0), MAX_COLUMNS)
        self.origin: dict[tuple[int, int], tuple[int, int]] = {}  # merged cell -> its top-left
        self.width: dict[tuple[int, int], int] = {}  # top-left -> columns the merge spans
        for (first_row, first_col), (last_row, last_col) in merges or sheet.merged_cell_ranges or []:
            top_left = (first_row + 1, first_col + 1)
            self.width[top_left] = last_col - first_col + 1
            for row in range(first_row + 1, min(last_row + 1, self.max_row) + 1):
                for col in range(first_col + 1, min(last_col + 1, self.max_col) + 1):
                    if (row, col) != top_left:
                        self.origin[(row, col)] = top_left

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


def _find_header(grid: _Grid, hidden: set[int], plan: Plan, latest: Latest | None = None,
                 at: int = 0) -> _Header | None:
    """The row (or two rows) near the top that names the most plan columns; at: the header's
    first row in the saved layout, looked at alone (and if it holds none, every row, said).
    Hidden columns are never read: what they hold is neither this month's value nor meant to
    be sent."""
    best: tuple[int, int, dict[int, str]] | None = None  # (top row, last row, roles)
    for row in [at] if at else range(1, min(grid.max_row, HEADER_SCAN_ROWS) + 1):
        roles = _row_roles(grid, row)
        if not roles:
            continue
        last = row
        below = _row_roles(grid, row + 1) if row < grid.max_row else {}
        if len(roles) >= 2 and below and _is_sub_header(grid, row, below):  # one cell alone is a title
            roles, last = {**roles, **below}, row + 1
        elif row < grid.max_row and _labels_under_spans(grid, row):
            # "RAG" over "Oct", "Nov"; "Lead" over "Officer", "Agency": the lower label names
            # the field, read with the one above it ("Lead Agency", "RAG Nov")
            roles, last = {**roles, **_roles_under_spans(grid, row)}, row + 1
        distinct = set(roles.values()) - {"extra"}
        if len(distinct) >= 3 and distinct & {"owner", "deadline", "governance", "action_pair", "action"}:
            if best is None or len(distinct) > len(set(best[2].values()) - {"extra"}):
                best = (row, last, roles)
    if best is None and at:
        header = _find_header(grid, hidden, plan, latest)
        _mismatch(plan, "error", grid.title, f"A{at}", f"row {at}, the header row of the saved layout, no longer "
                  "holds the header (rows inserted or deleted above it?): "
                  + (f"read the header found at row {header.top}" if header else "no header row found"))
        return header
    if best is None:
        return None
    top, last, roles = best
    for col in sorted(hidden):
        if _header_text(grid, top, last, col):  # its header is hidden too, so not quoted
            _note(plan, grid.title, f"{column_letters(col)}{last}", f"column {column_letters(col)} is "
                  "hidden: not read, and never sent", field="column")
    visible = {col: role for col, role in roles.items() if col not in hidden}
    return _assign_columns(grid, top, last, visible, hidden, plan, {} if latest is None else latest)


def _header_text(grid: _Grid, top: int, last: int, col: int) -> str:
    texts = [_label(grid.value(row, col)) for row in range(top, last + 1) if grid.own(row, col) or row == top]
    return " ".join(dict.fromkeys(t for t in texts if t)).replace("\n", " ")


def _label(value: object) -> str:
    """A header cell's text; a date names its month ("Nov 2018"), as monthly columns do."""
    return f"{value:%b %Y}" if isinstance(value, date) else _clean(value)


def _row_roles(grid: _Grid, row: int) -> dict[int, str]:
    roles = {}
    for col in range(1, grid.max_col + 1):
        role = header_role(grid.value(row, col))
        if role:
            roles[col] = role
    return roles


def _is_sub_header(grid: _Grid, row: int, below: dict[int, str]) -> bool:
    """A second header row names columns that the row above left to a merged or empty cell."""
    for col, role in below.items():
        if not grid.own(row + 1, col):
            continue  # a vertical merge of the header above, not a header of its own
        above = grid.value(row, col)
        spanned = grid.width.get(grid.origin.get((row, col), (row, col)), 1) > 1
        if spanned or above is None or header_role(above) == "action_pair":
            return True
    return False


def _labels_under_spans(grid: _Grid, row: int) -> bool:
    """The row below names, cell by cell, the columns that a header merged across spans
    ("RAG" over "Oct", "Nov", "Dec"; "Timescale" over "Start", "End"), and nothing else: two
    short labels at least, none of them a number or a ref, so never an action's row."""
    below = [(col, grid.raw(row + 1, col)) for col in range(grid.left, grid.max_col + 1)
             if grid.own(row + 1, col) and grid.raw(row + 1, col) is not None]
    return len(below) >= 2 and all(
        (isinstance(value, date) or (isinstance(value, str) and len(value) < 30 and bool(re.search("[A-Za-z]", value))
                                     and not _OBJECTIVE_REF.match(value) and not _REF_AT_START.match(value)))
        and grid.width.get((row + 1, col), 1) == 1
        and grid.width.get(grid.origin.get((row, col), (row, col)), 1) > 1
        for col, value in below)


def _roles_under_spans(grid: _Grid, row: int) -> dict[int, str]:
    """The role of each column labelled under a span: its own label's ("Who" under "Actions"),
    else the two levels' together ("Lead" over "Agency": "Lead Agency")."""
    roles = {}
    for col in range(grid.left, grid.max_col + 1):
        lower = grid.raw(row + 1, col)
        if lower is not None and grid.own(row + 1, col):
            role = header_role(_label(lower)) or header_role(f"{_label(grid.value(row, col))} {_label(lower)}")
            if role:
                roles[col] = role
    return roles


# The header words that name a column exactly; any other match is near ("Status" for the RAG)
_EXACT = {
    "rag": {"rag", "rag status", "rag rating", "rag rated"},
    "progress": {"progress", "progress update", "progress updates", "update", "progress to date"},
    "deadline": {"when", "deadline", "due", "due date", "by when", "target date", "timescale", "timescales"},
    "owner": {"who", "owner", "lead", "who workplans", "lead officer"},
    "governance": {"governance", "governance oversight", "oversight"},
}
_KEY_COLUMN = re.compile(r"\s*(rag\s*)?(status\s*)?(key|legend)\s*:?\s*", re.IGNORECASE)
_MONTH_IN_HEADER = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*['’]?(\d{2,4})?\b")
_QUARTER_IN_HEADER = re.compile(r"\b(?:q|qtr|quarter)\s?([1-4])\b")


def _assign_columns(grid: _Grid, top: int, last: int, roles: dict[int, str], hidden: set[int],
                    plan: Plan, latest: Latest) -> _Header:
    """Role -> column. A merged "Objectives" over two columns is the reference then the text;
    an unsplit "Actions (who and what)" over two columns is who then what. Where two columns
    could hold one field, the exact word beats a near one, then the latest month, then the
    first; the others are carried as they are, and `check` says which was read."""
    withheld = set(hidden) | _not_for_circulation(grid, top, last, hidden, plan)
    candidates: dict[str, list[int]] = {}
    for col in sorted(set(roles) - withheld):
        role = roles[col]
        origin = grid.origin.get((top, col), (top, col))
        span = grid.width.get(origin, 1)
        first = origin[1] == col
        if role == "objective" and span > 1:
            role = "objective_ref" if first else "objective"
        elif role == "action_pair":
            role = "action" if span == 1 or not first else "owner"
        candidates.setdefault(role, []).append(col)
    objective_cols = candidates.get("objective", [])
    if len(objective_cols) > 1 and "objective_ref" not in candidates:
        candidates["objective_ref"] = [objective_cols.pop(0)]  # "Objective", "Objective description"
    columns: dict[str, int] = {}
    periods: dict[str, dict[int, tuple[int, int]]] = {}  # RAG, progress: a column a month or quarter
    for role, cols in candidates.items():
        if role == "extra":
            continue
        labels = {c: _header_text(grid, top, last, c) for c in cols}
        when = _periods(labels)
        if role in ("rag", "progress") and len(cols) > 1 and (0, 0) not in when.values() and len(set(when.values())) == len(cols):
            periods[role] = when
            continue
        ranked = _ranked(role, labels)
        columns[role] = ranked[0]
        if len(ranked) > 1:
            chosen = ranked[0]
            others = ", ".join(f"{column_letters(c)} '{_header_text(grid, top, last, c)}'" for c in ranked[1:])
            why = " (the End, not the Start)" if any(_START.search(_header_text(grid, top, last, c))
                                                     for c in ranked[1:]) and role == "deadline" else ""
            _note(plan, grid.title, f"{column_letters(chosen)}{last}",
                  f"{role.replace('_', ' ')} read from column {column_letters(chosen)} "
                  f"'{_header_text(grid, top, last, chosen)}'{why}; also there: {others} (carried as it is)",
                  field="column")
    if periods:
        what = [col for role, cols in candidates.items() if role in WHAT_COLUMNS for col in cols]
        columns.update(_current_period(grid, top, last, periods, what, plan, latest))
    used = set(columns.values()) | withheld
    extra: dict[int, str] = {}
    key = 0
    for col in range(1, grid.max_col + 1):
        label = _header_text(grid, top, last, col) if col not in used else ""
        if _KEY_COLUMN.fullmatch(label):
            key = col  # the RAG key set beside the table: no column of the actions
        elif label and label not in extra.values():
            extra[col] = label
    left_out = {col: "hidden" if col in hidden else "marked not for circulation" for col in sorted(withheld)
                if _header_text(grid, top, last, col)}
    return _Header(last, columns, extra, key, top, left_out)


def _follow_saved(grid: _Grid, header: _Header, saved: SavedSheet, plan: Plan) -> None:
    """Read each field from the column its saved header names, wherever it is now; say at the
    header where the workbook no longer matches the saved layout."""
    labels = {col: _header_text(grid, header.top, header.row, col) for col in range(1, grid.max_col + 1)}
    by_words: dict[str, list[int]] = {}  # a header merged across columns heads each of them
    for col, label in labels.items():
        if label:
            by_words.setdefault(" ".join(label.lower().split()), []).append(col)
    columns = dict(header.columns)
    for name, (letter, text) in saved.columns.items():
        words = " ".join(text.lower().split())
        same = sorted(column_number(l) for l, t in saved.columns.values() if " ".join(t.lower().split()) == words)
        found = by_words.get(words, [])
        # the column still where it was, else the one in the same place among those of this header
        col = column_number(letter) if column_number(letter) in found else (
            found[same.index(column_number(letter))] if len(found) == len(same) else 0)
        cell = f"{letter}{header.row}"
        if not col:
            mine = columns.get(name)
            now = f"read from column {column_letters(mine)} '{labels[mine]}', as found" if mine else "not read"
            _mismatch(plan, "error", grid.title, cell, f"no column is headed '{text}' now, where the saved layout "
                      f"reads {name} (column {letter}; renamed?): {name} {now}")
            continue
        if col in header.left_out:
            _mismatch(plan, "error", grid.title, cell, f"column {column_letters(col)} '{text}', which the saved "
                      f"layout reads as {name}, is now {header.left_out[col]}: not read")
            continue
        if column_letters(col) != letter:
            _mismatch(plan, "warning", grid.title, f"{column_letters(col)}{header.row}", f"column '{text}' ({name}) "
                      f"has moved from {letter} to {column_letters(col)}: read from {column_letters(col)}, by its header")
        replaced = columns.get(name)
        columns = {field: c for field, c in columns.items() if c != col}  # read as this field alone
        columns[name] = col
        header.extra.pop(col, None)
        if replaced and replaced != col and replaced not in columns.values() and labels[replaced]:
            header.extra[replaced] = labels[replaced]  # the reader's own choice, carried as it is
    for name, col in columns.items():
        if name not in saved.columns:
            _mismatch(plan, "warning", grid.title, f"{column_letters(col)}{header.row}", f"column "
                      f"{column_letters(col)} '{labels[col]}' is read as {name}, which the saved layout does not read "
                      "(a column added?)")
    header.columns = columns
    header.extra = dict(sorted(header.extra.items()))


SAMPLE_ROWS = 200  # the actions looked at for a field's three sample values


def _sheet_header(grid: _Grid, header: _Header, actions: list[Action]) -> SheetHeader:
    """How the sheet's header was read, with up to three values of each field's column."""
    labels = {col: text for col in range(1, grid.max_col + 1)
              if (text := _header_text(grid, header.top, header.row, col))}
    samples: dict[str, list[str]] = {}
    for name, col in header.columns.items():
        found = samples.setdefault(name, [])
        for action in actions[:SAMPLE_ROWS]:
            value = _clean(grid.value(action.row, col))
            if value and value not in found:
                found.append(value)
                if len(found) == 3:
                    break
    return SheetHeader(header.top, header.row, labels, dict(header.left_out), samples)


HEADING_WORDS = 8  # a heading over columns is short; a sentence above the table is a note, not a heading


def _not_for_circulation(grid: _Grid, top: int, last: int, hidden: set[int], plan: Plan) -> set[int]:
    """The visible columns whose header, or a heading set just above it ("BSU use only" over
    two columns), marks them not for circulation: never read, whatever field they name."""
    withheld = set()
    for col in range(1, grid.max_col + 1):
        if col in hidden:
            continue
        label = _header_text(grid, top, last, col)
        above = _label(grid.value(top - 1, col)) if top > 1 and not _spans_table(grid, top - 1, col) else ""
        if not_for_circulation(label) or (len(above.split()) <= HEADING_WORDS and not_for_circulation(above)):
            # the header is not quoted: notes reach the board's copy, and the column's words must not
            _note(plan, grid.title, f"{column_letters(col)}{last}", f"column {column_letters(col)} is marked "
                  "not for circulation by its header: not read, and never sent", field="column")
            withheld.add(col)
    return withheld


def _spans_table(grid: _Grid, row: int, col: int) -> bool:
    """A cell merged across the whole table: the sheet's title, judged with the sheet."""
    return grid.width.get(grid.origin.get((row, col), (row, col)), 1) >= grid.max_col - grid.left + 1


# period grids, by the periods they have -> the latest period with any entry in the plan
Latest = dict[frozenset[tuple[int, int]], tuple[int, int]]


def _current_period(grid: _Grid, top: int, last: int, periods: dict[str, dict[int, tuple[int, int]]],
                    what: list[int], plan: Plan, latest: Latest) -> dict[str, int]:
    """RAG and progress by period (a column a month, or RAG Q1..Q4 and Update Q1..Q4, filled
    up to now): the columns of the month the plan is read for, when given; else of the
    latest period with any entry in the plan (on this sheet, and on any other sheet with the
    same periods: `latest`, which this adds to), the same period for RAG and progress where
    both have a column for it. A period with no entry yet anywhere: the first. Said in a
    note at the header; the other periods are carried as they are. Only the rows of actions
    count (a row saying what is to be done), not a key below."""
    period_cells = {(col, status) for when in periods.values() for col in when for status in ragmod.STATUSES}
    header_texts = {_clean(grid.value(r, c)) for r in range(top, last + 1) for c in range(grid.left, grid.max_col + 1)}
    rows = [row for row in range(last + 1, grid.max_row + 1)
            if any(grid.value(row, col) is not None for col in what) and not _along_key(grid, row)
            and not (_in_key_block(grid, row) and _first_status(grid, row) not in period_cells)
            and not _all_header(grid, row, header_texts)]
    chosen = {}
    for role, when in periods.items():
        labels = {col: _header_text(grid, top, last, col) for col in when}
        of_month = _column_of_month(labels, plan.period_month) if plan.period_month else None
        if of_month:
            chosen[role], why = of_month
        else:
            key = frozenset(when.values())
            alike = [w for w in periods.values() if set(w.values()) == key]  # RAG Q1.., Update Q1..
            filled = [period for w in alike for col, period in w.items() if any(grid.raw(row, col) is not None for row in rows)]
            if filled:
                latest[key] = max(*filled, latest.get(key, filled[0]))
            current = latest.get(key, min(when.values()))
            chosen[role] = next(col for col, period in when.items() if period == current)
            why = ("this is the latest period with any entry in the plan" if key in latest
                   else "this is the first period, as no period has an entry yet")
            if plan.period_month:
                why = f"no column is {month_label(plan.period_month)}'s, so {why}"
        _note(plan, grid.title, f"{column_letters(chosen[role])}{last}",
              f"{role} read from column {column_letters(chosen[role])} '{labels[chosen[role]]}': "
              f"a column for each period, and {why}; the other periods are carried as they are", field="column")
    return chosen


def _column_of_month(labels: dict[int, str], month: str) -> tuple[int, str] | None:
    """The column of a month (YYYY-MM) among period columns, and why it is that one: the month
    named (with its year, or without one), or its quarter of the financial year (April to
    June is Q1, as partnerships' plans run)."""
    year, number = int(month[:4]), int(month[5:7])
    for col, label in labels.items():
        words = _words(label)
        if quarter := _QUARTER_IN_HEADER.search(words):
            if int(quarter.group(1)) == (number - 4) % 12 // 3 + 1:
                return col, (f"this is the quarter of the copy's month, {month_label(month)}, in the financial "
                             "year (April to June is Q1)")
        elif found := _MONTH_IN_HEADER.search(words):
            named = list(calendar.month_abbr).index(found.group(1).title())
            named_year = int(found.group(2)) if found.group(2) else 0
            named_year += 2000 if 0 < named_year < 100 else 0
            if named == number and named_year in (0, year):
                return col, f"this is the month of the copy, {month_label(month)}"
    return None


def _ranked(role: str, labels: dict[int, str]) -> list[int]:
    """The columns that could hold one field, best first: the exact word before a near one,
    then the latest month, then the first; for the deadline, an end before a start."""
    when = _periods(labels)
    exact = {col: _words(label, without_period=True) in _EXACT.get(role, set()) for col, label in labels.items()}
    start = {col: role == "deadline" and bool(_START.search(label)) for col, label in labels.items()}
    return sorted(labels, key=lambda col: (start[col], not exact[col], -when[col][0], -when[col][1], col))


def _words(label: str, without_period: bool = False) -> str:
    words = " ".join(re.sub(r"[^a-z0-9]+", " ", label.lower()).split())
    if without_period:
        words = " ".join(_QUARTER_IN_HEADER.sub("", _MONTH_IN_HEADER.sub("", words)).split())
    return words


def _periods(labels: dict[int, str]) -> dict[int, tuple[int, int]]:
    """The period each column's header names, as (year, month) or (0, place in time), and
    (0, 0) for none. Months named without a year are in time order along the columns: left
    to right when they step forward ("Dec", "Jan"), right to left when they step back ("Nov",
    "Oct"), so January's column follows December's. "Q3" is the third quarter."""
    when = {}
    for col, label in labels.items():
        words = _words(label)
        when[col] = (0, 0)
        if quarter := _QUARTER_IN_HEADER.search(words):  # "Progress" over "Q1", "Q2"; "Q1 (Apr-Jun)"
            when[col] = (0, int(quarter.group(1)))
        elif month := _MONTH_IN_HEADER.search(words):
            number = list(calendar.month_abbr).index(month.group(1).title())
            year = int(month.group(2)) if month.group(2) else 0
            when[col] = (year + 2000 if 0 < year < 100 else year, number)
    yearless = sorted(col for col, (year, number) in when.items() if number and not year)
    if len(yearless) > 1:
        steps = [(when[b][1] - when[a][1]) % 12 for a, b in zip(yearless, yearless[1:])]
        in_order = yearless if sum(steps) <= 6 * len(steps) else yearless[::-1]
        when.update({col: (0, position + 1) for position, col in enumerate(in_order)})
    return when


_START = re.compile(r"\b(start|starts|starting|begin|begins|from)\b", re.IGNORECASE)  # a start is no deadline


def _read_actions(grid: _Grid, header: _Header, plan: Plan, package, rag_words: dict[str, str]) -> None:
    columns = header.columns
    sheet = grid.title
    first_action = len(plan.actions)
    for role, expected in EXPECTED_HEADERS.items():
        if role not in columns:
            plan.findings.append(Finding(
                "error", sheet, f"A{header.row}", "", role,
                f"no {role} column: expected a header such as {expected}",
            ))
    for label in header.extra.values():
        if label not in plan.extra_columns:
            plan.extra_columns.append(label)
    role_columns = list(columns.items())
    header_texts = {_clean(grid.value(r, c)) for r in (header.row - 1, header.row)
                    for c in range(1, grid.max_col + 1)} - {""}
    deadline_col = columns.get("deadline")
    rag_col = columns.get("rag")
    ref_col = _identity_column(columns)
    sheet_columns = {**columns, **({"ref": ref_col} if ref_col else {})}
    if "objective_ref" not in columns and "objective" in columns:
        sheet_columns["objective_ref"] = columns["objective"]  # "1.1 To embed ..." in one cell
    no_merges: dict[str, str] = {}  # shared by every action that has none
    # one sheet per priority: the sheet's name or its title says which
    priority = next((text for text in (sheet, _title_above(grid, header.row)) if _PRIORITY_HEADING.match(text)), "")
    objective_ref, objective = "", ""
    typed_refs: list[str] = []
    objective_col = columns.get("objective")
    typed_objectives: list[bool] = []  # the action's row shows its objective (typed or merged)
    for row in range(header.row + 1, grid.max_row + 1):
        if grid.blank(row):
            continue
        values = {role: _clean(grid.value(row, col)) for role, col in role_columns}  # each cell cleaned once
        own = {role for role, col in role_columns if values[role] and grid.own(row, col)}
        if not own and not any(grid.own(row, c) and grid.raw(row, c) is not None for c in header.extra):
            continue  # a blank separator row, or only the spill of merges from above
        if sum(values[role] in header_texts for role in own) >= 3 or (
                own and all(values[role] in header_texts for role in own)
                and sum(value in header_texts for value in values.values()) >= 3) or _all_header(grid, row, header_texts):
            continue  # the header repeated further down (its second row, under merged headers)
        heading = _priority_heading(grid, row)
        if heading:
            priority = heading
            continue
        not_action = _not_an_action(grid, row, own, values, rag_col, rag_words)
        if not_action:
            _note(plan, sheet, f"A{row}", f"row {row} not read as an action: {not_action}", field="row")
            continue
        if "objective_ref" in own or "objective" in own:
            objective_ref, objective = _objective(
                grid.value(row, columns["objective_ref"]) if "objective_ref" in columns else None,
                values.get("objective", ""), "objective_ref" in columns)
        if own <= {"objective_ref", "objective", "priority"} and not _has_extra(grid, row, header):
            continue  # an objective written on a row of its own, above its actions
        named = _objective_row(own, values)
        if named and not _has_extra(grid, row, header):  # the same, numbered in the ref column
            objective_ref = named[0] or (_ref_text(grid.value(row, ref_col)) if ref_col else "")
            objective = named[1]
            continue
        deadline = None
        if deadline_col:
            deadline = parse_deadline(_deadline_value(grid.value(row, deadline_col)))
        action = Action(
            ref="",
            objective_ref=objective_ref,
            priority=values.get("priority") or priority or _major(objective_ref),
            objective=objective,
            outcome=values.get("outcome", ""),
            owner=values.get("owner", ""),
            action=values.get("action", ""),
            governance=values.get("governance", ""),
            measure=values.get("measure", ""),
            progress=values.get("progress", ""),
            sheet=sheet,
            row=row,
            columns=sheet_columns,
            merged={role: grid.address(row, col) for role, col in sheet_columns.items()
                    if (row, col) in grid.origin} or no_merges,
        )
        if deadline is not None:
            action.deadline = deadline
        if header.extra:
            action.extra = {label: _clean(grid.value(row, col)) for col, label in header.extra.items()}
        if ref_col and ref_col != columns.get("objective_ref"):
            typed_refs.append(_ref_text(grid.value(row, ref_col)))
        else:
            typed_refs.append(objective_ref)  # carried down from the objective's row
        if rag_col:
            action.rag_text = values["rag"]
        typed_objectives.append(bool(objective_col and values.get("objective")))
        plan.actions.append(action)
    actions = plan.actions[first_action:]
    _refs_of_sheet(actions, typed_refs, _ref_level(columns, grid, ref_col, actions, typed_refs))
    _objectives_by_ref(actions, typed_objectives)
    _details(actions, grid.title, package, plan)
    _percentages(actions, grid, header.extra, package)
    _hidden_rows(actions, package.layout(sheet), plan)
    _concealed(actions, {*sheet_columns.values(), *header.extra}, package, plan)


def _all_header(grid: _Grid, row: int, header_texts: set[str]) -> bool:
    """Every value of the row is a header's words, two at least: the header written again."""
    typed = 0
    for value in grid.rows[row - grid.top]:
        if value != "":
            if _clean(value) not in header_texts:
                return False  # most rows: their first value
            typed += 1
    return typed >= 2


def _identity_column(columns: dict[str, int]) -> int | None:
    """The column whose values name each action: an action ref, else a ref, else the
    objective's reference."""
    for role in ("action_ref", "ref", "objective_ref"):
        if role in columns:
            return columns[role]
    return None


_OBJECTIVE_HEADING = re.compile(r"^\s*objective\s*(\d+(?:\.\d+)*)?\s*[:.)\-–]\s*(\S.*)$", re.IGNORECASE | re.DOTALL)


def _objective_row(own: set[str], values: dict[str, str]) -> tuple[str, str] | None:
    """(ref, text) of an objective named on a row of its own above its actions: its number in
    the ref column and its text alone ("1 | Hear children"), or "Objective 1: Hear children"
    where the action goes. None for any other row."""
    if not own <= {"ref", "action_ref", "objective_ref", "objective", "action", "priority"}:
        return None
    if "action" in own:
        found = _OBJECTIVE_HEADING.match(values["action"])
        return (found.group(1) or "", _clean(found.group(2))) if found and "objective" not in own else None
    return ("", values["objective"]) if "objective" in own and own & {"ref", "action_ref"} else None


def _has_extra(grid: _Grid, row: int, header: _Header) -> bool:
    return any(grid.own(row, col) and grid.raw(row, col) is not None for col in header.extra)


_TOTAL = re.compile(r"^\s*(grand\s+|sub-?\s*)?totals?\b|^\s*(count|number of actions|sum)\b|"
                    r"^\s*(rag\s+)?(status\s+)?(summary|breakdown)\b", re.IGNORECASE)
_NOTE = re.compile(r"^\s*(notes?\b|nb\b|n\.b\.|\*|source\b|please\b|last updated\b|updated\b|version\b)",
                   re.IGNORECASE)
_KEY_HEADING = re.compile(r"^\s*(rag\s*)?(key|legend)\b|^\s*rag\s*(status|rating)?\s*key", re.IGNORECASE)


def _not_an_action(grid: _Grid, row: int, own: set[str], values: dict[str, str], rag_col: int | None,
                   rag_words: dict[str, str]) -> str:
    """Why a row that holds values is no action ("" when it is one): a RAG key or legend
    (above, between or below the tables), a totals row or a note under the table, whether
    typed or the values of formulas."""
    shows = {role for role, value in values.items() if value}  # typed or merged down from above
    texts = [(col, grid.raw(row, col)) for col in range(grid.left, grid.max_col + 1)
             if grid.own(row, col) and grid.raw(row, col) not in (None, "")]
    if not texts:
        return ""
    first = str(texts[0][1])
    if _KEY_HEADING.match(first) and len(texts) <= 3:
        for _, value in texts:
            rag_words.update(ragmod.inline_key_words(value))
        return "it is a RAG key"
    heading = _KEY_HEADING.match(first) is not None
    # most rows begin with a ref or an action's words, so are no key row
    if heading or (len(first) <= 20 and not first[:1].isdigit() and ragmod.normalise(first) is not None):
        pairs = _key_pairs(texts[1:] if heading else texts)
        if pairs and _is_key(texts, pairs, own, rag_col, shows):
            for status, meaning in pairs:
                rag_words.update(ragmod.key_words(status, meaning))
            return "it is a RAG key"
        if (_in_key_block(grid, row) and not (texts[0][0] == rag_col and shows & {"action", "outcome", "objective"})
                and not ("deadline" in own and parse_deadline(values["deadline"]).due)):  # "May 2030": an action's
            rag_words.update(ragmod.key_words(texts[0][1], texts[1][1] if len(texts) > 1 else None))
            return "it is a RAG key"
    if _TOTAL.match(first) and (all(isinstance(v, (int, float)) or _looks_numeric(v) for _, v in texts[1:])
                                or not own & {"owner", "governance", "deadline"}):
        return "it is a totals row"  # counts, or words such as "2 Green" where no action has an owner
    if (len(texts) >= 2 and _is_number(texts[1][1]) and all(_is_number(value) for _, value in texts[2:])
            and (_is_number(texts[0][1]) or ragmod.normalise(first))
            and not (shows - own) & {"action", "outcome", "objective", "owner"}):
        return "it is a count of actions"  # "Green | 5", or "2 | 3 | 5 | 1" under the statuses' names
    if len(texts) == 1 and (_NOTE.match(first) or (own and own <= {"ref", "action_ref"} and len(first.split()) >= 3)):
        return "it is a note under the table"  # a sentence alone where a ref goes is no ref
    return ""


def _key_pairs(texts: list[tuple[int, object]]) -> list[tuple[object, object]]:
    """The (status, meaning) pairs of a row that holds nothing else: "Green | On track", or
    "Red | ... | Amber | ... | Green | ..." along one row; [] for any other row."""
    pairs: list[tuple[object, object]] = []
    index = 0
    while index < len(texts):  # each step consumes one or two cells: it ends
        status = texts[index][1]
        if not isinstance(status, str) or len(status) > 20 or ragmod.normalise(status) is None:
            return []
        meaning = texts[index + 1][1] if index + 1 < len(texts) else None
        if isinstance(meaning, str) and ragmod.normalise(meaning) is None:
            pairs.append((status, meaning))
            index += 2
        else:
            pairs.append((status, None))
            index += 1
    return pairs


KEY_BLOCK_REACH = 6  # rows looked at above and below: a key has four or five


def _first_status(grid: _Grid, row: int) -> tuple[int, str] | None:
    """(column, status) when a row's first value is a status word alone and no cell of the
    row holds a date or a number (a key's rows: "Green | On track | ..."), else None."""
    found = None
    if not grid.top <= row < grid.top + len(grid.rows):
        return None
    for col, value in enumerate(grid.rows[row - grid.top], start=grid.left):  # a merge's other cells are ""
        if value == "":
            continue
        if not isinstance(value, str):
            return None  # a date, a number: an action's row
        if found is None:  # a word: "a" and "b" are actions' names as often as Amber and Blue
            status = ragmod.normalise(value) if 3 <= len(value.strip()) <= 20 else None
            if status is None:
                return None
            found = (col, status)
    return found


def _in_key_block(grid: _Grid, row: int) -> bool:
    """The row is one of a RAG key's, wherever the key stands (above, between or below the
    tables) and whichever columns its meanings fall in: its first value is a status word,
    and so is the first value of the rows next to it, in the same column, naming two statuses
    or more, or the rows run up to a "RAG key" heading."""
    first = _first_status(grid, row)
    if first is None:
        return False
    statuses = {first[1]}
    for step in (-1, 1):
        at = row + step
        while abs(at - row) <= KEY_BLOCK_REACH and grid.top <= at <= grid.max_row:
            other = _first_status(grid, at)
            if other is None or other[0] != first[0]:
                heading = next((grid.raw(at, col) for col in range(grid.left, grid.max_col + 1)
                                if grid.own(at, col) and grid.raw(at, col) is not None), None)
                if step == -1 and isinstance(heading, str) and _KEY_HEADING.match(heading):
                    return True
                break
            statuses.add(other[1])
            at += step
    return len(statuses) >= 2


def _along_key(grid: _Grid, row: int) -> bool:
    """A key along one row ("RAG key: | Red | ... | Green | ..."), whose cells lie across the
    table's columns."""
    texts = [(col, grid.raw(row, col)) for col in range(grid.left, grid.max_col + 1)
             if grid.own(row, col) and grid.raw(row, col) is not None]
    heading = bool(texts) and _KEY_HEADING.match(str(texts[0][1])) is not None
    pairs = _key_pairs(texts[1:] if heading else texts)
    return len({ragmod.normalise(status) for status, _ in pairs}) >= 2


def _is_key(texts: list[tuple[int, object]], pairs: list[tuple[object, object]], own: set[str],
            rag_col: int | None, shows: set[str]) -> bool:
    """A row of statuses and meanings is the key, not an action: when it names two statuses
    or more (a key along one row); when a status stands outside the RAG column and the row
    has no owner, governance or deadline of its own; or when it stands in the RAG column and
    the row shows no action, owner, governance or deadline (typed or merged from above)."""
    if len({ragmod.normalise(status) for status, _ in pairs}) >= 2:
        return True
    outside = any(col != rag_col and ragmod.normalise(value) is not None for col, value in texts)
    if outside:
        return len(texts) <= 3 and not own & {"owner", "governance", "deadline"}
    return len(texts) <= 2 and not shows & {"action", "owner", "governance", "deadline", "outcome", "objective"}


def _is_number(value: object) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)) or _looks_numeric(value)


def _looks_numeric(value: object) -> bool:
    return isinstance(value, str) and bool(re.fullmatch(r"\s*[\d.,%]+\s*", value))


def _concealed(actions: list[Action], columns: set[int], package, plan: Plan) -> None:
    """Text that goes out with an action though nobody reading the sheet sees it: white or
    ';;;' text, or a formula bringing in another sheet's (the risk log's?) words. Hidden rows
    are noted once, by _hidden_rows."""
    if not actions:
        return
    rows = {a.row: a for a in actions}
    for address, why in package.concealed(actions[0].sheet).items():
        reasons = [r for r in why.split("; ") if r != "in a hidden row"]
        match = re.fullmatch(r"([A-Z]+)(\d+)", address)
        if not reasons or not match or int(match.group(2)) not in rows:
            continue
        if column_number(match.group(1)) in columns:
            action = rows[int(match.group(2))]
            formula = [r for r in reasons if r.startswith("formula")]
            unseen = [r for r in reasons if not r.startswith("formula")]
            if unseen:
                message = (f"text nobody sees in the workbook ({'; '.join(unseen)}) goes out in the copy "
                           "and the packs: make it visible, or clear it if it is not meant to be sent")
            else:
                message = (f"the cell's {formula[0].replace('formula reads', 'formula brings in the words of')}, "
                           "and they go out in the copy and the packs: check they are meant to be sent")
            plan.findings.append(Finding("warning", action.sheet, address, "", "cell", message))


def _hidden_rows(actions: list[Action], layout, plan: Plan) -> None:
    hidden = [a for a in actions if a.row in layout.hidden_rows]
    if hidden:
        how = "by a filter or by hand" if layout.filtered else "by hand"
        rows = ", ".join(str(a.row) for a in hidden[:20]) + (" ..." if len(hidden) > 20 else "")
        _note(plan, hidden[0].sheet, f"A{hidden[0].row}", f"{len(hidden)} action row{'s' * (len(hidden) != 1)} "
              f"hidden {how} (rows {rows}): read as actions all the same", field="row")


def _details(actions: list[Action], sheet: str, package, plan: Plan) -> None:
    """Error values kept as text (#REF!), a RAG read from an empty cell's fill colour, and a
    date that Excel shows as a month (mmm-yy) read as that month's end."""
    empty_rag = {a.cell("rag"): a for a in actions if a.has("rag") and not a.rag_text}
    details = package.details(sheet, set(empty_rag))
    if details.errors:
        for action in actions:
            for name, address in action.cells.items():
                error = details.errors.get(address)
                if error and name in FIELD_TEXT and not getattr(action, name):
                    setattr(action, name, error)
                    plan.findings.append(Finding("warning", sheet, address, "", name,
                                                 f"cell holds the error {error}: kept as text"))
                elif error and name == "deadline" and action.deadline.kind == "missing":
                    action.deadline = parse_deadline(error)
                elif error and name == "rag" and not action.rag_text:
                    action.rag_text = error
    for address, action in empty_rag.items():
        status = ragmod.status_of_fill(details.fills.get(address))
        if status and not action.rag_text:
            action.rag, action.rag_from_fill = status, True
            plan.findings.append(Finding(
                "warning", sheet, address, "", "rag",
                f"RAG read as {status} from the cell's colour: type {status} in the cell so that it is kept",
            ))
    first_days = {a.cell("deadline"): a for a in actions
                  if a.deadline.kind == "date" and a.deadline.due and a.deadline.due.day == 1
                  and re.fullmatch(r"\d{4}-\d\d-01", a.deadline.text)}
    if first_days:
        for address, code in package.number_formats(sheet, set(first_days)).items():
            if shows_month_only(code):
                action = first_days[address]
                action.deadline = parse_deadline(action.deadline.due, month_only=True)


def _percentages(actions: list[Action], grid: _Grid, extra: dict[int, str], package) -> None:
    """A number in a carried column shown as a percentage ('% complete': 0.5 shown as 50%)
    is carried as it shows."""
    numbers = {grid.address(a.row, col): (a, label, value) for a in actions for col, label in extra.items()
               if isinstance(value := grid.value(a.row, col), (int, float)) and not isinstance(value, bool)}
    if not numbers:
        return
    for address, code in package.number_formats(grid.title, set(numbers)).items():
        shown = re.sub(r'"[^"]*"|\\.', "", code)
        if "%" in shown:
            action, label, value = numbers[address]
            places = len(shown.split(".")[1].split("%")[0]) if "." in shown.split("%")[0] else 0
            action.extra = {**action.extra, label: f"{value * 100:.{places}f}%"}


FIELD_TEXT = ("objective", "outcome", "owner", "action", "governance", "measure", "progress")


def _objective(ref_value: object, text: str, has_ref_column: bool) -> tuple[str, str]:
    ref = _ref_text(ref_value)
    if not has_ref_column or not ref:
        split = _REF_AT_START.match(text)  # "1.1 Membership kept under review ..." in one cell
        alone = _OBJECTIVE_REF.match(text)  # the objective column holds only "1.1"
        if split:
            ref, text = split.group(1), _clean(split.group(2))
        elif alone and "." in text:
            ref, text = alone.group(1), ""
    return ref, text


def _ref_text(value: object) -> str:
    """2.1 stored as a number, "2.1 ", "Objective 2.1" -> "2.1"."""
    if isinstance(value, float):
        value = f"{value:.10g}"
    text = _clean(value)
    match = _OBJECTIVE_REF.match(text)
    return match.group(1) if match else text


def _major(objective_ref: str) -> str:
    return objective_ref.split(".")[0] if "." in objective_ref else ""


def _priority_heading(grid: _Grid, row: int) -> str:
    """A row holding one text alone, e.g. "2. Think Family", merged across or numbered."""
    raw = grid.rows[row - grid.top]
    if len(raw) - raw.count("") != 1:
        return ""  # most rows: more than one value, so no heading
    texts = []
    for col in range(1, grid.max_col + 1):
        if grid.own(row, col):
            value = _clean(grid.value(row, col))
            if value:
                texts.append((col, value))
    if len(texts) != 1:
        return ""
    col, text = texts[0]
    if grid.width.get((row, col), 1) >= 3 or _PRIORITY_HEADING.match(text):
        return text
    return ""


def _deadline_value(value: object) -> object:
    if isinstance(value, (datetime, date)):
        return value
    if isinstance(value, time):
        return None  # a time of day alone is no deadline
    return _clean(value) if value is not None else None


def _ref_level(columns: dict[str, int], grid: _Grid, ref_col: int | None, actions: list[Action],
               typed: list[str]) -> str:
    """'action' when the identity column's values tell actions apart (an Action ref, ID or #
    column, or a Ref column whose values are mostly one an action), else 'objective' (one ref
    shared by an objective's actions, merged down or repeated)."""
    if ref_col is None:
        return "objective"
    if ref_col == columns.get("action_ref"):
        return "action"
    if ref_col == columns.get("objective_ref"):
        return "objective"
    filled = [t for t in typed if t]
    counts = Counter(filled)
    first = next((i for i, t in enumerate(typed) if t), len(typed))
    if "" in typed[first:]:
        return "objective"  # written once per objective, its other actions left blank
    merged = any((a.row, ref_col) in grid.origin for a in actions)
    shared = sum(1 for t in filled if counts[t] > 1)
    return "objective" if merged or shared * 3 >= len(filled) > 0 else "action"


def _refs_of_sheet(actions: list[Action], typed: list[str], level: str) -> None:
    carried = ""
    for action, ref in zip(actions, typed):
        if level == "action":
            action.ref = ref
            continue
        carried = ref or carried  # a ref written once, above the objective's actions
        action.ref_base = carried  # lettered by _assign_refs if the plan has several actions under it
        action.objective_ref = action.objective_ref or carried


def _objectives_by_ref(actions: list[Action], typed: list[bool]) -> None:
    """An objective typed on its first action's row and left blank below belongs to the
    objective's ref, not to the row above: in a table sorted by RAG the row above may be
    another objective's. A blank under a ref whose objective is typed elsewhere takes that
    text; one carried from a different objective's row, with none typed for its own, is left
    blank rather than given the wrong objective."""
    texts: dict[str, str] = {}
    owners: dict[str, str] = {}  # objective text -> the ref it is typed under
    for action, own in zip(actions, typed):
        if own and action.objective_ref:
            texts.setdefault(action.objective_ref, action.objective)
            owners.setdefault(action.objective, action.objective_ref)
    if not texts:
        return
    for action, own in zip(actions, typed):
        if own or not action.objective_ref:
            continue
        if action.objective_ref in texts:
            action.objective = texts[action.objective_ref]
        elif owners.get(action.objective, action.objective_ref) != action.objective_ref:
            action.objective = ""


def _rag_said_more(action: Action, rag_words: dict[str, str], plan: Plan) -> str | None:
    """'Green - on track' is Green; 'Amber - improving' is Amber, said so, as a guess."""
    status, only_its_meaning = ragmod.leading_status(action.rag_text, rag_words)
    if status and not only_its_meaning:
        plan.findings.append(Finding("warning", action.sheet, action.cell("rag"), "", "rag",
                                     f"RAG '{short(action.rag_text)}' read as {status}: type {status} alone "
                                     "if that is what it means"))
    return status


def _rag_by_rules(actions: list[Action], grid: _Grid, rules: list[ColourRule], plan: Plan) -> None:
    """The RAG a sheet shows by conditional formatting in a cell that names none: a rule that
    compares a cell with a word (cellIs equal "Complete", $H5="Complete", text contains
    "Complete") is worked out, and its fill read as fills are; any other rule that colours the
    cell is a warning at the cell, never a silent "not rated". Excel applies rules by priority."""
    for action in actions:
        row, col = grid.origin.get((action.row, action.columns["rag"]), (action.row, action.columns["rag"]))
        address = grid.address(row, col)
        for rule in rules:
            corner = rule.covers(row, col)
            if corner is None:
                continue
            holds, when = _rule_holds(rule, grid, row, col, corner)
            if holds is None:
                plan.findings.append(Finding("warning", action.sheet, address, "", "rag",
                                             f"the cell is coloured by a conditional format plantools cannot read "
                                             f"({_rule_text(rule)}): RAG not read; type it in the cell"))
                break
            if not holds or rule.fill is None:
                continue
            status = ragmod.status_of_fill(rule.fill)
            if status is None:
                plan.findings.append(Finding("warning", action.sheet, address, "", "rag",
                                             f"the sheet colours the cell #{rule.fill[-6:]} when {when}, which is no "
                                             "RAG colour: RAG not read; type it in the cell"))
            else:
                action.rag, action.rag_from_fill = status, True
                _note(plan, action.sheet, address, f"RAG read as {status}: the colour the sheet shows, by a "
                      f"conditional format, when {when}", field="rag")
            break


_LITERAL = re.compile(r'\s*"([^"]*)"\s*')
_CELL_EQUALS_WORD = re.compile(r'^\s*(\$?)([A-Z]{1,3})(\$?)(\d+)\s*(=|<>)\s*"([^"]*)"\s*$')
_WORD_EQUALS_CELL = re.compile(r'^\s*"([^"]*)"\s*(=|<>)\s*(\$?)([A-Z]{1,3})(\$?)(\d+)\s*$')
_TEXT_TESTS = {"containsText": lambda v, w: w in v, "notContainsText": lambda v, w: w not in v,
               "beginsWith": lambda v, w: v.startswith(w), "endsWith": lambda v, w: v.endswith(w)}


def _rule_holds(rule: ColourRule, grid: _Grid, row: int, col: int, corner: tuple[int, int]) -> tuple[bool | None, str]:
    """Whether a rule comparing a cell with a word holds for (row, col), and what it tests
    ("H5 is 'Complete'"); (None, "") for any other rule. Excel compares text ignoring case."""
    def text(at_row: int, at_col: int) -> str:
        return _clean(grid.value(at_row, at_col)).casefold()

    if rule.kind == "cellIs" and rule.operator in ("equal", "notEqual") and len(rule.formulas) == 1:
        literal = _LITERAL.fullmatch(rule.formulas[0])
        if literal:
            if (text(row, col) == literal.group(1).casefold()) != (rule.operator == "equal"):
                return False, ""
            return True, f"{grid.address(row, col)} {'is' if rule.operator == 'equal' else 'is not'} '{literal.group(1)}'"
    if rule.kind in ("containsBlanks", "notContainsBlanks"):
        if (text(row, col).strip() == "") != (rule.kind == "containsBlanks"):
            return False, ""
        return True, f"{grid.address(row, col)} is {'empty' if rule.kind == 'containsBlanks' else 'not empty'}"
    if rule.kind in _TEXT_TESTS and rule.text:
        if not _TEXT_TESTS[rule.kind](text(row, col), rule.text.casefold()):
            return False, ""
        return True, f"{grid.address(row, col)} {re.sub('([A-Z])', lambda m: ' ' + m.group(1).lower(), rule.kind)} '{rule.text}'"
    parts = _comparison(rule.formulas[0]) if rule.kind == "expression" and len(rule.formulas) == 1 else None
    if parts:
        (fixed_col, letters_, fixed_row, number), sign, word = parts
        # the cell the formula names, moved from the range's corner as Excel moves a relative reference
        at_col = column_number(letters_) + (0 if fixed_col else col - corner[1])
        at_row = int(number) + (0 if fixed_row else row - corner[0])
        if (text(at_row, at_col) == word.casefold()) != (sign == "="):
            return False, ""
        return True, f"{column_letters(at_col)}{at_row} {'is' if sign == '=' else 'is not'} '{word}'"
    return None, ""


def _comparison(formula: str) -> tuple[tuple[str, str, str, str], str, str] | None:
    """'$H5="Complete"' or '"Complete"=$H5' as (("$", "H", "", "5"), "=", "Complete")."""
    if found := _CELL_EQUALS_WORD.match(formula):
        fixed_col, letters_, fixed_row, number, sign, word = found.groups()
    elif found := _WORD_EQUALS_CELL.match(formula):
        word, sign, fixed_col, letters_, fixed_row, number = found.groups()
    else:
        return None
    return (fixed_col, letters_, fixed_row, number), sign, word


def _rule_text(rule: ColourRule) -> str:
    said = " ".join(part for part in (rule.kind, rule.operator, *rule.formulas, rule.text) if part)
    return short(said, 80)


def _assign_refs(plan: Plan) -> None:
    """A ref that one objective shares among several actions gets a letter per action, in
    plan order (2.1a, 2.1b); one held by a single action stays as typed. The letters are only
    a start: the monthly copy gives each action back its letter of last month."""
    counts = Counter(a.ref_base for a in plan.actions if a.ref_base)
    seen: Counter = Counter()
    for action in plan.actions:
        base = action.ref_base
        if not base:
            continue
        if counts[base] == 1:
            action.ref = base
        else:
            seen[base] += 1
            action.ref = base + letters(seen[base])


def _read_bodies_of_actions(plan: Plan) -> None:
    """The bodies each action's governance cell names: those of the Governance sheet, or,
    without one, those the plan's cells name (listed by `check` for the officer to see)."""
    if plan.bodies:
        plan.bodies, repeats = merge_duplicates(plan.bodies)
        for first, repeat in repeats:
            plan.findings.append(Finding(
                "warning", repeat.sheet, f"A{repeat.row}", "", "governance",
                f"'{repeat.name}' is on the Governance sheet twice (rows {first.row} and {repeat.row}): "
                "read as one body with the aliases and emails of both"))
    else:
        plan.bodies = infer_bodies([a.governance for a in plan.actions if a.governance])
    matcher = Matcher(plan.bodies)
    for action in plan.actions:
        if action.governance:
            action.bodies, action.unknown_bodies = matcher.read(action.governance)
    if plan.bodies and plan.bodies[0].inferred:
        counts = Counter(name for a in plan.actions for name in a.bodies)
        listed = "; ".join(f"{b.name} ({counts[b.name]})" for b in plan.bodies)
        _note(plan, "", "", f"no Governance sheet: {len(plan.bodies)} bod{'ies' if len(plan.bodies) != 1 else 'y'} read from the governance "
              f"cells, with their actions: {listed}. `plantools governance` writes a starting "
              "Governance sheet to correct and paste in", field="governance")


def _sheet_notes(plan: Plan) -> None:
    counts = Counter(a.sheet for a in plan.actions)
    for sheet in plan.plan_sheets:
        row, _ = plan.layouts[sheet]
        _note(plan, sheet, f"A{row}", f"sheet '{sheet}' read as plan: {counts[sheet]} "
              f"action{'s' * (counts[sheet] != 1)}, header row {row}")


def _key_words(grid: _Grid, rows: range | None = None, columns: range | None = None) -> dict[str, str]:
    """The words of the workbook's own RAG key: a row with a status and what it means, or
    several along the row (on a Key sheet; in the rows above a plan's header; or in a plan's
    key columns)."""
    words: dict[str, str] = {}
    columns = columns or range(grid.left, grid.max_col + 1)
    for row in rows if rows is not None else range(grid.top, grid.max_row + 1):
        values = [grid.raw(row, col) for col in columns]
        values = [v for v in values if isinstance(v, str) and v.strip()]
        along = _key_pairs(list(enumerate(values[1:] if values and _KEY_HEADING.match(str(values[0])) else values)))
        if len(along) > 1:
            for status, meaning in along:
                words.update(ragmod.key_words(status, meaning))
            continue
        for index, value in enumerate(values[:-1]):
            found = ragmod.key_words(value, values[index + 1])
            if found:
                words.update(found)
                break
        else:
            for value in values:
                words.update(ragmod.inline_key_words(value))
    return words


def _title_above(grid: _Grid, header_row: int) -> str:
    for row in range(1, header_row):
        for col in range(1, grid.max_col + 1):
            text = _clean(grid.value(row, col))
            if text:
                return text.split("\n")[0]
    return ""


# A Governance sheet's column of other names for a body: "Also written as", "Abbreviation"
_ALIAS_HEADER = re.compile(r"alias|also|known as|abbrev|acronym|short (name|form)|initials", re.IGNORECASE)


def _read_bodies(grid: _Grid, plan: Plan) -> list[Body]:
    """The Governance sheet: a header row naming the body, its aliases (any number of columns:
    "Also written as", "Abbreviation") and its email."""
    bodies: list[Body] = []
    header: dict[str, int] = {}
    alias_columns: list[int] = []
    for row in range(1, min(grid.max_row, 2000) + 1):
        texts = {col: _clean(grid.value(row, col)) for col in range(1, min(grid.max_col, 10) + 1)}
        if not header:
            alias_columns = [col for col, text in texts.items() if _ALIAS_HEADER.search(text)]
            for col, text in texts.items():
                lowered = text.lower()
                if col in alias_columns:
                    header.setdefault("aliases", col)
                elif re.search(r"e-?mail", lowered):
                    header.setdefault("emails", col)
                elif re.search(r"body|name|group|governance", lowered):
                    header.setdefault("name", col)
            if "name" not in header:
                header = {}
            continue
        name = texts.get(header["name"], "")
        if not name:
            continue
        aliases = tuple(alias for col in alias_columns for alias in _split(texts.get(col, ""), r"[;\n]"))
        emails = _split(texts.get(header.get("emails", 0), ""), r"[;,\s]")
        for email in emails:
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
                plan.findings.append(Finding(
                    "warning", grid.title, f"{column_letters(header['emails'])}{row}", "", "email",
                    f"'{email}' for {name} does not look like an email address",
                ))
        bodies.append(Body(name, aliases, tuple(e for e in emails if "@" in e), grid.title, row))
    return bodies


def _split(text: str, separators: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(separators, text) if part.strip())


def _no_plan_sheet_message(found: dict[str, list[str]]) -> str:
    expected = "Objectives, Outcomes, Actions, Who?, Governance oversight, When?, RAG"
    if not found:
        return f"no plan sheet: the workbook has no visible worksheet with a header row ({expected})"
    seen = "; ".join(f"'{name}' has {', '.join(texts) or 'no text'}" for name, texts in found.items())
    return f"no plan sheet: expected a header row with at least three of {expected}; found: {seen}"


def _clean(value: object) -> str:
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
