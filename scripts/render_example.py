"""Render the README's pictures: two months of the bundled plan, consolidated and printed.

    python scripts/render_example.py     # needs LibreOffice (soffice) and pdftoppm

It takes a temporary copy of the bundled 2018-19 plan, consolidates November 2018, types an
example month's RAG and progress into four actions (example values, not the published
plan's), consolidates December 2018, prints that copy to PDF with LibreOffice and saves its
first page (Highlights) as docs/highlights.png and the Plan's first page as
docs/consolidated-plan.png.
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

from plantools import load_plan
from plantools.jobs import consolidate

EXAMPLE_MONTH = {  # row in the bundled workbook -> (RAG, progress update)
    8: ("Green", "Draft agreement circulated to partners"),
    10: ("Amber", "Mental Health Protocol waiting for CCG sign-off"),
    14: ("Red", "Audit postponed: QA Chair post vacant"),
    18: ("Complete", "User voice strategy agreed at the Board"),
}
PICTURES = {1: "highlights", 2: "consolidated-plan"}  # page of the printed copy -> docs/<name>.png


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        plan_path = work / "MSCB Business Plan 2018-19.xlsx"
        shutil.copy(ROOT / "workbooks" / plan_path.name, plan_path)
        consolidate(load_plan(plan_path), "2018-11", work / "monthly", today=date(2018, 11, 30))
        book = openpyxl.load_workbook(plan_path)
        sheet = book["Business Plan"]
        for row, (status, note) in EXAMPLE_MONTH.items():
            sheet.cell(row, 9).value, sheet.cell(row, 10).value = status, note
        book.save(plan_path)
        result = consolidate(load_plan(plan_path), "2018-12", work / "monthly", today=date(2018, 12, 31))
        subprocess.run(["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(work), str(result.path)],
                       check=True, capture_output=True)
        pdf = work / (result.path.stem + ".pdf")
        for page, name in PICTURES.items():
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                            str(ROOT / "docs" / name)], check=True)
            print(f"wrote docs/{name}.png")


if __name__ == "__main__":
    main()
