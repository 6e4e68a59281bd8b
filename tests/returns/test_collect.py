"""Returns: sub-groups fill in their packs, and `plantools collect` folds them back into the
shared workbook cell by cell, losing nothing, refusing what it must (issue 13)."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import openpyxl
import pytest
import python_calamine
import xlsxwriter
from click.testing import CliRunner
from conftest import PLAN_HEADER, digest, make_workbook, realworld, simple_plan, soffice_convert

from plantools.cli import main
from plantools.copy.earlier import read_copy
from plantools.returns.ledger import read_returns_ledger
from plantools.xlsx.edit import changed_cells

BODIES = [("Policy Sub-Group", "Policy", "policy@example.org"), ("QA Sub-Group", "QA", "qa@example.org")]
ACTIONS = [  # rows 4-7 of the shared Plan sheet: F When?, G RAG, H Progress update (conftest.PLAN_HEADER)
    ["1.1", "Agreement", "Draft the agreement", "Jo Bloggs", "Policy", "January 2019", "Red", "Chair has left"],
    ["1.2", "Neglect", "Re-audit neglect", "Sam Smith", "QA", "March 2019", "Amber", "Late"],
    ["1.3", "Training", "Review the training offer", "Kim Lee", "Policy and QA", "Ongoing", "Green", ""],
    ["2.1", "Schools", "Work with schools", "Pat Day", "Policy", "October 2018", "", ""],
]
MONTH = "2018-11"
QA_NOTE = "- re-audit done\n- report to the Board"  # a list, as staff write them: not a CSV formula


def run(*args: str, code: int | None = None):
    result = CliRunner().invoke(main, [str(a) for a in args])
    if code is not None:
        assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def shared_plan(tmp_path: Path, actions=ACTIONS, name: str = "Shared Plan.xlsx") -> Path:
    return simple_plan(tmp_path / name, actions, BODIES)


def make_packs(shared: Path, month: str = MONTH, *extra: str) -> Path:
    out = shared.parent / "packs" / month
    run("packs", shared, "--month", month, "--out", out, *extra, code=0)
    return out


def pack_of(folder: Path, body: str) -> Path:
    return folder / f"{body} {folder.name}.xlsx"


def edit_pack(pack: Path, changes: dict[str, dict[str, object]], target: Path | None = None) -> Path:
    """A chair fills in the form with openpyxl: {ref: {column header: value}}."""
    book = openpyxl.load_workbook(pack)
    sheet = book["Plan"]
    header_row = next(row for row in sheet.iter_rows() if any(c.value == "Return key" for c in row))
    columns = {cell.value: cell.column for cell in header_row}
    for row in sheet.iter_rows(min_row=header_row[0].row + 1):
        ref = row[columns["Ref"] - 1].value
        for header, value in changes.get(ref, {}).items():
            sheet.cell(row[0].row, columns[header]).value = value
    target = target or pack
    book.save(target)
    return target


def cell_values(path: Path, sheet: str = "Plan") -> dict[str, object]:
    """Every non-empty cell by address, as openpyxl reads it."""
    book = openpyxl.load_workbook(path)
    return {c.coordinate: c.value for row in book[sheet].iter_rows() for c in row if c.value not in (None, "")}


def calamine_cell(path: Path, address: str, sheet: str = "Plan"):
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(
        skip_empty_area=False)
    col, row = ord(address[0]) - 64, int(address[1:])
    return rows[row - 1][col - 1]


def ledger_rows(shared: Path) -> list[dict[str, str]]:
    assert (shared.parent / "returns.csv").is_file()
    return read_returns_ledger(shared)


def wrote_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(("would write:", "wrote:"))]


# ---------------------------------------------------------------- the round trip

def test_round_trip_dry_run_then_yes_then_next_months_log(tmp_path):
    shared = shared_plan(tmp_path)
    run("consolidate", shared, "--month", MONTH, "--today", "2018-11-30", code=0)  # the copy before the returns
    packs = make_packs(shared)
    policy_return = edit_pack(pack_of(packs, "Policy Sub-Group"), {
        "1.1": {"RAG": "Amber", "Progress update": "New chair starts in January"},
        "2.1": {"RAG": "Green", "Proposed new deadline": "June 2019"},
    }, tmp_path / "Policy return.xlsx")
    # QA sorts its rows by RAG (Green before Amber) and saves the pack in LibreOffice
    qa_sorted = tmp_path / "qa" / "QA return.xlsx"
    qa_sorted.parent.mkdir()
    edit_pack(pack_of(packs, "QA Sub-Group"), {"1.2": {"RAG": "Green", "Progress update": QA_NOTE}},
              qa_sorted)
    book = openpyxl.load_workbook(qa_sorted)
    sheet = book["Plan"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5, max_row=6)]
    assert [r[0] for r in rows] == ["1.2", "1.3"]
    for number, values in enumerate(reversed(rows), start=5):  # 1.3 (Green) first, then 1.2 (Green now)
        for col, value in enumerate(values, start=1):
            sheet.cell(number, col).value = value
    book.save(qa_sorted)
    qa_return = soffice_convert(qa_sorted, "xlsx:Calc MS Excel 2007 XML", tmp_path)
    assert [row[0] for row in openpyxl.load_workbook(qa_return)["Plan"].iter_rows(min_row=5, max_row=6,
                                                                                 values_only=True)] == ["1.3", "1.2"]

    before, values_before = digest(shared), cell_values(shared)
    dry = run("collect", policy_return, qa_return, "--into", shared, code=0)
    assert digest(shared) == before and not (tmp_path / "returns.csv").exists()
    assert sorted(wrote_lines(dry.output)) == sorted([
        "would write: Plan!G4  1.1  RAG  'Red' -> 'Amber'  (from Policy Sub-Group)",
        "would write: Plan!H4  1.1  Progress update  'Chair has left' -> 'New chair starts in January'  "
        "(from Policy Sub-Group)",
        "would write: Plan!G7  2.1  RAG  '' -> 'Green'  (from Policy Sub-Group)",
        "would write: Plan!G5  1.2  RAG  'Amber' -> 'Green'  (from QA Sub-Group)",
        "would write: Plan!H5  1.2  Progress update  'Late' -> '- re-audit done - report to the Board'  (from QA Sub-Group)",
    ])
    assert any(line.startswith("proposed: 2.1") and "June 2019" in line for line in dry.output.splitlines())

    done = run("collect", policy_return, qa_return, "--into", shared, "--yes", code=0)
    assert len(wrote_lines(done.output)) == 5
    expected = dict(values_before, G4="Amber", H4="New chair starts in January", G7="Green", G5="Green",
                    H5=QA_NOTE)
    assert cell_values(shared) == expected  # and When? F7 still October 2018
    for address in ("G4", "H4", "G7", "G5", "H5", "F7"):
        assert calamine_cell(shared, address) == expected[address]
    assert any("June 2019" in line for line in done.output.splitlines() if line.startswith("proposed:"))
    ledger = ledger_rows(shared)
    assert sorted((r["ref"], r["field"], r["new"], r["body"], r["result"]) for r in ledger) == sorted([
        ("1.1", "RAG", "Amber", "Policy Sub-Group", "applied"),
        ("1.1", "Progress update", "New chair starts in January", "Policy Sub-Group", "applied"),
        ("2.1", "RAG", "Green", "Policy Sub-Group", "applied"),
        ("2.1", "Proposed new deadline", "June 2019", "Policy Sub-Group", "proposed: for the board to decide"),
        ("1.2", "RAG", "Green", "QA Sub-Group", "applied"),
        ("1.2", "Progress update", QA_NOTE, "QA Sub-Group", "applied"),
    ])

    assert [(r["sheet"], r["cell"]) for r in ledger if r["field"] == "Proposed new deadline"] == [("Plan", "F7")]
    # the same returns again: nothing changes, nothing is added to the ledger
    after, ledger_bytes = digest(shared), (tmp_path / "returns.csv").read_bytes()
    again = run("collect", policy_return, qa_return, "--into", shared, "--yes", code=0)
    assert wrote_lines(again.output) == []
    assert digest(shared) == after and (tmp_path / "returns.csv").read_bytes() == ledger_bytes

    run("consolidate", shared, "--month", "2018-12", "--today", "2018-12-31", code=0)
    copy = read_copy(tmp_path / "monthly" / "Shared Plan 2018-12.xlsx")
    logged = sorted((c.ref, c.field, c.old, c.new, c.returned_by) for c in copy.log if c.month == "2018-12")
    assert logged == sorted([
        ("1.1", "RAG", "Red", "Amber", "Policy Sub-Group"),
        ("1.1", "Progress update", "Chair has left", "New chair starts in January", "Policy Sub-Group"),
        ("2.1", "RAG", "", "Green", "Policy Sub-Group"),
        ("1.2", "RAG", "Amber", "Green", "QA Sub-Group"),
        ("1.2", "Progress update", "Late", QA_NOTE, "QA Sub-Group"),
    ])
    exceptions = [[c for c in row if c] for row in openpyxl.load_workbook(copy.path)["Exceptions"].iter_rows(
        values_only=True)]
    assert any(row and row[0] == "2.1" and any("Proposed new deadline: June 2019 (Policy Sub-Group)" in str(c)
                                               for c in row) for row in exceptions), exceptions


def test_a_mail_file_carrying_a_return_is_collected(tmp_path):
    shared = shared_plan(tmp_path)
    packs = make_packs(shared, MONTH, "--sender", "bsu@example.org")
    draft = BytesParser(policy=policy.default).parsebytes((packs / "QA Sub-Group 2018-11.eml").read_bytes())
    returned = edit_pack(pack_of(packs, "QA Sub-Group"), {"1.2": {"RAG": "Complete"}}, tmp_path / "filled.xlsx")
    reply = EmailMessage()
    reply["From"], reply["To"] = draft["To"], draft["From"] or "bsu@example.org"
    reply["Subject"] = "RE: " + str(draft["Subject"])
    reply.set_content("Our update is attached.\n")
    reply.add_attachment(returned.read_bytes(), maintype="application",
                         subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         filename="QA Sub-Group 2018-11.xlsx")
    reply.add_attachment(shared.read_bytes(), maintype="application",  # another workbook beside it
                         subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename="Our figures.xlsx")
    mail = tmp_path / "RE QA pack.eml"
    mail.write_bytes(bytes(reply))
    # the mail, and the pack saved from it as well: one return, counted once
    result = run("collect", mail, returned, "--into", shared, "--yes", code=0)
    assert wrote_lines(result.output) == ["wrote: Plan!G5  1.2  RAG  'Amber' -> 'Complete'  (from QA Sub-Group)"]
    assert "note: filled.xlsx says the same as RE QA pack.eml (both from QA Sub-Group): counted once" in result.output
    assert "note: RE QA pack.eml: its attachment 'Our figures.xlsx' is no returned pack (is not a pack that " \
           "plantools made" in result.output
    assert cell_values(shared)["G5"] == "Complete"
    assert [r["return"] for r in ledger_rows(shared)] == ["RE QA pack.eml, sheet Plan, cell H5"]


def test_a_wildcard_as_windows_passes_it_is_expanded(tmp_path):
    """cmd and PowerShell pass `Returns\\*` as typed: collect expands it itself, mails too."""
    shared = shared_plan(tmp_path)
    packs = make_packs(shared)
    returns = tmp_path / "Returns"
    returns.mkdir()
    edit_pack(pack_of(packs, "QA Sub-Group"), {"1.2": {"RAG": "Complete"}}, returns / "qa.xlsx")
    result = run("collect", str(returns / "*"), "--into", shared, "--yes", code=0)
    assert wrote_lines(result.output) == ["wrote: Plan!G5  1.2  RAG  'Amber' -> 'Complete'  (from QA Sub-Group)"]
    nothing = run("collect", str(returns / "*.msg"), "--into", shared, code=2)
    assert nothing.output.strip() == f"Error: {returns / '*.msg'}: no such file"


# ---------------------------------------------------------------- nothing lost

def png_bytes() -> bytes:
    """A 2x2 red picture."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def rich_plan(path: Path) -> Path:
    """A shared plan as staff keep it: a chart, a picture, a legacy comment, a RAG dropdown,
    RAG colours, defined names, and (for an .xlsm) macros."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Plan")
    rows = [["Partnership business plan"], [], PLAN_HEADER, *ACTIONS]
    for number, values in enumerate(rows):
        for col, value in enumerate(values):
            sheet.write_string(number, col, value)
    sheet.data_validation("G4:G7", {"validate": "list", "source": ["Red", "Amber", "Green", "Complete"]})
    sheet.conditional_format("G4:G7", {"type": "cell", "criteria": "==", "value": '"Red"',
                                       "format": book.add_format({"bg_color": "#FF0000"})})
    sheet.write_comment("H4", "Ask the chair", {"author": "BSU"})
    sheet.insert_image("K2", "red.png", {"image_data": io.BytesIO(png_bytes())})
    counts = book.add_worksheet("Counts")
    counts.write_string(0, 0, "Red")
    counts.write_number(0, 1, 1)
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": "=Counts!$B$1:$B$1"})
    counts.insert_chart("D2", chart)
    book.define_name("Actions", "=Plan!$A$4:$H$7")
    governance = book.add_worksheet("Governance")
    for number, values in enumerate([["Governance body", "Also written as", "Email"], *BODIES]):
        for col, value in enumerate(values):
            governance.write_string(number, col, value)
    if path.suffix == ".xlsm":
        vba = path.with_name("vbaProject.bin")
        with zipfile.ZipFile(realworld("xlsxwriter__macro01.xlsm")) as macro:
            vba.write_bytes(macro.read("xl/vbaProject.bin"))
        book.add_vba_project(str(vba))
    book.close()
    return path


@pytest.mark.parametrize("kind", ["xlsx", "xlsm", "libreoffice"])
def test_nothing_else_in_the_shared_workbook_changes(tmp_path, kind):
    made = tmp_path / "made"
    made.mkdir()
    shared = rich_plan(made / f"Shared Plan.{'xlsm' if kind == 'xlsm' else 'xlsx'}")
    if kind == "libreoffice":
        shared = soffice_convert(shared, "xlsx:Calc MS Excel 2007 XML", tmp_path)
    else:
        shared = Path(shutil.copy(shared, tmp_path / shared.name))
    original = tmp_path / "original"
    original.write_bytes(shared.read_bytes())
    with zipfile.ZipFile(shared) as package:
        names = package.namelist()
    assert any("chart" in n for n in names) and any("media" in n for n in names)
    assert any("comments" in n for n in names)
    assert kind != "xlsm" or "xl/vbaProject.bin" in names
    packs = make_packs(shared)
    returned = edit_pack(pack_of(packs, "Policy Sub-Group"), {
        "1.1": {"RAG": "Green", "Progress update": "Agreed by the Board"}, "2.1": {"RAG": "Amber"}},
        tmp_path / "return.xlsx")
    run("collect", returned, "--into", shared, "--yes", code=0)

    changes = changed_cells(original, shared)
    assert changes.other == []
    assert {sheet: {a: new for a, (_, new) in cells.items()} for sheet, cells in changes.cells.items()} == {
        "Plan": {"G4": "Green", "H4": "Agreed by the Board", "G7": "Amber"}}
    with zipfile.ZipFile(original) as old, zipfile.ZipFile(shared) as new:
        assert old.namelist() == new.namelist()
        differ = [n for n in old.namelist() if old.read(n) != new.read(n)]
    assert len(differ) == 1 and differ[0].startswith("xl/worksheets/")
    backups = list((tmp_path / "backups").iterdir())
    assert [b.read_bytes() for b in backups] == [original.read_bytes()]

    converted = soffice_convert(shared, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path / "csv")
    rows = list(csv.reader(converted.read_text(encoding="utf-8").splitlines()))
    assert rows[3][6:8] == ["Green", "Agreed by the Board"] and rows[6][6] == "Amber"
    assert calamine_cell(shared, "H4") == "Agreed by the Board"
    assert openpyxl.load_workbook(shared)["Plan"]["G7"].value == "Amber"


# ---------------------------------------------------------------- refusals and problems

def plan_by_xlsxwriter(path: Path, formula: str = "", merge: str = "") -> Path:
    """The simple plan written by xlsxwriter: G4 a formula showing Red, or a merged range."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Plan")
    for number, values in enumerate([["Partnership business plan"], [], PLAN_HEADER, *ACTIONS]):
        for col, value in enumerate(values):
            sheet.write_string(number, col, value)
    if formula:
        sheet.write_formula(formula, '="Re"&"d"', None, "Red")
    if merge:
        sheet.merge_range(merge, "Both in hand", None)
    governance = book.add_worksheet("Governance")
    for number, values in enumerate([["Governance body", "Also written as", "Email"], *BODIES]):
        for col, value in enumerate(values):
            governance.write_string(number, col, value)
    book.close()
    return path


