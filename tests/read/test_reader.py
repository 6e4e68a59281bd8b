"""The reader on the bundled plans and on layouts staff really make."""

from datetime import date, datetime

import pytest
from conftest import BUNDLED_2012, BUNDLED_2018, make_workbook

from plantools import PlanError, load_plan
from plantools.read.header import header_role


def by_ref(plan):
    return {action.ref: action for action in plan.actions}


def test_bundled_2018_plan_reads_every_action_of_the_seed():
    plan = load_plan(BUNDLED_2018)
    assert plan.title == "Merton Safeguarding Children Board Business Plan 2018 – 19"
    assert [a.ref for a in plan.actions] == [
        "1.1", "2.1a", "2.1b", "2.1c", "2.1d", "2.2a", "2.2b", "2.2c",
        "3.1", "3.2", "3.3", "3.4", "3.5", "4.1a", "4.1b", "4.1c", "4.1d",
    ]
    actions = by_ref(plan)
    assert {a.priority.split(".")[0] for a in plan.actions} == {"1", "2", "3", "4"}
    # an objective merged down its four actions belongs to each of them
    assert {actions[r].objective for r in ("2.1a", "2.1b", "2.1c", "2.1d")} == {
        "To embed the Think Family Approach across the multi-agency partnership"}
    # the outcome the PDF shows once for 2.1b and 2.1c, and the action shared by 4.1b-d
    assert actions["2.1c"].outcome == actions["2.1b"].outcome
    assert actions["2.1c"].outcome.startswith("We want all our practitioners")
    assert actions["4.1c"].action == actions["4.1d"].action == actions["4.1b"].action
    assert actions["2.2b"].deadline.text == "March '18"
    assert actions["2.2b"].bodies == ("Policy Sub-Group", "Learning and Development Sub-Group", "MSCB BSU")
    assert actions["1.1"].owner.splitlines()[0] == "The Independent Chair"
    assert plan.confidential_sheets == ["Risk log"]
    assert all(a.rag is None and a.progress == "" for a in plan.actions)  # the seed gives none


def test_bundled_2012_plan_reads_its_own_header_words():
    plan = load_plan(BUNDLED_2012)
    actions = by_ref(plan)
    assert len(plan.actions) == 13
    assert actions["2.2b"].objective == actions["2.2a"].objective
    assert actions["2.2b"].measure == "Evaluation of cases to assess where Early Help has improved outcomes"
    assert actions["2.4"].deadline.kind == "ongoing"
    assert actions["3.1"].priority == "3."
    assert actions["4.1"].owner == "Chair C& P Subgroup\nYouth Participation Team"
    assert "governance" not in actions["1.1"].cells  # the 2012-13 plan has no such column


def test_seed_layout_with_merged_objectives(seed_like):
    plan = load_plan(seed_like)
    actions = by_ref(plan)
    assert list(actions) == ["1.1a", "1.1b", "1.2a", "1.2b", "1.2c"]
    assert actions["1.1b"].objective == "To draft a partnership agreement"
    assert actions["1.2c"].outcome == "Families get help"
    assert actions["1.2a"].bodies == ("Policy Sub-Group",)
    assert actions["1.2a"].cells["deadline"] == "G11"
    assert actions["1.1a"].cells["objective_ref"] == "A8"
    assert actions["1.1b"].cells["objective_ref"] == "A8"  # the merged cell a user clicks
    assert actions["1.2b"].rag == "Green"  # typed as "G"
    assert actions["1.1a"].priority == "1. Managing the transition"


