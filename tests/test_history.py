"""plantools history: three months of copies made by `plantools consolidate`, as one table."""

import csv
import subprocess
import sys

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import simple_plan
from test_consolidate import BODIES, OCTOBER, november_rows

import plantools
from plantools.cli import main

pytest.importorskip("pandas")


def consolidate(shared, month, out):
    result = CliRunner().invoke(main, ["consolidate", str(shared), "--month", month, "--out", str(out),
                                       "--today", f"{month}-28"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def quarter(tmp_path):
    """October, November (see test_consolidate) and December, when 1.2a slips again and a
    progress note that looks like a formula is typed."""
    shared = tmp_path / "Business Plan 2018-19.xlsx"
    out = tmp_path / "monthly copies"
    simple_plan(shared, OCTOBER, BODIES)
    consolidate(shared, "2018-10", out)
    rows = november_rows()
    simple_plan(shared, rows, BODIES)
    consolidate(shared, "2018-11", out)
    rows[1][5] = "September 2019"
    simple_plan(shared, rows, BODIES)
    book = openpyxl.load_workbook(shared)
    book["Plan"]["H5"].value = "=late again"  # 1.2a's progress, typed as text
    book["Plan"]["H5"].data_type = "s"
    book.save(shared)
    consolidate(shared, "2018-12", out)
    (out / "~$Business Plan 2018-19 2018-12.xlsx").write_bytes(b"Excel's owner file")
    return out


def test_history_is_one_row_per_action_per_month_with_its_changes(quarter):
    frame = plantools.history(quarter)
    assert list(frame.columns) == ["Month", "Ref", "Action", "Owner", "Deadline", "RAG", "Progress", "Changes",
                                   "Action key"]
    assert list(frame.groupby("Month", sort=False).size().items()) == [("2018-10", 5), ("2018-11", 6),
                                                                        ("2018-12", 5)]
    audit = frame[frame["Action key"] == "1.2a@2018-10"]
    assert list(audit["Deadline"]) == ["March 2019", "June 2019", "September 2019"]
    assert list(audit["Changes"]) == ["", "When?: March 2019 → June 2019",
                                      "When?: June 2019 → September 2019; Progress update: Audit tool late → =late again"]
    lessons = frame[frame["Action key"] == "1.2b@2018-10"]  # a row inserted above it: it keeps its letter
    assert list(zip(lessons["Ref"], lessons["Owner"])) == [("1.2b", "Kim Lee"), ("1.2b", "Pat Green"),
                                                           ("1.2b", "Pat Green")]
    assert list(frame[frame["Action key"] == "1.1@2018-10"]["RAG"]) == ["Green", "Amber", "Amber"]
    november = frame[frame["Month"] == "2018-11"].set_index("Action")["Changes"]
    assert november["Run a neglect workshop"] == "added"
    assert november["Adopt practice tools"] == "removed"


def test_history_command_writes_a_workbook_and_a_csv(quarter, tmp_path):
    result = CliRunner().invoke(main, ["history", str(quarter)])
    assert result.exit_code == 0, result.output
    written = quarter / "Business Plan 2018-19 history.xlsx"
    assert result.output == f"wrote {written}: 6 actions over 3 months (2018-10 to 2018-12), 16 rows\n"
    sheet = openpyxl.load_workbook(written)["Plan history"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0] == ("Month", "Ref", "Action", "Owner", "Deadline", "RAG", "Progress", "Changes", "Action key")
    assert len(rows) == 17 and rows[-1][0] == "2018-12"
    note = next(row for row in sheet.iter_rows(min_row=4) if row[2].value == "Re-audit neglect cases"
                and row[0].value == "2018-12")[6]
    assert note.value == "=late again" and note.data_type == "s"  # text, never a formula

    result = CliRunner().invoke(main, ["history", str(quarter), "--out", str(tmp_path / "history.csv")])
    assert result.exit_code == 0, result.output
    with open(tmp_path / "history.csv", encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0][0] == "Month" and len(table) == 17
    assert ["2018-11", "1.1", "Draft the agreement", "Jo Bloggs", "January 2019", "Amber", "Draft circulated",
            "RAG: Green → Amber", "1.1@2018-10"] in table
    assert "'=late again" in [row[6] for row in table]  # Excel shows it as the text it is


def test_a_folder_without_copies_is_one_line_and_exit_2(tmp_path):
    result = CliRunner().invoke(main, ["history", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output == (f"Error: {tmp_path}: no consolidated copies here (named '<plan> YYYY-MM.xlsx', "
                             "as plantools consolidate writes them)\n")


def test_without_pandas_history_says_how_to_install_it(quarter):
    code = ("import sys; sys.modules['pandas'] = None; from plantools.cli import main; "
            "main(['history', sys.argv[1]], prog_name='plantools')")
    result = subprocess.run([sys.executable, "-c", code, str(quarter)], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr == "Error: plantools history needs pandas: pip install plantools[pandas]\n"
    assert not list(quarter.glob("*history*"))


def test_a_history_longer_than_a_sheet_is_refused_in_one_line(tmp_path):
    """A year of a very large plan is more rows than an Excel sheet holds: said so (CSV holds
    them), where the rows past the sheet's end made a workbook Excel would not open."""
    pandas = pytest.importorskip("pandas")
    from plantools.history import COLUMNS, write_history

    too_many = 1_048_576 - 3 + 1
    frame = pandas.DataFrame({name: ["x"] * too_many for name in COLUMNS})
    with pytest.raises(plantools.PlanError, match="would hold 1,048,574 rows, more than an Excel sheet holds under "
                                                  r"its title and header \(1,048,573\): write the history as .csv"):
        write_history(frame, tmp_path / "history.xlsx")
    assert list(tmp_path.iterdir()) == []
