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

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from . import rag as ragmod
from .bulk import gc_paused
from .deadlines import parse_deadline
from .errors import PlanError
from .governance import Body, Matcher
from .xlsxparts import CELL_BUDGET
from .model import Action, Finding, Plan, column_letter
from .stages import stage

HEADER_SCAN_ROWS = 40  # title rows above the header: no real plan has more
MAX_COLUMNS = 100  # a plan has a dozen columns; a sheet claiming 16,384 is not read that wide

# First rule that matches a header's words wins, so the order matters:
# "Who? (Governance/oversight)" is governance, "Actions (who and what)" is a pair.
_ROLE_RULES = [
    ("action_ref", r"^action (ref|reference|id|no|number)$"),
    ("objective_ref", r"^(objective )?(ref|reference|no|number|id)$"),
    ("governance", r"\b(governance|oversight|accountable body|reporting to|sub ?group|board)\b"),
    ("deadline", r"\b(when|deadlines?|due|time ?scales?|time ?frames?|target date|completion date|by when|end date)\b"),
    ("rag", r"\b(rag|status|rating)\b"),
    ("progress", r"\b(progress|updates?|comments?|commentary|notes?)\b"),
    ("measure", r"\b(measures?|measurement|metrics?|kpis?|indicators?|success criteria)\b"),
    ("outcome", r"\boutcomes?\b"),
    ("objective", r"\bobjectives?\b"),
    ("priority", r"\b(priority|priorities|theme)\b"),
    ("action_pair", r"\bactions?\b.*\bwho\b.*\bwhat\b"),
    ("owner", r"\b(who|owners?|leads?|responsible|lead officer|lead agency)\b"),
    ("action", r"\b(actions?|what|tasks?|activity|activities)\b"),
]
_ROLE_PATTERNS = [(role, re.compile(rule)) for role, rule in _ROLE_RULES]

# What a user sees when a column is missing.
EXPECTED_HEADERS = {
    "owner": "Who? (Workplans), Owner or Lead",
    "deadline": "When?, Deadline or Due",
    "governance": "Governance oversight",
}
_PRIORITY_HEADING = re.compile(r"^\s*(priority\s*\d*\s*[.:)-]?|\d+\s*[.:)])\s*\S", re.IGNORECASE)
_OBJECTIVE_REF = re.compile(r"^\s*(?:objective\s*)?(\d+(?:\.\d+)*)\.?\s*$", re.IGNORECASE)
_REF_AT_START = re.compile(r"^\s*(\d+\.\d+(?:\.\d+)*)\s+(\S.*)$", re.DOTALL)


def header_role(text: object) -> str | None:
    """The column a header names ('When?' -> 'deadline'), or None."""
    if not isinstance(text, str):
        return None
    words = " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())
    if not words or len(words.split()) > 6 or words[0].isdigit():
        return None  # a title, a sentence or a numbered heading, not a column header
    for role, pattern in _ROLE_PATTERNS:
        if pattern.search(words):
            return role
    return None


def load_plan(path: Path | str) -> Plan:
    """Read a plan workbook. Raises PlanError, with the file named, when it cannot."""
    from .sniff import open_workbook_bytes
    from .xlsxparts import Package

    path = Path(path)
    with stage("read"), gc_paused():
        source = open_workbook_bytes(path) or path
        book = _open(path, source)
        package = Package(source)
        try:
            return _read_plan(path, book, package)
        finally:
            package.close()
            book.close()


def _read_plan(path: Path, book, package) -> Plan:
    plan = Plan(path=path, open_in_excel=is_open_in_excel(path))
    sheets = []
    for name, kind, grid in _worksheets(path, book, package, plan):
        if kind == "confidential":
            plan.confidential_sheets.append(name)
        elif grid is None:
            continue
        elif kind == "governance":
            plan.bodies = _read_bodies(grid, plan)
        elif kind == "plan":
            sheets.append(grid)
    matcher = Matcher(plan.bodies) if plan.bodies else None
    found_headers: dict[str, list[str]] = {}
    for grid in sheets:
        header = _find_header(grid)
        if header is None:
            found_headers[grid.title] = grid.texts_near_top()
            continue
        plan.layouts[grid.title] = (header.row, header.columns)
        _read_actions(grid, header, plan, matcher, package)
    if not plan.plan_sheets:
        skipped = "; ".join(f.message for f in plan.findings if f.field == "sheet")
        if skipped and not found_headers:
            raise PlanError(path, f"no plan sheet could be read: {skipped}")
        raise PlanError(path, _no_plan_sheet_message(found_headers) + (f"; {skipped}" if skipped else ""))
    _assign_refs(plan)
    plan.title = plan.title or path.stem
    return plan


