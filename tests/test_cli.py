"""The plantools command as a BSU officer runs it."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import BUNDLED_2018, digest, make_workbook

from plantools import load_plan
from plantools.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_check_json_lists_every_finding_with_its_cell():
    result = run("check", BUNDLED_2018, "--today", "2018-05-31", "--format", "json")
    assert result.exit_code == 1  # the published plan has gaps
    findings = json.loads(result.output)
    assert {tuple(sorted(f)) for f in findings} == {("cell", "field", "message", "ref", "severity", "sheet")}
    assert sorted((f["ref"], f["field"], f["cell"]) for f in findings if f["severity"] == "error") == [
        ("2.1c", "governance", "F12"), ("3.3", "deadline", "G20"), ("3.4", "deadline", "G21")]


def test_check_table_is_readable_and_summarises():
    result = run("check", BUNDLED_2018, "--today", "2018-05-31")
    lines = result.output.splitlines()
    assert lines[1].split() == ["Severity", "Where", "Ref", "Field", "Message"]
    assert any(line.startswith("error") and "Business Plan!G20" in line and "3.3" in line for line in lines)
    assert lines[-1] == "17 actions on 1 plan sheet: 3 errors, 3 warnings"


def test_check_exits_0_on_a_complete_plan(tmp_path):
    path = make_workbook(tmp_path / "complete plan.xlsx", {"Plan": [
        ["Objective", "Action", "Owner", "Governance", "Deadline", "RAG"],
        ["1.1 One", "a", "Jo", "Board", "May 2030", "Green"],
    ]})
    result = run("check", path, "--today", "2019-01-01")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "1 action on 1 plan sheet: 0 errors, 0 warnings"


def test_check_never_writes_to_the_workbook(seed_like):
    before = (digest(seed_like), seed_like.stat().st_mtime_ns)
    run("check", seed_like)
    run("check", seed_like, "--format", "json")
    assert (digest(seed_like), seed_like.stat().st_mtime_ns) == before
    assert sorted(p.name for p in seed_like.parent.iterdir()) == [seed_like.name]


def test_open_in_excel_reads_the_saved_version_and_says_so(seed_like):
    (seed_like.parent / ("~$" + seed_like.name)).write_bytes(b"owner")
    result = run("check", seed_like, "--format", "json")
    assert any("open in Excel" in f["message"] for f in json.loads(result.output))


@pytest.mark.parametrize("make, words", [
    (lambda d: d / "missing.xlsx", "no such file"),
    (lambda d: d, "is a folder"),
    (lambda d: (d / "notes.xlsx").write_text("Ref,Owner\n1.1,Jo\n") and d / "notes.xlsx", "a text file (a CSV?)"),
])
def test_unreadable_input_is_one_line_and_exit_2(tmp_path, make, words):
    path = make(tmp_path)
    result = subprocess.run([sys.executable, "-m", "plantools", "check", str(path)],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert str(path) in result.stderr and words in result.stderr


def test_new_writes_an_empty_plan_that_reads_back(tmp_path):
    target = tmp_path / "Business Plan 2019-20.xlsx"
    result = run("new", target, "--title", "MSCP Business Plan 2019-20")
    assert result.exit_code == 0
    plan = load_plan(target)
    assert plan.actions == [] and plan.title == "MSCP Business Plan 2019-20"
    assert plan.confidential_sheets == ["Risk log"]
    again = run("new", target)
    assert again.exit_code == 2 and "already exists" in again.output


def test_output_piped_into_a_reader_that_stops_ends_quietly():
    """`plantools check ... | head -1`: the reader goes away; no traceback, no "unexpected" line."""
    run = subprocess.Popen([sys.executable, "-m", "plantools", "check", str(BUNDLED_2018)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    run.stdout.close()  # nobody reads what it prints
    assert run.wait(timeout=60) != 0
    assert run.stderr.read() == b""


@pytest.mark.parametrize("command", ["consolidate", "packs", "monthly"])
def test_the_option_groups_reach_the_api_as_its_own_keywords_and_defaults(command):
    """packs and monthly hand --today/--paper/--force (RunOptions) and --sender/--reply-by/
    --reply-to (Mail) to the API as its keywords: every field is one of them, with the
    default the API documents, and the command offers each as an option."""
    import dataclasses
    import inspect

    import plantools
    from plantools.options import Mail, RunOptions

    api = {"consolidate": plantools.consolidate, "packs": plantools.make_packs, "monthly": plantools.run_month}[command]
    groups = [RunOptions] if command == "consolidate" else [RunOptions, Mail]
    keywords = inspect.signature(api).parameters
    options = {option.name for option in main.commands[command].params}
    for field in (field for group in groups for field in dataclasses.fields(group)):
        assert keywords[field.name].default == field.default
        assert field.name in options