def refused(args: list, shared: Path, code: int, *words: str) -> str:
    """Run collect --yes; the exit status, the words, and the shared workbook untouched."""
    before = digest(shared)
    result = run("collect", *args, "--into", shared, "--yes", code=code)
    assert digest(shared) == before
    assert not (shared.parent / "backups").exists()
    lines = [line for line in result.output.splitlines() if not line.startswith("nothing to write")]
    for word in words:
        assert any(word in line for line in lines), result.output
    return result.output


def test_conflict_the_shared_cell_changed_since_the_pack_was_made(tmp_path):
    shared = shared_plan(tmp_path)
    packs = make_packs(shared)
    returned = edit_pack(pack_of(packs, "Policy Sub-Group"), {"1.1": {"RAG": "Amber"}}, tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(shared)
    book["Plan"]["G4"] = "Green"  # the officer typed it in meanwhile
    book.save(shared)
    output = refused([returned], shared, 1, "conflict: 1.1 RAG 'Amber' from Policy Sub-Group (r.xlsx, sheet Plan, "
                                            "cell H5): Plan!G4 has changed in the shared workbook")
    assert "now 'Green', sent as 'Red'" in output
    assert [r["result"][:9] for r in ledger_rows(shared)] == ["conflict:"]


def test_conflict_two_bodies_disagree_on_a_shared_action(tmp_path):
    shared = shared_plan(tmp_path)
    packs = make_packs(shared)
    policy_return = edit_pack(pack_of(packs, "Policy Sub-Group"), {"1.3": {"RAG": "Amber"}}, tmp_path / "p.xlsx")
    qa_return = edit_pack(pack_of(packs, "QA Sub-Group"), {"1.3": {"RAG": "Red"}}, tmp_path / "q.xlsx")
    output = refused([policy_return, qa_return], shared, 1, "the returns disagree on Plan!G6")
    assert "'Amber' from Policy Sub-Group (p.xlsx" in output and "'Red' from QA Sub-Group (q.xlsx" in output
    # agreeing returns are one edit, from both bodies
    qa_return = edit_pack(pack_of(packs, "QA Sub-Group"), {"1.3": {"RAG": "amber"}}, tmp_path / "q.xlsx")
    agreed = run("collect", policy_return, qa_return, "--into", shared, code=0)
    assert wrote_lines(agreed.output) == [
        "would write: Plan!G6  1.3  RAG  'Green' -> 'Amber'  (from Policy Sub-Group, QA Sub-Group)"]


def test_bad_rag_and_unreadable_proposed_deadline_named_by_file_sheet_and_cell(tmp_path):
    shared = shared_plan(tmp_path)
    packs = make_packs(shared)
    returned = edit_pack(pack_of(packs, "Policy Sub-Group"), {
        "1.1": {"RAG": "Yellowish", "Proposed new deadline": "when pigs fly"},
        "2.1": {"RAG": "Green"}}, tmp_path / "Policy return.xlsx")
    before = digest(shared)
    dry = run("collect", returned, "--into", shared, code=1)
    assert digest(shared) == before
    assert ("bad value: 1.1 RAG 'Yellowish' from Policy Sub-Group (Policy return.xlsx, sheet Plan, cell H5): "
            "'Yellowish' is not a RAG") in dry.output
    assert ("bad value: 1.1 Proposed new deadline 'when pigs fly' from Policy Sub-Group (Policy return.xlsx, "
            "sheet Plan, cell G5): proposed deadline 'when pigs fly' cannot be read as a date") in dry.output
    done = run("collect", returned, "--into", shared, "--yes", code=1)  # the good value is written
    assert wrote_lines(done.output) == ["wrote: Plan!G7  2.1  RAG  '' -> 'Green'  (from Policy Sub-Group)"]
    assert cell_values(shared)["G4"] == "Red" and cell_values(shared)["G7"] == "Green"


def test_formula_in_the_target_cell_is_not_overwritten(tmp_path):
    shared = plan_by_xlsxwriter(tmp_path / "plan" / "Shared Plan.xlsx", formula="G4")
    packs = make_packs(shared)
    returned = edit_pack(pack_of(packs, "Policy Sub-Group"), {"1.1": {"RAG": "Amber"}}, tmp_path / "r.xlsx")
    refused([returned], shared, 1, "conflict: 1.1 RAG 'Amber'", "Plan!G4: holds a formula")


def test_merged_progress_cell_covering_two_actions_is_not_written(tmp_path):
    shared = plan_by_xlsxwriter(tmp_path / "plan" / "Shared Plan.xlsx", merge="H4:H5")
    packs = make_packs(shared)
    returned = edit_pack(pack_of(packs, "QA Sub-Group"), {"1.2": {"Progress update": "Only QA's"}},
                         tmp_path / "r.xlsx")
    refused([returned], shared, 1, "Plan!H4 is one merged cell for 2 actions")


def test_an_action_moved_is_found_and_one_gone_is_a_conflict(tmp_path):
    shared = shared_plan(tmp_path)
    packs = make_packs(shared)
    returned = edit_pack(pack_of(packs, "Policy Sub-Group"), {"1.1": {"RAG": "Amber"}, "2.1": {"RAG": "Red"}},
                         tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(shared)
    book["Plan"].insert_rows(4)  # a new first action: 1.1 is on row 5 now
    book["Plan"]["A4"], book["Plan"]["C4"] = "0.1", "A new first action"
    book["Plan"].delete_rows(8)  # 2.1 deleted
    book.save(shared)
    result = run("collect", returned, "--into", shared, "--yes", code=1)
    assert wrote_lines(result.output) == ["wrote: Plan!G5  1.1  RAG  'Red' -> 'Amber'  (from Policy Sub-Group)"]
    assert "conflict: 2.1 RAG 'Red'" in result.output and "no longer in the shared workbook" in result.output


def test_a_rag_in_the_workbooks_own_words_or_colour_is_no_false_conflict(tmp_path):
    rows = [list(a) for a in ACTIONS]
    rows[0][6], rows[1][6] = None, "Going to plan"  # 1.1 red by its colour alone; 1.2 in the Key sheet's words
    shared = make_workbook(tmp_path / "Shared Plan.xlsx", {
        "Plan": [["Partnership business plan"], [], PLAN_HEADER, *rows],
        "Key": [["RAG", "Meaning"], ["Green", "Going to plan"], ["Red", "Off track"]]},
        fills={"Plan": {"G4": "FFFF0000"}}, bodies=BODIES)
    packs = make_packs(shared)
    policy_return = edit_pack(pack_of(packs, "Policy Sub-Group"), {"1.1": {"RAG": "Amber"}}, tmp_path / "p.xlsx")
    qa_return = edit_pack(pack_of(packs, "QA Sub-Group"), {"1.2": {"RAG": "Complete"}}, tmp_path / "q.xlsx")
    result = run("collect", policy_return, qa_return, "--into", shared, "--yes", code=1)
    assert wrote_lines(result.output) == ["wrote: Plan!G5  1.2  RAG  'Going to plan' -> 'Complete'  (from QA Sub-Group)"]
    conflicts = [line for line in result.output.splitlines() if line.startswith("conflict:")]
    assert len(conflicts) == 1 and "Plan!G4 shows its RAG by its colour alone" in conflicts[0]
    assert "; 1 conflict, 0 bad values; see returns.csv" in result.output.splitlines()[-1]  # counted in words
    assert "G4" not in cell_values(shared)


def test_refused_while_open_in_excel(tmp_path):
    shared = shared_plan(tmp_path)
    packs = make_packs(shared)
    returned = edit_pack(pack_of(packs, "Policy Sub-Group"), {"1.1": {"RAG": "Amber"}}, tmp_path / "r.xlsx")
    (tmp_path / f"~${shared.name}").write_bytes(b"owner")
    dry = run("collect", returned, "--into", shared, code=0)
    assert "note: Shared Plan.xlsx is open in Excel (its owner file ~$ is beside it): close it before adding --yes" \
        in dry.output
    output = refused([returned], shared, 2, "Shared Plan.xlsx: is open in Excel")
    assert len(output.splitlines()) == 1 and not (tmp_path / "returns.csv").exists()


def test_refused_when_saved_between_the_dry_run_and_yes(tmp_path):
    shared = shared_plan(tmp_path)
    packs = make_packs(shared)
    returned = edit_pack(pack_of(packs, "Policy Sub-Group"), {"1.1": {"RAG": "Amber"}}, tmp_path / "r.xlsx")
    run("collect", returned, "--into", shared, code=0)
    book = openpyxl.load_workbook(shared)
    book["Plan"]["H6"] = "Someone's note"
    book.save(shared)
    output = refused([returned], shared, 2, "Shared Plan.xlsx: has changed since the dry run")
    assert len(output.splitlines()) == 1 and not (tmp_path / "returns.csv").exists()
    saved = shared.read_bytes()
    run("collect", returned, "--into", shared, code=0)  # a new dry run, then it writes
    run("collect", returned, "--into", shared, "--yes", "--backup-dir", tmp_path / "my backups", code=0)
    assert cell_values(shared)["G4"] == "Amber" and cell_values(shared)["H6"] == "Someone's note"
    assert [b.read_bytes() for b in (tmp_path / "my backups").iterdir()] == [saved]
    assert not list(tmp_path.glob(".~plantools-*"))  # the dry run's record is gone with the write


def test_refused_return_of_another_plan_or_of_two_months(tmp_path):
    shared = shared_plan(tmp_path)
    other = shared_plan(tmp_path, name="Other Plan.xlsx")
    november = edit_pack(pack_of(make_packs(shared), "Policy Sub-Group"), {"1.1": {"RAG": "Amber"}},
                         tmp_path / "nov.xlsx")
    december = edit_pack(pack_of(make_packs(shared, "2018-12"), "QA Sub-Group"), {"1.2": {"RAG": "Red"}},
                         tmp_path / "dec.xlsx")
    output = refused([november], other, 2, "nov.xlsx: is a pack of 'Shared Plan.xlsx', not of 'Other Plan.xlsx'")
    assert len(output.splitlines()) == 1
    missing = run("collect", november, "--into", tmp_path / "Shared Plan 2.xlsx", "--yes", code=2)
    assert missing.output.startswith("Error: ") and "Shared Plan 2.xlsx: does not exist" in missing.output
    output = refused([november, december], shared, 2, "is a pack for 2018-11, the others for 2018-12")
    assert len(output.splitlines()) == 1 and not (tmp_path / "returns.csv").exists()


def test_a_return_with_rows_deleted_or_added(tmp_path):
    shared = shared_plan(tmp_path)
    packs = make_packs(shared)
    deleted = edit_pack(pack_of(packs, "Policy Sub-Group"), {}, tmp_path / "deleted.xlsx")
    book = openpyxl.load_workbook(deleted)
    book["Plan"].delete_rows(6)  # 1.3
    book.save(deleted)
    owner = tmp_path / "~$deleted.xlsx"  # the chair still has it open: a *.xlsx picks up Excel's owner file
    owner.write_bytes(b"\x08Jo Chair" + b" " * 100)
    refused([deleted, owner], shared, 0, "note: deleted.xlsx: action 1.3 was deleted from the return: nothing changed",
            "note: ~$deleted.xlsx is Excel's owner file of a workbook open in Excel, no return: left out")
    added = edit_pack(pack_of(packs, "Policy Sub-Group"), {}, tmp_path / "added.xlsx")
    book = openpyxl.load_workbook(added)
    book["Plan"].insert_rows(8)  # under the table, above the RAG key
    for col, value in enumerate(["9.9", "New", "A new action", None, None, None, None, "Green"], start=1):
        book["Plan"].cell(8, col).value = value
    book["Plan"].append(["9.10", "New", "Another, under the key", None, None, None, None, "Red"])
    book.save(added)
    refused([added], shared, 0, "note: added.xlsx, sheet Plan, row 8: a row added in the return is no action",
            "note: added.xlsx, sheet Plan, row 11: a row added in the return is no action")


def test_a_return_sorted_without_its_key_or_with_a_row_copied_writes_nothing_for_those_rows(tmp_path):
    shared = shared_plan(tmp_path)
    packs = make_packs(shared)
    returned = edit_pack(pack_of(packs, "Policy Sub-Group"), {"1.1": {"RAG": "Amber"}, "1.3": {"RAG": "Red"},
                                                              "2.1": {"RAG": "Green"}}, tmp_path / "sorted.xlsx")
    book = openpyxl.load_workbook(returned)
    sheet = book["Plan"]
    key = [c.column for c in sheet[4] if c.value == "Return key"][0]
    for col in range(1, key):  # rows 5 (1.1) and 6 (1.3) swapped, but not their hidden keys
        sheet.cell(5, col).value, sheet.cell(6, col).value = sheet.cell(6, col).value, sheet.cell(5, col).value
    book.save(returned)
    result = run("collect", returned, "--into", shared, code=1)
    assert wrote_lines(result.output) == ["would write: Plan!G7  2.1  RAG  '' -> 'Green'  (from Policy Sub-Group)"]
    assert ("conflict: 1.1 Return key 'Plan!4' from Policy Sub-Group (sorted.xlsx, sheet Plan, row 5): its Ref '1.3' "
            "is not the action its return key was sent with ('1.1')") in result.output

    copied = edit_pack(pack_of(packs, "Policy Sub-Group"), {"2.1": {"RAG": "Green"}}, tmp_path / "copied.xlsx")
    book = openpyxl.load_workbook(copied)
    sheet = book["Plan"]
    sheet.insert_rows(8)  # 1.1 copied under the table, hidden key and all, with another RAG
    for cell in sheet[5]:
        sheet.cell(8, cell.column).value = cell.value
    sheet.cell(8, [c.column for c in sheet[4] if c.value == "RAG"][0]).value = "Complete"
    book.save(copied)
    result = run("collect", copied, "--into", shared, code=1)
    assert wrote_lines(result.output) == ["would write: Plan!G7  2.1  RAG  '' -> 'Green'  (from Policy Sub-Group)"]
    assert "conflict: 1.1 Return key 'Plan!4' from Policy Sub-Group (copied.xlsx, sheet Plan, row 5): rows 5 and 8 " \
           "carry the same return key" in result.output


def test_a_file_that_is_not_a_pack(tmp_path):
    shared = shared_plan(tmp_path)
    docx = tmp_path / "Update.docx"
    with zipfile.ZipFile(docx, "w") as package:
        package.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org'
                         '/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application'
                         '/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        package.writestr("word/document.xml", "<w:document/>")
    text = tmp_path / "Update.csv"
    text.write_text("Ref,RAG\n1.1,Amber\n", encoding="utf-8")
    mail = tmp_path / "No attachment.eml"
    message = EmailMessage()
    message.set_content("Our update: 1.1 is Amber")
    mail.write_bytes(bytes(message))
    saved_as_ods = soffice_convert(pack_of(make_packs(shared), "QA Sub-Group"), "ods", tmp_path / "ods")
    for path, words in [(shared, "Shared Plan.xlsx: is not a pack that plantools made"),
                        (saved_as_ods, "QA Sub-Group 2018-11.ods: is an OpenDocument spreadsheet"),
                        (docx, "Update.docx: is a Word document"), (text, "Update.csv: is a text file"),
                        (mail, "No attachment.eml: is a mail with no workbook attached")]:
        output = refused([path], shared, 2, words)
        assert len(output.splitlines()) == 1 and not (tmp_path / "returns.csv").exists()


# ---------------------------------------------------------------- kill -9

@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_kill_during_collect_leaves_the_old_or_the_new_workbook_whole(tmp_path):
    actions = [[f"{n // 10 + 1}.{n % 10 + 1}", f"Objective {n}", f"Action number {n} " * 4, "Jo Bloggs", "Policy",
                "March 2019", "Red", f"Note {n} " * 10] for n in range(1200)]
    shared = shared_plan(tmp_path, actions)
    returned = edit_pack(pack_of(make_packs(shared), "Policy Sub-Group"),
                         {a[0]: {"RAG": "Amber", "Progress update": f"Updated {a[0]}"} for a in actions},
                         tmp_path / "return.xlsx")
    saved, old = shared.read_bytes(), digest(shared)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}

    def collector() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "plantools", "collect", str(returned), "--into", str(shared),
                                 "--yes"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def restore() -> None:
        shared.write_bytes(saved)
        (tmp_path / "returns.csv").unlink(missing_ok=True)

    started = time.monotonic()
    assert collector().wait() == 0
    took, new = time.monotonic() - started, digest(shared)
    assert new != old
    chance = random.Random(13)
    for _ in range(5):
        restore()
        process = collector()
        time.sleep(chance.uniform(took / 3, took))  # the first third is Python starting and reading
        process.kill()
        process.wait()
        assert digest(shared) in (old, new)
        book = python_calamine.CalamineWorkbook.from_path(str(shared))
        assert len(book.get_sheet_by_name("Plan").to_python()) == 3 + len(actions)
        assert openpyxl.load_workbook(shared, read_only=True)["Plan"]["G4"].value in ("Red", "Amber")
    restore()
    assert collector().wait() == 0 and digest(shared) == new
    assert [p.name for p in tmp_path.glob(".~plantools-*")] == []  # what the killed runs left is swept


def test_a_pack_records_only_its_own_actions_as_sent(tmp_path):
    shared = shared_plan(tmp_path)
    pack = pack_of(make_packs(shared), "QA Sub-Group")
    book = openpyxl.load_workbook(pack)
    assert book["plantools"].sheet_state == "veryHidden" and book["plantools"].protection.sheet
    record = [[c for c in row] for row in book["plantools"].iter_rows(values_only=True)]
    pack_id = record[4][1]
    assert record == [["plantools update form 1", None], ["Plan", "Shared Plan.xlsx"], ["Month", MONTH],
                      ["Body", "QA Sub-Group"], ["Pack id", pack_id]]  # what names the pack, and no more
    sent = json.loads((pack.parent / "sent.json").read_text(encoding="utf-8"))["packs"][pack_id]
    assert [(r["key"], r["ref"], r["rag"], r["progress"]) for r in sent["actions"]] == [
        ("Plan!5", "1.2", "Amber", "Late"), ("Plan!6", "1.3", "Green", "")]
    plan = book["Plan"]
    assert plan.protection.sheet
    header = next(row for row in plan.iter_rows() if any(c.value == "Return key" for c in row))
    unlocked = sorted(c.value for c in header if plan.cell(c.row + 1, c.column).protection.locked is False)
    assert unlocked == ["Progress update", "Proposed new deadline", "RAG"]
    key_column = next(c.column_letter for c in header if c.value == "Return key")
    assert plan.column_dimensions[key_column].hidden
    with zipfile.ZipFile(pack) as package:
        text = b"".join(package.read(name) for name in package.namelist())
    for other in ("Draft the agreement", "Chair has left", "Work with schools", "Pat Day"):
        assert other.encode() not in text  # the Policy Sub-Group's actions travel in its pack only



def test_a_pack_returned_unchanged_leaves_text_longer_than_a_cell_as_it_is(tmp_path):
    """Progress longer than a cell holds (20,000 emoji: Excel counts each as two) goes into the
    pack cut, and says so; the pack returned unchanged changes nothing, where the cut text was
    written over the whole."""
    long = "🚸" * 20000 + " the end"
    shared = shared_plan(tmp_path, [["1.2", "Neglect", "Re-audit neglect", "Sam Smith", "QA", "March 2019", "Amber",
                                     long]])
    pack = pack_of(make_packs(shared), "QA Sub-Group")
    cut = [c.value for row in openpyxl.load_workbook(pack)["Plan"].iter_rows() for c in row
           if isinstance(c.value, str) and c.value.startswith("🚸")]
    assert len(cut) == 1 and cut[0].endswith("longer than Excel allows]")
    result = run("collect", pack, "--into", shared, "--yes", code=0)
    assert "came back unchanged" in result.output
    assert openpyxl.load_workbook(shared)["Plan"]["H4"].value == long


def test_a_change_to_text_sent_cut_is_not_written_over_the_whole(tmp_path):
    """Progress longer than a cell holds went into the pack cut. A sub-group that edits the cut
    text returns less than the shared workbook holds: written, it would lose the rest of the note.
    It is listed for the officer (exit 1), and the note stays whole."""
    long = "🚸" * 20000 + " the end"
    shared = shared_plan(tmp_path, [["1.2", "Neglect", "Re-audit neglect", "Sam Smith", "QA", "March 2019", "Amber",
                                     long]])
    pack = pack_of(make_packs(shared), "QA Sub-Group")
    edit_pack(pack, {"1.2": {"Progress update": "🚸" * 100 + " and a new line"}})
    result = run("collect", pack, "--into", shared, "--yes", code=1)
    assert "went into the pack cut" in result.output and "1 conflict" in result.output
    assert openpyxl.load_workbook(shared)["Plan"]["H4"].value == long
