"""Issue 17, part B: columns not for circulation, sub-groups by abbreviation, revised and
open-ended deadlines, .xls and .ods, and the layout the officer confirms. Each class is
tested across generated variants, on real workbooks written and read back, through `check`,
the board's copy and the packs where it matters."""

from __future__ import annotations

import contextlib
import signal
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_corpus import texts_in

from plantools import check, consolidate, load_plan, make_packs
from plantools.plan.deadlines import DATE, ONGOING, REVISED, STARTS_ONLY, UNREADABLE, parse_deadline
from plantools.report import layout_lines

TODAY = date(2019, 1, 15)
BODIES = [("Policy Sub-Group", "Policy", "policy@example.org"),
          ("Learning and Development Sub-Group", "", "ld@example.org")]
HEADER = ["Ref", "Action", "Owner", "Governance", "Deadline", "RAG", "Progress update"]


def _stop(signum, frame):
    raise TimeoutError("took more than the time limit: a loop that does not end?")


@contextlib.contextmanager
def time_limit(seconds: int):
    signal.signal(signal.SIGALRM, _stop)
    signal.alarm(seconds)  # a hang fails the example instead of the suite
    try:
        yield
    finally:
        signal.alarm(0)


def every_output(plan_path: Path, out: Path) -> tuple[list, list[Path]]:
    """check's findings, and every file the board's copy and the packs (workbooks and drafts)
    of the plan wrote."""
    with time_limit(60):
        plan = load_plan(plan_path)
        findings = check(plan, TODAY)
        consolidate(plan, "2019-01", out / "copy", today=TODAY)
        make_packs(load_plan(plan_path), "2019-01", out / "packs", today=TODAY)
    return findings, [p for p in out.rglob("*") if p.is_file()]


# 1. Columns not for circulation ------------------------------------------------------------

MARKS = ["Notes for Chair – not for circulation", "BSU use only", "Internal use only", "internal", "private",
         "confidential", "not for publication", "restricted", "Private notes", "Comments (CONFIDENTIAL)",
         "For Board use only", "OFFICIAL-SENSITIVE", "Do not share", "Notes - not to be circulated",
         "Internal comments", "Chair's notes (in confidence)"]


def _spell(text: str, case: str, breaks: bool) -> str:
    text = {"as typed": text, "upper": text.upper(), "lower": text.lower(), "title": text.title()}[case]
    return text.replace(" ", "\n", 1) if breaks else text


