"""Finding the header and naming the columns. A plan sheet has a header row that names at least
three of the columns plantools knows (objectives, outcomes, who, what, governance, when,
measures, RAG, progress), under any number of title rows; it may be two rows deep ("Actions
(who and what)" over "Who" and "What"). Where two columns could hold one field they are
ranked and the choice said; a column hidden or marked not for circulation is never read; a
RAG or progress column a month or quarter is read for the current period; the saved layout's
columns are followed where they have moved."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from plantools.plan import rag as ragmod
from plantools.plan.columns import HEADER_PATTERNS, not_for_circulation
from plantools.plan.model import Action, Plan, SheetHeader
from plantools.plan.months import label as month_label
from plantools.read.grid import HEADER_SCAN_ROWS, Grid, clean, mismatch, note
from plantools.read.key import along_key, first_status, in_key_block
from plantools.read.refs import OBJECTIVE_REF, REF_AT_START
from plantools.read.saved import SavedSheet
from plantools.xlsx.parts import column_letters, column_number


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


WHAT_COLUMNS = {"action", "outcome", "objective", "measure"}  # a plan says what is to be done


@dataclass
class Header:
    row: int  # the last header row: data starts below it
    columns: dict[str, int]  # role -> column number
    extra: dict[int, str] = field(default_factory=dict)  # column -> header, for visible columns of no role
    key: int = 0  # a column headed "Key" beside the table: the RAG key, its meanings to its right
    top: int = 0  # the first header row
    left_out: dict[int, str] = field(default_factory=dict)  # column -> why it is never read


def find_header(grid: Grid, hidden: set[int], plan: Plan, latest: Latest | None = None,
                 at: int = 0) -> Header | None:
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
        header = find_header(grid, hidden, plan, latest)
        mismatch(plan, "error", grid.title, f"A{at}", f"row {at}, the header row of the saved layout, no longer "
                  "holds the header (rows inserted or deleted above it?): "
                  + (f"read the header found at row {header.top}" if header else "no header row found"))
        return header
    if best is None:
        return None
    top, last, roles = best
    for col in sorted(hidden):
        if _header_text(grid, top, last, col):  # its header is hidden too, so not quoted
            note(plan, grid.title, f"{column_letters(col)}{last}", f"column {column_letters(col)} is "
                  "hidden: not read, and never sent", field="column")
    visible = {col: role for col, role in roles.items() if col not in hidden}
    return _assign_columns(grid, top, last, visible, hidden, plan, {} if latest is None else latest)


def _header_text(grid: Grid, top: int, last: int, col: int) -> str:
    texts = [_label(grid.value(row, col)) for row in range(top, last + 1) if grid.own(row, col) or row == top]
    return " ".join(dict.fromkeys(t for t in texts if t)).replace("\n", " ")


def _label(value: object) -> str:
    """A header cell's text; a date names its month ("Nov 2018"), as monthly columns do."""
    return f"{value:%b %Y}" if isinstance(value, date) else clean(value)


def _row_roles(grid: Grid, row: int) -> dict[int, str]:
    roles = {}
    for col in range(1, grid.max_col + 1):
        role = header_role(grid.value(row, col))
        if role:
            roles[col] = role
    return roles


def _is_sub_header(grid: Grid, row: int, below: dict[int, str]) -> bool:
    """A second header row names columns that the row above left to a merged or empty cell."""
    for col, role in below.items():
        if not grid.own(row + 1, col):
            continue  # a vertical merge of the header above, not a header of its own
        above = grid.value(row, col)
        spanned = grid.width.get(grid.origin.get((row, col), (row, col)), 1) > 1
        if spanned or above is None or header_role(above) == "action_pair":
            return True
    return False


def _labels_under_spans(grid: Grid, row: int) -> bool:
    """The row below names, cell by cell, the columns that a header merged across spans
    ("RAG" over "Oct", "Nov", "Dec"; "Timescale" over "Start", "End"), and nothing else: two
    short labels at least, none of them a number or a ref, so never an action's row."""
    below = [(col, grid.raw(row + 1, col)) for col in range(grid.left, grid.max_col + 1)
             if grid.own(row + 1, col) and grid.raw(row + 1, col) is not None]
    return len(below) >= 2 and all(
        (isinstance(value, date) or (isinstance(value, str) and len(value) < 30 and bool(re.search("[A-Za-z]", value))
                                     and not OBJECTIVE_REF.match(value) and not REF_AT_START.match(value)))
        and grid.width.get((row + 1, col), 1) == 1
        and grid.width.get(grid.origin.get((row, col), (row, col)), 1) > 1
        for col, value in below)


def _roles_under_spans(grid: Grid, row: int) -> dict[int, str]:
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


