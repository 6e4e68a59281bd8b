"""plantools check: each gap reported at the cell a BSU officer would fix."""

from datetime import date

from conftest import BUNDLED_2018, make_workbook

from plantools import check, load_plan
from plantools.plan.governance import Body, Matcher


def problems(findings):
    """Errors and warnings: what the officer must look at (notes say what the reader chose)."""
    return [f for f in findings if f.severity != "note"]


def errors(findings):
    return sorted((f.cell, f.field) for f in findings if f.severity == "error")


def test_bundled_plan_reports_the_published_gaps_and_nothing_else():
    """3.3 and 3.4 give no date; 2.1c (the Section 11 action) names no governance body."""
    findings = check(load_plan(BUNDLED_2018), today=date(2018, 5, 31))
    assert errors(findings) == [("F12", "governance"), ("G20", "deadline"), ("G21", "deadline")]
    assert {f.ref for f in findings if f.severity == "error"} == {"2.1c", "3.3", "3.4"}
    # presented in May 2018: only the March '18 actions are already overdue
    overdue = sorted(f.ref for f in findings if f.severity == "warning")
    assert overdue == ["2.2a", "2.2b", "2.2c"]


def test_planted_gaps_are_reported_at_their_cells(seed_like):
    findings = check(load_plan(seed_like), today=date(2018, 1, 1))
    assert errors(findings) == [("D9", "owner"), ("F13", "governance"), ("G11", "deadline"), ("G12", "deadline")]
    unreadable = next(f for f in findings if f.cell == "G12")
    assert "'when the budget allows' cannot be read" in unreadable.message
    assert unreadable.ref == "1.2b" and unreadable.sheet == "Business Plan"


def test_monitoring_warnings_depend_on_today(seed_like):
    plan = load_plan(seed_like)
    assert [f for f in check(plan, date(2018, 1, 1)) if f.severity == "warning"] == []
    later = {(f.ref, f.message.split(":")[0]) for f in check(plan, date(2019, 2, 1)) if f.severity == "warning"}
    assert later == {
        ("1.1a", "Green but the deadline (31 Jan 2019) has passed"),  # Green, past its date
        ("1.1b", "overdue"),
        ("1.2c", "overdue"),
    }


def test_red_or_amber_without_a_progress_note(tmp_path):
    path = make_workbook(tmp_path / "rag.xlsx", {"Plan": [
        ["Objective", "Action", "Owner", "Governance", "Deadline", "RAG", "Progress"],
        ["1.1 One", "a", "Jo", "Board", "May 2030", "Red", ""],
        ["1.2 Two", "b", "Jo", "Board", "May 2030", "Amber", "Waiting for the CCG"],
        ["1.3 Three", "c", "Jo", "Board", "May 2030", "Purple", ""],
        ["1.4 Four", "d", "Jo", "Board", "May 2018", "Complete", ""],
    ]})
    findings = problems(check(load_plan(path), today=date(2019, 1, 1)))
    assert [(f.cell, f.severity, f.field) for f in findings] == [
        ("G2", "warning", "progress"), ("F4", "error", "rag")]
    assert "Purple" in findings[1].message


def test_unknown_governance_body_and_duplicate_refs(tmp_path):
    path = make_workbook(tmp_path / "dupes.xlsx", {"Plan": [
        ["Action ref", "Objective", "Action", "Owner", "Governance", "Deadline"],
        ["A1", "1.1 One", "a", "Jo", "Policy Sub-Group", "May 2030"],
        ["A1", "1.2 Two", "b", "Jo", "The Finance Committee", "May 2030"],
        ["A2", "1.1 Again", "c", "Jo", "Policy", "May 2030"],
    ]}, bodies=[("Policy Sub-Group", "Policy", "")])
    found = {(f.cell, f.field): f.message for f in problems(check(load_plan(path), date(2019, 1, 1)))}
    assert "names no governance body" in found[("E3", "governance")]
    assert found[("A3", "ref")] == "duplicate reference A1: also at 'Plan'!A2"
    assert found[("B4", "ref")] == "objective 1.1 is numbered twice: also at 'Plan'!B2"
    assert len(found) == 3


def test_action_with_no_ref_where_the_others_have_one(tmp_path):
    path = make_workbook(tmp_path / "noref.xlsx", {"Plan": [
        ["Ref", "Objective", "Action", "Owner", "Governance", "Deadline"],
        [None, "Untitled", "a", "Jo", "Board", "May 2030"],
        ["1.1", "Titled", "b", "Jo", "Board", "May 2030"],
    ]})
    findings = problems(check(load_plan(path), date(2019, 1, 1)))
    assert [(f.severity, f.cell, f.ref, f.message) for f in findings] == [
        ("warning", "A2", "", "no reference, where the sheet's other actions have one: give it one")]


def test_a_plan_with_no_refs_at_all_is_no_error(tmp_path):
    path = make_workbook(tmp_path / "norefs.xlsx", {"Plan": [
        ["Action", "Owner", "Governance", "Deadline"],
        ["a", "Jo", "Board", "May 2030"],
        ["b", "Jo", "Board", "May 2030"],
    ]})
    plan = load_plan(path)
    assert [a.ref for a in plan.actions] == ["", ""]
    assert problems(check(plan, date(2019, 1, 1))) == []


def test_governance_aliases_from_the_seed():
    matcher = Matcher([
        Body("MSCB", ("MSCB partnership",)), Body("Policy Sub-Group", ("Policy",)),
        Body("Learning and Development Sub-Group", ("Learning and Development",)),
        Body("QA Sub-Group", ("Quality Assurance",)), Body("PPYPS Sub-Group", ("PPYPS", "PPYP")),
        Body("BIG"), Body("MSCB BSU", ("BSU",)),
    ])
    assert matcher.match("Policy Sub- Group") == ("Policy Sub-Group",)
    assert matcher.match("PPYP and Policy Sub-Groups") == ("Policy Sub-Group", "PPYPS Sub-Group")
    assert matcher.match("Policy and Learning and Development Sub-Groups\nMSCB BSU") == (
        "Policy Sub-Group", "Learning and Development Sub-Group", "MSCB BSU")
    assert matcher.match("QA Sub-Group and BIG Head CSC &YI") == ("QA Sub-Group", "BIG")
    assert matcher.match("The MSCB partnership and Strategic Boards") == ("MSCB",)
    assert matcher.match("Bigger picture group") == ()  # whole words only