def test_renamed_headers_one_sheet_per_priority_and_excel_dates(tmp_path):
    """A staff layout: one header row with their own words, a sheet per priority, numbers
    for objective refs, real Excel dates, stray spaces, blank rows, objective written once."""
    header = ["Ref", "Objective", "Action", "Lead", "Oversight", "Due", "Status", "Comments"]
    path = make_workbook(tmp_path / "Plan with spaces.xlsx", {
        "Priority 1": [
            ["Business plan 2019-20 – priority 1"], [], header,
            [1.1, "Objective one", "Do a thing", "  Jo Bloggs \n", "Policy", datetime(2019, 6, 30), "green ", ""],
            [None, None, "Do another", "Sam Smith", "policy sub group", "Ongoing", "AMBER", "Waiting on data"],
            [None, None, None, None, None, None, None, None],
            [1.2, "Objective two", "A third", "Al Jones", "Policy", "Q3 2019-20", "Complete", "Done in May"],
        ],
        "Priority 2": [
            header,
            [2.1, "Objective three", "Fourth", "Kim Lee", "Policy", "March 2020", "R", "Staff left"],
        ],
    }, bodies=[("Policy Sub-Group", "Policy", "p@example.org")])
    plan = load_plan(path)
    actions = by_ref(plan)
    assert list(actions) == ["1.1a", "1.1b", "1.2", "2.1"]
    assert plan.plan_sheets == ["Priority 1", "Priority 2"]
    assert actions["1.1a"].owner == "Jo Bloggs"
    assert actions["1.1a"].deadline.due == date(2019, 6, 30)
    assert actions["1.1b"].objective == "Objective one"  # written once, above
    assert [actions[r].rag for r in actions] == ["Green", "Amber", "Complete", "Red"]
    assert actions["1.2"].deadline.due == date(2019, 12, 31)
    assert actions["2.1"].priority == "Priority 2"
    assert actions["2.1"].bodies == ("Policy Sub-Group",)
    assert actions["2.1"].cells["owner"] == "D2"


def test_rag_given_only_as_a_fill_colour_is_read_and_warned(tmp_path):
    header = ["Objective", "Action", "Owner", "Governance", "Deadline", "RAG"]
    path = make_workbook(tmp_path / "colours.xlsx", {"Plan": [
        header,
        ["1.1 First", "a", "Jo", "Board", "May 2019", None],
        ["1.2 Second", "b", "Jo", "Board", "May 2019", None],
        ["1.3 Third", "c", "Jo", "Board", "May 2019", None],
        ["1.4 Fourth", "d", "Jo", "Board", "May 2019", None],
    ]}, fills={"Plan": {"F2": "FFFF0000", "F3": "FFFFC000", "F4": "FF00B050", "F5": "FFD9D9D9"}})
    plan = load_plan(path)
    assert [a.rag for a in plan.actions] == ["Red", "Amber", "Green", None]
    assert [a.objective_ref for a in plan.actions] == ["1.1", "1.2", "1.3", "1.4"]  # split from the text
    warned = [(f.cell, f.severity) for f in plan.findings if f.field == "rag"]
    assert warned == [("F2", "warning"), ("F3", "warning"), ("F4", "warning")]


def test_a_rag_read_by_the_workbooks_own_key_names_the_key_and_any_key_that_says_otherwise(tmp_path):
    """'Finished' is no word of plantools': read by the Key sheet, said at the cell with the key's
    cell; 'Slipping' is Amber on the Key sheet but Red in the key above the table: the later key
    is read, as before, and the cell warns that the keys disagree."""
    path = make_workbook(tmp_path / "keys.xlsx", {
        "Key": [["RAG status", "Meaning"], ["Amber", "Slipping"], ["Complete", "Finished"]],
        "Plan": [["Red", "Slipping"], [],
                 ["Action", "Owner", "Governance", "Deadline", "RAG"],
                 ["Survey children", "Jo", "Board", "May 2019", "Finished"],
                 ["Audit the front door", "Jo", "Board", "May 2019", "Slipping"],
                 ["Train the GPs", "Jo", "Board", "May 2019", "Green"]]})
    plan = load_plan(path)
    assert [a.rag for a in plan.actions] == ["Complete", "Red", "Green"]
    said = [(f.severity, f.cell, f.message) for f in plan.findings if f.field == "rag"]
    assert said == [
        ("note", "E4", "RAG 'Finished' read as Complete: the workbook's key (Key!B3) says Complete means 'Finished'"),
        ("warning", "E5", "RAG 'Slipping' read as Red: the workbook's key (Plan!B1) says Red means 'Slipping', "
                          "but Key!B2 says Amber: make the keys agree")]


