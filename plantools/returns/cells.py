"""Writing a few cells into the shared workbook, the one file staff all depend on.

`write_cells_into` edits a snapshot in memory with plantools.xlsx.edit (nothing else in the
package changes), proves the edit changed only the cells asked for, and replaces the workbook
through plantools.xlsx.replace (the refusals, the backup, the atomic move), once the new values
read back from the file written with calamine.

`preview_cells` is the dry run: the same checks and refusals, the cells that would change, and
the hash to hand to `write_cells_into` as expected_sha256. Both raise PlanError on the first
edit refused (a formula, a merged cell...): `plantools.xlsx.edit.cell_problems` lists them all,
so a caller can report them and leave them out.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from plantools.errors import PlanError
from plantools.xlsx.edit import Edits, Value, address_of, changed_cells, edit_cells, same_value, split_address
from plantools.xlsx.replace import file_sha256, read_bytes, replace_workbook
from plantools.xlsx.sniff import OLE_MAGIC, check_package
from plantools.xlsx.values import open_values, values_at


@dataclass
class WriteResult:
    path: Path
    changed: bool
    cells: dict[str, dict[str, tuple[Value, Value]]] = field(default_factory=dict)  # sheet -> cell -> (old, new)
    sha256: str = ""  # of the workbook as it now is (or would be left, for a preview)
    backup: Path | None = None


def preview_cells(workbook: Path, edits: Edits) -> WriteResult:
    """What write_cells_into would change, cell by cell, writing nothing."""
    path = Path(workbook)
    data = read_bytes(path)
    _, cells = _edit(path, data, edits)
    return WriteResult(path, changed=False, cells=cells, sha256=hashlib.sha256(data).hexdigest())


def write_cells_into(workbook: Path, edits: Edits, expected_sha256: str | None = None,
                     backup_dir: Path | None = None) -> WriteResult:
    """Write `edits` ({sheet: {address: value}}) into the workbook, losing nothing else."""
    path = Path(workbook)
    cells: dict[str, dict[str, tuple[Value, Value]]] = {}

    def make(data: bytes) -> bytes | None:
        new, changed = _edit(path, data, edits)
        cells.update(changed)
        return new if changed else None

    done = replace_workbook(path, make, lambda temp: _read_back(path, temp, cells), expected_sha256, backup_dir)
    if done is None:
        return WriteResult(path, changed=False, sha256=file_sha256(path))
    new, saved = done
    return WriteResult(path, changed=True, cells=cells, sha256=hashlib.sha256(new).hexdigest(), backup=saved)


def cell_texts(workbook: Path, cells: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(sheet, address) -> the text the cell holds now, as calamine reads the workbook."""
    from plantools.returns.read import cell_text

    path = Path(workbook)
    try:
        book = open_values(path)
        found = {}
        for sheet in {sheet for sheet, _ in cells} & set(book.sheet_names):
            for address, value in values_at(book, sheet, [a for s, a in cells if s == sheet]).items():
                found[sheet, address] = cell_text(value)
    except Exception as exc:  # calamine's own words for what it could not read
        raise PlanError(path, f"cannot be read ({exc}); nothing was written") from None
    return found


def _edit(path: Path, data: bytes, edits: Edits) -> tuple[bytes, dict[str, dict[str, tuple[Value, Value]]]]:
    """The edited package in memory, and its changes as read back from it: only the cells
    asked for, each holding the value asked for, or it is refused."""
    if data.startswith(OLE_MAGIC):
        raise PlanError(path, "is encrypted (password-protected) or an old .xls: plantools writes only into an "
                              ".xlsx or .xlsm without a password; nothing was written")
    check_package(io.BytesIO(data), path)  # a whole package, not a zip bomb
    source, target = io.BytesIO(data), io.BytesIO()
    source.name = target.name = str(path)  # errors name the workbook
    edit_cells(source, target, edits)
    changes = changed_cells(io.BytesIO(data), io.BytesIO(target.getvalue()))
    if changes.other:
        raise PlanError(path, "the edit would change more than the cells asked for ("
                              + "; ".join(changes.other[:3]) + "); nothing was written")
    wanted = {sheet.lower(): {address_of(*split_address(a)): v for a, v in cells.items()}
              for sheet, cells in edits.items()}
    for sheet, cells in changes.cells.items():
        for address, (_, new) in cells.items():
            asked = wanted.get(sheet.lower(), {})
            if address not in asked or not same_value(new, asked[address] if asked[address] != "" else None):
                raise PlanError(path, "the edit did not read back as asked; nothing was written",
                                sheet=sheet, cell=address)
    return target.getvalue(), changes.cells


def _read_back(path: Path, written: Path, cells: dict[str, dict[str, tuple[Value, Value]]]) -> None:
    """The new values, as calamine (another reader than ours) reads them from the file written."""
    try:
        book = open_values(written)
        for sheet, changes in cells.items():
            for address, got in values_at(book, sheet, changes).items():
                new = changes[address][1]
                if not same_value(None if got == "" else got, new):
                    raise PlanError(path, f"read back {got!r} instead of {new!r}; nothing was written",
                                    sheet=sheet, cell=address)
    except PlanError:
        raise
    except Exception as exc:  # calamine's own words for what it could not read
        raise PlanError(path, f"the edited workbook did not read back ({exc}); nothing was written") from None
