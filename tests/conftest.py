"""Shared test helpers: real .xlsx files, written the way staff make them, read back."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import PatternFill

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))  # the benchmark's generated plans: `import bench`
# tests mirror the package's rooms (tests/read, tests/returns...); a test imports another's
# helpers by its module name (`from test_collect import make_packs`) from whichever room it is in
sys.path[1:1] = [str(room) for room in sorted(Path(__file__).parent.iterdir()) if room.is_dir() and room.name not in ("data", "__pycache__")]
BUNDLED_2018 = ROOT / "workbooks" / "MSCB Business Plan 2018-19.xlsx"
BUNDLED_2012 = ROOT / "workbooks" / "MSCB Business Plan 2012-13.xlsx"


def realworld_folder() -> Path:
    """The real-world corpus (workbooks from other projects' test suites): $PLANTOOLS_REALWORLD,
    else shared/realworld beside the project. A fresh clone has neither."""
    return Path(os.environ.get("PLANTOOLS_REALWORLD") or ROOT.parent / "shared" / "realworld")


def realworld(name: str) -> Path:
    """A file of the real-world corpus; the test is skipped, saying why, where it is absent."""
    path = realworld_folder() / name
    if not path.is_file():
        pytest.skip(f"real-world corpus file {path} is not here "
                    "(set PLANTOOLS_REALWORLD to the folder, or put shared/realworld beside the project)")
    return path


def write_sheet(sheet, rows: list[list], merges: tuple[str, ...] = (), fills: dict[str, str] | None = None) -> None:
    for row in rows:
        sheet.append(row)
    for cell_range in merges:
        sheet.merge_cells(cell_range)
    for address, rgb in (fills or {}).items():
        sheet[address].fill = PatternFill("solid", fgColor=rgb)


def make_workbook(path: Path, sheets: dict[str, list[list]], merges: dict[str, tuple[str, ...]] | None = None,
                  fills: dict[str, dict[str, str]] | None = None, hidden: tuple[str, ...] = (),
                  bodies: list[tuple[str, str, str]] | None = None) -> Path:
    """A workbook with one sheet per entry; bodies adds a Governance sheet (name, aliases, email)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        write_sheet(sheet, rows, (merges or {}).get(name, ()), (fills or {}).get(name))
        if name in hidden:
            sheet.sheet_state = "hidden"
    if bodies is not None:
        sheet = book.create_sheet("Governance")
        write_sheet(sheet, [["Governance body", "Also written as", "Email"], *[list(b) for b in bodies]])
    book.save(path)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


SEED_LIKE_ROWS = [
    ["Merton Safeguarding Children Board Business Plan 2018 – 19"],  # 1
    ["Progress of this Plan will be updated monthly & monitored at each MSCB Meeting"],  # 2
    ["Presented to the Board May 2018"],  # 3
    [],  # 4
    ["Objectives", None, "Outcomes", "Actions (who and what)", None, "Resources", None, "RAG",
     "Progress update"],  # 5
    [None, None, None, "Who", "What", "Governance oversight", "When?"],  # 6
    ["1. Managing the transition"],  # 7
    ["1.1", "To draft a partnership agreement", "A new partnership", "The Independent Chair",
     "Propose a draft agreement", "MSCB", "January 2019", "Green", ""],  # 8
    [None, None, "Sign-off", "  ", "Present it to the Board", "MSCB", "March '18", "", ""],  # 9
    [],  # 10
    ["1.2", "To embed Think Family", "Families get help", "Policy Sub- Group",
     "Approve the DVA Strategy", "Policy Sub- Group", None, "Amber", "Delayed by the consultation"],  # 11
    [None, None, None, "Learning and Development Sub-Group", "Review the training offer",
     "Learning and Development Sub-Group", "when the budget allows", "G", ""],  # 12
    [None, None, None, "Schools Representatives", "Work with schools", "", "May – June 2018", "", ""],  # 13
]
SEED_LIKE_MERGES = ("A1:I1", "A5:B6", "C5:C6", "D5:E5", "F5:G5", "H5:H6", "I5:I6", "A7:I7",
                    "A8:A9", "B8:B9", "A11:A13", "B11:B13", "C11:C13")
SEED_LIKE_BODIES = [
    ("MSCB", "Merton Safeguarding Children Board", "board@example.org"),
    ("Policy Sub-Group", "Policy", "policy@example.org"),
    ("Learning and Development Sub-Group", "L&D", "ld@example.org"),
]


@pytest.fixture
def seed_like(tmp_path: Path) -> Path:
    """A plan laid out like the seed's tables: title rows, the seed's header words over two
    rows (5-6), a priority heading row (7), objectives merged down their actions, a blank
    separator row (10). Planted gaps: 1.1b has no owner (D9), 1.2a no deadline (G11),
    1.2b an unreadable deadline (G12), 1.2c no governance body (F13)."""
    return make_workbook(
        tmp_path / "Seed like plan.xlsx", {"Business Plan": SEED_LIKE_ROWS},
        {"Business Plan": SEED_LIKE_MERGES}, bodies=SEED_LIKE_BODIES,
    )


PLAN_HEADER = ["Objective", "Objective description", "Action", "Owner", "Governance", "Deadline", "RAG",
               "Progress update"]


def simple_plan(path: Path, actions: list[list], bodies=None) -> Path:
    """A one-sheet plan in a plain staff layout: one row per action, PLAN_HEADER columns."""
    return make_workbook(path, {"Plan": [["Partnership business plan"], [], PLAN_HEADER, *actions]},
                         bodies=bodies)


def soffice_convert(path: Path, fmt: str, outdir: Path) -> Path:
    """Open a workbook in LibreOffice (headless) and save it as fmt: what a real spreadsheet
    program makes of the file. Skipped where LibreOffice is absent, except in CI."""
    import os
    import shutil
    import subprocess

    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is not installed: .ci/run installs libreoffice-calc-nogui")
        pytest.skip("LibreOffice is not installed")
    profile = outdir / "lo-profile"
    subprocess.run([binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", fmt, "--outdir", str(outdir), str(path)],
                   check=True, capture_output=True, timeout=180)
    extension = fmt.split(":")[0]
    return outdir / f"{path.stem}.{extension}"
