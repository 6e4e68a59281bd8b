"""Issue 17, part A: workbooks composed from features the corpus does not combine, each
written for real with openpyxl and read back. Each feature is independent, so hypothesis
combines them freely; each example knows what must be read: exactly the actions, with the
RAG and deadline the sheet shows, and a note wherever the reader had a choice.

Classes: sheets that are no plan (contents, summaries, lists, RAG keys anywhere), multi-row
headers, RAG and progress by period, RAG shown by conditional formatting.
"""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.formatting.rule import CellIsRule, FormulaRule, Rule
from openpyxl.styles import PatternFill

from plantools import load_plan
from plantools.plan.checks import check

TODAY = date(2019, 1, 15)
BODIES = ["Policy Sub-Group", "QA Sub-Group", "Safeguarding Board"]
# (ref, action, owner, governance, due, RAG)
ACTIONS = [
    ("1.1", "Survey children in care", "Jo Bloggs", BODIES[0], date(2019, 3, 31), "Green"),
    ("1.2", "Publish the survey findings", "Sam Smith", BODIES[1], date(2019, 6, 30), "Amber"),
    ("2.1", "Audit the front door", "Ann Lee", BODIES[2], date(2019, 9, 30), "Red"),
    ("2.2", "Train the GP practices", "Raj Patel", BODIES[0], date(2019, 12, 31), "Complete"),
    ("3.1", "Refresh the threshold guidance", "Kim Wu", BODIES[1], date(2020, 3, 31), "Green"),
]
KEY = [("Red", "Unlikely to complete on target"), ("Amber", "Risk of not being completed"),
       ("Green", "Completed or On track"), ("Complete", "Finished")]
LISTS = [["RAG", "Governance sub group", "Lead agency", "Status"],
         ["Red", BODIES[0], "Police", "Not started"], ["Amber", BODIES[1], "Health", "In progress"],
         ["Green", BODIES[2], "Council", "Complete"], ["Complete", "", "Schools", ""],
         ["", "", "Probation", ""], ["", "", "CCG", ""], ["", "", "Voluntary sector", ""], ["", "", "Housing", ""]]
GREEN_FILL = PatternFill("solid", fgColor="FF00B050", bgColor="FF00B050")
RED_FILL = PatternFill("solid", fgColor="FFFF0000", bgColor="FFFF0000")


@dataclass
class Features:
    header: str = "one"  # "one", "lead" (Lead over Officer, Agency), "timescale" (over Start, End), "both"
    key: str = "none"  # "none", "above", "between", "below", "key sheet"
    key_form: str = "rows"  # "rows" (status | meaning), "described" (and a third cell), "in rag column",
    # "across" (one row), "inline", "counts" (a RAG summary: a status and its count)
    extra_sheets: tuple[str, ...] = ()  # "contents", "lists"
    reporting_to: bool = False  # the governance header is "Reporting\nto" in one cell
    title_rows: int = 2
    period: str = "none"  # "months" ("RAG" over Apr..Mar), "quarters" (RAG Q1..Q4, Update Q1..Q4)
    filled: int = 1  # periods filled in, from the first: the last of them is the current one
    # how the RAG shows: "word" typed; "status rule" (empty, coloured by a rule on a Status
    # column: $J5="On target"); "cell rule" (a word of the team's own, coloured by cellIs equal);
    # "other rule" (empty, coloured by a rule plantools cannot work out)
    rag_by: str = "word"
    repeat_header: bool = False  # the header written again above the second table


@dataclass
class Written:
    path: Path
    header_cells: dict[str, str] = field(default_factory=dict)  # field -> address of its header cell
    first_row: int = 0


def _key_rows(form: str, width: int, rag_col: int) -> list[list]:
    if form == "across":
        row: list = ["RAG key:"]
        for status, meaning in KEY:
            row += [status, meaning]
        return [row]
    if form == "inline":
        return [["Key: " + "; ".join(f"{s} = {m}" for s, m in KEY)]]
    if form == "counts":  # how many actions have each status, down and across
        return [["RAG summary"], *[[status, 1 + index] for index, (status, _) in enumerate(KEY)], [],
                [status for status, _ in KEY], [1, 2, 1, 1]]
    rows: list[list] = [["RAG Key"]]
    for status, meaning in KEY:
        if form == "in rag column":
            cells: list = [None] * width
            cells[rag_col - 1], cells[rag_col] = status, meaning
            rows.append(cells)
        elif form == "described":  # a third column, whose words fall under the owner's header
            rows.append([status, meaning, f"Actions rated {status} when the Board last reviewed the plan"])
        else:
            rows.append([status, meaning])
    return rows


