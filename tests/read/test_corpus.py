"""Issue 10: the workbooks staff really keep are read faithfully (tests/corpus.py holds them
and what must be read from each)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import soffice_convert
from corpus import (
    HIDDEN_MARKER,
    LAYOUTS,
    NO_REFS,
    PRIORITY_SHEETS,
    SHARED,
    TODAY,
    Layout,
    write_no_refs,
    write_priority_sheets,
    write_shared_refs,
)

from plantools import load_plan
from plantools.plan.checks import check


def written(layout: Layout, name: str, tmp_path: Path) -> Path:
    """The layout's workbook, as code wrote it or as LibreOffice saved it again."""
    file_name = re.sub(r"[^A-Za-z0-9]+", " ", name).strip() + ".xlsx"
    if not layout.libreoffice:
        path = tmp_path / file_name
        layout.write(path)
        return path
    (tmp_path / "src").mkdir()
    layout.write(tmp_path / "src" / file_name)
    return soffice_convert(tmp_path / "src" / file_name, "xlsx", tmp_path)


def where(finding) -> str:
    return f"{finding.sheet}!{finding.cell}" if finding.sheet else ""


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_layout_reads_as_its_table_says(name, tmp_path):
    layout = LAYOUTS[name]
    plan = load_plan(written(layout, name, tmp_path))
    read = [(a.ref, a.action or a.outcome, a.owner, tuple(sorted(a.bodies)), a.deadline.due, a.rag)
            for a in plan.actions]
    assert read == [(*row[:3], tuple(sorted(row[3])), *row[4:]) for row in layout.actions]
    if layout.objectives is not None:
        assert [(a.objective_ref, a.objective) for a in plan.actions] == layout.objectives
    if layout.priorities is not None:
        assert [a.priority for a in plan.actions] == layout.priorities
    if layout.extra is not None:
        assert plan.extra_columns == list(layout.extra)
        for label, values in layout.extra.items():
            assert [a.extra.get(label, "") for a in plan.actions] == values
    findings = check(plan, layout.today)
    said = [(f.severity, where(f), f.message) for f in findings if f.severity in ("error", "warning")]
    for severity, cell, words in layout.findings:
        assert any(s == severity and w == cell and words.lower() in m.lower() for s, w, m in said), \
            f"no {severity} at {cell} saying {words!r}: {said}"
    unexpected = [(s, w, m) for s, w, m in said
                  if not any(s == e[0] and w == e[1] and e[2].lower() in m.lower() for e in layout.findings)]
    assert unexpected == []
    notes = [(where(f), f.message) for f in findings if f.severity == "note"]
    for cell, words in layout.notes:
        assert any((not cell or w == cell) and words.lower() in m.lower() for w, m in notes), \
            f"no note at {cell} saying {words!r}: {notes}"


# Two months of three layouts. Between them: a sort by RAG, an inserted row, a reworded
# action, an owner, a RAG and a deadline changed, an action deleted and (where the plan has
# refs) an objective renumbered. The change log must hold exactly those changes.

def two_months(tmp_path: Path, write, first: list, second: list) -> list[tuple]:
    from plantools.copy.earlier import copy_path, read_copy
    from plantools.jobs import consolidate

    shared, out = tmp_path / "Shared plan.xlsx", tmp_path / "copies"
    write(shared, first)
    consolidate(load_plan(shared), "2018-12", out, today=date(2018, 12, 31))
    write(shared, second)
    consolidate(load_plan(shared), "2019-01", out, today=TODAY)
    log = read_copy(copy_path(out, shared, "2019-01")).log
    return sorted((c.ref, c.field, c.old, c.new, c.change) for c in log if c.month == "2019-01")


def by_rag(rows: list, rag_index: int) -> list:
    order = {"Red": 0, "R": 0, "Amber": 1, "A": 1}
    return sorted(rows, key=lambda row: order.get(row[rag_index], 2))


def test_an_unchanged_plan_logs_nothing_whatever_its_layout(tmp_path):
    from plantools.copy.earlier import copy_path, read_copy
    from plantools.jobs import consolidate

    churn = {}
    for number, (name, layout) in enumerate(LAYOUTS.items()):
        folder = tmp_path / str(number)
        folder.mkdir()
        path = written(layout, name, folder)
        consolidate(load_plan(path), "2018-12", folder / "copies", today=date(2018, 12, 31))
        consolidate(load_plan(path), "2019-01", folder / "copies", today=TODAY)
        log = read_copy(copy_path(folder / "copies", path, "2019-01")).log
        churn[name] = [(c.ref, c.field, c.old, c.new) for c in log if c.month == "2019-01"]
    assert churn == {name: [] for name in LAYOUTS}


