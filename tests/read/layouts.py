"""A layout generator as the oracle (issue 17): a plan workbook composed from independent
features, written with openpyxl, together with the truth of what must be read from it.

    spec = Spec.of({"abbreviations", "two_row_header"})   # or drawn: specs() under hypothesis
    truth = build(spec, tmp / "plan.xlsx")                  # the workbook to read: truth.path
    assert problems(truth, tmp / "out") == []               # read, checked, copied and packed

A Spec names the features the workbook has and the choices within them (which header words,
which deadline forms, how many actions); `build` writes it and says what must be read: each
action's ref as typed (None where the sheet has no ref column), text, owner, governance
bodies, deadline, RAG and progress; which sheets are plans; the texts that must never leave;
and the cells where a finding is an acceptable answer (two readings are possible).

SUPPORTED is the set of features the reader on main reads right; only those are drawn unless
PLANTOOLS_LAYOUT_ALL=1. FAILURES.md (beside the worktree) gives a failing example of each other.
"""

from __future__ import annotations

import atexit
import email
import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import strategies as st
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.colors import Color
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

# Every feature the generator can put in a workbook. One plain plan sheet (header in row 1,
# a Ref column, one body per action typed as its full name, dates as deadlines, a Governance
# sheet of names, aliases and emails) is what a workbook has with none of them.
FEATURES = (
    "title", "preamble", "key_above", "key_between", "key_below", "many_sheets", "contents_sheet",
    "lists_sheet", "abbreviations", "two_bodies", "banners", "spacers", "two_row_header", "merged_header",
    "synonyms", "unseen_synonyms", "rag_months", "rag_quarters", "excel_table", "totals_row",
    "merged_objective", "no_ref_column", "extra_columns", "hidden_columns", "hidden_rows", "hidden_sheet",
    "confidential_columns", "deadline_text", "deadline_quarter", "deadline_revised", "deadline_open",
    "fills", "theme_colours", "inline_key", "rag_key_words", "key_in_rag_column", "conditional_rag",
    "rag_fill_only", "rag_fill_blue", "libreoffice", "xls", "ods",
)
# What the reader on main reads right; FAILURES.md gives an example of each of the others
# (unseen_synonyms).
SUPPORTED = frozenset({
    "title", "preamble", "key_above", "key_between", "key_below", "many_sheets", "contents_sheet", "lists_sheet",
    "abbreviations", "two_bodies", "banners", "spacers", "two_row_header", "merged_header", "synonyms",
    "unseen_synonyms", "rag_months", "rag_quarters", "excel_table", "totals_row", "merged_objective", "no_ref_column",
    "extra_columns", "hidden_columns", "hidden_rows", "hidden_sheet", "confidential_columns", "deadline_text",
    "deadline_quarter", "deadline_revised", "deadline_open", "fills", "theme_colours", "inline_key",
    "rag_key_words", "key_in_rag_column", "conditional_rag", "rag_fill_only", "rag_fill_blue", "libreoffice", "xls",
    "ods",
})
SOFFICE_FEATURES = ("libreoffice", "xls", "ods")  # slow: drawn in a few examples only
# what an Excel table cannot hold: it has one header row and no merged cells
TABLE_BLOCKS = frozenset({"merged_objective", "banners", "key_between", "two_row_header", "merged_header",
                          "rag_months"})


def enabled() -> frozenset[str]:
    """The features drawn: SUPPORTED, or every one with PLANTOOLS_LAYOUT_ALL=1."""
    return frozenset(FEATURES) if os.environ.get("PLANTOOLS_LAYOUT_ALL") == "1" else SUPPORTED


# ---- the words a plan is written in -------------------------------------------------------

# field -> header words the reader knows (plantools/columns.py), the first the plain one
KNOWN_HEADERS = {
    "ref": ["Ref", "Ref.", "Reference", "Action ref", "ID"],
    "objective": ["Objective", "Objectives", "Strategic objective"],
    "action": ["Action", "Actions", "What", "Task", "Activity"],
    "owner": ["Lead", "Owner", "Who", "Lead officer", "Responsible officer", "Action owner"],
    "governance": ["Governance", "Governance oversight", "Reporting to", "Accountable body", "Sub-group"],
    "deadline": ["Deadline", "When?", "Due date", "Timescale", "Target date", "By when"],
    "rag": ["RAG", "RAG status", "Status", "RAG rating"],
    "progress": ["Progress update", "Progress", "Update", "Comments", "Progress to date"],
}
# plausible words the reader was never shown
UNSEEN_HEADERS = {
    "ref": ["Action code", "Ref no."],
    "objective": ["Aim", "Goal"],
    "action": ["Deliverable", "How we will do it", "Intervention"],
    "owner": ["Named lead", "Accountable officer", "Champion"],
    "governance": ["Monitored by", "Reports into", "Accountable group"],
    "deadline": ["Complete by", "Target", "Date for completion"],
    "rag": ["Traffic light", "BRAG", "Current rating"],
    "progress": ["Latest position", "Position statement", "Commentary"],
}
FIELDS = ("ref", "objective", "action", "owner", "governance", "deadline", "rag", "progress")