def write(features: Features, path: Path) -> Written:
    """The workbook these features compose, and where its headers are."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    if "contents" in features.extra_sheets:
        contents = book.create_sheet("Contents")
        for row in [["Business plan 2018-19: contents"], [], ["Sheet", "What it holds"], ["Plan", "The actions"],
                    ["Governance", "The sub-groups"], [], ["Plan on a page"],
                    ["Priority", "Objective", "Lead", "Governance", "Overall RAG"],
                    ["1. Voice", "Hear children", "Jo Bloggs", BODIES[0], "Green"],
                    ["2. Front door", "A safe front door", "Ann Lee", BODIES[2], "Amber"],
                    ["3. Thresholds", "Shared thresholds", "Kim Wu", BODIES[1], "Green"]]:
            contents.append(row)
    sheet = book.create_sheet("Plan")
    rows: list[list] = [["Safeguarding Board Business Plan 2018-19"]] + [["Updated monthly"]] * (features.title_rows - 1)
    governance = "Reporting\nto" if features.reporting_to else "Governance"
    top = ["Ref", "Action"]
    second: list = [None, None]
    merges = []
    row_top = len(rows) + 1
    two_rows = features.header in ("lead", "timescale", "both")
    if features.header in ("lead", "both"):
        top += ["Lead", None]
        second += ["Officer", "Agency"]
        merges.append(f"C{row_top}:D{row_top}")
    else:
        top += ["Lead officer"]
        second += [None]
    top += [governance]
    second += [None]
    if features.header in ("timescale", "both"):
        top += ["Timescale", None]
        second += ["Start", "End"]
        col = len(top) - 1
        merges.append(f"{_letter(col)}{row_top}:{_letter(col + 1)}{row_top}")
    else:
        top += ["Deadline"]
        second += [None]
    if features.period == "months":
        merges.append(f"{_letter(len(top) + 1)}{row_top}:{_letter(len(top) + 12)}{row_top}")
        top += ["RAG"] + [None] * 11 + ["Progress update"]
        second += MONTHS + [None]
    elif features.period == "quarters":
        top += [f"RAG Q{q}" for q in range(1, 5)] + [f"Update Q{q}" for q in range(1, 5)]
        second += [None] * 8
    else:
        top += ["RAG", "Progress update"]
        second += [None, None]
    if features.rag_by != "word":
        top.append("Current status")
        second.append(None)
    width = len(top)
    rag_col = top.index("RAG" if "RAG" in top else "RAG Q1") + 1
    two_rows = two_rows or features.period == "months"
    if two_rows:
        for col, (upper, lower) in enumerate(zip(top, second), start=1):
            if upper and lower is None:
                merges.append(f"{_letter(col)}{row_top}:{_letter(col)}{row_top + 1}")
    key = _key_rows(features.key_form, width, rag_col)
    if features.key == "above":
        rows = rows[:1] + [[]] + key + [[]] + rows[1:]
        row_top = len(rows) + 1
        merges = [_shift(m, len(key) + 2) for m in merges]
    header = [top, second] if two_rows else [top]
    body = [_action_row(a, features) for a in ACTIONS]
    between = (key + [[]] if features.key == "between" else []) + (header if features.repeat_header else [])
    if between:
        body = body[:2] + [[]] + between + body[2:]
    if features.key == "below":
        body = body + [[]] + key
    for row in rows + header + body:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    first, last = row_top + (2 if two_rows else 1), sheet.max_row
    _colour_rules(sheet, features.rag_by, f"{_letter(rag_col)}{first}:{_letter(rag_col)}{last}",
                  f"${_letter(width)}{first}")
    last_header = row_top + (1 if two_rows else 0)
    cells = {"rag": f"{_letter(rag_col + (features.filled - 1 if features.period != 'none' else 0))}{last_header}"}
    if features.header in ("timescale", "both"):
        cells["deadline"] = f"{_letter(top.index('Timescale') + 2)}{last_header}"
    if features.key == "key sheet":
        key_sheet = book.create_sheet("Key")
        for row in [["RAG status", "Meaning"], *[list(k) for k in KEY]]:
            key_sheet.append(row)
    if "lists" in features.extra_sheets:
        lists = book.create_sheet("Lists")
        for row in LISTS:
            lists.append(row)
    governance_sheet = book.create_sheet("Governance")
    for row in [["Governance body", "Also written as", "Email"],
                *[[b, "", f"{b.split()[0].lower()}@example.org"] for b in BODIES]]:
        governance_sheet.append(row)
    book.save(path)
    return Written(path, cells, last_header + 1)


OWN_WORDS = {"Red": "Off target", "Amber": "Slipping", "Green": "On target", "Complete": "Finished"}
FILLS = {"Red": "FFFF0000", "Amber": "FFFFC000", "Green": "FF00B050", "Complete": "FF0070C0"}


def _colour_rules(sheet, rag_by: str, cells: str, status_cell: str) -> None:
    """Conditional formats that colour the RAG cells from a word."""
    for status, word in OWN_WORDS.items():
        fill = PatternFill("solid", fgColor=FILLS[status], bgColor=FILLS[status])
        if rag_by == "status rule":
            sheet.conditional_formatting.add(cells, FormulaRule(formula=[f'{status_cell}="{word}"'], fill=fill))
        elif rag_by == "cell rule":
            sheet.conditional_formatting.add(cells, CellIsRule(operator="equal", formula=[f'"{word}"'], fill=fill))
        elif rag_by == "other rule":
            sheet.conditional_formatting.add(cells, FormulaRule(formula=[f'AND({status_cell}="{word}",TODAY()>0)'], fill=fill))


def _action_row(action: tuple, features: Features) -> list:
    ref, what, owner, body, due, rag = action
    row: list = [ref, what, owner]
    if features.header in ("lead", "both"):
        row.append("Police" if ref < "2" else "Health")
    row.append(body)
    if features.header in ("timescale", "both"):
        row.append(datetime(2018, 4, 1))  # the start: never the deadline
    row.append(datetime(due.year, due.month, due.day))
    periods = {"months": 12, "quarters": 4}.get(features.period, 1)
    filled = features.filled if features.period != "none" else 1
    # earlier periods hold another status, so that reading the wrong period shows
    rags = [("Amber" if rag != "Amber" else "Green") for _ in range(filled - 1)] + [rag] + [None] * (periods - filled)
    updates = [f"Old update {p}" for p in range(1, filled)] + [f"Update on {ref}"] + [None] * (periods - filled)
    if features.rag_by in ("status rule", "other rule"):
        return row + [None, updates[0], OWN_WORDS[rag]]
    if features.rag_by == "cell rule":
        return row + [OWN_WORDS[rag], updates[0], OWN_WORDS[rag]]
    if features.period == "months":
        return row + rags + [updates[filled - 1]]
    return row + rags + (updates if features.period == "quarters" else updates[:1])


MONTHS = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]


def _letter(col: int) -> str:
    return openpyxl.utils.get_column_letter(col)


def _shift(cell_range: str, by: int) -> str:
    return re.sub(r"\d+", lambda m: str(int(m.group()) + by), cell_range)


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang("reading took longer than 20 seconds")


def read(path: Path):
    """The plan and `check`'s findings, under a time limit so that a hang fails."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(20)
    try:
        plan = load_plan(path)
        return plan, check(plan, TODAY)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def shown(rag: str, features: Features) -> str | None:
    """The RAG the reader can read: a rule it cannot work out gives none."""
    return None if features.rag_by == "other rule" else rag