def test_two_months_of_refs_as_typed_log_exactly_what_changed(tmp_path):
    (p1, first_rows), (p2, second_rows) = PRIORITY_SHEETS
    one = [list(row) for row in first_rows]
    one[0][6] = "Amber"  # 1.1.1: RAG Green -> Amber
    one[1][2] = "Publish the survey findings"  # 1.1.2 reworded
    del one[2]  # 1.2.1 deleted
    one.append(["1.1.3", "Hear children", "Train survey staff", "Jo Bloggs", "Policy Sub-Group",
                datetime(2019, 4, 30), "Green", ""])  # inserted
    two = [list(row) for row in second_rows]
    two[0][3] = "Pat Dee"  # owner
    two[1][5] = datetime(2019, 8, 31)  # deadline
    for row in two:
        row[0] = row[0].replace("2.1.", "2.2.")  # objective 2.1 renumbered 2.2
    second = [(p1, by_rag(one, 6)), (p2, by_rag(two, 6))]
    log = two_months(tmp_path, lambda path, sheets: write_priority_sheets(path, sheets), PRIORITY_SHEETS, second)
    assert log == sorted([
        ("1.1.3", "", "", "Train survey staff", "added"),
        ("1.1.2", "Action", "Publish the survey", "Publish the survey findings", "changed"),
        ("1.1.1", "RAG", "Green", "Amber", "changed"),
        ("2.2.1", "Ref", "2.1.1", "2.2.1", "changed"),
        ("2.2.1", "Who (owner)", "Pat Day", "Pat Dee", "changed"),
        ("2.2.2", "Ref", "2.1.2", "2.2.2", "changed"),
        ("2.2.2", "When?", "2019-07-31", "2019-08-31", "changed"),
        ("1.2.1", "", "Hold parent forums", "", "removed"),
    ])


def typed_once(rows: list) -> list:
    """Each objective's text typed on its first action's row only, as staff often leave it."""
    seen = set()
    for row in rows:
        row[1] = None if row[0] in seen else row[1]
        seen.add(row[0])
    return rows


def test_two_months_of_shared_objective_refs_keep_their_letters(tmp_path):
    first = typed_once([list(row) for row in SHARED])
    rows = [list(row) for row in SHARED]
    rows[0][6] = "Amber"  # 1.1a: RAG
    rows[2][2] = "Act on the survey results"  # 1.1c reworded
    rows[3][0], rows[3][5] = "1.3", "June 2019"  # objective 1.2 renumbered 1.3, its deadline moved
    rows[4][3] = "Alan Jones"  # 2.1a: owner
    del rows[5]  # 2.1b deleted
    rows.insert(2, ["1.1", "Hear children", "Share the survey with schools", "Pat Day", "QA", "May 2019",
                    "Green", ""])  # inserted among 1.1's actions
    # sorted Green first after the objectives were typed once: 1.1's blank rows now head the table
    second = sorted(typed_once(rows), key=lambda row: row[6] != "Green")
    log = two_months(tmp_path, write_shared_refs, first, second)
    assert log == sorted([
        ("1.1d", "", "", "Share the survey with schools", "added"),
        ("1.1c", "Action", "Act on the survey", "Act on the survey results", "changed"),
        ("1.1a", "RAG", "Green", "Amber", "changed"),
        ("1.3", "Ref", "1.2", "1.3", "changed"),
        ("1.3", "When?", "May 2019", "June 2019", "changed"),
        ("2.1a", "Who (owner)", "Al Jones", "Alan Jones", "changed"),
        ("2.1b", "", "Audit neglect cases", "", "removed"),
    ])
    from plantools.copy.earlier import read_copy

    copy = read_copy(tmp_path / "copies" / "Shared plan 2019-01.xlsx")
    assert {a.ref: a.action for a in copy.actions} == {  # each letter still means its action
        "1.1a": "Survey children in care", "1.1b": "Publish the survey", "1.1c": "Act on the survey results",
        "1.1d": "Share the survey with schools", "1.3": "Hold parent forums", "2.1a": "Roll out the neglect toolkit"}
    assert [a.objective for a in copy.actions if a.ref.startswith("1.1")] == ["Hear children"] * 4
    plan = load_plan(tmp_path / "Shared plan.xlsx")
    assert [f.message for f in check(plan, TODAY) if f.field == "ref"] == []  # nothing "numbered twice"