# (name, abbreviation, email): the Governance sheet
BODIES = [
    ("Learning and Development Sub-Group", "L&D", "ld@example.org"),
    ("Quality Assurance and Performance Sub-Group", "QA&P", "qap@example.org"),
    ("Policy and Procedures Sub-Group", "P&P", "pp@example.org"),
    ("Child Sexual Exploitation Sub-Group", "CSE", "cse@example.org"),
    ("Safeguarding Children Board", "SCB", "board@example.org"),
]
VERBS = ["Audit", "Review", "Publish", "Train staff in", "Consult on", "Refresh", "Evaluate", "Roll out"]
THINGS = ["neglect cases", "the early help offer", "the threshold document", "missing children protocols",
          "private fostering", "the dashboard", "LADO referrals", "the CSE strategy", "transitions",
          "safer recruitment"]
OWNERS = ["Jo Bloggs", "Sam Smith", "Kim Lee", "Pat Day", "Al Jones", "Ravi Patel", "Mo Khan", "Di Evans"]
AGENCIES = ["Police", "Health", "Children's Services", "Education", "Probation"]
OBJECTIVES = ["Hear the voice of the child", "Tackle neglect", "Keep children safe online",
              "Learn from case reviews"]
PRIORITIES = ["Priority 1: Making safeguarding personal", "Priority 2: Prevention",
              "Priority 3: Learning and improvement"]
PROGRESS = ["", "On schedule", "Delayed by the consultation", "Draft with the chair", "Training booked for May",
            "Awaiting data from health"]
RAG_WORDS = {"Green": "Green", "Amber": "Amber", "Red": "Red", "Complete": "Complete", "G": "Green",
             "A": "Amber", "R": "Red", "": None}
FILLS = {"Green": "FF00B050", "Amber": "FFFFC000", "Red": "FFFF0000", "Complete": "FF0070C0"}
POSITIONS = {"On track": "Green", "Slipping": "Amber", "Off track": "Red"}  # conditional_rag's status words
# visible columns plantools does not know: carried into the copy and the packs as they are (many of
# them once made the printed widths shrink below one character, and wrapped_lines never ended)
EXTRA_HEADERS = ["Resources", "Budget", "Partner agencies", "Link to strategy", "Evidence", "Milestone",
                 "Funding source", "Baseline", "Consultation", "Equality impact"]
CONFIDENTIAL_HEADERS = ["Notes for Chair – not for circulation", "BSU use only", "Internal", "Private notes"]
# a key written in one cell above the table, and the words its RAG cells then use (rag_key_words)
INLINE_KEY = "Key: Green = on schedule; Amber = some slippage; Red = significant delay"
KEY_WORDS = {"Green": "On schedule", "Amber": "Some slippage", "Red": "Significant delay"}
KEY_ROWS = [["Green", "Completed or on track"], ["Amber", "Risk of missing the deadline"],
            ["Red", "Unlikely to be completed"]]
FY_MONTHS = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]

# Where two readings are possible the reader must say at the cell which it took: a finding
# there holding one of these words (lower case) is required.
SAID = {"revised": ("revis",), "open": ("onwards", "start", "no due date", "open-ended", "ongoing"),
        "colour": ("colour", "color", "fill", "conditional format"), "key": ("the workbook's key (",)}
# deadline form -> (what is typed, the due dates that are right, the words a finding at the
# cell must hold, if one is required). Revised: the new date (or none), said; open-ended: no
# due date, said, never 30 April.
DEADLINE_FORMS: dict[str, tuple[str, tuple[date | None, ...], tuple[str, ...]] | None] = {
    "date": None,  # a date cell: drawn per action
    "month": ("Dec 2018", (date(2018, 12, 31),), ()),
    "apostrophe": ("March '19", (date(2019, 3, 31),), ()),
    "quarter": ("Q3 2018/19", (date(2018, 12, 31),), ()),
    "revised": ("Dec 2018. Revised to March 2019 by the Board on 10/12/18", (date(2019, 3, 31), None),
                SAID["revised"]),
    "open": ("April 2019 onwards", (None,), SAID["open"]),
}
FORM_FEATURE = {"month": "deadline_text", "apostrophe": "deadline_text", "quarter": "deadline_quarter",
                "revised": "deadline_revised", "open": "deadline_open"}


@dataclass(frozen=True)
class Row:
    """One action as drawn: indexes into the word lists above, so that a spec stays short."""

    verb: int = 0
    thing: int = 0
    owner: int = 0
    agency: int = 0
    bodies: tuple[int, ...] = (0,)
    deadline: str = "date"
    day: int = 0  # the date deadline: 1 October 2018, day // 28 months and day % 28 days on
    rag: str = "Green"
    progress: int = 0
    objective: int = 0
    spacer_after: bool = False


