"""A new officer's first month through the CLI, as the README tells it: the month the run is
for, what to fix, whether the drafts can be sent, and bad input in the officer's words."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from plantools.cli import main
from plantools.months import plan_year

from conftest import BUNDLED_2018, simple_plan


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def bundled_copy(folder: Path) -> Path:
    return Path(shutil.copy(BUNDLED_2018, folder / "Business Plan.xlsx"))


WARNING = "warning: December 2026 is outside the plan's year"


@pytest.mark.parametrize("command", ["monthly", "consolidate", "packs"])
def test_a_month_outside_the_plans_year_is_said_once_before_anything_else(tmp_path, command):
    plan = bundled_copy(tmp_path)
    result = run(command, plan, "--month", "2026-12")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (f"{WARNING} (April 2018 to March 2019, from '2018 – 19' in its title): "
                        "give the month, e.g. --month 2019-03")
    assert sum("outside the plan's year" in line for line in lines) == 1


def test_a_month_inside_the_plans_year_gets_no_warning(tmp_path):
    result = run("monthly", bundled_copy(tmp_path), "--month", "2018-11")
    assert result.exit_code == 0 and "outside the plan's year" not in result.output
    assert (tmp_path / "monthly" / "Business Plan 2018-11.xlsx").exists()


def test_without_a_year_in_the_title_the_deadlines_span_the_plan(tmp_path):
    plan = simple_plan(tmp_path / "plan.xlsx", [
        ["1.1", "Agreement", "Draft it", "Jo", "Board", "May 2019", "Green", ""],
        ["1.2", "Training", "Review it", "Kim", "Board", "January 2020", "", ""]])
    inside = run("consolidate", plan, "--month", "2019-08")
    assert inside.exit_code == 0 and "outside" not in inside.output
    outside = run("consolidate", plan, "--month", "2021-02")
    assert outside.output.splitlines()[0] == (
        "warning: February 2021 is outside the plan's year (May 2019 to January 2020, from its deadlines): "
        "give the month, e.g. --month 2020-01")


@pytest.mark.parametrize("title, year", [
    ("Merton Safeguarding Children Board Business Plan 2018 – 19", ("2018-04", "2019-03")),
    ("MSCB Business Plan 2012-13", ("2012-04", "2013-03")),
    ("Business Plan 2019/2020", ("2019-04", "2020-03")),
    ("Plan 1999-00", ("1999-04", "2000-03")),
    ("Plan 2018-2020", None),  # two years: not a financial year, so the deadlines decide
    ("Plan 2018-191", None),
])
def test_the_plans_year_is_read_from_a_financial_year_in_its_title(title, year):
    found = plan_year(title, [])
    assert (found and found[:2]) == year
