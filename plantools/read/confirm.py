"""What the officer sees and confirms of how a workbook was read (`plantools layout`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from plantools.plan.model import Plan
from plantools.read.saved import settings_path, write_saved
from plantools.text import cut
from plantools.xlsx.parts import column_letters

SAMPLE_CHARS = 30  # each sample value shown is cut to this many characters


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
                samples = " | ".join(_sample(value) for value in header.samples.get(field, [])) or "(empty)"
                lines.append(f"  {field:<15} {column_letters(col):<3} {_sample(header.labels.get(col, '')):<32} {samples}")
            read = set(plan.layouts[sheet][1].values())
            carried = [f"{column_letters(c)} '{_sample(label)}'" for c, label in header.labels.items()
                       if c not in read and c not in header.left_out and label in plan.extra_columns]
            if carried:
                lines.append(f"  carried as they are: {'; '.join(carried)}")
            for col, why in header.left_out.items():
                lines.append(f"  left out: {column_letters(col)} '{_sample(header.labels.get(col, ''))}' ({why})")
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




def layout(workbook: Path | str, sheets: list[str] | tuple[str, ...] = (), save: bool = False) -> WorkbookLayout:
    """Read the workbook and say how (`plantools layout`): the plan sheets, header rows, each
    field's column with three sample values, what is left out and why. save: write the
    settings file beside the workbook, which every command then follows."""
    from plantools.read.workbook import load_plan

    workbook = Path(workbook)
    plan = load_plan(workbook, sheets)
    path = settings_path(workbook)
    followed = path.is_file()
    if save:
        write_saved(plan)
    return WorkbookLayout(plan, path, followed, save)


def _sample(text: str) -> str:
    return cut(" / ".join(text.split("\n")), SAMPLE_CHARS)
