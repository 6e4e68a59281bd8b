"""plantools format: the one command that writes into the shared workbook."""

import shutil

import openpyxl
import xlsxwriter
from click.testing import CliRunner
from conftest import BUNDLED_2018, digest, simple_plan

from plantools import load_plan
from plantools.cli import main

ACTIONS = [["1.1", "Agreement", "Draft it", "Jo", "Board", "May 2019", "Red", "Chair left"],
           ["1.2", "Neglect", "Audit", "Sam", "Board", "June 2019", "", ""]]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_format_backs_up_then_adds_rules_and_dropdown_once(tmp_path):
    shared = simple_plan(tmp_path / "Shared plan.xlsx", ACTIONS)
    original = digest(shared)
    result = run("format", shared)
    assert result.exit_code == 0, result.output
    backups = list((tmp_path / "backups").iterdir())
    assert len(backups) == 1 and digest(backups[0]) == original  # the backup is the workbook as it was
    sheet = openpyxl.load_workbook(shared)["Plan"]
    rules = {rule.text for cf in sheet.conditional_formatting for rule in cf.rules if str(cf.sqref) == "G4:G305"}
    assert rules == {"Red", "Amber", "Green", "Complete"}  # the actions and 300 rows to grow into
    assert [str(dv.sqref) for dv in sheet.data_validations.dataValidation] == ["G4:G305"]
    assert [a.rag for a in load_plan(shared).actions] == ["Red", None]  # the plan reads the same

    formatted = digest(shared)
    again = run("format", shared)
    assert again.exit_code == 0 and "nothing changed" in again.output
    assert digest(shared) == formatted and len(list((tmp_path / "backups").iterdir())) == 1


def test_format_refuses_while_open_in_excel(tmp_path):
    shared = simple_plan(tmp_path / "plan.xlsx", ACTIONS)
    (tmp_path / "~$plan.xlsx").write_bytes(b"owner")
    before = digest(shared)
    result = run("format", shared)
    assert result.exit_code == 2 and "open in Excel" in result.output
    assert digest(shared) == before and not (tmp_path / "backups").exists()


def test_format_refuses_naming_what_would_be_lost(tmp_path):
    """A plan made in Excel's own format with a shape and sparklines, which openpyxl drops."""
    shared = tmp_path / "plan with extras.xlsx"
    book = xlsxwriter.Workbook(str(shared))
    sheet = book.add_worksheet("Plan")
    for row, values in enumerate([["Objective", "Action", "Owner", "Governance", "Deadline", "RAG", "Trend"],
                                  *[r[:6] for r in ACTIONS]]):
        sheet.write_row(row, 0, values)
    sheet.add_sparkline("G2", {"range": "Plan!A2:A3"})
    sheet.insert_textbox("I2", "Note for the Board Manager")
    book.close()
    before = digest(shared)
    result = run("format", shared)
    assert result.exit_code == 2
    assert "would lose sparklines, shapes or pictures" in result.output
    assert digest(shared) == before and not (tmp_path / "backups").exists()


def test_bundled_workbook_already_has_the_rules(tmp_path):
    copy = tmp_path / BUNDLED_2018.name
    shutil.copy(BUNDLED_2018, copy)
    result = run("format", copy)
    assert result.exit_code == 0 and "already there" in result.output
    assert digest(copy) == digest(BUNDLED_2018)


def test_format_writes_as_collect_does_keeping_permissions_and_refusing_read_only(tmp_path):
    """format replaces the workbook through the same writer as collect: its mode is kept, and
    a workbook made read-only is refused with nothing written."""
    import os

    shared = simple_plan(tmp_path / "plan.xlsx", ACTIONS)
    os.chmod(shared, 0o640)
    assert run("format", shared).exit_code == 0
    assert os.stat(shared).st_mode & 0o777 == 0o640
    [backup] = (tmp_path / "backups").iterdir()
    assert os.stat(backup).st_mode & 0o777 == 0o640  # the backup is no more readable than the workbook

    other = simple_plan(tmp_path / "other.xlsx", ACTIONS)
    os.chmod(other, 0o444)
    before = digest(other)
    result = run("format", other)
    assert result.exit_code == 2 and "is read-only" in result.output
    assert digest(other) == before and not list(tmp_path.glob("backups/other*"))