def assert_reads_the_actions(plan, features: Features = Features()) -> None:
    read_back = [(a.ref, a.action, a.owner, a.bodies, a.deadline.due, a.rag, a.progress) for a in plan.actions]
    assert read_back == [(r, w, o, (b,), d, shown(g, features), f"Update on {r}") for r, w, o, b, d, g in ACTIONS]
    assert plan.plan_sheets == ["Plan"]


FEATURES = st.builds(
    Features,
    header=st.sampled_from(["one", "lead", "timescale", "both"]),
    key=st.sampled_from(["none", "above", "between", "below", "key sheet"]),
    key_form=st.sampled_from(["rows", "described", "in rag column", "across", "inline", "counts"]),
    extra_sheets=st.sampled_from([(), ("contents",), ("lists",), ("contents", "lists")]),
    reporting_to=st.booleans(),
    title_rows=st.integers(1, 3),
    period=st.sampled_from(["none", "months", "quarters"]),
    filled=st.integers(1, 4),
    rag_by=st.sampled_from(["word", "status rule", "cell rule", "other rule"]),
    repeat_header=st.booleans(),
).filter(lambda features: features.rag_by == "word" or features.period == "none")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(features=FEATURES)
@example(features=Features(key="key sheet", key_form="counts", title_rows=1, rag_by="cell rule"))  # once missed
def test_composed_layouts_read_exactly_their_actions(features, tmp_path_factory):
    path = tmp_path_factory.mktemp("layout") / "Business plan.xlsx"
    written = write(features, path)
    plan, findings = read(path)
    assert_reads_the_actions(plan, features)
    unread = {a.cell("rag") for a in plan.actions if a.rag is None}
    errors = [f for f in findings if f.severity == "error"]
    assert errors == []
    # the key says "Complete: Finished" (a Key sheet has its rows whatever key_form is; a RAG summary has no words)
    has_words = features.key == "key sheet" or (features.key != "none" and features.key_form != "counts")
    by_key = {a.cell("rag") for a in plan.actions if a.rag_text == "Finished" and has_words}
    keyed = {f.cell: f.message for f in findings if f.severity == "note" and "the workbook's key (" in f.message}
    assert set(keyed) == by_key  # a RAG read by the workbook's own words says so, naming the key's cell
    for message in keyed.values():
        found = re.search(r"key \((.+)!([A-Z]+[0-9]+)\)", message)
        assert found and "Finished" in str(openpyxl.load_workbook(path)[found.group(1)][found.group(2)].value)
    if features.rag_by != "word":  # each RAG cell coloured by a rule says what was read, or why not
        said = {f.cell for f in findings if f.severity == "note" and "by a conditional format" in f.message}
        assert said == {a.cell("rag") for a in plan.actions} - unread - by_key
        warned = {f.cell for f in findings if f.severity == "warning" and f.field == "rag"}
        assert warned == unread
    notes = {(f.sheet, f.cell): f.message for f in findings if f.severity == "note"}
    if "deadline" in written.header_cells:
        assert "End" in notes[("Plan", written.header_cells["deadline"])]
    if features.period != "none":
        assert "the latest period with any entry" in notes[("Plan", written.header_cells["rag"])]
    for name in features.extra_sheets:
        sheet = name.title()
        assert "left out" in notes[(sheet, "A1")] or "not read as plan" in notes[(sheet, "A1")]
    if features.header != "one":
        assert not any(a.owner in ("Officer", "Lead") or a.action == "Action" for a in plan.actions)


