"""What the officer sees and confirms of how a workbook was read (`plantools layout`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from plantools.plan.model import Plan
from plantools.read.saved import settings_path, write_saved


@dataclass
class WorkbookLayout:
    """What `plantools layout` shows: the plan as read, and its settings file."""
    plan: Plan
    settings: Path  # the settings file beside the workbook
    followed: bool  # it was there, and the plan was read by it
    saved: bool  # written now


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
