"""The monthly consolidated copy, written, read back, and opened in LibreOffice."""

import csv
import re
from datetime import date

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import BUNDLED_2018, digest, simple_plan, soffice_convert

from plantools import load_plan
from plantools.cli import main
from plantools.copy.earlier import read_copy
from plantools.jobs import consolidate
from plantools.paper.printed import CALIBRI, ROW_PADDING

BODIES = [("Policy Sub-Group", "Policy", "policy@example.org"), ("QA Sub-Group", "QA", "qa@example.org")]
OCTOBER = [
    ["1.1", "Partnership agreement", "Draft the agreement", "Jo Bloggs", "Policy", "January 2019", "Green",
     "Draft circulated"],
    ["1.2", "Neglect", "Re-audit neglect cases", "Sam Smith", "QA", "March 2019", "Amber", "Audit tool late"],
    [None, None, "Feed back practice lessons", "Kim Lee", "QA", "April 2019", "Green", "Planned"],
    [None, None, "Adopt practice tools", "Al Jones", "Policy", "May 2019", "", ""],
    ["2.1", "Think Family", "Approve the DVA strategy", "Policy Sub-Group", "Policy", "Ongoing", "Green", "On track"],
]


def november_rows():
    """October's plan after a month of editing in Excel: a RAG move (1.1 Green to Amber),
    a deadline moved (1.2a), an action inserted in the middle of 1.2, an owner replaced on
    "Feed back practice lessons", and "Adopt practice tools" removed."""
    rows = [list(r) for r in OCTOBER]
    rows[0][6] = "Amber"
    rows[1][5] = "June 2019"
    rows[2][3] = "Pat Green"
    inserted = [None, None, "Run a neglect workshop", "Chris Day", "QA", "February 2019", "", ""]
    return [rows[0], rows[1], inserted, rows[2], rows[4]]


def log_rows(path):
    sheet = openpyxl.load_workbook(path)["Change log"]
    rows = [tuple(c if c is not None else "" for c in row) for row in sheet.iter_rows(min_row=4, values_only=True)]
    return rows[0], rows[1:]


def test_two_months_log_exactly_what_changed(tmp_path):
    shared = tmp_path / "Shared drive" / "Business Plan.xlsx"
    shared.parent.mkdir()
    out = tmp_path / "Shared drive" / "monthly"
    simple_plan(shared, OCTOBER, BODIES)
    first = consolidate(load_plan(shared), "2018-10", out, today=date(2018, 10, 31))
    header, rows = log_rows(first.path)
    assert header == ("Month", "Ref", "Field", "Old", "New", "Change", "Returned by", "Action", "Action key")
    assert rows == []
    note = openpyxl.load_workbook(first.path)["Change log"]["A2"].value
    assert note == "No earlier consolidated copy in this folder to compare with: this is the first month."

    simple_plan(shared, november_rows(), BODIES)
    second = consolidate(load_plan(shared), "2018-11", out, today=date(2018, 11, 30))
    _, rows = log_rows(second.path)
    assert sorted(row[:6] for row in rows) == sorted([
        ("November 2018", "1.1", "RAG", "Green", "Amber", "changed"),
        ("November 2018", "1.2a", "When?", "March 2019", "June 2019", "changed"),
        # inserted above "Feed back ...": a letter of its own, never one used last month
        ("November 2018", "1.2d", "", "", "Run a neglect workshop", "added"),
        ("November 2018", "1.2b", "Who (owner)", "Kim Lee", "Pat Green", "changed"),  # keeps its letter
        ("November 2018", "1.2c", "", "Adopt practice tools", "", "removed"),
    ])
    keys = {row[7]: row[8] for row in rows}
    assert keys["Feed back practice lessons"] == "1.2b@2018-10"
    assert keys["Adopt practice tools"] == "1.2c@2018-10"
    assert keys["Run a neglect workshop"] == "1.2d@2018-11"
    assert second.previous_month == "2018-10"