def _worksheets(path: Path, book, package, plan: Plan):
    """(name, kind, grid) for each worksheet; grid is None for a confidential sheet and the
    key (never read), and for one whose values span far more cells than any plan (never
    handed to the reader, which would try to hold them all)."""
    import python_calamine

    for meta in book.sheets_metadata:
        if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
            continue  # chart sheets and macro sheets hold no plan
        kind = sheet_kind(meta.name, meta.visible == python_calamine.SheetVisibleEnum.Visible)
        if kind in ("confidential", "key"):
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
        yield meta.name, kind, _Grid(meta.name, _sheet(path, book, meta.name))


def sheet_kind(name: str, visible: bool = True) -> str:
    """'confidential' (hidden, or the risk log), 'governance', 'key', or 'plan' (a candidate)."""
    if not visible or re.search(r"\brisk", name, re.IGNORECASE):
        return "confidential"
    if re.search(r"governance|bodies|distribution", name, re.IGNORECASE):
        return "governance"
    if re.fullmatch(r"\s*(rag\s*)?key\s*", name, re.IGNORECASE):
        return "key"
    return "plan"


def is_open_in_excel(path: Path) -> bool:
    """Excel keeps an owner file '~$name.xlsx' beside a workbook it has open
    (for long names, '~$' replaces the first two characters)."""
    return any((path.parent / name).exists() for name in {"~$" + path.name, "~$" + path.name[2:]})


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


class _Grid:
    """A sheet's values with merged ranges filled in, numbered from 1 as Excel does.
    Only the cells really there are held, whatever size the sheet claims to be."""

    def __init__(self, title: str, sheet) -> None:
        self.title = title
        rows = sheet.to_python(skip_empty_area=True) if sheet.height else []
        top, left = sheet.start or (0, 0)
        self.top, self.left = top + 1, left + 1  # the first row and column the values cover
        self.rows = [row[:MAX_COLUMNS] for row in rows]
        self.max_row = top + len(rows)
        self.max_col = min(left + (sheet.width or 0), MAX_COLUMNS)
        self.origin: dict[tuple[int, int], tuple[int, int]] = {}  # merged cell -> its top-left
        self.width: dict[tuple[int, int], int] = {}  # top-left -> columns the merge spans
        for (first_row, first_col), (last_row, last_col) in sheet.merged_cell_ranges or []:
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
        return f"{column_letter(col)}{row}"

    def texts_near_top(self) -> list[str]:
        texts = []
        for row in range(1, min(self.max_row, HEADER_SCAN_ROWS) + 1):
            for col in range(1, self.max_col + 1):
                value = self.value(row, col)
                if isinstance(value, str) and value.strip() and len(value) < 60:
                    texts.append(" ".join(value.split()))
        return list(dict.fromkeys(texts))[:12]


def _find_header(grid: _Grid) -> _Header | None:
    """The row (or two rows) near the top that names the most plan columns."""
    best: tuple[int, int, dict[int, str]] | None = None  # (top row, last row, roles)
    for row in range(1, min(grid.max_row, HEADER_SCAN_ROWS) + 1):
        roles = _row_roles(grid, row)
        if not roles:
            continue
        last = row
        below = _row_roles(grid, row + 1) if row < grid.max_row else {}
        if below and _is_sub_header(grid, row, below):
            roles, last = {**roles, **below}, row + 1
        distinct = set(roles.values())
        if len(distinct) >= 3 and distinct & {"owner", "deadline", "governance", "action_pair", "action"}:
            if best is None or len(distinct) > len(set(best[2].values())):
                best = (row, last, roles)
    if best is None:
        return None
    top, last, roles = best
    return _Header(last, _assign_columns(grid, top, roles))


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


def _assign_columns(grid: _Grid, top_row: int, roles: dict[int, str]) -> dict[str, int]:
    """Role -> column. A merged "Objectives" over two columns is the reference then the text;
    an unsplit "Actions (who and what)" over two columns is who then what."""
    columns: dict[str, int] = {}
    for col in sorted(roles):
        role = roles[col]
        origin = grid.origin.get((top_row, col), (top_row, col))
        span = grid.width.get(origin, 1)
        first = origin[1] == col
        if role == "objective" and span > 1:
            role = "objective_ref" if first else "objective"
        elif role == "action_pair":
            role = "action" if span == 1 or not first else "owner"
        if role == "objective" and "objective" in columns and "objective_ref" not in columns:
            columns["objective_ref"] = columns.pop("objective")  # "Objective", "Objective description"
        columns.setdefault(role, col)
    return columns