@dataclass(frozen=True)
class Spec:
    features: frozenset[str]
    sheets: tuple[tuple[Row, ...], ...] = ((Row(), Row(1, 1, 1, 1, (1,), "date", 30, "Amber", 2),
                                            Row(2, 2, 2, 2, (2,), "date", 60, "Red", 3, 1),
                                            Row(3, 3, 3, 3, (3,), "date", 90, "Complete", 4, 2)),)
    headers: tuple[int, ...] = (0,) * len(FIELDS)  # each field's header, an index into its word list
    period: int = 10  # rag_months: 1..12 (Apr..Mar); rag_quarters: (period - 1) // 3 + 1
    confidential: int = 0  # which of CONFIDENTIAL_HEADERS
    extras: int = 6  # extra_columns: how many of EXTRA_HEADERS

    @staticmethod
    def of(features: set[str] | frozenset[str], **choices: Any) -> "Spec":
        """The default workbook with these features: what FAILURES.md's examples use."""
        spec = Spec(frozenset(features), **choices)
        forms = [f for f, feature in FORM_FEATURE.items() if feature in features]
        if forms and "sheets" not in choices:  # each drawn deadline form on one action
            rows = list(spec.sheets[0])
            while len(rows) < len(forms):
                rows.append(replace(rows[-1], verb=len(rows) % len(VERBS), thing=len(rows), owner=len(rows)))
            spec = replace(spec, sheets=(tuple(replace(r, deadline=form) for r, form in zip(rows, forms))
                                         + tuple(rows[len(forms):]),))
        return spec


@dataclass
class Expected:
    """What must be read from one action."""

    sheet: str
    row: int
    ref: str | None  # as typed; None where the reader gives the ref
    action: str
    owner: str
    bodies: tuple[str, ...]
    deadline_cell: str
    due: tuple[date | None, ...]  # the right readings of the deadline
    deadline_said: tuple[str, ...]  # when given, a finding at the deadline cell must hold one of these words
    rag: str | None
    rag_cell: str
    rag_said: tuple[str, ...]  # the same at the RAG cell
    progress: str
    # the RAG may be read as None where the format cannot show it (conditional formats in an
    # .xls or .ods): the finding rag_said requires then says so
    rag_unseen_ok: bool = False
    extra: dict[str, str] = field(default_factory=dict)  # carried column's header -> its text


@dataclass
class Truth:
    path: Path  # the workbook to read
    actions: list[Expected]
    plan_sheets: list[str]
    secrets: list[str]  # words that must appear in no output
    month: str  # the month to consolidate and pack
    today: date
    features: frozenset[str]  # the features the workbook really has (some drawn ones do not combine)
    # findings check must give besides the actions' own: (sheet, cell or "" for anywhere on the
    # sheet, words of which the message holds one), e.g. which period of a grid was read
    findings: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)


# ---- hypothesis ------------------------------------------------------------------------------

@st.composite
def rows(draw, features: frozenset[str]) -> Row:
    forms = ["date"] + [f for f, feature in FORM_FEATURE.items() if feature in features]
    count = draw(st.integers(1, 2)) if "two_bodies" in features else 1
    bodies = tuple(draw(st.permutations(range(len(BODIES))))[:count])
    return Row(
        verb=draw(st.integers(0, len(VERBS) - 1)), thing=draw(st.integers(0, len(THINGS) - 1)),
        owner=draw(st.integers(0, len(OWNERS) - 1)), agency=draw(st.integers(0, len(AGENCIES) - 1)),
        bodies=bodies, deadline=draw(st.sampled_from(forms)), day=draw(st.integers(0, 300)),
        rag=draw(st.sampled_from(sorted(RAG_WORDS))), progress=draw(st.integers(0, len(PROGRESS) - 1)),
        objective=draw(st.integers(0, len(OBJECTIVES) - 1)),
        spacer_after="spacers" in features and draw(st.booleans()),
    )


@st.composite
def specs(draw, allowed: frozenset[str] | None = None) -> Spec:
    """A workbook drawn from the enabled features, each in or out independently (the slow
    LibreOffice ones in about one example in twelve)."""
    allowed = enabled() if allowed is None else allowed
    features = {f for f in sorted(allowed - set(SOFFICE_FEATURES)) if draw(st.booleans())}
    soffice = [f for f in SOFFICE_FEATURES if f in allowed]
    if soffice and draw(st.integers(0, 11)) == 0:
        features.add(draw(st.sampled_from(soffice)))
    if "excel_table" in features:
        features -= TABLE_BLOCKS  # the table wins: drawn with the others, it would never be written
    frozen = frozenset(features)
    count = draw(st.integers(2, 3)) if "many_sheets" in frozen else 1
    sheets = tuple(tuple(draw(st.lists(rows(frozen), min_size=1, max_size=5))) for _ in range(count))
    words = UNSEEN_HEADERS if "unseen_synonyms" in frozen else KNOWN_HEADERS
    headers = tuple(draw(st.integers(0, len(words[f]) - 1)) if {"synonyms", "unseen_synonyms"} & frozen else 0
                    for f in FIELDS)
    return Spec(frozen, sheets, headers, draw(st.integers(1, 12)), draw(st.integers(0, 3)),
                draw(st.integers(1, len(EXTRA_HEADERS))))