def test_log_is_cumulative_and_slips_are_counted(tmp_path):
    shared = simple_plan(tmp_path / "plan.xlsx", OCTOBER, BODIES)
    out = tmp_path / "monthly"
    consolidate(load_plan(shared), "2018-10", out, today=date(2018, 10, 31))
    rows = november_rows()
    simple_plan(shared, rows, BODIES)
    consolidate(load_plan(shared), "2018-11", out, today=date(2018, 11, 30))
    rows[1][5] = "September 2019"  # 1.2a slips a second time
    simple_plan(shared, rows, BODIES)
    third = consolidate(load_plan(shared), "2018-12", out, today=date(2018, 12, 31))
    _, log = log_rows(third.path)
    assert [row[0] for row in log] == ["December 2018"] + ["November 2018"] * 5  # this month first, then history
    book = openpyxl.load_workbook(third.path)
    reasons = {row[0]: row[1] for row in book["Exceptions"].iter_rows(min_row=5, values_only=True)}
    assert "Deadline slipped (twice)" in reasons["1.2a"]
    assert reasons["1.1"].splitlines()[0] == "Amber"
    months = ("October 2018", "November 2018", "December 2018")
    trend = [row for row in book["Summary"].iter_rows(values_only=True) if row[0] in months]
    assert [(row[0], row[2], row[6]) for row in trend] == [(months[0], 1, 5), (months[1], 2, 5), (months[2], 2, 5)]


def test_renumbered_objective_is_the_same_action(tmp_path):
    shared = simple_plan(tmp_path / "plan.xlsx", OCTOBER, BODIES)
    out = tmp_path / "monthly"
    consolidate(load_plan(shared), "2018-10", out)
    renumbered = [list(r) for r in OCTOBER]
    renumbered[4][0] = "3.1"
    simple_plan(shared, renumbered, BODIES)
    second = consolidate(load_plan(shared), "2018-11", out)
    _, rows = log_rows(second.path)
    assert [row[:6] for row in rows] == [("November 2018", "3.1", "Ref", "2.1", "3.1", "changed")]


def test_rag_got_worse_and_no_new_note_on_an_amber_action(tmp_path):
    shared = simple_plan(tmp_path / "plan.xlsx", OCTOBER, BODIES)
    out = tmp_path / "monthly"
    consolidate(load_plan(shared), "2018-10", out)
    rows = [list(r) for r in OCTOBER]
    rows[0][6], rows[0][7] = "Red", "Chair has left"
    simple_plan(shared, rows, BODIES)
    result = consolidate(load_plan(shared), "2018-11", out, today=date(2018, 11, 30))
    reasons = {e.action.ref: e.reasons for e in result.exceptions}
    assert reasons["1.1"] == ["Red", "RAG worse (Green to Red)"]
    assert reasons["1.2a"] == ["Amber", "No new progress note since October 2018"]
    assert "1.2b" not in reasons  # Green, on time, its note a month old: nothing to discuss
    assert list(reasons)[0] == "1.1"  # Red first


