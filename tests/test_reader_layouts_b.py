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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plantools import check, consolidate, load_plan, make_packs

from test_corpus import texts_in

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


def every_output(plan_path: Path, out: Path) -> list[Path]:
    """check, the board's copy and the packs (workbooks and drafts) of the plan: every file written."""
    with time_limit(60):
        plan = load_plan(plan_path)
        findings = check(plan, TODAY)
        consolidate(plan, "2019-01", out / "copy", today=TODAY)
        make_packs(load_plan(plan_path), "2019-01", out / "packs", today=TODAY)
    assert not [f for f in findings if f.severity == "error"], findings
    return [p for p in out.rglob("*") if p.is_file()]


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
    outputs = every_output(path, folder / "out")
    assert {p.suffix for p in outputs} >= {".xlsx", ".eml"}
    for output in outputs:
        text = texts_in(output)
        for secret in secrets:
            assert secret not in text, output.name


@given(words=st.sampled_from(["Progress update", "Comments", "Lead officer", "Confidence of delivery",
                              "Measures of success", "Partner agencies", "Notes"]))
def test_a_plain_header_is_not_taken_for_a_mark(words):
    from plantools.columns import not_for_circulation

    assert not not_for_circulation(words)