def _read_actions(grid: _Grid, header: _Header, plan: Plan, matcher: Matcher | None, package) -> None:
    columns = header.columns
    sheet = grid.title
    first_action = len(plan.actions)
    for role, expected in EXPECTED_HEADERS.items():
        if role not in columns:
            plan.findings.append(Finding(
                "error", sheet, f"A{header.row}", "", role,
                f"no {role} column: expected a header such as {expected}",
            ))
    if not plan.title:
        plan.title = _title_above(grid, header.row)
    role_columns = list(columns.items())
    header_texts = {_clean(grid.value(r, c)) for r in (header.row - 1, header.row)
                    for c in range(1, grid.max_col + 1)} - {""}
    deadline_col = columns.get("deadline")
    ref_col = columns.get("objective_ref", columns.get("objective", 1))
    sheet_columns = {**columns, "objective_ref": ref_col, "ref": columns.get("action_ref", ref_col)}
    no_merges: dict[str, str] = {}  # shared by every action that has none
    priority = "" if not _PRIORITY_HEADING.match(sheet) else sheet
    objective_ref, objective = "", ""
    for row in range(header.row + 1, grid.max_row + 1):
        if grid.blank(row):
            continue
        values = {role: _clean(grid.value(row, col)) for role, col in role_columns}  # each cell cleaned once
        own = {role for role, col in role_columns if values[role] and grid.own(row, col)}
        if not own:
            continue  # a blank separator row, or only the spill of merges from above
        if sum(values[role] in header_texts for role in own) >= 3:
            continue  # the header repeated further down
        heading = _priority_heading(grid, row)
        if heading:
            priority = heading
            continue
        if "objective_ref" in own or "objective" in own:
            objective_ref, objective = _objective(
                grid.value(row, columns["objective_ref"]) if "objective_ref" in columns else None,
                values.get("objective", ""), "objective_ref" in columns)
        if own <= {"objective_ref", "objective", "priority"}:
            continue  # an objective written on a row of its own, above its actions
        action = Action(
            ref="",
            objective_ref=objective_ref,
            priority=values.get("priority") or priority or _major(objective_ref),
            objective=objective,
            outcome=values.get("outcome", ""),
            owner=values.get("owner", ""),
            action=values.get("action", ""),
            governance=values.get("governance", ""),
            deadline=parse_deadline(_deadline_value(grid.value(row, deadline_col)) if deadline_col else None),
            measure=values.get("measure", ""),
            progress=values.get("progress", ""),
            sheet=sheet,
            row=row,
            columns=sheet_columns,
            merged={role: grid.address(row, col) for role, col in sheet_columns.items()
                    if (row, col) in grid.origin} or no_merges,
        )
        if "action_ref" in columns:
            action.ref = values["action_ref"]
        if "rag" in columns:
            action.rag_text = values["rag"]
            action.rag = ragmod.normalise(action.rag_text)
        if matcher is not None:
            action.bodies = matcher.match(action.governance)
        elif action.governance:
            action.bodies = (" ".join(action.governance.split()),)
        plan.actions.append(action)
    _details(plan.actions[first_action:], grid.title, package, plan)


def _details(actions: list[Action], sheet: str, package, plan: Plan) -> None:
    """Error values kept as text (#REF!), and a RAG read from an empty cell's fill colour."""
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


def _assign_refs(plan: Plan) -> None:
    """Give every action without an explicit ref its objective's ref and a letter."""
    counts: dict[str, int] = {}
    for action in plan.actions:
        if action.ref:
            continue
        if not action.objective_ref:
            action.ref = f"{action.sheet}!{action.row}"
            continue
        counts[action.objective_ref] = counts.get(action.objective_ref, 0) + 1
        action.ref = action.objective_ref + _letters(counts[action.objective_ref])


def _letters(number: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa."""
    text = ""
    while number:
        number, rest = divmod(number - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


def _title_above(grid: _Grid, header_row: int) -> str:
    for row in range(1, header_row):
        for col in range(1, grid.max_col + 1):
            text = _clean(grid.value(row, col))
            if text:
                return text.split("\n")[0]
    return ""


def _read_bodies(grid: _Grid, plan: Plan) -> list[Body]:
    """The Governance sheet: a header row naming the body, its aliases and its email."""
    bodies: list[Body] = []
    header: dict[str, int] = {}
    for row in range(1, min(grid.max_row, 2000) + 1):
        texts = {col: _clean(grid.value(row, col)) for col in range(1, min(grid.max_col, 10) + 1)}
        if not header:
            for col, text in texts.items():
                lowered = text.lower()
                if re.search(r"alias|also|known as", lowered):
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
        aliases = _split(texts.get(header.get("aliases", 0), ""), r"[;\n]")
        emails = _split(texts.get(header.get("emails", 0), ""), r"[;,\s]")
        for email in emails:
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
                plan.findings.append(Finding(
                    "warning", grid.title, f"{column_letter(header['emails'])}{row}", "", "email",
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