# ---- writing ---------------------------------------------------------------------------------

@dataclass
class _Column:
    key: str  # ref, objective, action, owner, agency, governance, start, deadline, rag, rag:N, progress, ...
    top: str  # header text (the upper row's, when the header is two rows)
    sub: str = ""  # the lower row's, under a group
    hidden: bool = False


@dataclass
class _Sheet:
    """What build needs while it writes one plan sheet."""

    name: str
    columns: list[_Column] = field(default_factory=list)
    two_rows: bool = False


def _header_words(spec: Spec) -> dict[str, str]:
    words = UNSEEN_HEADERS if "unseen_synonyms" in spec.features else KNOWN_HEADERS
    synonyms = {"synonyms", "unseen_synonyms"} & spec.features
    return {f: words[f][index % len(words[f])] if synonyms else KNOWN_HEADERS[f][0]
            for f, index in zip(FIELDS, spec.headers)}


def _columns(spec: Spec, features: set[str]) -> tuple[list[_Column], bool]:
    """The plan sheet's columns, and whether its header is two rows."""
    words = _header_words(spec)
    columns = [] if "no_ref_column" in features else [_Column("ref", words["ref"])]
    columns.append(_Column("objective", words["objective"]))
    two_rows = bool(features & {"two_row_header", "merged_header", "rag_months"})
    if "merged_header" in features:
        pair = "Actions (who and what)"
        columns += [_Column("owner", pair, "Who"), _Column("action", pair, "What")]
    else:
        columns.append(_Column("action", words["action"]))
        if "two_row_header" in features:
            columns += [_Column("owner", "Lead", "Officer"), _Column("agency", "Lead", "Agency")]
        else:
            columns.append(_Column("owner", words["owner"]))
    columns.append(_Column("governance", words["governance"]))
    if "two_row_header" in features:
        columns += [_Column("start", "Timescale", "Start"), _Column("deadline", "Timescale", "End")]
    else:
        columns.append(_Column("deadline", words["deadline"]))
    if "rag_months" in features:
        columns += [_Column(f"rag:{n}", "RAG", month) for n, month in enumerate(FY_MONTHS, 1)]
    elif "rag_quarters" in features:
        for quarter in range(1, 5):
            columns += [_Column(f"rag:{quarter}", f"RAG Q{quarter}"),
                        _Column(f"progress:{quarter}", f"Update Q{quarter}")]
    else:
        columns.append(_Column("rag", words["rag"]))
    if "conditional_rag" in features:
        columns.append(_Column("position", "Position"))
    if "rag_quarters" not in features:
        columns.append(_Column("progress", words["progress"]))
    if "extra_columns" in features:
        columns += [_Column(f"extra:{label}", label) for label in EXTRA_HEADERS[:spec.extras]]
    if "hidden_columns" in features:
        columns.append(_Column("hidden", "Officer notes", hidden=True))
    if "confidential_columns" in features:
        columns.append(_Column("confidential", CONFIDENTIAL_HEADERS[spec.confidential % len(CONFIDENTIAL_HEADERS)]))
    return columns, two_rows


def _period(spec: Spec, features: set[str]) -> tuple[int, str]:
    """(the period filled up to, the month of the copy): a grid is filled up to the copy's month."""
    if "rag_months" in features:
        period = spec.period
        month_index = 3 + period  # 1 -> April 2018
    elif "rag_quarters" in features:
        period = (spec.period - 1) // 3 + 1
        month_index = 3 + period * 3  # Q3 -> December 2018
    else:
        return 0, "2019-01"
    year = 2018 + (month_index - 1) // 12
    return period, f"{year}-{(month_index - 1) % 12 + 1:02d}"


def _fill(rgb: str) -> PatternFill:
    return PatternFill("solid", fgColor=rgb)