def write_marked(path: Path, mark: str, place: str, at: int) -> list[str]:
    """A plan with a column marked not for circulation at position `at`: as a header of its own
    ("own"), in a second header row under a merged "Updates" ("under"), or as a heading written
    above its header ("above"). Returns the secret texts its cells hold."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Plan"
    header = list(HEADER)
    second: list[object] = [None] * (len(header) + 1)
    above: list[object] = [None] * (len(header) + 1)
    if place == "own":
        header.insert(at, mark)
    elif place == "under":  # "Updates" merged over the progress column and the marked one
        at = 6 + at % 2
        header[6:] = ["Updates", None]
        second[at], second[13 - at] = mark, "Progress update"
    else:
        header.insert(at, "Chair's remarks")
        above[at] = mark
    rows = [["Partnership business plan 2018-19"], above, header] + ([second] if place == "under" else [])
    secrets = []
    for number in range(1, 4):
        row: list[object] = [f"1.{number}", f"Action {number} of the plan", "Head of Service",
                             BODIES[number % 2][0], "March 2019", "Green", f"On track {number}"]
        secret = f"Zqx secret remark {number} kept back"
        row.insert(at, secret)
        secrets.append(secret)
        rows.append(row)
    for row in rows:
        sheet.append(row)
    if place == "under":
        sheet.merge_cells(start_row=3, start_column=7, end_row=3, end_column=8)
    governance = book.create_sheet("Governance")
    for row in [["Governance body", "Also written as", "Email"], *BODIES]:
        governance.append(list(row))
    book.save(path)
    return secrets


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mark=st.sampled_from(MARKS), case=st.sampled_from(["as typed", "upper", "lower", "title"]),
       breaks=st.booleans(), place=st.sampled_from(["own", "under", "above"]), at=st.integers(1, 7))
def test_a_column_marked_not_for_circulation_never_leaves(tmp_path, mark, case, breaks, place, at):
    import uuid

    folder = tmp_path / uuid.uuid4().hex
    folder.mkdir()
    path = folder / "Business Plan.xlsx"
    secrets = write_marked(path, _spell(mark, case, breaks), place, at)
    plan = load_plan(path)
    assert [a.action for a in plan.actions] == [f"Action {n} of the plan" for n in (1, 2, 3)]
    assert [a.progress for a in plan.actions] == [f"On track {n}" for n in (1, 2, 3)]
    assert any("not for circulation" in f.message and f.field == "column" for f in plan.findings)
    findings, outputs = every_output(path, folder / "out")
    assert not [f for f in findings if f.severity == "error"], findings
    assert {p.suffix for p in outputs} >= {".xlsx", ".eml"}
    for output in outputs:
        text = texts_in(output)
        for secret in secrets:
            assert secret not in text, output.name


@given(words=st.sampled_from(["Progress update", "Comments", "Lead officer", "Confidence of delivery",
                              "Measures of success", "Partner agencies", "Notes"]))
def test_a_plain_header_is_not_taken_for_a_mark(words):
    from plantools.plan.columns import not_for_circulation

    assert not not_for_circulation(words)


# 4. .xls and .ods read through python-calamine; outputs stay .xlsx; never written into -------

def plan_for_other_formats(path: Path, variant: int) -> str:
    """The seed-like layout (two-row header, objectives merged down, a priority banner) with a
    hidden column holding a secret, a hidden action row, and, in variant 1, a second plan sheet
    whose name has spaces and a column marked "BSU use only". Returns the secret."""
    from conftest import SEED_LIKE_BODIES, SEED_LIKE_MERGES, SEED_LIKE_ROWS, make_workbook

    secret = "Zqx hidden column words"
    rows = [list(row) + [None] * (10 - len(row)) for row in SEED_LIKE_ROWS]
    rows[4][9] = "Chair's notes"
    for row in rows[7:]:
        if any(row):
            row[9] = secret
    sheets = {"Business Plan": rows}
    if variant:
        sheets["Plan part two"] = [["Second plan"], ["Ref", "Action", "Owner", "Governance", "When?", "RAG",
                                                     "BSU use only"],
                                   ["3.1", "Audit the front door", "Head of MASH", "MSCB", "March 2019", "Amber",
                                    secret]]
    path = make_workbook(path, sheets, {"Business Plan": SEED_LIKE_MERGES}, bodies=SEED_LIKE_BODIES)
    book = openpyxl.load_workbook(path)
    book["Business Plan"].column_dimensions["J"].hidden = True
    book["Business Plan"].row_dimensions[12].hidden = True
    book.save(path)
    return secret


def _read(plan) -> list[tuple]:
    return [(a.ref, a.action, a.owner, a.governance, a.deadline.text, a.deadline.due, a.rag, a.progress,
             a.sheet, a.row) for a in plan.actions]


@pytest.mark.parametrize("fmt", ["xls", "ods"])
@pytest.mark.parametrize("variant", [0, 1])
def test_an_xls_or_ods_reads_as_its_xlsx_does_and_the_outputs_are_xlsx(tmp_path, fmt, variant):
    from conftest import soffice_convert

    (tmp_path / "src").mkdir()
    source = tmp_path / "src" / "Business Plan 2018.xlsx"
    secret = plan_for_other_formats(source, variant)
    other = soffice_convert(source, fmt, tmp_path)
    plan = load_plan(other)
    assert _read(plan) == _read(load_plan(source)) and len(plan.actions) == 5 + variant
    assert any(f"({'.' + fmt})" in f.message and "not its conditional formats" in f.message for f in plan.findings)
    assert any("column J is hidden" in f.message for f in plan.findings)
    assert any("rows 12" in f.message for f in plan.findings)  # the hidden row, said
    _, outputs = every_output(other, tmp_path / "out")
    assert not [p for p in outputs if p.suffix.lower() in (".xls", ".ods")], outputs
    assert [p.suffix for p in (tmp_path / "out" / "copy").iterdir()] == [".xlsx"]  # the board's copy
    assert any(p.suffix == ".xlsx" for p in (tmp_path / "out" / "packs").iterdir())
    for output in outputs:
        assert secret not in texts_in(output), output.name


def _shared_plan_as(fmt: str, tmp_path):
    """The shared plan of these tests saved by LibreOffice as an .xls or .ods."""
    from conftest import soffice_convert

    (tmp_path / "src").mkdir()
    source = tmp_path / "src" / "Shared plan.xlsx"
    plan_for_other_formats(source, 0)
    return soffice_convert(source, fmt, tmp_path)


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_collect_into_or_format_an_xls_or_ods_is_refused_in_one_line(tmp_path, fmt):
    from click.testing import CliRunner
    from conftest import digest

    from plantools.cli import main

    other = _shared_plan_as(fmt, tmp_path)
    packs = make_packs(load_plan(other), "2019-01", tmp_path / "packs", today=TODAY)
    returned = next(p.workbook for p in packs.packs if p.workbook)
    before = digest(other)
    for args in (["collect", str(returned), "--into", str(other), "--yes"], ["format", str(other)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
        assert f"{other}: is an {'old Excel 97-2003 workbook (.xls)' if fmt == 'xls' else 'OpenDocument'}" in result.stderr
        assert "Excel Workbook (.xlsx) only" in result.stderr
        if args[0] == "collect":  # saving it as .xlsx is not enough: its packs return only into it
            assert "make the packs again from it" in result.stderr
    assert digest(other) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["src", other.name, "packs", "lo-profile"])


# 3. Deadlines read as written or flagged ------------------------------------------------------

OLD_FORMS = ["Dec 2018", "December 2018", "31/12/2018", "31st December 2018", "Q3 2018/19", "Dec '18"]
NEW_FORMS = {"March 2019": date(2019, 3, 31), "31/03/2019": date(2019, 3, 31), "31st March 2019": date(2019, 3, 31),
             "end of March 2019": date(2019, 3, 31), "Q4 2018/19": date(2019, 3, 31), "Mar 2019": date(2019, 3, 31),
             "May – June 2019": date(2019, 6, 30), "15 April 2019": date(2019, 4, 15)}
REVISIONS = ["Revised to", "revised to", "Revised:", "Extended to", "extended until", "Deferred to", "Postponed to",
             "Moved to", "New deadline:", "New date", "Revised deadline", "now", "Rescheduled to", "Slipped to",
             "pushed back to", "Amended to", "Revised date -"]
SEPARATORS = [". ", "; ", " - ", ", ", " ", "\n", " – "]
AFTERWARDS = ["", " by the Board on 10/12/18", " (agreed at Board 10.12.18)", " at the December Board",
              " as agreed by the Chair", ".", " following the audit"]
CASES = [str, str.upper, str.lower]


@settings(max_examples=400, deadline=None)
@given(old=st.sampled_from(OLD_FORMS), new=st.sampled_from(sorted(NEW_FORMS)), revision=st.sampled_from(REVISIONS),
       separator=st.sampled_from(SEPARATORS), afterwards=st.sampled_from(AFTERWARDS), case=st.sampled_from(CASES),
       bracketed=st.booleans())
def test_a_revised_deadline_reads_as_the_revised_date_and_says_so(old, new, revision, separator, afterwards, case,
                                                                  bracketed):
    said = f"{revision} {new}{afterwards}"
    text = case(f"{old} ({said})" if bracketed else f"{old}{separator}{said}")
    deadline = parse_deadline(text)
    assert (deadline.kind, deadline.due) == (DATE, NEW_FORMS[new]), text
    assert REVISED in deadline.note and deadline.text == " ".join(text.split())


@settings(max_examples=200, deadline=None)
@given(old=st.sampled_from(OLD_FORMS), new=st.sampled_from(sorted(NEW_FORMS)), case=st.sampled_from(CASES),
       form=st.sampled_from(["{new} (was {old})", "{new} - originally {old}", "{new} (revised from {old})",
                             "{new}, previously {old}", "{new} (original deadline {old})"]))
def test_a_date_that_stands_before_the_one_it_replaced_is_read(old, new, case, form):
    deadline = parse_deadline(case(form.format(new=new, old=old)))
    assert (deadline.kind, deadline.due) == (DATE, NEW_FORMS[new]) and REVISED in deadline.note


@given(old=st.sampled_from(OLD_FORMS), revision=st.sampled_from([r for r in REVISIONS if r != "now"]),
       what=st.sampled_from(["TBC", "to be agreed", "at the next Board", "pending the review"]))
def test_a_revision_without_a_readable_date_is_flagged_not_the_old_date(old, revision, what):
    deadline = parse_deadline(f"{old}. {revision} {what}")
    assert deadline.kind == UNREADABLE and deadline.due is None and "revised" in deadline.note


STARTS = {"April 2019": date(2019, 4, 30), "Apr 2019": date(2019, 4, 30), "1st April 2019": date(2019, 4, 1),
          "01/04/2019": date(2019, 4, 1), "Q1 2019/20": date(2019, 6, 30)}
OPEN_FORMS = ["{d} onwards", "{d} onward", "From {d}", "from {d} onwards", "Ongoing from {d}", "On-going from {d}",
              "{d} and ongoing", "{d} - ongoing", "{d} then ongoing", "Starting {d}", "Commencing {d}", "Since {d}",
              "{d} and thereafter", "Ongoing, from {d}", "With effect from {d}", "{d} – ongoing", "{d} & ongoing"]


@settings(max_examples=200, deadline=None)
@given(start=st.sampled_from(sorted(STARTS)), form=st.sampled_from(OPEN_FORMS), case=st.sampled_from(CASES))
def test_a_date_an_action_starts_from_is_no_due_date(start, form, case):
    deadline = parse_deadline(case(form.format(d=start)))
    assert (deadline.kind, deadline.due, deadline.note) == (ONGOING, None, STARTS_ONLY)


@pytest.mark.parametrize("text, due", [
    ("From April to June 2019", date(2019, 6, 30)), ("from April 2019 until March 2020", date(2020, 3, 31)),
    ("April – June 2019", date(2019, 6, 30)), ("Starting April 2019, complete by March 2020", date(2020, 3, 31)),
    ("From 1/4/2019 to 31/3/2020", date(2020, 3, 31)),
    ("January 2019; with a view to the Board being dissolved 31 st March 2019 and constituted as a "
     "safeguarding partnership from 1 st April 2019", date(2019, 1, 31)),
])
def test_a_start_with_an_end_is_due_at_the_end(text, due):
    deadline = parse_deadline(text)
    assert (deadline.kind, deadline.due, deadline.note) == (DATE, due, "")


def test_revised_and_open_ended_deadlines_are_findings_at_their_cells(tmp_path):
    from conftest import simple_plan

    texts = ["Dec 2018. Revised to March 2019 by the Board on 10/12/18", "April 2019 onwards",
             "Ongoing from April 2019", "Dec 2018. Revised: TBC", "March 2019"]
    path = simple_plan(tmp_path / "Plan.xlsx", [[f"1.{n}", "Objective", f"Action {n}", "Jo", "Policy Sub-Group",
                                                 text, "Green", "On track"] for n, text in enumerate(texts, 1)],
                       bodies=[("Policy Sub-Group", "", "policy@example.org")])
    plan = load_plan(path)
    found = {(f.cell, f.severity) for f in check(plan, TODAY) if f.field == "deadline" and f.sheet == "Plan"}
    assert found == {("F4", "note"), ("F5", "warning"), ("F6", "warning"), ("F7", "error")}
    assert [a.deadline.due for a in plan.actions] == [date(2019, 3, 31), None, None, None, date(2019, 3, 31)]


# 5. The layout the officer sees and confirms ----------------------------------------------------

# field -> (header words it may have, its values in the four actions' rows)
LAYOUT_FIELDS = {
    "ref": (["Ref", "Reference", "No."], ["1.1", "1.2", "2.1", "2.2"]),
    "action": (["Action", "What", "Task"], ["Audit neglect cases", "Review the offer", "Publish thresholds",
                                            "Train staff"]),
    "owner": (["Lead", "Owner", "Who"], ["Jo Bloggs", "Kim Lee", "Sam Smith", "Ali Khan"]),
    "governance": (["Governance", "Reporting to", "Sub-group"], ["Policy Sub-Group", "Policy Sub-Group",
                                                                 "QA Sub-Group", "QA Sub-Group"]),
    "deadline": (["Deadline", "When?", "Due date"], ["March 2019", "June 2019", "Dec 2018", "Sept 2019"]),
    "rag": (["RAG", "RAG status"], ["Green", "Amber", "Red", "Green"]),
    "progress": (["Progress update", "Progress"], ["On track", "Delayed by the consultation", "Not started",
                                                  "Done in part"]),
}
LAYOUT_BODIES = [("Policy Sub-Group", "", "policy@example.org"), ("QA Sub-Group", "", "qa@example.org")]


def write_layout_plan(path: Path, order: list[str], words: dict[str, str], sheet: str = "Action plan",
                      title_rows: int = 1, extra: dict[str, list[str]] | None = None,
                      hidden: tuple[str, ...] = ()) -> dict[str, str]:
    """A plan whose columns are the fields in `order`, headed by `words`, under title_rows
    rows; extra: more columns (header -> values) after them; hidden: headers of columns to
    hide. Returns field -> column letter."""
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in range(1, title_rows + 1):
        ws.cell(row, 1, "Partnership business plan 2018-19" if row == 1 else None)
    columns = [(words[f], LAYOUT_FIELDS[f][1]) for f in order] + list((extra or {}).items())
    for index, (header, values) in enumerate(columns, 1):
        ws.cell(title_rows + 1, index, header)
        for row, value in enumerate(values, title_rows + 2):
            ws.cell(row, index, value)
        if header in hidden:
            ws.column_dimensions[get_column_letter(index)].hidden = True
    governance = book.create_sheet("Governance")
    for row in [("Governance body", "Also written as", "Email"), *LAYOUT_BODIES]:
        governance.append(list(row))
    book.create_sheet("Risk log").append(["Risk", "Owner", "Mitigation"])
    book.save(path)
    return {f: get_column_letter(i) for i, f in enumerate(order, 1)}


def run_cli(*args):
    from click.testing import CliRunner

    from plantools.cli import main

    with time_limit(60):
        return CliRunner().invoke(main, [str(a) for a in args])


layout_orders = st.permutations(sorted(LAYOUT_FIELDS))
layout_words = st.fixed_dictionaries({f: st.sampled_from(w) for f, (w, _) in LAYOUT_FIELDS.items()})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=layout_orders, words=layout_words, title_rows=st.integers(0, 3))
def test_layout_shows_each_field_its_column_and_three_values_and_what_is_left_out(tmp_path, order, words,
                                                                                   title_rows):
    import uuid

    folder = tmp_path / uuid.uuid4().hex / "shared drive"
    folder.mkdir(parents=True)
    path = folder / "Business Plan 2018.xlsx"
    letters = write_layout_plan(path, list(order), words, title_rows=title_rows,
                                extra={"Resources": ["Budget", "", "", ""], "BSU use only": ["Zqx"] * 4,
                                       "Last month": ["Green"] * 4}, hidden=("Last month",))
    result = run_cli("layout", path)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Business Plan 2018.xlsx: 1 plan sheet, 4 actions"
    assert f"Sheet 'Action plan': header row {title_rows + 1}, 4 actions" in lines
    for field, letter in letters.items():
        line = next(l for l in lines if l.split()[:2] == [field, letter])
        assert words[field] in line and " | ".join(dict.fromkeys(LAYOUT_FIELDS[field][1][:3])) in line, line
    assert "  carried as they are: H 'Resources'" in lines
    assert "  left out: I 'BSU use only' (marked not for circulation)" in lines
    assert "  left out: J 'Last month' (hidden)" in lines
    assert any(l.startswith("Sheet 'Risk log' left out") for l in lines)
    assert "Sheet 'Governance' read as the governance bodies (2)" in lines
    assert "Zqx" not in result.output and not (folder / "Business Plan 2018.layout.toml").exists()


def saved_layout(tmp_path: Path, order: list[str] | None = None, **kwargs) -> Path:
    from conftest import digest

    folder = tmp_path / "shared drive"
    folder.mkdir(exist_ok=True)
    path = folder / "Business Plan 2018.xlsx"
    write_layout_plan(path, order or list(LAYOUT_FIELDS), {f: w[0] for f, (w, _) in LAYOUT_FIELDS.items()},
                      **kwargs)
    before = digest(path)
    result = run_cli("layout", path, "--save")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("Saved as Business Plan 2018.layout.toml beside the workbook")
    assert digest(path) == before and sorted(p.name for p in folder.iterdir()) == [
        "Business Plan 2018.layout.toml", "Business Plan 2018.xlsx"]
    return path


def test_layout_save_writes_a_readable_settings_file_beside_the_workbook(tmp_path):
    import tomllib

    path = saved_layout(tmp_path, title_rows=2)
    settings_file = path.with_name("Business Plan 2018.layout.toml")
    saved = tomllib.loads(settings_file.read_text(encoding="utf-8"))
    assert saved["sheets"] == [{"name": "Action plan", "header_rows": [3, 3], "columns": {
        field: {"column": "ABCDEFG"[i], "header": LAYOUT_FIELDS[field][0][0]}
        for i, field in enumerate(LAYOUT_FIELDS)}}]
    assert settings_file.read_text(encoding="utf-8").startswith("# How plantools reads")
    assert layout_findings(path) == []  # the workbook as saved: nothing to say about the layout


def layout_findings(path: Path) -> list[tuple[str, str, str]]:
    return [(f.severity, f.sheet, f.cell) for f in check(load_plan(path), TODAY) if f.field == "layout"]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=layout_orders)
def test_columns_moved_since_the_save_are_read_by_their_headers_and_said(tmp_path, order):
    import uuid

    folder = tmp_path / uuid.uuid4().hex
    folder.mkdir()
    path = saved_layout(folder)
    expected = [(a.ref, a.action, a.owner, a.governance, a.deadline.due, a.rag, a.progress)
                for a in load_plan(path).actions]
    write_layout_plan(path, list(order), {f: w[0] for f, (w, _) in LAYOUT_FIELDS.items()})
    plan = load_plan(path)
    assert [(a.ref, a.action, a.owner, a.governance, a.deadline.due, a.rag, a.progress)
            for a in plan.actions] == expected
    moved = {f for i, f in enumerate(order) if list(LAYOUT_FIELDS).index(f) != i}
    found = [f for f in check(plan, TODAY) if f.field == "layout"]
    assert {f.severity for f in found} <= {"warning"} and len(found) == len(moved)
    assert all(f.sheet == "Action plan" and "has moved" in f.message for f in found)
    result = run_cli("check", path)
    assert all("Action plan" in line for line in result.output.splitlines() if "has moved" in line)


def test_the_saved_layout_is_followed_where_the_reader_would_choose_otherwise(tmp_path):
    """Two columns could hold the progress: the reader takes 'Progress update'; the officer
    edits the settings file to read 'Comments'; every command then reads 'Comments'."""
    path = saved_layout(tmp_path, extra={"Comments": ["Chair's view 1", "Chair's view 2", "", "Chair's view 4"]})
    assert [a.progress for a in load_plan(path).actions] == LAYOUT_FIELDS["progress"][1]
    settings_file = path.with_name("Business Plan 2018.layout.toml")
    text = settings_file.read_text(encoding="utf-8")
    settings_file.write_text(text.replace('progress = { column = "G", header = "Progress update" }',
                                          'progress = { column = "H", header = "Comments" }'), encoding="utf-8")
    plan = load_plan(path)
    assert [a.progress for a in plan.actions] == ["Chair's view 1", "Chair's view 2", "", "Chair's view 4"]
    assert plan.extra_columns == ["Progress update"]  # carried as it is
    assert layout_findings(path) == []
    run = make_packs(plan, "2019-01", tmp_path / "packs", today=TODAY)
    pack = next(p.workbook for p in run.packs if p.body == "Policy Sub-Group")
    assert "Chair's view 1" in texts_in(pack)
    assert "Read as Business Plan 2018.layout.toml says" in run_cli("layout", path).output


def test_a_renamed_sheet_column_or_moved_header_is_flagged_at_the_sheet(tmp_path):
    path = saved_layout(tmp_path)
    words = {f: w[0] for f, (w, _) in LAYOUT_FIELDS.items()}
    write_layout_plan(path, list(LAYOUT_FIELDS), {**words, "owner": "Lead officer"})
    assert layout_findings(path) == [("error", "Action plan", "C2")]
    write_layout_plan(path, list(LAYOUT_FIELDS), words, title_rows=3)
    assert layout_findings(path) == [("error", "Action plan", "A2")]
    assert len(load_plan(path).actions) == 4  # read all the same, at the header found
    write_layout_plan(path, list(LAYOUT_FIELDS), words, sheet="Plan 2018-19")
    plan = load_plan(path)
    assert layout_findings(path) == [("error", "Action plan", "")] and len(plan.actions) == 4
    result = run_cli("check", path)
    assert result.exit_code == 1 and "plan sheet 'Action plan' of Business Plan 2018.layout.toml is not in " \
                                      "the workbook (renamed or deleted?)" in result.output


def test_a_column_hidden_since_the_save_is_never_read(tmp_path):
    path = saved_layout(tmp_path)
    write_layout_plan(path, list(LAYOUT_FIELDS), {f: w[0] for f, (w, _) in LAYOUT_FIELDS.items()},
                      hidden=("Progress update",))
    plan = load_plan(path)
    assert [a.progress for a in plan.actions] == [""] * 4
    assert ("error", "Action plan", "G2") in layout_findings(path)


def test_a_settings_file_that_cannot_be_read_is_one_line(tmp_path):
    path = saved_layout(tmp_path)
    path.with_name("Business Plan 2018.layout.toml").write_text("[[sheets]]\nname = \n", encoding="utf-8")
    for command in ("check", "layout"):
        result = run_cli(command, path)
        assert result.exit_code == 2 and result.stderr.count("\n") == 1
        assert "Business Plan 2018.layout.toml: is not a layout file plantools can read" in result.stderr
        assert "delete it to let plantools find the layout again" in result.stderr


def test_layout_is_one_call_of_the_api(tmp_path):
    import plantools

    path = saved_layout(tmp_path)
    shown = plantools.layout(path)
    assert shown.followed and not shown.saved and shown.settings == path.with_name("Business Plan 2018.layout.toml")
    assert layout_lines(shown) == run_cli("layout", path).output.splitlines()
    assert shown.plan.headers["Action plan"].samples["owner"] == LAYOUT_FIELDS["owner"][1][:3]


# 2. Sub-groups by abbreviation --------------------------------------------------------------------

ABBREVIATED = [("Learning and Development Sub-Group", "L&D", "ld@example.org"),
               ("Quality Assurance and Performance Sub-Group", "QA&P", "qap@example.org"),
               ("Policy and Procedures Sub-Group", "P&P", "pp@example.org"),
               ("Child Sexual Exploitation Sub-Group", "CSE", "cse@example.org")]
# how a plan's governance cell may name bodies 0 and 1 -> the bodies it names
GOVERNANCE_CELLS = {"{a0}": (0,), "{a0} Sub-Group": (0,), "{n0}": (0,), "{a0} and {a1}": (0, 1),
                    "{a0} / {a1}": (0, 1), "{a0}; {n1}": (0, 1), "{a0} & {a1}": (0, 1)}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name_header=st.sampled_from(["Sub-group", "Governance body", "Body", "Group name", "Name"]),
       abbreviation_header=st.sampled_from(["Abbreviation", "Abbrev.", "Acronym", "Short name", "Also known as",
                                            "Initials", "Abbreviation(s)"]),
       also_written=st.booleans(),
       cells=st.lists(st.tuples(st.sampled_from(sorted(GOVERNANCE_CELLS)), st.permutations(range(4))),
                      min_size=4, max_size=6),
       spacing=st.sampled_from(["{}", "{} ", " {}"]), case=st.sampled_from([str, str.upper]))
def test_sub_groups_written_by_their_abbreviations_find_their_bodies_and_packs(
        tmp_path, name_header, abbreviation_header, also_written, cells, spacing, case):
    import uuid

    folder = tmp_path / uuid.uuid4().hex
    folder.mkdir()
    path = folder / "Business Plan.xlsx"
    book = openpyxl.Workbook()
    plan_sheet = book.active
    plan_sheet.title = "Plan"
    plan_sheet.append(["Ref", "Action", "Lead", "Reporting to", "Deadline", "RAG", "Progress update"])
    expected: dict[str, list[str]] = {}
    for number, (form, order) in enumerate(cells, 1):
        names = {f"a{i}": case(spacing.format(ABBREVIATED[order[i]][1])) for i in (0, 1)}
        names |= {f"n{i}": ABBREVIATED[order[i]][0] for i in (0, 1)}
        plan_sheet.append([f"1.{number}", f"Action {number}", "Jo Bloggs", form.format(**names), "March 2019",
                           "Green", "On track"])
        for index in GOVERNANCE_CELLS[form]:
            expected.setdefault(ABBREVIATED[order[index]][0], []).append(f"Action {number}")
    governance = book.create_sheet("Governance")
    governance.append([name_header, abbreviation_header, "Email"] + (["Also written as"] if also_written else []))
    for name, abbreviation, email in ABBREVIATED:
        governance.append([name, abbreviation, email] + ([name.replace("Sub-Group", "SG")] if also_written else []))
    book.save(path)
    plan = load_plan(path)
    assert [f for f in check(plan, TODAY) if f.field == "governance"] == []
    run = make_packs(plan, "2019-01", folder / "packs", today=TODAY)
    assert {p.body: [a.action for a in p.actions] for p in run.packs if p.actions} == expected
    assert all(p.workbook and p.workbook.exists() for p in run.packs if p.actions)


def test_a_saved_sheet_whose_title_now_marks_it_confidential_is_not_read(tmp_path):
    from plantools.errors import PlanError

    path = saved_layout(tmp_path)
    book = openpyxl.load_workbook(path)
    book["Action plan"]["A1"] = "Action plan – NOT FOR CIRCULATION"
    book.save(path)
    with pytest.raises(PlanError, match="left out as confidential"):
        load_plan(path)
    assert len(load_plan(path, ["Action plan"]).actions) == 4  # the officer's --sheet reads it


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_an_empty_rag_cell_of_an_xls_or_ods_is_a_finding_at_the_cell(tmp_path, fmt):
    from conftest import simple_plan, soffice_convert

    (tmp_path / "src").mkdir()
    source = simple_plan(tmp_path / "src" / "Plan.xlsx", [
        ["1.1", "Objective", "Action 1", "Jo", "Policy Sub-Group", "March 2019", "", "On track"],
        ["1.2", "Objective", "Action 2", "Jo", "Policy Sub-Group", "March 2019", "Amber", "Late"]],
        bodies=[("Policy Sub-Group", "", "policy@example.org")])
    plan = load_plan(soffice_convert(source, fmt, tmp_path))
    said = [(f.sheet, f.cell, f.severity) for f in plan.findings if f.field == "rag" and "conditional formats" in f.message]
    assert said == [("Plan", "G4", "warning")]


FILLS = {"Green": "FF00B050", "Amber": "FFFFC000", "Red": "FFFF0000", "Complete": "FF0070C0"}


@pytest.mark.parametrize("fmt", ["xls", "ods"])
@pytest.mark.parametrize("fills", [("Green", "Amber", "Red", "Complete"), ("Red", "Red", "Complete", "Green")])
def test_a_rag_shown_by_a_fill_in_an_xls_or_ods_is_read_as_in_the_xlsx(tmp_path, fmt, fills):
    from conftest import simple_plan, soffice_convert
    from openpyxl.styles import PatternFill

    (tmp_path / "src").mkdir()
    rows = [[f"1.{n}", "Objective", f"Action {n}", "Jo", "Policy Sub-Group", "March 2019", "", "On track"]
            for n in range(1, 5)] + [["1.5", "Objective", "Action 5", "Jo", "Policy Sub-Group", "March 2019", "",
                                      "Grey is no status"]]
    source = simple_plan(tmp_path / "src" / "Plan.xlsx", rows, bodies=[("Policy Sub-Group", "", "p@example.org")])
    book = openpyxl.load_workbook(source)
    for row, status in enumerate(fills, 4):
        book["Plan"][f"G{row}"].fill = PatternFill("solid", fgColor=FILLS[status])
    book["Plan"]["G8"].fill = PatternFill("solid", fgColor="FFC0C0C0")
    book.save(source)
    plan = load_plan(soffice_convert(source, fmt, tmp_path))
    assert [a.rag for a in plan.actions] == [*fills, None] == [a.rag for a in load_plan(source).actions]
    assert [f.cell for f in plan.findings if f.field == "rag" and "from the cell's colour" in f.message] == \
        ["G4", "G5", "G6", "G7"]


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_packs_made_from_an_xls_or_ods_say_first_that_their_returns_cannot_come_back(tmp_path, fmt):
    from click.testing import CliRunner

    from plantools.cli import main

    other = _shared_plan_as(fmt, tmp_path)
    result = CliRunner().invoke(main, ["packs", str(other), "--month", "2019-01", "--out", str(tmp_path / "packs")])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith(f"warning: {other.name} is no Excel Workbook (.xlsx): collect cannot fold the returns")