@pytest.mark.parametrize("name", ["Contents", "Plan on a page", "Summary", "Lists"])
def test_a_sheet_named_as_no_plan_is_read_only_when_no_other_sheet_is_one(name, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = name
    sheet.append(["Ref", "Action", "Lead officer", "Governance", "Deadline", "RAG"])
    sheet.append(["1.1", "Survey children in care", "Jo Bloggs", BODIES[0], datetime(2019, 3, 31), "Green"])
    book.save(tmp_path / "plan.xlsx")
    plan, findings = read(tmp_path / "plan.xlsx")
    assert [a.action for a in plan.actions] == ["Survey children in care"]
    assert any(f.cell == "A1" and f.sheet == name and "no other sheet is a plan" in f.message for f in findings)


def test_a_lists_sheet_under_any_name_is_no_plan(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Plan"
    book.active.append(["Ref", "Action", "Lead officer", "Governance", "Deadline", "RAG"])
    book.active.append(["1.1", "Survey children in care", "Jo Bloggs", BODIES[0], datetime(2019, 3, 31), "Green"])
    values = book.create_sheet("Sheet3")
    for row in LISTS:
        values.append(row)
    book.save(tmp_path / "plan.xlsx")
    plan, findings = read(tmp_path / "plan.xlsx")
    assert plan.plan_sheets == ["Plan"] and len(plan.actions) == 1
    assert any(f.sheet == "Sheet3" and "names no action, outcome or objective column" in f.message for f in findings)


@pytest.mark.parametrize("header", ["Reporting\nto", "Reporting\nto:", "Reports\nto"])
def test_a_header_with_a_line_break_is_one_label(header, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Ref", "Action", "Lead", None, header, "Timescale", None, "RAG"])
    book.active.append([None, None, "Officer", "Agency", None, "Start", "End", None])
    book.active.append(["1.1", "Survey children", "Jo Bloggs", "Police", "Policy Sub-Group", datetime(2018, 4, 1),
                        datetime(2019, 3, 31), "Green"])
    for merge in ("A1:A2", "B1:B2", "C1:D1", "E1:E2", "F1:G1", "H1:H2"):
        book.active.merge_cells(merge)
    book.save(tmp_path / "plan.xlsx")
    plan, findings = read(tmp_path / "plan.xlsx")
    assert [(a.governance, a.owner, a.deadline.due) for a in plan.actions] == [
        ("Policy Sub-Group", "Jo Bloggs", date(2019, 3, 31))]
    assert plan.actions[0].extra == {"Lead Agency": "Police", "Timescale Start": "2018-04-01"}
    assert any(f.cell == "G2" and "(the End, not the Start)" in f.message for f in findings)


@pytest.mark.parametrize("features", [
    Features(header="both", rag_by="status rule", key="between", key_form="across", extra_sheets=("contents", "lists")),
    Features(header="lead", rag_by="cell rule", key="below", key_form="in rag column"),
    Features(header="timescale", rag_by="other rule", reporting_to=True),
    Features(header="both", period="months", filled=3, key="between"),
    Features(period="quarters", filled=2, key="above", key_form="across"),
], ids=["status rule", "cell rule", "other rule", "months", "quarters"])
def test_composed_layouts_saved_again_by_libreoffice_read_the_same(features, tmp_path):
    """LibreOffice writes merges, conditional formats and their fills its own way."""
    from conftest import soffice_convert

    (tmp_path / "src").mkdir()
    write(features, tmp_path / "src" / "Business plan.xlsx")
    plan, findings = read(soffice_convert(tmp_path / "src" / "Business plan.xlsx", "xlsx", tmp_path))
    assert_reads_the_actions(plan, features)
    if features.rag_by != "word":
        unread = {a.cell("rag") for a in plan.actions if a.rag is None}
        assert {f.cell for f in findings if f.severity == "warning" and f.field == "rag"} == unread


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(features=FEATURES)
def test_composed_layouts_reach_the_copy_and_the_packs_as_read(features, tmp_path_factory):
    """The board's copy, read back, holds exactly the actions; each sub-group's pack holds
    exactly its own, and no key, list or header row reaches any of them."""
    from plantools import consolidate, make_packs
    from plantools.copy.earlier import read_copy

    folder = tmp_path_factory.mktemp("month")
    write(features, folder / "Business plan.xlsx")
    plan, _ = read(folder / "Business plan.xlsx")
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(60)
    try:
        copy = consolidate(plan, "2019-01", folder / "monthly", today=TODAY)
        run = make_packs(plan, "2019-01", folder / "packs", today=TODAY)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    copied = read_copy(copy.path).actions
    assert [(a.ref, a.action, a.rag) for a in copied] == [(r, w, shown(g, features)) for r, w, _, _, _, g in ACTIONS]
    packed = {pack.body: sorted(a.ref for a in pack.actions) for pack in run.packs}
    assert packed == {body: sorted(r for r, _, _, b, _, _ in ACTIONS if b == body) for body in BODIES}
    assert run.unassigned == []


@pytest.mark.parametrize("period, month, column, why", [
    ("months", "2018-06", "H", "the month of the copy, June 2018"),  # Apr is F: June is H
    ("months", "2019-02", "P", "the month of the copy, February 2019"),
    ("quarters", "2018-11", "H", "the quarter of the copy's month, November 2018"),  # Q3: RAG Q1 is F
    ("quarters", "2019-03", "I", "(April to June is Q1)"),
])
def test_the_month_given_reads_its_own_period(period, month, column, why, tmp_path):
    """The copy's month, when the officer gives it, picks the period; an empty one is read as
    empty (not rated), never a guess from another period."""
    features = Features(period=period, filled=2)
    written = write(features, tmp_path / "plan.xlsx")
    plan = load_plan(tmp_path / "plan.xlsx", month=month)
    header = written.first_row - 1
    notes = {f.cell: f.message for f in plan.findings if f.severity == "note"}
    assert why in notes[f"{column}{header}"]
    assert {a.cell("rag") for a in plan.actions} == {f"{column}{row}" for row in range(written.first_row, written.first_row + 5)}
    filled = {"months": ["F", "G"], "quarters": ["F", "G"]}[period]
    expected = [g if column == filled[-1] else None for *_, g in ACTIONS] if column in filled else [None] * 5
    assert [a.rag for a in plan.actions] == expected


def test_a_month_with_no_column_reads_the_latest_period_and_says_so(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Ref", "Action", "Lead officer", "Governance", "Deadline", "RAG Apr 2018", "RAG May 2018",
                        "RAG Jun 2018", "Progress"])
    book.active.append(["1.1", "Survey children", "Jo Bloggs", BODIES[0], datetime(2019, 3, 31), "Red", "Amber", None, "x"])
    book.active.append(["1.2", "Publish the survey", "Sam Smith", BODIES[1], datetime(2019, 6, 30), "Red", None, None, "y"])
    book.save(tmp_path / "plan.xlsx")
    plan = load_plan(tmp_path / "plan.xlsx", month="2018-09")
    assert [a.rag for a in plan.actions] == ["Amber", None]  # May 2018: the latest with an entry
    notes = {f.cell: f.message for f in plan.findings if f.severity == "note"}
    assert "no column is September 2018's, so this is the latest period with any entry" in notes["G1"]
    plan = load_plan(tmp_path / "plan.xlsx", month="2018-06")
    assert [a.rag for a in plan.actions] == [None, None]  # June's column, empty: not rated


def test_consolidate_reads_the_month_given_and_otherwise_the_latest_period(tmp_path):
    from click.testing import CliRunner

    from plantools.cli import main
    from plantools.copy.earlier import read_copy

    write(Features(period="months", filled=3), tmp_path / "plan.xlsx")
    for args, month, rags in ([["--month", "2018-05"], "2018-05", ["Amber" if g != "Amber" else "Green" for *_, g in ACTIONS]],
                              [["--month", "2018-06"], "2018-06", [g for *_, g in ACTIONS]],
                              [["--month", "2018-07"], "2018-07", [None] * 5]):
        result = CliRunner().invoke(main, ["consolidate", str(tmp_path / "plan.xlsx"), *args, "--out", str(tmp_path / "out"),
                                           "--today", "2019-01-15"])
        assert result.exit_code == 0, result.output
        copy = read_copy(tmp_path / "out" / f"plan {month}.xlsx")
        assert [a.rag for a in copy.actions] == rags
    plan = load_plan(tmp_path / "plan.xlsx")  # no month: the latest period with an entry, June
    assert [a.rag for a in plan.actions] == [g for *_, g in ACTIONS]


def test_a_table_with_the_rag_first_and_deadlines_in_words_is_no_key(tmp_path):
    """Rows that begin with a status word are a key only when nothing else says they are
    actions: here each has its action typed beside it."""
    book = openpyxl.Workbook()
    book.active.append(["RAG", "Action", "Lead officer", "Governance", "Deadline"])
    for ref, what, owner, body, due, rag in ACTIONS:
        book.active.append([rag, what, owner, body, f"{due:%B %Y}"])
    book.save(tmp_path / "plan.xlsx")
    plan, _ = read(tmp_path / "plan.xlsx")
    assert [(a.action, a.rag) for a in plan.actions] == [(w, g) for _, w, _, _, _, g in ACTIONS]


@pytest.mark.parametrize("rule, colour, said", [
    (CellIsRule(operator="equal", formula=['"On hold"']), "FF7030A0", "#7030A0 when F2 is 'On hold', which is no RAG colour"),
    (CellIsRule(operator="notEqual", formula=['"On hold"']), "FFFF0000", None),
    (FormulaRule(formula=['"on hold"=$G2']), "FFFFC000", "Amber"),
    (FormulaRule(formula=['$G$2<>"Finished"']), "FF00B050", "Green"),
    (CellIsRule(operator="greaterThan", formula=["3"]), "FFFF0000", "cannot read (cellIs greaterThan 3)"),
    (Rule(type="containsText", operator="containsText", text="hold", formula=['NOT(ISERROR(SEARCH("hold",F2)))']),
     "FFFF0000", "Red"),
    (Rule(type="notContainsText", operator="notContains", text="hold", formula=['ISERROR(SEARCH("hold",F2))']),
     "FFFF0000", None),
    (Rule(type="beginsWith", operator="beginsWith", text="ON", formula=['LEFT(F2,2)="ON"']), "FF00B050", "Green"),
    (Rule(type="notContainsBlanks", formula=["LEN(TRIM(F2))>0"]), "FFFFC000", "Amber"),
    (Rule(type="duplicateValues"), "FFFF0000", "cannot read (duplicateValues)"),
])
def test_each_kind_of_rule_colouring_an_unrated_rag_cell(rule, colour, said, tmp_path):
    """A plain comparison with a word is worked out as Excel does (ignoring case, either way
    round, relative or fixed); a colour that is no status, or any other rule, is a warning."""
    book = openpyxl.Workbook()
    book.active.append(["Ref", "Action", "Lead officer", "Governance", "Deadline", "RAG", "Position"])
    book.active.append(["1.1", "Survey children", "Jo Bloggs", BODIES[0], datetime(2019, 3, 31), "On hold", "On Hold"])
    rule.dxf = openpyxl.styles.differential.DifferentialStyle(fill=PatternFill("solid", bgColor=colour))
    book.active.conditional_formatting.add("F2:F20", rule)
    book.save(tmp_path / "plan.xlsx")
    plan, findings = read(tmp_path / "plan.xlsx")
    at_cell = [f for f in findings if f.cell == "F2" and f.field == "rag" and f.severity != "error"]
    if said in rag_statuses():
        assert plan.actions[0].rag == said and [f.severity for f in at_cell] == ["note"]
    elif said is None:
        assert plan.actions[0].rag is None and at_cell == []  # the rule does not hold: nothing shows
    else:
        assert plan.actions[0].rag is None and [f.severity for f in at_cell] == ["warning"]
        assert said in at_cell[0].message


def rag_statuses() -> tuple[str, ...]:
    from plantools.plan.rag import STATUSES

    return STATUSES


def test_the_latest_period_is_the_plans_not_each_sheets(tmp_path):
    """A sheet one quarter behind the others is read as not rated this quarter, not as last
    quarter's RAG: the latest period with any entry is the plan's."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, filled in (("Priority 1", 3), ("Priority 2", 2)):
        sheet = book.create_sheet(name)
        sheet.append(["Ref", "Action", "Lead officer", "Governance", "Deadline",
                      *[f"RAG Q{q}" for q in range(1, 5)], *[f"Update Q{q}" for q in range(1, 5)]])
        rags, updates = ["Green"] * filled + [None] * (4 - filled), [f"Q{q}" for q in range(1, filled + 1)]
        sheet.append([name[-1] + ".1", "Survey children", "Jo Bloggs", BODIES[0], datetime(2019, 3, 31),
                      *rags, *updates, *[None] * (4 - filled)])
    book.save(tmp_path / "plan.xlsx")
    plan, findings = read(tmp_path / "plan.xlsx")
    assert [(a.sheet, a.rag, a.progress) for a in plan.actions] == [("Priority 1", "Green", "Q3"), ("Priority 2", None, "")]
    assert all("in the plan" in f.message for f in findings if f.cell in ("H1", "L1"))


@pytest.mark.parametrize("name", ["Sheet1", "Board view", "Plan 2018-19 (1)"])
def test_a_summary_under_any_name_is_left_out_beside_the_plan(name, tmp_path):
    """A plan on a page (Priority | Objective | Lead | RAG) names no action and no deadline:
    beside a plan it is left out, said at its A1."""
    book = openpyxl.Workbook()
    book.active.title = name
    book.active.append(["Priority", "Objective", "Lead", "Overall RAG"])
    book.active.append(["1. Voice", "Hear children", "Jo Bloggs", "Green"])
    book.active.append(["2. Front door", "A safe front door", "Ann Lee", "Amber"])
    plan_sheet = book.create_sheet("Actions")
    plan_sheet.append(["Ref", "Action", "Lead officer", "Governance", "Deadline", "RAG"])
    plan_sheet.append(["1.1", "Survey children in care", "Jo Bloggs", BODIES[0], datetime(2019, 3, 31), "Green"])
    book.save(tmp_path / "plan.xlsx")
    plan, findings = read(tmp_path / "plan.xlsx")
    assert plan.plan_sheets == ["Actions"] and [a.action for a in plan.actions] == ["Survey children in care"]
    assert any(f.sheet == name and f.cell == "A1" and "no action and no deadline" in f.message for f in findings)


@pytest.mark.parametrize("key", ["Key: Green = on schedule; Amber = some slippage; Red = significant delay",
                                 "RAG key: Green - on schedule, Amber - some slippage, Red - significant delay",
                                 "Green = on schedule; Amber = some slippage; Red = significant delay"])
def test_a_key_in_one_cell_gives_every_status_its_words(key, tmp_path):
    """The first status after "Key:" is read too (it was taken for a status named "Key")."""
    book = openpyxl.Workbook()
    book.active.append([key])
    book.active.append(["Ref", "Action", "Lead officer", "Governance", "Deadline", "RAG", "Progress"])
    for ref, rag in (("1.1", "On schedule"), ("1.2", "Some slippage"), ("1.3", "Significant delay")):
        book.active.append([ref, "Survey children", "Jo Bloggs", BODIES[0], datetime(2019, 3, 31), rag, "Why"])
    book.save(tmp_path / "plan.xlsx")
    plan, findings = read(tmp_path / "plan.xlsx")
    assert [a.rag for a in plan.actions] == ["Green", "Amber", "Red"]


QUARTER_MONTHS = ["Apr-Jun", "Jul-Sep", "Oct-Dec", "Jan-Mar"]
PERIOD_HEADERS = {
    "RAG May": [f"RAG {m}" for m in MONTHS],
    "May RAG": [f"{m} RAG" for m in MONTHS],
    "RAG May-18": [f"RAG {m}-{18 if i < 9 else 19}" for i, m in enumerate(MONTHS)],
    "dates under RAG": [datetime(2018 + (i >= 9), (i + 3) % 12 + 1, 1) for i in range(12)],
    "RAG Q2": [f"RAG Q{q}" for q in range(1, 5)],
    "Q2 RAG": [f"Q{q} RAG" for q in range(1, 5)],
    "Quarter 2 RAG": [f"Quarter {q} RAG" for q in range(1, 5)],
    "Qtr 2 RAG": [f"Qtr {q} RAG" for q in range(1, 5)],
    "RAG Q2 (Jul-Sep)": [f"RAG Q{q} ({QUARTER_MONTHS[q - 1]})" for q in range(1, 5)],
}


@pytest.mark.parametrize("style", list(PERIOD_HEADERS))
@pytest.mark.parametrize("month, read", [(None, "Green"), ("2018-04", "Red"), ("2018-11", None)])
def test_each_way_of_heading_periods_reads_the_period_it_should(style, month, read, tmp_path):
    """Filled for two periods (Red, then Green): the latest is read, or the month given's
    own period (April: the first month, or the first quarter; November: an empty one)."""
    labels = PERIOD_HEADERS[style]
    book = openpyxl.Workbook()
    sheet = book.active
    if isinstance(labels[0], datetime):  # "RAG" merged over a row of dates shown as months
        sheet.append(["Ref", "Action", "Lead officer", "Governance", "Deadline", "RAG", *[None] * 11, "Progress"])
        sheet.append([None] * 5 + labels + [None])
        for merge in ("F1:Q1", "A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:E2", "R1:R2"):
            sheet.merge_cells(merge)
    else:
        sheet.append(["Ref", "Action", "Lead officer", "Governance", "Deadline", *labels, "Progress"])
    sheet.append(["1.1", "Survey", "Jo Bloggs", BODIES[0], datetime(2019, 3, 31), "Red", "Green",
                  *[None] * (len(labels) - 2), "Why"])
    book.save(tmp_path / "plan.xlsx")
    plan = load_plan(tmp_path / "plan.xlsx", month=month)
    assert plan.actions[0].rag == read
    note = next(f.message for f in plan.findings if f.message.startswith("rag read from column"))
    assert "a column for each period" in note


def test_a_cell_coloured_by_an_excel_2010_rule_is_said_not_skipped(tmp_path):
    """Excel 2010+ keeps some rules in the sheet's extension list, their format inline: the
    reader does not work them out, and says so at each RAG cell they colour."""
    import zipfile

    book = openpyxl.Workbook()
    book.active.append(["Ref", "Action", "Lead officer", "Governance", "Deadline", "RAG"])
    book.active.append(["1.1", "Survey children", "Jo Bloggs", BODIES[0], datetime(2019, 3, 31), None])
    book.save(tmp_path / "plain.xlsx")
    extension = (
        '<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" '
        'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        '<x14:conditionalFormattings><x14:conditionalFormatting '
        'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
        '<x14:cfRule type="expression" priority="1" id="{00000000-0000-0000-0000-000000000001}">'
        '<xm:f>Lists!$A$1="Green"</xm:f><x14:dxf><fill><patternFill><bgColor rgb="FF00B050"/></patternFill></fill>'
        '</x14:dxf></x14:cfRule><xm:sqref>F2:F10</xm:sqref></x14:conditionalFormatting>'
        '</x14:conditionalFormattings></ext></extLst>')
    with zipfile.ZipFile(tmp_path / "plain.xlsx") as source, zipfile.ZipFile(tmp_path / "plan.xlsx", "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", extension.encode() + b"</worksheet>")
            target.writestr(item, data)
    plan, findings = read(tmp_path / "plan.xlsx")
    assert plan.actions[0].rag is None
    assert [f.severity for f in findings if f.cell == "F2" and "cannot read (x14 expression" in f.message] == ["warning"]