def test_objective_on_a_row_of_its_own_heads_its_actions(tmp_path):
    path = make_workbook(tmp_path / "headed.xlsx", {"Plan": [
        ["Objective ref", "Objective", "Action", "Owner", "Governance", "When?"],
        ["3.1", "Listen to children", None, None, None, None],
        [None, None, "Review the strategy", "The BIG", "Board", "Jan 2019"],
        [None, None, "Agree ways", "The BIG", "Board", "Jan 2019"],
    ]})
    plan = load_plan(path)
    assert [(a.ref, a.objective, a.row) for a in plan.actions] == [
        ("3.1a", "Listen to children", 3), ("3.1b", "Listen to children", 4)]


def test_hidden_sheets_and_the_risk_log_are_never_read_as_plan(tmp_path):
    header = ["Objective", "Action", "Owner", "Governance", "Deadline"]
    path = make_workbook(tmp_path / "hidden.xlsx", {
        "Plan": [header, ["1.1 Visible", "a", "Jo", "Board", "May 2019"]],
        "Old plan": [header, ["9.9 Secret", "z", "Jo", "Board", "May 2019"]],
        "Confidential risk log": [header, ["8.8 Risky", "y", "Jo", "Board", "May 2019"]],
    }, hidden=("Old plan",))
    plan = load_plan(path)
    assert [a.objective_ref for a in plan.actions] == ["1.1"]
    assert plan.confidential_sheets == ["Old plan", "Confidential risk log"]


def test_explicit_action_refs_are_the_identity(tmp_path):
    path = make_workbook(tmp_path / "refs.xlsx", {"Plan": [
        ["Action ref", "Objective", "Action", "Owner", "Governance", "Deadline"],
        ["A-7", "1.1 First", "a", "Jo", "Board", "May 2019"],
        ["A-3", None, "b", "Jo", "Board", "May 2019"],
    ]})
    assert [a.ref for a in load_plan(path).actions] == ["A-7", "A-3"]


def test_no_plan_sheet_names_what_was_expected_and_found(tmp_path):
    path = make_workbook(tmp_path / "budget.xlsx", {"Budget": [["Item", "Cost"], ["Paper", 3]]})
    with pytest.raises(PlanError) as error:
        load_plan(path)
    message = str(error.value)
    assert "budget.xlsx" in message and "Governance oversight" in message and "'Budget' has Item, Cost" in message


@pytest.mark.parametrize("header, role", [
    ("Who? (Workplans)", "owner"), ("Actions (who and what)", "action_pair"), ("Governance oversight", "governance"),
    ("Who? (Governance/oversight)", "governance"), ("When?", "deadline"), ("Deadline", "deadline"), ("Due", "deadline"),
    ("Timeframe", "deadline"), ("Time frame", "deadline"),
    ("Performance Measurement / Metrics", "measure"), ("Outcomes", "outcome"), ("Owner", "owner"), ("Lead", "owner"),
    ("Status", "rag"), ("RAG", "rag"), ("Progress update", "progress"), ("Objectives", "objective"),
    ("Resources", None), ("1. Governance & accountability", None),
    ("Merton Safeguarding Children Board Business Plan 2012-13", None),
])
def test_header_words_staff_use(header, role):
    assert header_role(header) == role


@pytest.mark.parametrize("letter", ["R", "A", "G", "B", "C", "g"])
def test_refs_that_begin_with_a_status_letter_are_actions_as_typed(tmp_path, letter):
    """A/1, B-2, G.3, R 4, C5: refs staff write, not the RAG words A, B, G, R, C; each row is an
    action whatever its deadline (an 'Ongoing' one too), its ref kept as typed."""
    from conftest import simple_plan
    from plantools.plan import rag

    refs = [f"{letter}{sep}{n}" for n, sep in enumerate(["/", "-", ".", " ", ""], start=1)]
    deadlines = ["Ongoing", "", "TBC", "March 2019", "Ongoing"]
    actions = [[ref, "Outcome", f"Action {ref}", "Jo", "Board", deadline, status, ""]
               for ref, deadline, status in zip(refs, deadlines, ["Green", "Amber", "", "Red", "Complete"])]
    plan = load_plan(simple_plan(tmp_path / "plan.xlsx", actions))
    assert [a.ref for a in plan.actions] == refs
    assert [a.action for a in plan.actions] == [f"Action {ref}" for ref in refs]
    assert all(rag.normalise(ref) is None for ref in refs)
