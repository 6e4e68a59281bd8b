"""A corpus of plan workbooks laid out the way Business Support Units really keep them, each
written by code, with a table of what must be read from it (issue 10).

Each layout is a Layout: how to write it, the actions in order as (ref, what it says, owner,
bodies, due date, RAG), and the findings `check` must give as (severity, 'Sheet!Cell', words
the message holds). Every error and warning `check` gives must be one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable

import openpyxl
from openpyxl.styles import PatternFill
from openpyxl.styles.colors import Color

TODAY = date(2019, 1, 15)  # deadlines are judged as of this day unless a layout says otherwise
HIDDEN_MARKER = "HIDDEN-MARKER"  # typed only in hidden columns and confidential sheets


@dataclass
class Layout:
    write: Callable[[Path], None]
    actions: list[tuple]  # (ref, action or outcome, owner, bodies, due, RAG)
    findings: list[tuple[str, str, str]] = field(default_factory=list)  # (severity, 'Sheet!A1', words)
    notes: list[tuple[str, str]] = field(default_factory=list)  # ('Sheet!A1' or '', words) of notes
    libreoffice: bool = False  # re-saved by LibreOffice before it is read
    today: date = TODAY
    priorities: list[str] | None = None  # each action's priority, where the layout gives them
    extra: dict[str, list[str]] | None = None  # extra column -> each action's value
    objectives: list[tuple[str, str]] | None = None  # each action's (objective ref, objective)


def book() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    return wb


def add_sheet(wb, name: str, rows: list[list], merges: tuple[str, ...] = (), hidden_columns: str = "",
              hidden_rows: tuple[int, ...] = (), fills: dict[str, Color] | None = None,
              formats: dict[str, str] | None = None):
    sheet = wb.create_sheet(name)
    for row in rows:
        sheet.append(row)
    for cell_range in merges:
        sheet.merge_cells(cell_range)
    for letter in hidden_columns:
        sheet.column_dimensions[letter].hidden = True
    for row in hidden_rows:
        sheet.row_dimensions[row].hidden = True
    for address, colour in (fills or {}).items():
        sheet[address].fill = PatternFill("solid", fgColor=colour)
    for address, code in (formats or {}).items():
        sheet[address].number_format = code
    return sheet


def governance_sheet(wb, bodies: list[tuple[str, str, str]]) -> None:
    add_sheet(wb, "Governance", [["Governance body", "Also written as", "Email"], *[list(b) for b in bodies]])


BODIES = [
    ("Policy Sub-Group", "Policy", "policy@example.org"),
    ("QA Sub-Group", "QA; Quality Assurance Sub-Group", "qa@example.org"),
    ("Safeguarding Board", "Board; SAB", "board@example.org"),
]
POLICY, QA, BOARD = "Policy Sub-Group", "QA Sub-Group", "Safeguarding Board"
LD = "Learning and Development Sub-Group"
D = date


# 1. One sheet per priority, refs 1.1.1 under "Ref", two bodies in one cell, a Governance sheet.
PRIORITY_SHEETS = [
    ("Priority 1", [
        ["1.1.1", "Hear children", "Survey children in care", "Jo Bloggs", "Policy Sub-Group", datetime(2019, 3, 31), "Green", ""],
        ["1.1.2", "Hear children", "Publish the survey", "Sam Smith", "Policy Sub-Group / QA Sub-Group", datetime(2019, 6, 30), "Amber", "Delayed by the election"],
        ["1.2.1", "Listen to parents", "Hold parent forums", "Kim Lee", "Policy & QA Sub-Groups", datetime(2019, 9, 30), "Red", "No venue"],
    ]),
    ("Priority 2", [
        ["2.1.1", "Neglect", "Roll out the neglect toolkit", "Pat Day", "QA Sub-Group", datetime(2019, 5, 31), "G", ""],
        ["2.1.2", "Neglect", "Audit neglect cases", "Al Jones", "Safeguarding Board", datetime(2019, 7, 31), "Complete", ""],
    ]),
]
PRIORITY_HEADER = ["Ref", "Objective", "Action", "Lead", "Governance", "Deadline", "RAG", "Progress"]


def write_priority_sheets(path: Path, sheets=PRIORITY_SHEETS) -> None:
    wb = book()
    for name, rows in sheets:
        add_sheet(wb, name, [[f"{name}: our plan"], [], PRIORITY_HEADER, *rows])
    governance_sheet(wb, BODIES)
    wb.save(path)


# 2. Banner rows "Priority 2: ...", refs P1.O2.A3 under "ID", no Governance sheet, deadlines
#    as typed text: Mar-2019, Apr-19, 31.03.19 and two typos. Re-saved by LibreOffice.
def write_banners(path: Path) -> None:
    wb = book()
    add_sheet(wb, "Strategic plan", [
        ["Safeguarding Adults Board Strategic Plan 2018-21"],
        ["ID", "Objective", "Action", "Lead officer", "Reporting to", "Target date", "RAG status", "Update"],
        ["Priority 1: Making safeguarding personal"],
        ["P1.O1.A1", "Know people's wishes", "Audit MSP outcomes", "Jo Bloggs", "QA Sub-Group", "Mar-2019", "Green", ""],
        ["P1.O1.A2", "Know people's wishes", "Train staff in MSP", "Kim Lee", "Learning and Development Sub-Group", "Apr-19", "Amber", "Trainer off sick"],
        ["P1.O2.A3", "Hear carers", "Run a carers' survey", "Sam Smith", "Policy Sub-Group / QA Sub-Group", "31.03.19", "Red", "No budget"],
        ["Priority 2: Prevention"],
        ["P2.O1.A1", "Prevent self-neglect", "Write a self-neglect protocol", "Pat Day", "Policy & QA Sub-Groups", "Marhc 2019", "Green", ""],
        ["P2.O1.A2", "Prevent self-neglect", "Publish hoarding guidance", "Al Jones", "Policy Sub-Group\nLearning and Development Sub-Group", "Septmber 2019", "Green", ""],
    ], merges=("A1:H1", "A3:H3", "A7:H7"))
    wb.save(path)


# 3. Refs A1, A2, A12 under "#", deadlines that are findings or guesses, bodies split at
#    commas and "and".
def write_hash_refs(path: Path) -> None:
    wb = book()
    add_sheet(wb, "Workplan", [
        ["#", "Action", "Owner", "Governance", "When?", "RAG", "Progress update"],
        ["A1", "Agree the threshold document", "Jo Bloggs", "Board, Policy Sub-Group", "TBC", "Green", ""],
        ["A2", "Review LADO referrals", "Sam Smith", "QA Sub-Group and Policy Sub-Group", "end of Q3", "Green", ""],
        ["A12", "Refresh the website", "Kim Lee", "Comms Sub-Group", "March", "Green", ""],
        ["A13", "Agree the budget", "Al Jones", "Policy and Finance Sub-Group", "June 2019", "Green", ""],
        ["A14", "Train staff", "Pat Day", "QA Sub-Group", "Sept 19", "Green", ""],
        ["A15", "Visit schools", "Kim Lee", "QA Sub-Group", "Summer term 2019", "Green", ""],
        ["A16", "Review the strategy", "Jo Bloggs", "Board", "Mid-2019", "Green", ""],
    ])
    governance_sheet(wb, BODIES)
    wb.save(path)


# 4. No refs at all, no Governance sheet, sub-group spelt several ways, a "% complete" column.
NO_REFS = [
    ["Hear children", "Survey children in care", "Jo Bloggs", "Policy Sub-Group", "March 2019", "Green", "", 0.5],
    ["Hear children", "Publish the survey", "Sam Smith", "Policy sub group", "June 2019", "Amber", "Late", 0.25],
    ["Listen to parents", "Hold parent forums", "Kim Lee", "QA Sub Group", "September 2019", "Red", "No venue", 0],
    ["Neglect", "Roll out the neglect toolkit", "Pat Day", "Policy and QA Sub-Groups", "May 2019", "Green", "", 1],
    ["Neglect", "Audit neglect cases", "Al Jones", "QA Sub-Group", "July 2019", "Green", "", 0.75],
]


def write_no_refs(path: Path, rows=NO_REFS) -> None:
    wb = book()
    sheet = add_sheet(wb, "Plan", [
        ["Children's partnership plan 2018-19"],
        ["Objective", "Action", "Owner", "Governance oversight", "Deadline", "RAG", "Progress", "% complete"],
        *rows,
    ])
    for row in range(3, len(rows) + 3):
        sheet[f"H{row}"].number_format = "0%"
    wb.save(path)


# 5. Refs under "Ref No."; last month's RAG in a hidden column beside this month's; hidden "Internal notes".
def write_hidden_columns(path: Path) -> None:
    wb = book()
    add_sheet(wb, "Plan", [
        ["Ref No.", "Action", "Owner", "Governance", "Deadline", "RAG (Sept)", "RAG (Oct)", "Progress",
         f"Internal notes {HIDDEN_MARKER}"],
        ["1", "Agree the threshold", "Jo Bloggs", "Policy", "March 2019", "Red", "Green", "", f"{HIDDEN_MARKER} chair unhappy"],
        ["2", "Review LADO referrals", "Sam Smith", "QA", "June 2019", "Green", "Amber", "Late returns", f"{HIDDEN_MARKER} staff issue"],
        ["3", "Publish the annual report", "Kim Lee", "Board", "September 2019", "Amber", "Red", "No data", f"{HIDDEN_MARKER} do not share"],
    ], hidden_columns="FI")
    governance_sheet(wb, BODIES)
    wb.save(path)


# 6. Refs under "Action no.", governance under "Accountable to", a Status column before the
#    RAG column, Comments as progress.
def write_status_before_rag(path: Path) -> None:
    wb = book()
    add_sheet(wb, "Plan", [
        ["Action no.", "Action", "Lead", "Accountable to", "Due", "Status", "RAG", "Comments"],
        [1, "Agree the threshold", "Jo Bloggs", "Policy", "March 2019", "In progress", "A", "Awaiting legal"],
        [2, "Review LADO referrals", "Sam Smith", "QA", "June 2019", "Not started", "G", ""],
        [3, "Publish the annual report", "Kim Lee", "Board", "September 2019", "In progress", "R", "No data"],
    ])
    governance_sheet(wb, BODIES)
    wb.save(path)


# 7. Refs under "Obj" (one shared by two actions), RAG as emoji, dates with number formats
#    (mmm-yy means the month's end), written by xlsxwriter.
def write_emoji(path: Path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    sheet = wb.add_worksheet("Plan")
    month = wb.add_format({"num_format": "mmm-yy"})
    day = wb.add_format({"num_format": "dd/mm/yyyy"})
    long_day = wb.add_format({"num_format": "d mmmm yyyy"})
    header = ["Obj", "Objective", "Action", "Who", "Governance", "When", "RAG", "Progress update"]
    rows = [
        ["1.1", "Hear children", "Survey children in care", "Jo Bloggs", "Policy", (datetime(2019, 4, 1), month), "\U0001F7E2", ""],
        ["1.2", "Listen to parents", "Hold parent forums", "Sam Smith", "QA", (datetime(2019, 3, 15), day), "\U0001F7E0", "Venue late"],
        ["2.1", "Neglect", "Roll out the neglect toolkit", "Kim Lee", "Board", (datetime(2019, 6, 1), long_day), "\U0001F534", "No trainer"],
        ["2.2", "Prevent self-neglect", "Write a protocol", "Pat Day", "Policy", (datetime(2019, 9, 1), month), "\U0001F7E2\ufe0f", ""],
        ["2.2", "Prevent self-neglect", "Publish hoarding guidance", "Al Jones", "QA", (datetime(2019, 12, 1), month), "\u2705", ""],
    ]
    for col, text in enumerate(header):
        sheet.write_string(0, col, text)
    for number, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, tuple):
                sheet.write_datetime(number, col, *value)
            else:
                sheet.write_string(number, col, value)
    wb.add_worksheet("Governance")
    gov = wb.get_worksheet_by_name("Governance")
    for number, row in enumerate([["Governance body", "Also written as", "Email"], *BODIES]):
        for col, value in enumerate(row):
            gov.write_string(number, col, value)
    wb.close()


# 8. RAG given only as theme colours with tints (openpyxl's theme: accent2 red, accent3
#    green, accent6 orange); refs under "Action #".
def write_theme_tints(path: Path) -> None:
    wb = book()
    add_sheet(wb, "Plan", [
        ["Action #", "Action", "Owner", "Governance", "Deadline", "RAG", "Progress"],
        ["1", "Agree the threshold", "Jo Bloggs", "Policy", "March 2019", None, ""],
        ["2", "Review LADO referrals", "Sam Smith", "QA", "June 2019", None, "Late returns"],
        ["3", "Publish the annual report", "Kim Lee", "Board", "September 2019", None, "No data"],
    ], fills={"F2": Color(theme=6, tint=0.3999755851924192), "F3": Color(theme=9, tint=0.0),
              "F4": Color(theme=5, tint=-0.249977111117893)})
    governance_sheet(wb, BODIES)
    wb.save(path)


# 9. The workbook's own Key sheet defines its words; a word it does not define is a finding;
#    a status said with more words is read ("G (on track)"; "Amber - improving", with a
#    warning), two statuses in one cell are a finding.
def write_key_sheet(path: Path) -> None:
    wb = book()
    add_sheet(wb, "Action plan", [
        ["No.", "Action", "Owner", "Governance", "Deadline", "RAG", "Progress"],
        ["1", "Agree the threshold", "Jo Bloggs", "Policy", "March 2019", "On track", ""],
        ["2", "Review LADO referrals", "Sam Smith", "QA", "June 2019", "At risk", "Late returns"],
        ["3", "Publish the annual report", "Kim Lee", "Board", "September 2019", "Off track", "No data"],
        ["4", "Refresh the website", "Pat Day", "Policy", "May 2019", "Pending", ""],
        ["5", "Audit neglect cases", "Al Jones", "QA", "July 2019", "Completed", ""],
        ["6", "Train staff", "Sam Smith", "Board", "April 2019", "Amber - improving", "Trainer booked"],
        ["7", "Review the strategy", "Kim Lee", "Board", "April 2019", "G (on track)", ""],
        ["8", "Visit schools", "Pat Day", "QA", "April 2019", "Green/Amber", ""],
        ["9", "Publish leaflets", "Al Jones", "QA", "April 2019", "Green", "Delayed"],  # no key row
        ["10", "Hold a conference", "Jo Bloggs", "Board", "April 2019", "Delayed", "No venue"],
    ])
    add_sheet(wb, "Key", [["RAG key"], ["Green", "On track"], ["Amber", "At risk"], ["Red", "Off track"],
                          ["Blue", "Completed"]])
    governance_sheet(wb, BODIES)
    wb.save(path)


# 10. The 2012-13 layout: two-row header, numbered priority rows, objectives merged down their
#     actions, the RAG key repeated between tables, the header repeated. Re-saved by LibreOffice.
KEY_ROWS = [["Green", "Completed or On track"], ["Amber", "Risk of not being completed or Missing deadline"],
            ["Red", "Unlikely to complete on target/deadline or Unachievable in current conditions"]]
HEADER_2012 = [["Objectives", None, "Outcomes", "Performance Measurement / Evaluation", "Resources", None, "RAG",
                "Progress update"], [None, None, None, None, "Who? (Workplans)", "When?"]]


def write_2012(path: Path) -> None:
    wb = book()
    add_sheet(wb, "Business Plan", [
        ["Merton Safeguarding Children Board Business Plan 2012-13"],  # 1
        [],
        *HEADER_2012,  # 3-4
        ["1. Governance & accountability"],  # 5
        ["1.1", "Membership kept under review", "Membership at the right level", "Attendance reported",
         "Business Manager", "Dec 2013", "Green", ""],  # 6
        ["1.2", "Adopt the London procedures", "New procedures in place", "Audit of use", "DCS",
         "Sept 2013", "Amber", "Awaiting sign-off"],  # 7
        [],  # 8
        *KEY_ROWS,  # 9-11
        [],  # 12
        *HEADER_2012,  # 13-14
        ["2. Challenge & improvement"],  # 15
        ["2.1", "Develop a QA framework", "Evidence of impact", "Reports to QA", "Quality Assurance subgroup",
         "November 2012", "Red", "Framework late"],  # 16
        [None, None, "Practitioners confident", "Survey of staff", "Policy & Practice Subgroup", "March 2013",
         "Green", ""],  # 17
        ["2.2", "Early help", "Fewer children in need", "Data on referrals", "Policy & Practice Subgroup",
         "Ongoing", "Complete", ""],  # 18
        [],  # 19
        *KEY_ROWS,  # 20-22
    ], merges=("A1:H1", "A3:B4", "C3:C4", "D3:D4", "E3:F3", "G3:G4", "H3:H4", "A5:H5",
               "A13:B14", "C13:C14", "D13:D14", "E13:F13", "G13:G14", "H13:H14", "A15:H15",
               "A16:A17", "B16:B17"))
    wb.save(path)


# 11. A totals row typed and as formulas, notes under the table. Re-saved by LibreOffice, so
#     the formulas hold their values.
def write_totals(path: Path) -> None:
    wb = book()
    add_sheet(wb, "Plan", [
        ["Business plan 2018-19"],
        ["Ref", "Action", "Owner", "Governance", "Deadline", "RAG", "Progress"],
        ["1.1", "Agree the threshold", "Jo Bloggs", "Policy", "March 2019", "Green", ""],
        ["1.2", "Review LADO referrals", "Sam Smith", "QA", "June 2019", "Amber", "Late returns"],
        ["2.1", "Publish the annual report", "Kim Lee", "Board", "September 2019", "Green", ""],
        ["2.2", "Audit neglect cases", "Al Jones", "QA", "July 2019", "Green", ""],
        ["Total actions", 4],
        ["Total Green", '=COUNTIF(F3:F6,"Green")'],
        ["Total", "=COUNTA(B3:B6)", '=COUNTA(C3:C6)'],
        ["Totals by RAG", None, None, None, None, "3 Green, 1 Amber"],
        ["Note: RAG ratings agreed at the Board meeting"],
        ["* Deadlines are the end of the month unless a day is given"],
        ["Source: partner returns"],
        ["The Board agreed these priorities in May 2018."],
    ])
    governance_sheet(wb, BODIES)
    wb.save(path)


# 12. The header repeated mid-sheet; rows hidden by hand (one sheet) and by a filter (another).
def write_hidden_rows(path: Path) -> None:
    wb = book()
    header = ["Ref", "Action", "Owner", "Governance", "Deadline", "RAG", "Progress"]
    add_sheet(wb, "By hand", [
        header,
        ["1", "Agree the threshold", "Jo Bloggs", "Policy", "March 2019", "Green", ""],
        ["2", "Review LADO referrals", "Sam Smith", "QA", "June 2019", "Green", ""],
        header,
        ["3", "Publish the annual report", "Kim Lee", "Board", "September 2019", "Green", ""],
    ], hidden_rows=(3,))
    sheet = add_sheet(wb, "Filtered", [
        header,
        ["4", "Audit neglect cases", "Al Jones", "QA", "July 2019", "Green", ""],
        ["5", "Refresh the website", "Pat Day", "Policy", "May 2019", "Amber", "Waiting for IT"],
        ["6", "Train staff", "Jo Bloggs", "Board", "April 2019", "Green", ""],
    ], hidden_rows=(3,))
    sheet.auto_filter.ref = "A1:G4"
    sheet.auto_filter.add_filter_column(5, ["Green"])
    governance_sheet(wb, BODIES)
    wb.save(path)


# 13. Risk registers and confidential sheets with a plan-like header, and a sheet whose title
#     row says "Risk register": never read as plan.
RISK_SHEETS = ["Safeguarding_Risks", "Corporate_Risk_Register", "RAID log", "Issues log", "Confidential"]
PLAN_ROWS = [["Ref", "Action", "Owner", "Governance", "Deadline", "RAG", "Progress"],
             ["1", "Agree the threshold", "Jo Bloggs", "Policy", "March 2019", "Green", ""],
             ["2", "Review LADO referrals", "Sam Smith", "QA", "June 2019", "Green", ""]]


def write_risk_sheets(path: Path) -> None:
    wb = book()
    add_sheet(wb, "Plan", PLAN_ROWS)
    for number, name in enumerate(RISK_SHEETS):
        add_sheet(wb, name, [PLAN_ROWS[0], [str(number), f"{HIDDEN_MARKER} risk {number}", "Jo Bloggs", "Policy",
                                             "March 2019", "Red", f"{HIDDEN_MARKER} detail"]])
    add_sheet(wb, "Sheet7", [[f"Risk register 2018-19 {HIDDEN_MARKER}"], [], PLAN_ROWS[0],
                             ["R1", f"{HIDDEN_MARKER} titled risk", "Jo Bloggs", "QA", "March 2019", "Red", ""]])
    governance_sheet(wb, BODIES)
    wb.save(path)


# 14. Progress update and Comments both there, a "% complete" and a column plantools does not
#     know: carried into the copy after the known ones.
def write_extra_columns(path: Path) -> None:
    wb = book()
    add_sheet(wb, "Plan", [
        ["Ref", "Action", "Owner", "Governance", "Deadline", "RAG", "Progress update", "Comments", "% complete", "Budget"],
        ["1", "Agree the threshold", "Jo Bloggs", "Policy", "March 2019", "Green", "Draft out", "Chair to sign", "50%", "£2,000"],
        ["2", "Review LADO referrals", "Sam Smith", "QA", "June 2019", "Amber", "Late returns", "", "10%", ""],
    ])
    governance_sheet(wb, BODIES)
    wb.save(path)


# 15. The objective's ref under "Ref", shared by its actions (1.1a, 1.1b), the objective merged
#     down them; the actions keep their letters month to month.
SHARED = [
    ["1.1", "Hear children", "Survey children in care", "Jo Bloggs", "Policy", "March 2019", "Green", ""],
    ["1.1", "Hear children", "Publish the survey", "Sam Smith", "QA", "June 2019", "Amber", "Late"],
    ["1.1", "Hear children", "Act on the survey", "Kim Lee", "Board", "September 2019", "Green", ""],
    ["1.2", "Listen to parents", "Hold parent forums", "Pat Day", "Policy / QA", "May 2019", "Red", "No venue"],
    ["2.1", "Neglect", "Roll out the neglect toolkit", "Al Jones", "QA", "July 2019", "Green", ""],
    ["2.1", "Neglect", "Audit neglect cases", "Jo Bloggs", "Board", "April 2019", "Green", ""],
]


def write_shared_refs(path: Path, rows=SHARED) -> None:
    wb = book()
    add_sheet(wb, "Plan", [["Ref", "Objective", "Action", "Owner", "Governance", "Deadline", "RAG", "Progress"], *rows])
    governance_sheet(wb, BODIES)
    wb.save(path)


# 16. Sub-group spellings and two bodies in one cell with no Governance sheet, split at new
#     lines, semicolons, "and", "&", " - via "; a chair named in brackets; "TBC" names none.
def write_inferred_bodies(path: Path) -> None:
    wb = book()
    add_sheet(wb, "Plan", [
        ["Ref", "Action", "Owner", "Governance oversight", "Deadline", "RAG", "Progress"],
        ["1", "Agree the threshold", "Jo Bloggs", "Policy Sub-Group", "March 2019", "Green", ""],
        ["2", "Review LADO referrals", "Sam Smith", "QA Sub-Group", "June 2019", "Green", ""],
        ["3", "Publish the annual report", "Kim Lee", "Policy Sub-Group / QA Sub-Group", "September 2019", "Green", ""],
        ["4", "Audit neglect cases", "Al Jones", "Policy & QA Sub-Groups", "July 2019", "Green", ""],
        ["5", "Refresh the website", "Pat Day", "Policy Sub Group\nQA sub group", "May 2019", "Green", ""],
        ["6", "Train staff", "Jo Bloggs", "QA Sub-Group; Safeguarding Board", "April 2019", "Green", ""],
        ["7", "Review the strategy", "Sam Smith", "Policy Sub-Group and Safeguarding Board", "April 2019", "Green", ""],
        ["8", "Agree the budget", "Kim Lee", "Policy/QA Sub-Groups", "April 2019", "Green", ""],
        ["9", "Train staff", "Al Jones", "QA Sub-Groups", "April 2019", "Green", ""],
        ["10", "Refresh the threshold", "Pat Day", "Policy Sub-Group (Chair: Jo Bloggs)", "April 2019", "Green", ""],
        ["11", "Audit referrals", "Kim Lee", "Safeguarding Board - via QA Sub-Group", "April 2019", "Green", ""],
        ["12", "Agree a venue", "Sam Smith", "TBC", "April 2019", "Green", ""],
    ])
    wb.save(path)


# 17. The RAG key set above one table, in a "Key" column beside another, and in one cell under a
#     third: its words are read, and the key column is no column of the actions.
SIMPLE_HEADER = ["Ref", "Action", "Owner", "Governance", "Deadline", "RAG", "Progress"]


def write_key_in_plan_sheets(path: Path) -> None:
    wb = book()
    add_sheet(wb, "Above", [
        ["Business plan"], ["RAG key"], ["Green", "On target"], ["Amber", "Slipping"], ["Red", "Off target"], [],
        SIMPLE_HEADER,
        ["1", "Agree the threshold", "Jo Bloggs", "Policy", "March 2019", "On target", ""],
        ["2", "Review LADO referrals", "Sam Smith", "QA", "June 2019", "Slipping", "Late returns"],
    ])
    add_sheet(wb, "Beside", [
        [*SIMPLE_HEADER, None, "Key"],
        ["3", "Publish the annual report", "Kim Lee", "Board", "September 2019", "Off target", "No data", None,
         "Green", "On target"],
        ["4", "Audit neglect cases", "Al Jones", "QA", "July 2019", "On target", "", None, "Amber", "Slipping"],
        [None, None, None, None, None, None, None, None, "Red", "Off target"],
    ])
    add_sheet(wb, "Under", [
        SIMPLE_HEADER,
        ["5", "Refresh the website", "Pat Day", "Policy", "May 2019", "Stalled", "No budget"],
        [],
        ["Key: Green = on target; Amber = slipping; Red = stalled"],
    ])
    governance_sheet(wb, BODIES)
    wb.save(path)


# 18. Two visible RAG columns by month: the latest is read, the other carried, and said so;
#     priorities as unmerged "Theme 1: ..." and "Strategic Priority 2 - ..." rows.
def write_rag_by_month(path: Path) -> None:
    wb = book()
    add_sheet(wb, "Plan", [
        ["Ref", "Action", "Owner", "Governance", "Deadline", "RAG (Nov 18)", "RAG (Dec 18)", "Progress"],
        ["Theme 1: Neglect"],
        ["1", "Agree the threshold", "Jo Bloggs", "Policy", "March 2019", "Red", "Green", ""],
        ["Strategic Priority 2 - Exploitation"],
        ["2", "Review LADO referrals", "Sam Smith", "QA", "June 2019", "Green", "Amber", "Late returns"],
    ])
    add_sheet(wb, "Next year", [  # months without a year: January's column follows December's
        ["Ref", "Action", "Owner", "Governance", "Deadline", "RAG (Dec)", "RAG (Jan)", "Progress"],
        ["3", "Publish the annual report", "Kim Lee", "Board", "September 2019", "Green", "Red", "No data"],
    ])
    governance_sheet(wb, BODIES)
    wb.save(path)


# 19. An adults' plan: a sheet per priority named "Making Safeguarding Personal", a title that
#     speaks of reducing risk, one named "Governance & accountability" (a plan, not the list of
#     bodies), and the distribution list on a hidden Governance sheet.
def write_adults_plan(path: Path) -> None:
    wb = book()
    add_sheet(wb, "Making Safeguarding Personal", [["Priority 1: Making Safeguarding Personal"], SIMPLE_HEADER,
                                                   ["1.1", "Audit MSP outcomes", "Jo Bloggs", "QA", "March 2019", "Green", ""]])
    add_sheet(wb, "Prevention", [["Priority 2: Prevention - reducing the risk of abuse"], SIMPLE_HEADER,
                                 ["2.1", "Write a self-neglect protocol", "Sam Smith", "Policy", "June 2019", "Green", ""]])
    add_sheet(wb, "Governance & accountability", [SIMPLE_HEADER, ["3.1", "Review the board's membership", "Kim Lee",
                                                                  "Board", "May 2019", "Green", ""]])
    governance_sheet(wb, BODIES)
    wb["Governance"].sheet_state = "hidden"
    wb.save(path)


# 20. A RAG per month under one merged "RAG" header, the months typed as dates: this month's
#     (the latest) is read, an empty cell there is not rated, the earlier months are carried;
#     progress by quarter the same way.
def write_rag_per_month(path: Path) -> None:
    wb = book()
    add_sheet(wb, "Tracker", [
        ["Ref", "Action", "Owner", "Governance", "Deadline", "RAG", None, None, "Progress update", None],
        [None, None, None, None, None, datetime(2018, 10, 1), datetime(2018, 11, 1), datetime(2018, 12, 1), "Q2", "Q3"],
        ["1", "Agree the threshold", "Jo Bloggs", "Policy", "March 2019", "Red", "Amber", "Green", "Draft", "Agreed"],
        ["2", "Review LADO referrals", "Sam Smith", "QA", "June 2019", "Green", "Amber", None, "", "Late returns"],
    ], merges=("A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:E2", "F1:H1", "I1:J1"),
        formats={"F2": "mmm-yy", "G2": "mmm-yy", "H2": "mmm-yy"})
    governance_sheet(wb, BODIES)
    wb.save(path)


# 21. Objectives on rows of their own, numbered in the Ref column ("1 | Hear children"), or
#     written where the action goes ("Objective 2: Neglect"): headings, not actions.
def write_objective_rows(path: Path) -> None:
    wb = book()
    add_sheet(wb, "Plan", [
        ["Ref", "Objective", "Action", "Owner", "Governance", "Deadline", "RAG", "Progress"],
        ["1", "Hear children"],
        ["1.1", None, "Survey children in care", "Jo Bloggs", "Policy", "March 2019", "Green", ""],
        ["1.2", None, "Publish the survey", "Sam Smith", "QA", "June 2019", "Green", ""],
    ])
    add_sheet(wb, "Neglect", [
        SIMPLE_HEADER,
        ["2", "Objective 2: Neglect"],
        ["2.1", "Roll out the neglect toolkit", "Kim Lee", "QA", "July 2019", "Green", ""],
    ])
    governance_sheet(wb, BODIES)
    wb.save(path)


LAYOUTS: dict[str, Layout] = {
    "priority sheets, 1.1.1 refs": Layout(
        write_priority_sheets,
        [("1.1.1", "Survey children in care", "Jo Bloggs", (POLICY,), D(2019, 3, 31), "Green"),
         ("1.1.2", "Publish the survey", "Sam Smith", (POLICY, QA), D(2019, 6, 30), "Amber"),
         ("1.2.1", "Hold parent forums", "Kim Lee", (POLICY, QA), D(2019, 9, 30), "Red"),
         ("2.1.1", "Roll out the neglect toolkit", "Pat Day", (QA,), D(2019, 5, 31), "Green"),
         ("2.1.2", "Audit neglect cases", "Al Jones", (BOARD,), D(2019, 7, 31), "Complete")],
    ),
    "banner rows, P1.O2.A3 under ID": Layout(
        write_banners,
        [("P1.O1.A1", "Audit MSP outcomes", "Jo Bloggs", (QA,), D(2019, 3, 31), "Green"),
         ("P1.O1.A2", "Train staff in MSP", "Kim Lee", (LD,), D(2019, 4, 30), "Amber"),
         ("P1.O2.A3", "Run a carers' survey", "Sam Smith", (POLICY, QA), D(2019, 3, 31), "Red"),
         ("P2.O1.A1", "Write a self-neglect protocol", "Pat Day", (POLICY, QA), D(2019, 3, 31), "Green"),
         ("P2.O1.A2", "Publish hoarding guidance", "Al Jones", (LD, POLICY), D(2019, 9, 30), "Green")],
        [("warning", "Strategic plan!F8", "'Marhc' read as March"),
         ("warning", "Strategic plan!F9", "'Septmber' read as September")],
        notes=[("", "no Governance sheet")],
        libreoffice=True,
        priorities=["Priority 1: Making safeguarding personal"] * 3 + ["Priority 2: Prevention"] * 2,
    ),
    "# refs A1 A12, deadlines that are findings": Layout(
        write_hash_refs,
        [("A1", "Agree the threshold document", "Jo Bloggs", (POLICY, BOARD), None, "Green"),
         ("A2", "Review LADO referrals", "Sam Smith", (POLICY, QA), None, "Green"),
         ("A12", "Refresh the website", "Kim Lee", (), None, "Green"),
         ("A13", "Agree the budget", "Al Jones", (POLICY,), D(2019, 6, 30), "Green"),
         ("A14", "Train staff", "Pat Day", (QA,), D(2019, 9, 30), "Green"),
         ("A15", "Visit schools", "Kim Lee", (QA,), D(2019, 7, 31), "Green"),
         ("A16", "Review the strategy", "Jo Bloggs", (BOARD,), None, "Green")],
        [("error", "Workplan!E2", "not yet decided"),
         ("error", "Workplan!E3", "a quarter needs its financial year"),
         ("error", "Workplan!E4", "no year"),
         ("error", "Workplan!D4", "names no governance body"),
         ("warning", "Workplan!D5", "finance"),
         ("warning", "Workplan!E6", "'Sept 19' read as September 2019"),
         ("warning", "Workplan!E7", "'Summer term 2019' read as the end of July 2019"),
         ("error", "Workplan!E8", "'Mid-2019' names no month")],
    ),
    "no refs at all": Layout(
        write_no_refs,
        [("", "Survey children in care", "Jo Bloggs", (POLICY,), D(2019, 3, 31), "Green"),
         ("", "Publish the survey", "Sam Smith", (POLICY,), D(2019, 6, 30), "Amber"),
         ("", "Hold parent forums", "Kim Lee", (QA,), D(2019, 9, 30), "Red"),
         ("", "Roll out the neglect toolkit", "Pat Day", (POLICY, QA), D(2019, 5, 31), "Green"),
         ("", "Audit neglect cases", "Al Jones", (QA,), D(2019, 7, 31), "Green")],
        notes=[("", "no Governance sheet")],
        extra={"% complete": ["50%", "25%", "0%", "100%", "75%"]},
    ),
    "hidden last month's RAG and internal notes": Layout(
        write_hidden_columns,
        [("1", "Agree the threshold", "Jo Bloggs", (POLICY,), D(2019, 3, 31), "Green"),
         ("2", "Review LADO referrals", "Sam Smith", (QA,), D(2019, 6, 30), "Amber"),
         ("3", "Publish the annual report", "Kim Lee", (BOARD,), D(2019, 9, 30), "Red")],
        notes=[("Plan!F1", "hidden"), ("Plan!I1", "hidden")],
    ),
    "Status before RAG, Action no.": Layout(
        write_status_before_rag,
        [("1", "Agree the threshold", "Jo Bloggs", (POLICY,), D(2019, 3, 31), "Amber"),
         ("2", "Review LADO referrals", "Sam Smith", (QA,), D(2019, 6, 30), "Green"),
         ("3", "Publish the annual report", "Kim Lee", (BOARD,), D(2019, 9, 30), "Red")],
        notes=[("Plan!G1", "'Status'")],
    ),
    "Obj refs, emoji RAG, mmm-yy dates": Layout(
        write_emoji,
        [("1.1", "Survey children in care", "Jo Bloggs", (POLICY,), D(2019, 4, 30), "Green"),
         ("1.2", "Hold parent forums", "Sam Smith", (QA,), D(2019, 3, 15), "Amber"),
         ("2.1", "Roll out the neglect toolkit", "Kim Lee", (BOARD,), D(2019, 6, 1), "Red"),
         ("2.2a", "Write a protocol", "Pat Day", (POLICY,), D(2019, 9, 30), "Green"),
         ("2.2b", "Publish hoarding guidance", "Al Jones", (QA,), D(2019, 12, 31), "Complete")],
        notes=[("Plan!F2", "month's end")],
    ),
    "theme colour tints": Layout(
        write_theme_tints,
        [("1", "Agree the threshold", "Jo Bloggs", (POLICY,), D(2019, 3, 31), "Green"),
         ("2", "Review LADO referrals", "Sam Smith", (QA,), D(2019, 6, 30), "Amber"),
         ("3", "Publish the annual report", "Kim Lee", (BOARD,), D(2019, 9, 30), "Red")],
        [("warning", "Plan!F2", "from the cell's colour"), ("warning", "Plan!F3", "from the cell's colour"),
         ("warning", "Plan!F4", "from the cell's colour")],
    ),
    "the workbook's own key": Layout(
        write_key_sheet,
        [("1", "Agree the threshold", "Jo Bloggs", (POLICY,), D(2019, 3, 31), "Green"),
         ("2", "Review LADO referrals", "Sam Smith", (QA,), D(2019, 6, 30), "Amber"),
         ("3", "Publish the annual report", "Kim Lee", (BOARD,), D(2019, 9, 30), "Red"),
         ("4", "Refresh the website", "Pat Day", (POLICY,), D(2019, 5, 31), None),
         ("5", "Audit neglect cases", "Al Jones", (QA,), D(2019, 7, 31), "Complete"),
         ("6", "Train staff", "Sam Smith", (BOARD,), D(2019, 4, 30), "Amber"),
         ("7", "Review the strategy", "Kim Lee", (BOARD,), D(2019, 4, 30), "Green"),
         ("8", "Visit schools", "Pat Day", (QA,), D(2019, 4, 30), None),
         ("9", "Publish leaflets", "Al Jones", (QA,), D(2019, 4, 30), "Green"),
         ("10", "Hold a conference", "Jo Bloggs", (BOARD,), D(2019, 4, 30), None)],
        [("error", "Action plan!F5", "'Pending'"), ("warning", "Action plan!F7", "'Amber - improving' read as Amber"),
         ("error", "Action plan!F9", "'Green/Amber'"), ("error", "Action plan!F11", "'Delayed'")],
    ),
    "2012-13 layout, key between tables": Layout(
        write_2012,
        [("1.1", "Membership at the right level", "Business Manager", (), D(2013, 12, 31), "Green"),
         ("1.2", "New procedures in place", "DCS", (), D(2013, 9, 30), "Amber"),
         ("2.1a", "Evidence of impact", "Quality Assurance subgroup", (), D(2012, 11, 30), "Red"),
         ("2.1b", "Practitioners confident", "Policy & Practice Subgroup", (), D(2013, 3, 31), "Green"),
         ("2.2", "Fewer children in need", "Policy & Practice Subgroup", (), None, "Complete")],
        [("error", "Business Plan!A4", "no governance column")],
        notes=[("Business Plan!A9", "RAG key"), ("Business Plan!A20", "RAG key")],
        libreoffice=True, today=D(2012, 10, 15),
        priorities=["1. Governance & accountability"] * 2 + ["2. Challenge & improvement"] * 3,
    ),
    "totals and notes under the table": Layout(
        write_totals,
        [("1.1", "Agree the threshold", "Jo Bloggs", (POLICY,), D(2019, 3, 31), "Green"),
         ("1.2", "Review LADO referrals", "Sam Smith", (QA,), D(2019, 6, 30), "Amber"),
         ("2.1", "Publish the annual report", "Kim Lee", (BOARD,), D(2019, 9, 30), "Green"),
         ("2.2", "Audit neglect cases", "Al Jones", (QA,), D(2019, 7, 31), "Green")],
        notes=[("Plan!A7", "totals"), ("Plan!A8", "totals"), ("Plan!A9", "totals"), ("Plan!A10", "totals"), ("Plan!A11", "note"),
               ("Plan!A12", "note"), ("Plan!A13", "note"), ("Plan!A14", "note")],
        libreoffice=True,
    ),
    "repeated header, rows hidden by hand and by a filter": Layout(
        write_hidden_rows,
        [("1", "Agree the threshold", "Jo Bloggs", (POLICY,), D(2019, 3, 31), "Green"),
         ("2", "Review LADO referrals", "Sam Smith", (QA,), D(2019, 6, 30), "Green"),
         ("3", "Publish the annual report", "Kim Lee", (BOARD,), D(2019, 9, 30), "Green"),
         ("4", "Audit neglect cases", "Al Jones", (QA,), D(2019, 7, 31), "Green"),
         ("5", "Refresh the website", "Pat Day", (POLICY,), D(2019, 5, 31), "Amber"),
         ("6", "Train staff", "Jo Bloggs", (BOARD,), D(2019, 4, 30), "Green")],
        notes=[("By hand!A3", "by hand"), ("Filtered!A3", "filter")],
    ),
    "risk registers and confidential sheets": Layout(
        write_risk_sheets,
        [("1", "Agree the threshold", "Jo Bloggs", (POLICY,), D(2019, 3, 31), "Green"),
         ("2", "Review LADO referrals", "Sam Smith", (QA,), D(2019, 6, 30), "Green")],
        notes=[(f"{name}!A1", "left out") for name in [*RISK_SHEETS, "Sheet7"]],
    ),
    "Comments and % complete carried": Layout(
        write_extra_columns,
        [("1", "Agree the threshold", "Jo Bloggs", (POLICY,), D(2019, 3, 31), "Green"),
         ("2", "Review LADO referrals", "Sam Smith", (QA,), D(2019, 6, 30), "Amber")],
        notes=[("Plan!G1", "'Comments'")],
        extra={"Comments": ["Chair to sign", ""], "% complete": ["50%", "10%"], "Budget": ["£2,000", ""]},
    ),
    "objective refs shared, lettered": Layout(
        write_shared_refs,
        [("1.1a", "Survey children in care", "Jo Bloggs", (POLICY,), D(2019, 3, 31), "Green"),
         ("1.1b", "Publish the survey", "Sam Smith", (QA,), D(2019, 6, 30), "Amber"),
         ("1.1c", "Act on the survey", "Kim Lee", (BOARD,), D(2019, 9, 30), "Green"),
         ("1.2", "Hold parent forums", "Pat Day", (POLICY, QA), D(2019, 5, 31), "Red"),
         ("2.1a", "Roll out the neglect toolkit", "Al Jones", (QA,), D(2019, 7, 31), "Green"),
         ("2.1b", "Audit neglect cases", "Jo Bloggs", (BOARD,), D(2019, 4, 30), "Green")],
    ),
    "RAG key above and beside the table": Layout(
        write_key_in_plan_sheets,
        [("1", "Agree the threshold", "Jo Bloggs", (POLICY,), D(2019, 3, 31), "Green"),
         ("2", "Review LADO referrals", "Sam Smith", (QA,), D(2019, 6, 30), "Amber"),
         ("3", "Publish the annual report", "Kim Lee", (BOARD,), D(2019, 9, 30), "Red"),
         ("4", "Audit neglect cases", "Al Jones", (QA,), D(2019, 7, 31), "Green"),
         ("5", "Refresh the website", "Pat Day", (POLICY,), D(2019, 5, 31), "Red")],
        notes=[("Under!A4", "RAG key")],
        extra={},
    ),
    "RAG by month, the latest read": Layout(
        write_rag_by_month,
        [("1", "Agree the threshold", "Jo Bloggs", (POLICY,), D(2019, 3, 31), "Green"),
         ("2", "Review LADO referrals", "Sam Smith", (QA,), D(2019, 6, 30), "Amber"),
         ("3", "Publish the annual report", "Kim Lee", (BOARD,), D(2019, 9, 30), "Red")],
        notes=[("Plan!G1", "rag read from column G 'RAG (Dec 18)'"), ("Next year!G1", "rag read from column G")],
        extra={"RAG (Nov 18)": ["Red", "Green", ""], "RAG (Dec)": ["", "", "Green"]},
        priorities=["Theme 1: Neglect", "Strategic Priority 2 - Exploitation", ""],
    ),
    "adults' plan, hidden distribution list": Layout(
        write_adults_plan,
        [("1.1", "Audit MSP outcomes", "Jo Bloggs", (QA,), D(2019, 3, 31), "Green"),
         ("2.1", "Write a self-neglect protocol", "Sam Smith", (POLICY,), D(2019, 6, 30), "Green"),
         ("3.1", "Review the board's membership", "Kim Lee", (BOARD,), D(2019, 5, 31), "Green")],
        priorities=["Priority 1: Making Safeguarding Personal", "Priority 2: Prevention - reducing the risk of abuse", ""],
    ),
    "a RAG per month under one header": Layout(
        write_rag_per_month,
        [("1", "Agree the threshold", "Jo Bloggs", (POLICY,), D(2019, 3, 31), "Green"),
         ("2", "Review LADO referrals", "Sam Smith", (QA,), D(2019, 6, 30), None)],
        notes=[("Tracker!H2", "rag read from column H 'RAG Dec 2018'"),
               ("Tracker!J2", "progress read from column J 'Progress update Q3'")],
        extra={"RAG Oct 2018": ["Red", "Green"], "RAG Nov 2018": ["Amber", "Amber"], "Progress update Q2": ["Draft", ""]},
    ),
    "objective rows numbered in the Ref column": Layout(
        write_objective_rows,
        [("1.1", "Survey children in care", "Jo Bloggs", (POLICY,), D(2019, 3, 31), "Green"),
         ("1.2", "Publish the survey", "Sam Smith", (QA,), D(2019, 6, 30), "Green"),
         ("2.1", "Roll out the neglect toolkit", "Kim Lee", (QA,), D(2019, 7, 31), "Green")],
        objectives=[("1", "Hear children"), ("1", "Hear children"), ("2", "Neglect")],
    ),
    "bodies inferred, spelt and split many ways": Layout(
        write_inferred_bodies,
        [("1", "Agree the threshold", "Jo Bloggs", (POLICY,), D(2019, 3, 31), "Green"),
         ("2", "Review LADO referrals", "Sam Smith", (QA,), D(2019, 6, 30), "Green"),
         ("3", "Publish the annual report", "Kim Lee", (POLICY, QA), D(2019, 9, 30), "Green"),
         ("4", "Audit neglect cases", "Al Jones", (POLICY, QA), D(2019, 7, 31), "Green"),
         ("5", "Refresh the website", "Pat Day", (POLICY, QA), D(2019, 5, 31), "Green"),
         ("6", "Train staff", "Jo Bloggs", (QA, BOARD), D(2019, 4, 30), "Green"),
         ("7", "Review the strategy", "Sam Smith", (POLICY, BOARD), D(2019, 4, 30), "Green"),
         ("8", "Agree the budget", "Kim Lee", (POLICY, QA), D(2019, 4, 30), "Green"),
         ("9", "Train staff", "Al Jones", (QA,), D(2019, 4, 30), "Green"),
         ("10", "Refresh the threshold", "Pat Day", (POLICY,), D(2019, 4, 30), "Green"),
         ("11", "Audit referrals", "Kim Lee", (QA, BOARD), D(2019, 4, 30), "Green"),
         ("12", "Agree a venue", "Sam Smith", (), D(2019, 4, 30), "Green")],
        [("error", "Plan!D13", "'TBC' names no governance body")],
        notes=[("", "3 bodies read from the governance cells, with their actions: Policy Sub-Group (7); "
                    "QA Sub-Group (8); Safeguarding Board (3)")],
    ),
}
