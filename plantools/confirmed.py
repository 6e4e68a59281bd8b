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
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .errors import PlanError
from .model import Plan
from .xlsxparts import column_letters

SUFFIX = ".layout.toml"
SAMPLE_CHARS = 30  # each sample value shown is cut to this many characters


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
    from .workbook import atomic_file

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


@dataclass
class WorkbookLayout:
    """What `plantools layout` shows: the plan as read, and its settings file."""
    plan: Plan
    settings: Path  # the settings file beside the workbook
    followed: bool  # it was there, and the plan was read by it
    saved: bool  # written now

    def lines(self) -> list[str]:
        plan = self.plan
        lines = [f"{plan.path.name}: {len(plan.plan_sheets)} plan sheet{'s' * (len(plan.plan_sheets) != 1)}, "
                 f"{len(plan.actions)} action{'s' * (len(plan.actions) != 1)}"]
        counts = {sheet: sum(1 for a in plan.actions if a.sheet == sheet) for sheet in plan.plan_sheets}
        for sheet, header in plan.headers.items():
            rows = f"row {header.row}" if header.top == header.row else f"rows {header.top}-{header.row}"
            lines.append(f"Sheet '{sheet}': header {rows}, {counts[sheet]} actions")
            lines.append(f"  {'field':<15} {'col':<3} {'header':<32} first values")
            for field, col in sorted(plan.layouts[sheet][1].items(), key=lambda item: item[1]):
                samples = " | ".join(_cut(value) for value in header.samples.get(field, [])) or "(empty)"
                lines.append(f"  {field:<15} {column_letters(col):<3} {_cut(header.labels.get(col, '')):<32} {samples}")
            read = set(plan.layouts[sheet][1].values())
            carried = [f"{column_letters(c)} '{_cut(label)}'" for c, label in header.labels.items()
                       if c not in read and c not in header.left_out and label in plan.extra_columns]
            if carried:
                lines.append(f"  carried as they are: {'; '.join(carried)}")
            for col, why in header.left_out.items():
                lines.append(f"  left out: {column_letters(col)} '{_cut(header.labels.get(col, ''))}' ({why})")
        for finding in plan.findings:
            if finding.field == "sheet" and " read as plan:" not in finding.message:
                lines.append(finding.message[:1].upper() + finding.message[1:])  # "Sheet 'Risk log' left out: ..."
        governance = {body.sheet for body in plan.bodies if body.sheet}
        for sheet in sorted(governance):
            count = sum(1 for body in plan.bodies if body.sheet == sheet)
            lines.append(f"Sheet '{sheet}' read as the governance bodies ({count})")
        for finding in plan.findings:
            if finding.field == "layout":
                lines.append(f"{finding.severity.capitalize()}: {finding.message}")
        name = self.settings.name
        if self.saved:
            lines.append(f"Saved as {name} beside the workbook: every command now reads the workbook this way")
        elif self.followed:
            lines.append(f"Read as {name} says (saved earlier); `plantools layout --save` saves it again")
        else:
            lines.append(f"Found by plantools; `plantools layout --save` saves it as {name} beside the "
                         "workbook, which every command then follows")
        return lines


def _cut(text: str) -> str:
    text = " / ".join(text.split("\n"))
    return text if len(text) <= SAMPLE_CHARS else text[:SAMPLE_CHARS - 1] + "…"


def layout(workbook: Path | str, sheets: list[str] | tuple[str, ...] = (), save: bool = False) -> WorkbookLayout:
    """Read the workbook and say how (`plantools layout`): the plan sheets, header rows, each
    field's column with three sample values, what is left out and why. save: write the
    settings file beside the workbook, which every command then follows."""
    from .reader import load_plan

    workbook = Path(workbook)
    plan = load_plan(workbook, sheets)
    path = settings_path(workbook)
    followed = path.is_file()
    if save:
        write_saved(plan)
    return WorkbookLayout(plan, path, followed, save)
