"""The bundled plans: the published MSCB plans that ship with plantools.

They live in the project's top-level `workbooks/` folder. A wheel carries them as the package
data `plantools/workbooks/`, found with importlib.resources; a source checkout, an editable
install or PYTHONPATH finds them in `workbooks/` beside the package.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEFAULT_NAME = "MSCB Business Plan 2018-19.xlsx"


def _installed() -> Path | None:
    """The installed package's own copy of the plans (a wheel), if it has one."""
    folder = resources.files("plantools") / "workbooks"
    # a wheel unpacks to real files, so the Traversable is a path on disk
    return Path(str(folder)) if folder.is_dir() else None


def folder() -> Path:
    """The folder holding the bundled plan workbooks."""
    installed = _installed()
    if installed is not None:
        return installed
    return Path(__file__).resolve().parent.parent / "workbooks"


def default_workbook() -> Path:
    """The plan every command reads when no workbook is named: the bundled 2018-19 plan."""
    return folder() / DEFAULT_NAME


def is_installed_copy(workbook: Path) -> bool:
    """Whether `workbook` is one of the plans inside an installed package (site-packages):
    a place to read from, never to write beside."""
    installed = _installed()
    return installed is not None and Path(workbook).resolve().parent == installed.resolve()


def copies_folder(workbook: Path, base: Path | None = None) -> Path:
    """Where the monthly copies of a plan go by default: 'monthly' beside it (or in `base`)."""
    return (base or output_base(workbook)) / "monthly"


def packs_folder(workbook: Path, month: str, base: Path | None = None) -> Path:
    """Where a month's packs go by default: 'packs/<month>' beside the plan (or in `base`)."""
    return (base or output_base(workbook)) / "packs" / month


def output_base(workbook: Path) -> Path:
    """Where a command's outputs go by default: beside the workbook, except for a plan
    installed inside the package, whose outputs go into the current folder."""
    return Path.cwd() if is_installed_copy(workbook) else Path(workbook).parent