def test_two_months_of_a_plan_with_no_refs_have_no_ref_churn(tmp_path):
    rows = [list(row) for row in NO_REFS]
    rows[1][1] = "Publish the survey online"  # reworded
    rows[2][2] = "Kim Leigh"  # owner
    rows[4][5] = "Amber"  # RAG
    rows[4][6] = "Short of auditors"
    rows[3][4] = "August 2019"  # deadline
    del rows[0]  # deleted
    rows.insert(2, ["Listen to parents", "Train foster carers", "Jo Bloggs", "QA Sub-Group", "May 2019",
                    "Green", "", 0])  # inserted
    log = two_months(tmp_path, write_no_refs, NO_REFS, by_rag(rows, 5))
    assert log == sorted([
        ("", "", "", "Train foster carers", "added"),
        ("", "Action", "Publish the survey", "Publish the survey online", "changed"),
        ("", "Who (owner)", "Kim Lee", "Kim Leigh", "changed"),
        ("", "RAG", "Green", "Amber", "changed"),
        ("", "Progress update", "", "Short of auditors", "changed"),
        ("", "When?", "May 2019", "August 2019", "changed"),
        ("", "", "Survey children in care", "", "removed"),
    ])


# Packs: each body's pack holds exactly its actions, and nothing from a hidden column or a
# confidential sheet reaches a pack, a draft or the copy.

def texts_in(path: Path) -> str:
    """Every part of a workbook, or every part of a draft and its attachment, as text."""
    import io
    import zipfile
    from email import policy
    from email.parser import BytesParser

    if path.suffix == ".eml":
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        found = []
        for part in message.walk():
            payload = part.get_payload(decode=True)
            if payload is None:
                continue
            if payload[:2] == b"PK":
                with zipfile.ZipFile(io.BytesIO(payload)) as package:
                    found += [package.read(name).decode("utf-8", "replace") for name in package.namelist()]
            else:
                found.append(payload.decode("utf-8", "replace"))
        return "\n".join(found) + path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as package:
            return "\n".join(package.read(name).decode("utf-8", "replace") for name in package.namelist())
    return path.read_text(encoding="utf-8", errors="replace")


def pack_actions(path: Path) -> list[tuple[str, str]]:
    """(ref, action) of each action in a pack, as the sub-group reads them."""
    import openpyxl

    from plantools.plan import rag

    rows = list(openpyxl.load_workbook(path, read_only=True)["Plan"].iter_rows(values_only=True))
    top = next(i for i, row in enumerate(rows) if row and row[0] == "Ref")
    column = list(rows[top]).index("Action")
    return [(str(row[0] or ""), row[column] or "") for row in rows[top + 1:]
            if row and any(row) and not rag.is_key_row([str(value or "") for value in row])]


@pytest.mark.parametrize("name", ["priority sheets, 1.1.1 refs", "banner rows, P1.O2.A3 under ID",
                                  "hidden last month's RAG and internal notes", "risk registers and confidential sheets",
                                  "bodies inferred, spelt and split many ways", "objective refs shared, lettered",
                                  "adults' plan, hidden distribution list", "# refs A1 A12, deadlines that are findings",
                                  "no refs at all"])
def test_each_body_gets_exactly_its_actions_and_nothing_hidden(name, tmp_path):
    from plantools.jobs import consolidate, make_packs

    layout = LAYOUTS[name]
    path = written(layout, name, tmp_path)
    marked = name in ("hidden last month's RAG and internal notes", "risk registers and confidential sheets")
    assert (HIDDEN_MARKER in texts_in(path)) == marked  # the marker is there to be kept out
    plan = load_plan(path)
    out = tmp_path / "out"
    run = make_packs(plan, "2019-01", out, today=layout.today)
    consolidate(load_plan(path), "2019-01", out, today=layout.today)
    bodies = sorted({body for row in layout.actions for body in row[3]})
    assert sorted(p.body for p in run.packs if p.actions) == bodies
    for pack in run.packs:
        if pack.actions:
            assert pack_actions(pack.workbook) == [row[:2] for row in layout.actions if pack.body in row[3]]
    written_files = [p for p in out.iterdir() if p.is_file()]
    assert any(p.suffix == ".eml" for p in written_files) or not plan.bodies[0].emails
    for output in written_files:
        assert HIDDEN_MARKER not in texts_in(output), output.name


def test_a_workbook_plantools_wrote_is_refused_as_a_plan_naming_what_it_is(tmp_path):
    from plantools.errors import PlanError
    from plantools.jobs import consolidate, make_packs

    shared = tmp_path / "Shared plan.xlsx"
    write_shared_refs(shared)
    copy = consolidate(load_plan(shared), "2019-01", tmp_path / "copies", today=TODAY).path
    pack = next(p.workbook for p in make_packs(load_plan(shared), "2019-01", tmp_path / "packs").packs if p.workbook)
    with pytest.raises(PlanError, match="monthly consolidated copy"):
        load_plan(copy)
    with pytest.raises(PlanError, match="pack"):
        load_plan(pack)