def _assign_columns(grid: Grid, top: int, last: int, roles: dict[int, str], hidden: set[int],
                    plan: Plan, latest: Latest) -> Header:
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
            note(plan, grid.title, f"{column_letters(chosen)}{last}",
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
    return Header(last, columns, extra, key, top, left_out)


def follow_saved(grid: Grid, header: Header, saved: SavedSheet, plan: Plan) -> None:
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
            mismatch(plan, "error", grid.title, cell, f"no column is headed '{text}' now, where the saved layout "
                      f"reads {name} (column {letter}; renamed?): {name} {now}")
            continue
        if col in header.left_out:
            mismatch(plan, "error", grid.title, cell, f"column {column_letters(col)} '{text}', which the saved "
                      f"layout reads as {name}, is now {header.left_out[col]}: not read")
            continue
        if column_letters(col) != letter:
            mismatch(plan, "warning", grid.title, f"{column_letters(col)}{header.row}", f"column '{text}' ({name}) "
                      f"has moved from {letter} to {column_letters(col)}: read from {column_letters(col)}, by its header")
        replaced = columns.get(name)
        columns = {field: c for field, c in columns.items() if c != col}  # read as this field alone
        columns[name] = col
        header.extra.pop(col, None)
        if replaced and replaced != col and replaced not in columns.values() and labels[replaced]:
            header.extra[replaced] = labels[replaced]  # the reader's own choice, carried as it is
    for name, col in columns.items():
        if name not in saved.columns:
            mismatch(plan, "warning", grid.title, f"{column_letters(col)}{header.row}", f"column "
                      f"{column_letters(col)} '{labels[col]}' is read as {name}, which the saved layout does not read "
                      "(a column added?)")
    header.columns = columns
    header.extra = dict(sorted(header.extra.items()))


SAMPLE_ROWS = 200  # the actions looked at for a field's three sample values


def sheet_header(grid: Grid, header: Header, actions: list[Action]) -> SheetHeader:
    """How the sheet's header was read, with up to three values of each field's column."""
    labels = {col: text for col in range(1, grid.max_col + 1)
              if (text := _header_text(grid, header.top, header.row, col))}
    samples: dict[str, list[str]] = {}
    for name, col in header.columns.items():
        found = samples.setdefault(name, [])
        for action in actions[:SAMPLE_ROWS]:
            value = clean(grid.value(action.row, col))
            if value and value not in found:
                found.append(value)
                if len(found) == 3:
                    break
    return SheetHeader(header.top, header.row, labels, dict(header.left_out), samples)


HEADING_WORDS = 8  # a heading over columns is short; a sentence above the table is a note, not a heading


def _not_for_circulation(grid: Grid, top: int, last: int, hidden: set[int], plan: Plan) -> set[int]:
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
            note(plan, grid.title, f"{column_letters(col)}{last}", f"column {column_letters(col)} is marked "
                  "not for circulation by its header: not read, and never sent", field="column")
            withheld.add(col)
    return withheld


def _spans_table(grid: Grid, row: int, col: int) -> bool:
    """A cell merged across the whole table: the sheet's title, judged with the sheet."""
    return grid.width.get(grid.origin.get((row, col), (row, col)), 1) >= grid.max_col - grid.left + 1


# period grids, by the periods they have -> the latest period with any entry in the plan
Latest = dict[frozenset[tuple[int, int]], tuple[int, int]]


def _current_period(grid: Grid, top: int, last: int, periods: dict[str, dict[int, tuple[int, int]]],
                    what: list[int], plan: Plan, latest: Latest) -> dict[str, int]:
    """RAG and progress by period (a column a month, or RAG Q1..Q4 and Update Q1..Q4, filled
    up to now): the columns of the month the plan is read for, when given; else of the
    latest period with any entry in the plan (on this sheet, and on any other sheet with the
    same periods: `latest`, which this adds to), the same period for RAG and progress where
    both have a column for it. A period with no entry yet anywhere: the first. Said in a
    note at the header; the other periods are carried as they are. Only the rows of actions
    count (a row saying what is to be done), not a key below."""
    period_cells = {(col, status) for when in periods.values() for col in when for status in ragmod.STATUSES}
    header_texts = {clean(grid.value(r, c)) for r in range(top, last + 1) for c in range(grid.left, grid.max_col + 1)}
    rows = [row for row in range(last + 1, grid.max_row + 1)
            if any(grid.value(row, col) is not None for col in what) and not along_key(grid, row)
            and not (in_key_block(grid, row) and first_status(grid, row) not in period_cells)
            and not all_header(grid, row, header_texts)]
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
        note(plan, grid.title, f"{column_letters(chosen[role])}{last}",
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


def all_header(grid: Grid, row: int, header_texts: set[str]) -> bool:
    """Every value of the row is a header's words, two at least: the header written again."""
    typed = 0
    for value in grid.rows[row - grid.top]:
        if value != "":
            if clean(value) not in header_texts:
                return False  # most rows: their first value
            typed += 1
    return typed >= 2


def title_above(grid: Grid, header_row: int) -> str:
    for row in range(1, header_row):
        for col in range(1, grid.max_col + 1):
            text = clean(grid.value(row, col))
            if text:
                return text.split("\n")[0]
    return ""
