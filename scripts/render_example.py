"""Render the README's picture: a month of the bundled plan, consolidated and printed.

    python scripts/render_example.py     # needs LibreOffice (soffice) and pdftoppm

It takes a temporary copy of the bundled 2018-19 plan, types an example month's RAG and
progress into four actions (example values, not the published plan's), consolidates it,
prints it to PDF with LibreOffice and saves the first page as docs/consolidated-plan.png.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plantools import load_plan  # noqa: E402
from plantools.consolidate import consolidate  # noqa: E402

EXAMPLE_MONTH = {  # row in the bundled workbook -> (RAG, progress update)
    8: ("Green", "Draft agreement circulated to partners"),
    10: ("Amber", "Mental Health Protocol waiting for CCG sign-off"),
    14: ("Red", "Audit postponed: QA Chair post vacant"),
    18: ("Complete", "User voice strategy agreed at the Board"),
}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        plan_path = work / "MSCB Business Plan 2018-19.xlsx"
        shutil.copy(ROOT / "workbooks" / plan_path.name, plan_path)
        book = openpyxl.load_workbook(plan_path)
        sheet = book["Business Plan"]
        for row, (status, note) in EXAMPLE_MONTH.items():
            sheet.cell(row, 9).value, sheet.cell(row, 10).value = status, note
        book.save(plan_path)
        result = consolidate(load_plan(plan_path), "2018-11", work / "monthly", today=date(2018, 11, 30))
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work), str(result.path)],
                       check=True, capture_output=True)
        pdf = work / (result.path.stem + ".pdf")
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(ROOT / "docs" / "consolidated-plan")], check=True)
    print("wrote docs/consolidated-plan.png")


if __name__ == "__main__":
    main()
