"""Writing a few cells into the shared workbook, the one file staff all depend on.

`write_cells_into` refuses while Excel has the workbook open (its ~$ owner file) and when the
file is not the one the dry run saw (its SHA-256); edits a snapshot in memory with
plantools.xlsxedit (nothing else in the package changes); proves the edit changed only the cells
asked for; keeps a byte-for-byte backup in backups/; writes a temporary file beside the workbook,
reads the new values back from it with calamine, and only then moves it into place. A kill at
any moment leaves the old workbook or the new one, whole.

`preview_cells` is the dry run: the same checks and refusals, the cells that would change, and
the hash to hand to `write_cells_into` as expected_sha256. Both raise PlanError on the first
edit refused (a formula, a merged cell...): `plantools.xlsxedit.cell_problems` lists them all,
so a caller can report them and leave them out.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from plantools.errors import PlanError
from plantools.xlsx.edit import Edits, Value, address_of, changed_cells, edit_cells, same_value, split_address
from plantools.xlsx.files import atomic_file, is_open_in_excel
from plantools.xlsx.sniff import OLE_MAGIC, check_package


@dataclass
class WriteResult:
    path: Path
    changed: bool
    cells: dict[str, dict[str, tuple[Value, Value]]] = field(default_factory=dict)  # sheet -> cell -> (old, new)
    sha256: str = ""  # of the workbook as it now is (or would be left, for a preview)
    backup: Path | None = None


def file_sha256(path: Path) -> str:
    return hashlib.sha256(_read(Path(path))).hexdigest()


def preview_cells(workbook: Path, edits: Edits) -> WriteResult:
    """What write_cells_into would change, cell by cell, writing nothing."""
    path = Path(workbook)
    data = _read(path)
    _, cells = _edit(path, data, edits)
    return WriteResult(path, changed=False, cells=cells, sha256=hashlib.sha256(data).hexdigest())


def write_cells_into(workbook: Path, edits: Edits, expected_sha256: str | None = None,
                     backup_dir: Path | None = None) -> WriteResult:
    """Write `edits` ({sheet: {address: value}}) into the workbook, losing nothing else."""
    path = Path(workbook)
    target = path.resolve() if path.is_symlink() else path  # a link is written through, never replaced
    _refuse_if_open(path)
    _refuse_if_open(target)
    data = _read(path)
    before = hashlib.sha256(data).hexdigest()
    if expected_sha256 and before != expected_sha256.lower():
        raise PlanError(path, "has changed since the dry run (someone saved it): run the dry run again; "
                              "nothing was written")
    status = _writable(path, target)
    new, cells = _edit(path, data, edits)
    if not cells:
        return WriteResult(path, changed=False, sha256=before)
    backup = _backup(path, data, backup_dir, status)
    with atomic_file(target) as temp:
        _write_as(temp, new, status)
        _read_back(path, temp, cells)
        _refuse_if_open(path)
        if file_sha256(target) != before:
            raise PlanError(path, "changed while plantools was writing it: run the dry run again; "
                                  "nothing was written")
    return WriteResult(path, changed=True, cells=cells, sha256=hashlib.sha256(new).hexdigest(), backup=backup)


def _writable(path: Path, target: Path) -> os.stat_result:
    """The workbook's status (mode, owner, group), refusing one that is read-only: its own
    permissions say it is not to be changed, whoever runs plantools (even an administrator)."""
    try:
        status = target.stat()
    except OSError as exc:
        raise PlanError(path, f"cannot be read: {exc.strerror or exc}") from None
    if not status.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise PlanError(path, "is read-only: make it writable (or ask whoever made it read-only) and run again; "
                              "nothing was written")
    return status


def _write_as(temp: Path, data: bytes, status: os.stat_result) -> None:
    """Write `data` to a new file with the workbook's mode, owner and group, as far as the
    system lets this user keep them; the mode is set before any byte is written, so the data is
    never readable by more people than the workbook's."""
    with temp.open("wb") as handle:
        os.chmod(temp, stat.S_IMODE(status.st_mode) & 0o777)
        if hasattr(os, "chown"):
            for uid, gid in ((status.st_uid, status.st_gid), (-1, status.st_gid)):
                try:
                    os.chown(temp, uid, gid)
                    break
                except OSError:
                    continue  # another owner is the administrator's to give; the group may still be kept
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def cell_texts(workbook: Path, cells: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(sheet, address) -> the text the cell holds now, as calamine reads the workbook."""
    import python_calamine

    from plantools.returns.read import cell_text

    found = {}
    path = Path(workbook)
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        for sheet in {sheet for sheet, _ in cells}:
            keys = {address: split_address(address) for s, address in cells if s == sheet}
            if sheet not in book.sheet_names:
                continue
            rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False,
                                                           nrows=max(r for r, _ in keys.values()))
            for address, (row, col) in keys.items():
                got = rows[row - 1][col - 1] if row <= len(rows) and col <= len(rows[row - 1]) else ""
                found[sheet, address] = cell_text(got)
    except Exception as exc:  # calamine's own words for what it could not read
        raise PlanError(path, f"cannot be read ({exc}); nothing was written") from None
    return found


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise PlanError(path, "does not exist") from None
    except OSError as exc:
        raise PlanError(path, f"cannot be read: {exc.strerror or exc}") from None


def _refuse_if_open(path: Path) -> None:
    if is_open_in_excel(path):
        raise PlanError(path, "is open in Excel (its owner file ~$ is beside it): close it and run again; "
                              "nothing was written")


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
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(written))
        for sheet, changes in cells.items():
            keys = {address: split_address(address) for address in changes}
            rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False,
                                                           nrows=max(r for r, _ in keys.values()))
            for address, (_, new) in changes.items():
                row, col = keys[address]
                got: Any = rows[row - 1][col - 1] if row <= len(rows) and col <= len(rows[row - 1]) else ""
                if not same_value(None if got == "" else got, new):
                    raise PlanError(path, f"read back {got!r} instead of {new!r}; nothing was written",
                                    sheet=sheet, cell=address)
    except PlanError:
        raise
    except Exception as exc:  # calamine's own words for what it could not read
        raise PlanError(path, f"the edited workbook did not read back ({exc}); nothing was written") from None


def _backup(path: Path, data: bytes, backup_dir: Path | None, status: os.stat_result) -> Path:
    """The workbook as it was, byte for byte, in backups/ beside it, never over an older backup,
    readable by no more people than the workbook."""
    folder = Path(backup_dir) if backup_dir else path.parent / "backups"
    stamp = f"{datetime.now():%Y-%m-%d %H%M%S}"
    target = folder / f"{path.stem} backup {stamp}{path.suffix}"
    number = 1
    while target.exists():
        number += 1
        target = folder / f"{path.stem} backup {stamp} ({number}){path.suffix}"
    try:
        with atomic_file(target) as temp:
            _write_as(temp, data, status)
    except PlanError as exc:
        raise PlanError(path, f"no backup could be made in {folder} ({exc.message}); nothing was written") from None
    return target
