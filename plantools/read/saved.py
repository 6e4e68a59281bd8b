"""The layout the officer can see and confirm (`plantools layout WORKBOOK [--save]`).

`layout` shows what the reader finds: the plan sheets, their header rows, for each field the
column read with three of its values, and the columns and sheets left out and why. Saved, it
is a small settings file beside the workbook, '<workbook name>.layout.toml' (never inside the
workbook), which every command then follows: the plan sheets, the header rows, and for each
field the column by its header text. Where the workbook no longer matches it (a sheet
renamed, a column moved or renamed, rows inserted above the header) the reader says so at the
sheet, and `check` lists it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from plantools.errors import PlanError
from plantools.plan.model import Plan
from plantools.xlsx.parts import column_letters

SUFFIX = ".layout.toml"


@dataclass(frozen=True)
class SavedSheet:
    name: str
    header_rows: tuple[int, int]  # the first and the last header row
    columns: dict[str, tuple[str, str]]  # field -> (column letter, header text)


@dataclass(frozen=True)
class SavedLayout:
    path: Path  # the settings file
    sheets: tuple[SavedSheet, ...]

    def sheet(self, name: str) -> SavedSheet | None:
        return next((s for s in self.sheets if s.name == name), None)


def settings_path(workbook: Path | str) -> Path:
    workbook = Path(workbook)
    return workbook.with_name(workbook.stem + SUFFIX)


def read_saved(workbook: Path) -> SavedLayout | None:
    """The layout saved beside the workbook, or None when there is none."""
    path = settings_path(workbook)
    if not path.is_file():
        return None
    import tomllib  # here: most workbooks have no saved layout

    fix = "correct it, or delete it to let plantools find the layout again"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(path, f"cannot be read ({exc}): {fix}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(path, f"is not a layout file plantools can read ({exc}): {fix}") from None
    sheets = []
    try:
        for entry in data.get("sheets", []):
            first, last = (int(n) for n in entry["header_rows"])
            columns = {str(name): (str(column["column"]).upper(), str(column["header"]))
                       for name, column in entry.get("columns", {}).items()}
            sheets.append(SavedSheet(str(entry["name"]), (first, last), columns))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PlanError(path, f"is not a layout file plantools can read (a sheet without {exc}): {fix}") from None
    return SavedLayout(path, tuple(sheets))


def write_saved(plan: Plan) -> Path:
    """Save the layout the plan was read by beside its workbook; returns the file's path."""
    from plantools.xlsx.files import atomic_file

    path = settings_path(plan.path)
    lines = [f"# How plantools reads {json.dumps(plan.path.name, ensure_ascii=False)}, as confirmed with",
             f"# `plantools layout --save` on {date.today():%d %B %Y}. Every plantools command reads the",
             "# workbook this way, and `plantools check` says where the workbook no longer matches it.",
             "# Each field is read from the column with this header (the letter is where it was).",
             "# Delete this file to let plantools find the layout itself again.", ""]
    for sheet, header in plan.headers.items():
        lines += ["[[sheets]]", f"name = {_string(sheet)}", f"header_rows = [{header.top}, {header.row}]", "",
                  "[sheets.columns]"]
        for field, col in sorted(plan.layouts[sheet][1].items(), key=lambda item: item[1]):
            lines.append(f"{field} = {{ column = \"{column_letters(col)}\", header = {_string(header.labels.get(col, ''))} }}")
        lines.append("")
    try:
        with atomic_file(path) as temp:
            temp.write_text("\n".join(lines), encoding="utf-8")
    except OSError as exc:
        raise PlanError(path, f"cannot be written ({exc.strerror or exc})") from None
    return path


def _string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's."""
    return json.dumps(text, ensure_ascii=False)
