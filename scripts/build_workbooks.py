"""Build the bundled plan workbooks from their transcriptions in workbooks/source/*.toml.

    python scripts/build_workbooks.py            # rewrite workbooks/<name>.xlsx from each .toml
    python scripts/build_workbooks.py --check    # only say whether the workbooks match

The .toml files are the plans' text as published (see the rules at the top of each);
a reviewer diffs them against shared/seeds/, and this script makes the workbooks from them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plantools.template import write_plan_workbook

SOURCES = ROOT / "workbooks" / "source"


def cell_values(path: Path) -> dict[str, list[tuple]]:
    """Every sheet's values and merged ranges: what a rebuild must reproduce."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    return {
        sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)]
        + sorted(str(merged) for merged in sheet.merged_cells.ranges)
        for sheet in book.worksheets
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args()
    stale = []
    for source in sorted(SOURCES.glob("*.toml")):
        plan = tomllib.loads(source.read_text(encoding="utf-8"))
        target = ROOT / "workbooks" / (source.stem + ".xlsx")
        if args.check:
            with tempfile.TemporaryDirectory() as folder:
                fresh = Path(folder) / target.name
                write_plan_workbook(fresh, plan)
                if not target.exists() or cell_values(fresh) != cell_values(target):
                    stale.append(target.name)
            continue
        write_plan_workbook(target, plan, force=True)
        print(f"wrote {target.relative_to(ROOT)}")
    if stale:
        print("out of date (run scripts/build_workbooks.py): " + ", ".join(stale))
        return 1
    if args.check:
        print("the workbooks match their sources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