def test_copy_sheets_formats_and_text_kept_as_text(tmp_path):
    shared = simple_plan(tmp_path / "plan.xlsx", OCTOBER, BODIES)
    staff = openpyxl.load_workbook(shared)
    typed = ['=HYPERLINK("http://example.org","x")', "+44 20 7946 0000", "@SUM(A1:A2)", "-"]
    for row, text in enumerate(typed, start=4):  # typed in Excel as text ('=...), as staff do
        cell = staff["Plan"].cell(row, 8)
        cell.value, cell.data_type = text, "s"
    staff.save(shared)
    before = digest(shared)
    result = consolidate(load_plan(shared), "2018-11", tmp_path / "monthly", today=date(2019, 2, 1))
    assert digest(shared) == before  # the shared workbook is only read
    book = openpyxl.load_workbook(result.path)
    assert book.sheetnames == ["Highlights", "Plan", "Summary", "Exceptions", "Change log", "Completeness", "Key"]
    plan = book["Plan"]
    header = [c.value for c in plan[4]]
    # printed: what the board reads; then the helper columns, every other field kept
    assert header[:8] == ["Ref", "Objectives", "Action", "Who (owner)", "Governance oversight", "When?", "RAG",
                          "Progress update"]
    assert plan.print_area == "'Plan'!$A$1:$H$9"
    assert {"Objective", "Objective description", "Priority", "Source cell", "Action key"} <= set(header[8:])
    objectives = header.index("Objectives") + 1
    assert [plan.cell(r, objectives).value for r in range(5, 10)] == [
        "Partnership agreement", "Neglect", None, None, "Think Family"]  # once, on its first action
    progress = header.index("Progress update") + 1
    cells = [plan.cell(row, progress) for row in range(5, 10)]
    assert [(c.value, c.data_type) for c in cells[:4]] == [
        ('=HYPERLINK("http://example.org","x")', "s"), ("+44 20 7946 0000", "s"), ("@SUM(A1:A2)", "s"), ("-", "s")]
    rag_col = openpyxl.utils.get_column_letter(header.index("RAG") + 1)
    rules = {rule.text: rule.dxf.fill.bgColor.rgb for cf in plan.conditional_formatting for rule in cf.rules
             if str(cf.sqref).startswith(f"{rag_col}5")}
    assert rules == {"Red": "FFFF0000", "Amber": "FFFFC000", "Green": "FF00B050", "Complete": "FF0070C0"}
    validation = plan.data_validations.dataValidation[0]
    assert validation.formula1 == '"Red,Amber,Green,Complete"' and str(validation.sqref).startswith(rag_col)
    assert plan.freeze_panes == "B5" and plan.auto_filter.ref.startswith("A4:")
    assert plan.page_setup.orientation == "landscape" and plan.print_title_rows == "$4:$4"
    overdue = header.index("Overdue") + 1
    assert [plan.cell(r, overdue).value for r in range(5, 10)] == ["Overdue", None, None, None, None]
    assert book["Completeness"]["A5"].value in ("error", "warning", "note")
    assert [p.name for p in result.path.parent.iterdir()] == [result.path.name]  # no stray temp files


def test_existing_copy_is_kept_unless_forced(tmp_path):
    shared = simple_plan(tmp_path / "plan.xlsx", OCTOBER, BODIES)
    runner = CliRunner()
    args = ["consolidate", str(shared), "--month", "2018-11", "--out", str(tmp_path / "out")]
    assert runner.invoke(main, args).exit_code == 0
    copy = tmp_path / "out" / "plan 2018-11.xlsx"
    before = digest(copy)
    again = runner.invoke(main, args)
    assert again.exit_code == 2 and "already exists" in again.output and "--force" in again.output
    assert digest(copy) == before
    assert runner.invoke(main, args + ["--force"]).exit_code == 0
    bad = runner.invoke(main, ["consolidate", str(shared), "--month", "November"])
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output