def build(spec: Spec, path: Path) -> Truth:
    """Write spec's workbook at path (converted by LibreOffice where spec says; truth.path is
    then the converted file) and return the truth of what must be read from it."""
    features = set(spec.features)
    if "key_between" in features and sum(len(rows) for rows in spec.sheets) < 2:
        features.discard("key_between")  # no two tables to put a key between
    if "rag_key_words" in features:
        features.add("inline_key")  # the words mean what the workbook's own key says
    if "rag_months" in features:
        features.discard("rag_quarters")
    if features & {"rag_months", "rag_quarters"}:
        features.discard("conditional_rag")  # its rules colour one RAG column
    if "merged_header" in features:
        features.discard("two_row_header")
    if "excel_table" in features and features & TABLE_BLOCKS:
        features.discard("excel_table")  # an Excel table has one header row and no merged cells
    period, month = _period(spec, features)
    year, number = map(int, month.split("-"))
    today = date(year + number // 12, number % 12 + 1, 1) - timedelta(days=1)  # the month's last day
    columns, two_rows = _columns(spec, features)
    where = {c.key: i for i, c in enumerate(columns, 1)}
    width = len(columns)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    expected: list[Expected] = []
    secrets: list[str] = []
    texts_used: set[str] = set()
    refs_used: set[str] = set()
    plan_sheets = []
    findings: list[tuple[str, str, tuple[str, ...]]] = []
    if "contents_sheet" in features:
        _contents_sheet(wb)
    for sheet_number, sheet_rows in enumerate(spec.sheets, 1):
        name = f"Priority {sheet_number}" if len(spec.sheets) > 1 else "Action plan"
        plan_sheets.append(name)
        ws = wb.create_sheet(name)
        r = 1
        if "title" in features:
            part = f" – {name}" if len(spec.sheets) > 1 else ""
            ws.cell(r, 1, f"Safeguarding Children Board Business Plan 2018-19{part}")
            ws.cell(r, 1).font = Font(bold=True, size=14)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
            r += 1
        if "preamble" in features:
            for line in ("This plan sets out how the partners will deliver the Board's priorities this year.",
                         "Progress will be updated monthly and monitored at each Board meeting."):
                ws.cell(r, 1, line)
                r += 1
        if {"title", "preamble"} & features:
            r += 1
        key_column = where["rag"] if "key_in_rag_column" in features and "rag" in where else 1
        if "inline_key" in features:
            ws.cell(r, 1, INLINE_KEY)
            r += 2
        if "key_above" in features:
            r = _key(ws, r, key_column)
        chunks = [list(sheet_rows)]
        if "key_between" in features and len(sheet_rows) >= 2:
            half = len(sheet_rows) // 2
            chunks = [list(sheet_rows[:half]), list(sheet_rows[half:])]
        for chunk_number, chunk in enumerate(chunks):
            if chunk_number:
                r = _key(ws, r + 1, key_column, wide=True) + 1
            header_row = r
            if "two_row_header" in features and not chunk_number:  # End over Start, said at End's header
                findings.append((name, f"{get_column_letter(where['deadline'])}{r + 1}", ("end",)))
            if period and not chunk_number:  # which period was read, said
                label = FY_MONTHS[period - 1] if "rag_months" in features else f"Q{period}"
                findings.append((name, "", (f"rag {label}".lower(),)))
                if "rag_quarters" in features:
                    findings.append((name, "", (f"update {label}".lower(),)))
            r = _header(ws, r, columns, two_rows, features)
            first_data = r
            objective_runs: list[tuple[int, int, int]] = []  # (objective, first row, last row)
            priority = -1
            for index, row in enumerate(chunk):
                group = index * len(PRIORITIES) // max(len(chunk), 1)
                if "banners" in features and group != priority:
                    priority = group
                    ws.cell(r, 1, PRIORITIES[group])
                    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
                    r += 1
                exp = _action_row(ws, r, row, where, features, period, name, texts_used, refs_used,
                                  len(expected), secrets, sheet_number)
                expected.append(exp)
                if objective_runs and objective_runs[-1][0] == row.objective and objective_runs[-1][2] == r - 1:
                    objective_runs[-1] = (row.objective, objective_runs[-1][1], r)
                else:
                    objective_runs.append((row.objective, r, r))
                if "hidden_rows" in features and index == len(chunk) - 1 and len(chunk) > 1:
                    ws.row_dimensions[r].hidden = True
                    if not any(f[0] == name and f[2] == ("hidden",) for f in findings):
                        findings.append((name, f"A{r}", ("hidden",)))  # read as an action, said
                r += 1
                if row.spacer_after and index < len(chunk) - 1:
                    r += 1
            if "merged_objective" in features:
                objective = where["objective"]
                for _, first, last in objective_runs:
                    for row_number in range(first + 1, last + 1):
                        ws.cell(row_number, objective).value = None
                    if last > first:
                        ws.merge_cells(start_row=first, start_column=objective, end_row=last, end_column=objective)
            last_data = r - 1
            if "totals_row" in features:
                ws.cell(r, 1, "Total")
                ws.cell(r, where["action"], len(chunk))
                r += 1
            if "excel_table" in features:
                table = Table(displayName=f"Plan{sheet_number}_{chunk_number}",
                              ref=f"A{header_row}:{get_column_letter(width)}{r - 1}",
                              totalsRowCount=1 if "totals_row" in features else None)
                table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
                ws.add_table(table)
            if "conditional_rag" in features:
                rag_letter = get_column_letter(where["rag"])
                position = get_column_letter(where["position"])
                for word, status in POSITIONS.items():
                    ws.conditional_formatting.add(
                        f"{rag_letter}{first_data}:{rag_letter}{last_data}",
                        FormulaRule(formula=[f'${position}{first_data}="{word}"'], fill=_fill(FILLS[status])))
            if "fills" in features and "rag" in where:
                rag_letter = get_column_letter(where["rag"])
                for word in ("Green", "Amber", "Red"):  # the colour a typed word shows
                    ws.conditional_formatting.add(f"{rag_letter}{first_data}:{rag_letter}{last_data}",
                                                  CellIsRule(operator="equal", formula=[f'"{word}"'],
                                                             fill=_fill(FILLS[word])))
        if "key_below" in features:
            _key(ws, r + 1, key_column)
        for column in columns:
            if column.hidden:
                ws.column_dimensions[get_column_letter(where[column.key])].hidden = True
    if "lists_sheet" in features:
        _lists_sheet(wb)
    _governance_sheet(wb, "abbreviations" in features)
    if "hidden_sheet" in features:
        secret = "Zqhs01 chair's briefing on the serious case review"
        hidden = wb.create_sheet("Notes")
        hidden.append(["Briefing"])
        hidden.append([secret])
        hidden.sheet_state = "hidden"
        secrets.append("Zqhs01")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    target = path
    for feature, fmt in (("libreoffice", "xlsx"), ("xls", "xls"), ("ods", "ods")):
        if feature in features:
            target = convert(path, fmt)
            break
    return Truth(target, expected, plan_sheets, secrets, month, today, frozenset(features), findings)


def _header(ws, r: int, columns: list[_Column], two_rows: bool, features: set[str]) -> int:
    """Write the header at row r; return the first data row."""
    theme = Color(theme=4, tint=0.6)
    for number, column in enumerate(columns, 1):
        ws.cell(r, number, column.top).font = Font(bold=True)
        if column.sub:
            ws.cell(r + 1, number, column.sub).font = Font(bold=True)
        if "fills" in features:
            ws.cell(r, number).fill = _fill("FFD9D9D9")
        if "theme_colours" in features:
            ws.cell(r, number).fill = PatternFill("solid", fgColor=theme)
    if not two_rows:
        return r + 1
    number = 1
    while number <= len(columns):
        column = columns[number - 1]
        if not column.sub:
            ws.merge_cells(start_row=r, start_column=number, end_row=r + 1, end_column=number)
            number += 1
            continue
        last = number
        while last < len(columns) and columns[last].top == column.top and columns[last].sub:
            last += 1
        if last > number:
            for blank in range(number + 1, last + 1):
                ws.cell(r, blank).value = None
            ws.merge_cells(start_row=r, start_column=number, end_row=r, end_column=last)
        number = last + 1
    return r + 2


def _action_row(ws, r: int, row: Row, where: dict[str, int], features: set[str], period: int, sheet: str,
                texts_used: set[str], refs_used: set[str], index: int, secrets: list[str],
                sheet_number: int) -> Expected:
    text = f"{VERBS[row.verb % len(VERBS)]} {THINGS[row.thing % len(THINGS)]}"
    if text in texts_used:
        text += f" (part {index + 1})"
    texts_used.add(text)
    ref = f"{sheet_number}.{index + 1}"
    owner = OWNERS[row.owner % len(OWNERS)]
    names = [BODIES[b % len(BODIES)] for b in dict.fromkeys(row.bodies)]
    typed = [abbreviation if "abbreviations" in features else name for name, abbreviation, _ in names]
    values: dict[str, object] = {
        "ref": ref, "objective": OBJECTIVES[row.objective % len(OBJECTIVES)], "action": text, "owner": owner,
        "agency": AGENCIES[row.agency % len(AGENCIES)], "governance": " / ".join(typed),
        "progress": PROGRESS[row.progress % len(PROGRESS)],
    }
    form = DEADLINE_FORMS.get(row.deadline)
    if form is None:
        due_date = date(2018 + (9 + row.day // 28) // 12, (9 + row.day // 28) % 12 + 1, 1 + row.day % 28)
        values["deadline"] = datetime(due_date.year, due_date.month, due_date.day)
        dues: tuple[date | None, ...] = (due_date,)
        deadline_said: tuple[str, ...] = ()
    else:
        values["deadline"], dues, deadline_said = form
    values["start"] = datetime(2018, 4, 1)
    rag_word = row.rag
    progress = str(values["progress"])
    if "rag_months" in features or "rag_quarters" in features:
        words = [w for w in RAG_WORDS if w]
        for step in range(1, period + 1):
            values[f"rag:{step}"] = words[(row.verb + step) % len(words)] if step < period else row.rag or "Green"
            values[f"progress:{step}"] = f"Q{step}: {PROGRESS[(row.progress + step) % len(PROGRESS)] or 'no change'}"
        rag_word = row.rag or "Green"
        if "rag_quarters" in features:
            progress = str(values[f"progress:{period}"])
    elif "conditional_rag" in features:
        position = list(POSITIONS)[row.verb % len(POSITIONS)]
        values["position"] = position
        rag_word = ""
    else:
        values["rag"] = KEY_WORDS.get(str(RAG_WORDS[row.rag]), row.rag) if "rag_key_words" in features else row.rag
    if "hidden_columns" in features:
        values["hidden"] = f"Zqhc{index:02d} spoke to the police about the family"
        secrets.append(f"Zqhc{index:02d}")
    if "confidential_columns" in features:
        values["confidential"] = f"Zqcc{index:02d} chair to raise the head teacher's conduct"
        secrets.append(f"Zqcc{index:02d}")
    extra = {key[6:]: f"{key[6:]}: note {index + 1}" for key in where if key.startswith("extra:")}
    if "position" in values:
        extra["Position"] = str(values["position"])
    values.update({f"extra:{label}": text for label, text in extra.items()})
    for key, number in where.items():
        if key in values:
            ws.cell(r, number, values[key])
    rag_status = RAG_WORDS.get(rag_word)
    rag_said: tuple[str, ...] = ()
    if "conditional_rag" in features:
        rag_status, rag_said = POSITIONS[str(values["position"])], SAID["colour"]
    elif "rag" in where and (
            ("rag_fill_only" in features and index % 2 == 0 and rag_status in ("Green", "Amber", "Red"))
            or ("rag_fill_blue" in features and rag_status == "Complete")):
        ws.cell(r, where["rag"]).value = None  # the colour alone says it; the reader says it read the fill
        ws.cell(r, where["rag"]).fill = _fill(FILLS[str(rag_status)])
        rag_said = SAID["colour"]
    elif "fills" in features and "rag" in where and rag_status in FILLS:
        ws.cell(r, where["rag"]).fill = _fill(FILLS[str(rag_status)])
    if "rag" in where and ws.cell(r, where["rag"]).value in KEY_WORDS.values():
        rag_said = SAID["key"]  # a word only the workbook's own key gives: read by it, and said
    if "theme_colours" in features:
        ws.cell(r, where["action"]).font = Font(color=Color(theme=1))
    rag_column = where.get("rag") or where.get(f"rag:{period}") or 1
    return Expected(
        sheet=sheet, row=r, ref=None if "ref" not in where else ref, action=text, owner=owner,
        bodies=tuple(name for name, _, _ in names), deadline_cell=f"{get_column_letter(where['deadline'])}{r}",
        due=dues, deadline_said=deadline_said, rag=rag_status, rag_cell=f"{get_column_letter(rag_column)}{r}",
        rag_said=rag_said, progress=progress, extra=extra,
        rag_unseen_ok="conditional_rag" in features and bool(features & {"xls", "ods"}),
    )


def _key(ws, r: int, column: int, wide: bool = False) -> int:
    """A RAG key from row r: a status and its meaning, and (wide, as between tables) a
    description; returns the row after it."""
    ws.cell(r, column, "RAG key")
    for number, (status, meaning) in enumerate(KEY_ROWS, r + 1):
        cells = [status, meaning, *((f"Actions rated {status} when the Board last reviewed the plan",) if wide else ())]
        for offset, text in enumerate(cells):
            ws.cell(number, column + offset, text)
        ws.cell(number, column).fill = _fill(FILLS[status])
    return r + len(KEY_ROWS) + 2


def _contents_sheet(wb) -> None:
    ws = wb.create_sheet("Contents")
    ws.append(["Business plan on a page"])
    ws.append([])
    ws.append(["Priority", "Objective", "Lead", "Status"])
    for number, objective in enumerate(OBJECTIVES, 1):
        ws.append([str(number), objective, OWNERS[number], "Green"])


def _lists_sheet(wb) -> None:
    ws = wb.create_sheet("Lists")
    ws.append(["RAG", "Sub-group", "Lead agency", "Timescale"])
    for number in range(8):
        ws.append([["Green", "Amber", "Red", "Complete"][number % 4], BODIES[number % len(BODIES)][1],
                   AGENCIES[number % len(AGENCIES)], ["Q1", "Q2", "Q3", "Q4"][number % 4]])


def _governance_sheet(wb, abbreviations: bool) -> None:
    ws = wb.create_sheet("Governance")
    ws.append(["Sub-group", "Abbreviation", "Email"] if abbreviations
              else ["Governance body", "Also written as", "Email"])
    for name, abbreviation, address in BODIES:
        ws.append([name, abbreviation if abbreviations else "", address])


@lru_cache(maxsize=None)
def _profile() -> Path:
    """One LibreOffice profile for the run (making one takes seconds), removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="plantools-layouts-lo-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(path: Path, fmt: str) -> Path:
    """The workbook as LibreOffice saves it in fmt (xlsx, xls, ods), beside it in 'converted'."""
    binary = soffice()
    if binary is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    outdir = path.parent / "converted"
    outdir.mkdir(exist_ok=True)
    profile = _profile()
    subprocess.run([binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", fmt, "--outdir", str(outdir), str(path)],
                   check=True, capture_output=True, timeout=120)
    return outdir / f"{path.stem}.{fmt}"


# ---- checking --------------------------------------------------------------------------------

def output_texts(folder: Path) -> dict[str, str]:
    """Every file under folder as text: an .xlsx's parts unzipped, an .eml's parts decoded
    (its attachments unzipped in turn)."""
    texts: dict[str, str] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        texts[str(path)] = _text_of(data)
    return texts


def _text_of(data: bytes) -> str:
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    if b"MIME-Version" in data[:4000] or data.startswith(b"From") or b"Content-Type" in data[:4000]:
        message = email.message_from_bytes(data)
        parts = [data.decode("utf-8", "replace")]
        for part in message.walk():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                parts.append(_text_of(payload))
        return "\n".join(parts)
    return data.decode("utf-8", "replace")


def problems(truth: Truth, out: Path, outputs: bool = True) -> list[str]:
    """What the reader got wrong on truth's workbook, in words (empty when it read it right):
    through load_plan and check, then (outputs) the copy and the packs, whose files must
    hold no secret."""
    from plantools import PlanError, check, consolidate, load_plan, make_packs
    from plantools.copy.earlier import read_copy

    said: list[str] = []
    try:
        plan = load_plan(truth.path)
    except PlanError as error:
        return [f"refused: {error}"]
    if plan.plan_sheets != truth.plan_sheets:
        said.append(f"plan sheets {plan.plan_sheets}, expected {truth.plan_sheets}")
    findings = check(plan, truth.today)

    def flagged(sheet: str, cell: str, words: tuple[str, ...]) -> bool:
        return any(f.sheet == sheet and cell in ("", f.cell) and any(w in f.message.lower() for w in words)
                   for f in findings)

    for sheet, cell, words in truth.findings:
        if not flagged(sheet, cell, words):
            said.append(f"no finding at {sheet}!{cell or '(anywhere)'} saying {' or '.join(map(repr, words))}")

    read: dict[str, list] = {}
    for action in plan.actions:
        read.setdefault(action.action, []).append(action)
    wanted = {e.action for e in truth.actions}
    for action in plan.actions:
        if action.action not in wanted:
            said.append(f"extra action at {action.sheet}!A{action.row}: {action.action!r} "
                        f"(owner {action.owner!r}, RAG {action.rag_text!r})")
    for exp in truth.actions:
        found = read.get(exp.action, [])
        if len(found) != 1:
            said.append(f"{exp.sheet}!{exp.row} {exp.action!r}: read {len(found)} times")
            continue
        got = found[0]
        where = f"{exp.sheet} row {exp.row} ({exp.action!r})"
        if exp.ref is not None and got.ref != exp.ref:
            said.append(f"{where}: ref {got.ref!r}, typed {exp.ref!r}")
        if exp.owner not in got.owner or len(got.owner) > len(exp.owner) + 40:
            said.append(f"{where}: owner {got.owner!r}, expected {exp.owner!r}")
        if tuple(sorted(got.bodies)) != tuple(sorted(exp.bodies)):
            said.append(f"{where}: bodies {got.bodies} (unknown {got.unknown_bodies}), expected {exp.bodies}")
        if got.deadline.due not in exp.due:
            said.append(f"{where}: deadline {got.deadline.text!r} read as {got.deadline.due}, expected "
                        f"{' or '.join(map(str, exp.due))}")
        if exp.deadline_said and not flagged(exp.sheet, exp.deadline_cell, exp.deadline_said):
            said.append(f"{where}: deadline {got.deadline.text!r} read as {got.deadline.due} without a word at "
                        f"{exp.deadline_cell} (a finding saying {' or '.join(map(repr, exp.deadline_said))})")
        if got.rag != exp.rag and not (exp.rag_unseen_ok and got.rag is None):
            said.append(f"{where}: RAG {got.rag!r} (typed {got.rag_text!r}), expected {exp.rag!r}")
        if exp.rag_said and not flagged(exp.sheet, exp.rag_cell, exp.rag_said):
            said.append(f"{where}: RAG {got.rag!r} without a word at {exp.rag_cell} "
                        f"(a finding saying {' or '.join(map(repr, exp.rag_said))})")
        if got.progress != exp.progress:
            said.append(f"{where}: progress {got.progress!r}, expected {exp.progress!r}")
        carried = {label: got.extra.get(label) for label in exp.extra}
        if carried != exp.extra:
            said.append(f"{where}: carried columns {carried}, expected {exp.extra}")
    for action in plan.actions:
        for value in (*(str(getattr(action, f)) for f in ("action", "owner", "governance", "progress", "objective",
                                                           "outcome", "measure")), *action.extra.values()):
            leaked = [s for s in truth.secrets if s in value]
            if leaked:
                said.append(f"secret {leaked[0]} read into {action.sheet}!A{action.row}")
    if said or not outputs:
        return said
    copy = consolidate(plan, truth.month, out / "monthly", today=truth.today)
    rags = {a.action: a.rag for a in read_copy(copy.path).actions}  # the copy as written, read back
    right = {e.action: (e.rag, None) if e.rag_unseen_ok else (e.rag,) for e in truth.actions}
    if rags.keys() != right.keys() or any(rags[text] not in right[text] for text in rags):
        said.append(f"the copy holds {rags}, expected {right}")
    run = make_packs(plan, truth.month, out / "packs", today=truth.today, copies=out / "monthly")
    for pack in run.packs:
        members = sorted(a.action for a in pack.actions)
        if members != sorted(e.action for e in truth.actions if pack.body in e.bodies):
            said.append(f"{pack.body}'s pack holds {members}")
    for name, text in output_texts(out).items():
        leaked = [s for s in truth.secrets if s in text]
        if leaked:
            said.append(f"secret {leaked[0]} in {Path(name).name}")
    return said