def test_cli_prints_a_short_summary(tmp_path):
    result = CliRunner().invoke(main, ["consolidate", str(BUNDLED_2018), "--month", "2018-11",
                                       "--out", str(tmp_path / "monthly copies")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].split() == ["--------", "-----------------", "----", "----------", "-------"]  # check's table
    assert [re.split(r"\s{2,}", line)[:2] for line in lines[2:5]] == [
        ["error", "Business Plan!F12"], ["error", "Business Plan!G20"], ["error", "Business Plan!G21"]]
    assert lines[5].startswith("wrote ") and lines[5].endswith("MSCB Business Plan 2018-19 2018-11.xlsx")
    assert lines[6] == "17 actions: 0 Red, 0 Amber, 0 Green, 0 Complete, 17 not yet rated"
    assert lines[7] == "3 errors (listed above: fix them in the workbook), 4 warnings (see the Completeness sheet)"
    assert lines[-1] == "no earlier consolidated copy to compare with: this is the first month"


def test_libreoffice_opens_the_copy_and_shows_it(tmp_path):
    shared = simple_plan(tmp_path / "plan.xlsx", OCTOBER, BODIES)
    result = consolidate(load_plan(shared), "2018-11", tmp_path / "monthly copy", today=date(2019, 2, 1))
    pdf = soffice_convert(result.path, "pdf", tmp_path)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page(?!s)", data)) >= 6  # a page a sheet
    # the Plan sheet, saved "as shown" (comma, quote, UTF-8): what a person sees in LibreOffice
    soffice_convert(result.path, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,2",
                    tmp_path)
    shown = tmp_path / f"{result.path.stem}-Plan.csv"
    rows = list(csv.reader(shown.open(encoding="utf-8", errors="replace")))
    table = rows[rows.index(next(r for r in rows if r and r[0] == "Ref")):]
    assert [r[0] for r in table[1:6]] == ["1.1", "1.2a", "1.2b", "1.2c", "2.1"]
    assert table[1][table[0].index("Due date")] == "31 Jan 2019"
    assert table[1][table[0].index("Overdue")] == "Overdue"


def test_rows_are_as_tall_as_their_printed_text_needs(tmp_path):
    """LibreOffice does not grow rows to fit wrapped text when it opens a file, so the copy
    sets each row's height from the lines of its printed cells (plantools/printed.py: a line of
    9 pt Calibri is 11 pt):
    lines typed with Alt+Enter counted once, text only in helper columns not at all."""
    rows = [list(r) for r in OCTOBER]
    rows[0][7] = "Draft circulated to all partners for comment; " * 9  # about 420 characters
    rows[1][7] = "Audit tool late\nNew date agreed\nReport to QA in May"
    rows[1][1] = "Neglect " * 40  # printed on 1.2a, its objective's first action; a helper on 1.2b
    simple_plan(tmp_path / "Plan.xlsx", rows, BODIES)
    copy = consolidate(load_plan(tmp_path / "Plan.xlsx"), "2018-10", tmp_path / "m", today=date(2018, 10, 31))
    sheet = openpyxl.load_workbook(copy.path)["Plan"]
    line = CALIBRI.line * 9
    lines = {sheet.cell(row, 1).value: ((sheet.row_dimensions[row].height or 15) - ROW_PADDING) / line  # 15: the default
             for row in range(5, 5 + len(rows))}
    assert 9 <= lines["1.1"] <= 16  # 420 characters, 30 to 45 to a line
    assert lines["1.2a"] >= 14  # the objective, 320 characters, about 18 to a line
    assert lines["1.2b"] <= 2  # the same objective, not printed again: only its own short texts count
    rows[1][1] = "Neglect"
    simple_plan(tmp_path / "Plan.xlsx", rows, BODIES)
    copy = consolidate(load_plan(tmp_path / "Plan.xlsx"), "2018-11", tmp_path / "m", today=date(2018, 10, 31))
    sheet = openpyxl.load_workbook(copy.path)["Plan"]
    assert sheet.row_dimensions[6].height == pytest.approx(3 * line + ROW_PADDING, abs=0.75)  # 3 lines typed (Alt+Enter); whole pixels


def _months_unchanged(tmp_path, months, **options):
    shared = simple_plan(tmp_path / "plan.xlsx", OCTOBER, BODIES)
    out = tmp_path / "monthly"
    return [consolidate(load_plan(shared), month, out, today=date(2018, 10, 31), **options) for month in months]


def test_an_unchanged_green_action_is_no_exception_until_its_note_is_three_months_old(tmp_path):
    october, november, december, january = _months_unchanged(tmp_path, ["2018-10", "2018-11", "2018-12", "2019-01"])
    for result in (november, december):
        reasons = {e.action.ref: e.reasons for e in result.exceptions}
        assert reasons == {"1.2a": ["Amber", f"No new progress note since {'October' if result is november else 'November'} 2018"]}
    reasons = {e.action.ref: e.reasons for e in january.exceptions}
    assert reasons["1.1"] == ["No update for 3 months (since October 2018)"]  # Green, its note unchanged
    assert reasons["1.2a"] == ["Amber", "No update for 3 months (since October 2018)"]
    assert "1.2c" in reasons and "2.1" in reasons


def test_stale_months_is_an_option(tmp_path):
    *_, december = _months_unchanged(tmp_path, ["2018-10", "2018-11", "2018-12"], stale_months=2)
    reasons = {e.action.ref: e.reasons for e in december.exceptions}
    assert reasons["1.1"] == ["No update for 2 months (since October 2018)"]


def test_missing_owner_deadline_and_governance_are_exceptions_with_days_overdue(tmp_path):
    rows = [list(r) for r in OCTOBER]
    rows[0][3] = None  # no owner
    rows[2][5] = None  # no deadline
    rows[3][4] = None  # no governance body
    rows[4][5] = "September 2018"  # overdue by the end of October
    simple_plan(tmp_path / "plan.xlsx", rows, BODIES)
    result = consolidate(load_plan(tmp_path / "plan.xlsx"), "2018-10", tmp_path / "m", today=date(2018, 10, 31))
    reasons = {e.action.ref: e.reasons for e in result.exceptions}
    assert reasons["1.1"] == ["No owner"]
    assert reasons["1.2b"] == ["No deadline"]
    assert reasons["1.2c"] == ["No governance body"]
    assert reasons["2.1"] == ["Overdue by 31 days (due 30 Sep 2018)"]


def test_highlights_say_what_moved_and_what_is_missing(tmp_path):
    shared = simple_plan(tmp_path / "plan.xlsx", OCTOBER, BODIES)
    out = tmp_path / "monthly"
    consolidate(load_plan(shared), "2018-10", out, today=date(2018, 10, 31))
    rows = [list(r) for r in OCTOBER]
    rows[0][6] = "Red"  # 1.1a Green to Red
    rows[2][6] = "Complete"  # 1.2b done
    rows[4][5] = "September 2018"  # 2.1a overdue
    simple_plan(shared, rows, BODIES)
    consolidate(load_plan(shared), "2018-11", out, today=date(2018, 11, 30))
    rows[3][3] = None  # 1.2c loses its owner
    simple_plan(shared, rows, BODIES)
    december = consolidate(load_plan(shared), "2018-12", out, today=date(2018, 12, 31))
    sheet = openpyxl.load_workbook(december.path)["Highlights"]
    cells = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    lines = [" ".join(str(c) for c in row) for row in cells if row]
    assert lines[0] == "Highlights – December 2018"
    assert "Red 1 1 +0" in lines and "Green 1 1 +0" in lines and "Complete 1 1 +0" in lines
    assert "New Reds: none" in lines and "Completed this month: none" in lines  # that was November
    assert "Overdue: 1" in lines and "2.1 92 days overdue (due 30 Sep 2018): Approve the DVA strategy" in lines
    assert "Red for two months or more: 1" in lines and "1.1 Red for 2 months: Draft the agreement" in lines
    assert "Gaps in completeness: 1" in lines and "No owner: 1 (1.2c)" in lines


def test_columns_the_reader_does_not_know_print_after_the_known_ones_and_read_back(tmp_path):
    simple_plan(tmp_path / "plan.xlsx", OCTOBER, BODIES)
    plan = load_plan(tmp_path / "plan.xlsx")
    plan.extra_columns = ["Budget", "Risk ref"]  # as the reader gives them: header -> cell text
    for number, action in enumerate(plan.actions):
        action.extra = {"Budget": f"£{number}k", "Risk ref": ""}
    result = consolidate(plan, "2018-10", tmp_path / "m", today=date(2018, 10, 31))
    sheet = openpyxl.load_workbook(result.path)["Plan"]
    header = [c.value for c in sheet[4]]
    assert header[:9] == ["Ref", "Objectives", "Action", "Who (owner)", "Governance oversight", "When?", "RAG",
                          "Progress update", "Budget"]
    assert sheet.print_area == "'Plan'!$A$1:$I$9"  # "Risk ref", empty on every row, is not printed
    assert "Risk ref" in header[9:]
    assert [sheet.cell(row, 9).value for row in range(5, 10)] == ["£0k", "£1k", "£2k", "£3k", "£4k"]
    again = read_copy(result.path)
    assert [a.extra["Budget"] for a in again.actions] == ["£0k", "£1k", "£2k", "£3k", "£4k"]


def test_a_copy_written_before_the_board_paper_layout_is_still_read(tmp_path):
    """Last month's copy may come from the version before this layout (months as 2019-06,
    no Highlights, other column order): tests/data holds one, the benchmark's reference as it
    was before issue 12."""
    import gzip
    import json

    from conftest import ROOT

    reference = json.loads(gzip.decompress((ROOT / "tests" / "data" / "copy-before-the-board-paper.json.gz").read_bytes()))
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in reference["copy"].items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(tmp_path / "Generated 2019-06.xlsx")
    old = read_copy(tmp_path / "Generated 2019-06.xlsx")
    plan_rows = [r for r in reference["copy"]["Plan"][4:] if any(r)]
    assert len(old.actions) == len(plan_rows) == 400
    assert (old.actions[0].ref, old.actions[0].objective_ref, old.actions[0].key) == ("1.1a", "1.1", "1.1a@2019-05")
    assert old.actions[0].objective == plan_rows[0][2] and old.actions[0].extra == {}
    assert {c.month for c in old.log} == {"2019-06"} and len(old.log) == 113
    assert [row[0] for row in old.trend] == ["2019-05", "2019-06"]


def test_each_action_s_source_cell_is_on_its_own_row(tmp_path):
    """Actions lettered under one merged ref (2.1b, 2.1c, 2.1d) each point at their own row of
    the shared workbook, where check's findings point too."""
    plan = load_plan(BUNDLED_2018)
    result = consolidate(plan, "2018-11", tmp_path)
    sheet = openpyxl.load_workbook(result.path)["Plan"]
    header = next(row for row in sheet.iter_rows() if any(c.value == "Source cell" for c in row))
    columns = {c.value: c.column for c in header}
    said = {sheet.cell(r, columns["Ref"]).value: sheet.cell(r, columns["Source cell"]).value
            for r in range(header[0].row + 1, sheet.max_row + 1) if sheet.cell(r, columns["Ref"]).value}
    assert len(set(said.values())) == len(said) == len(plan.actions)
    for action in plan.actions:
        assert said[action.ref] == f"{action.sheet}!{re.match('[A-Z]+', action.cell('ref')).group()}{action.row}"


def test_a_finding_names_the_action_by_the_ref_the_copy_gives_it(tmp_path):
    """An action inserted among lettered ones takes a letter not used last month (1.2d), though
    it is read as the second under 1.2 (1.2b, the letter 'Feed back practice lessons' keeps): the
    Completeness sheet's finding about it says 1.2d, as the Plan sheet does, never the ref
    another action has in the copy. (The checks once ran before the refs were settled.)"""
    shared = simple_plan(tmp_path / "plan.xlsx", OCTOBER, BODIES)
    out = tmp_path / "monthly"
    consolidate(load_plan(shared), "2018-10", out, today=date(2018, 10, 31))
    rows = november_rows()
    rows[2][6] = "Red"  # inserted with no progress note saying why: a finding at its row
    simple_plan(shared, rows, BODIES)
    second = consolidate(load_plan(shared), "2018-11", out, today=date(2018, 11, 30))
    book = openpyxl.load_workbook(second.path)
    refs = {row[2]: row[0] for row in book["Plan"].iter_rows(values_only=True) if row[2]}
    assert refs["Run a neglect workshop"] == "1.2d" and refs["Feed back practice lessons"] == "1.2b"
    found = [row for row in book["Completeness"].iter_rows(values_only=True) if row[2] == "H6"]
    assert [(row[3], row[4]) for row in found] == [("1.2d", "progress")], found


def test_last_months_copy_is_found_whatever_capitals_the_workbook_is_renamed_in(tmp_path):
    """Windows finds a file in any capitals: a workbook renamed from 'plan.xlsx' to 'PLAN.xlsx'
    between months is compared with last month's copy, 'plan 2018-10.xlsx' (not taken for a
    first month, which would start every action's key and letter afresh)."""
    shared = simple_plan(tmp_path / "plan.xlsx", OCTOBER, BODIES)
    out = tmp_path / "monthly"
    consolidate(load_plan(shared), "2018-10", out)
    renamed = shared.rename(tmp_path / "PLAN.xlsx")
    second = consolidate(load_plan(renamed), "2018-11", out)
    assert second.earlier == out / "plan 2018-10.xlsx" and second.previous_month == "2018-10"
