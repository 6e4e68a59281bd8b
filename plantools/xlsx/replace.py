"""Replacing the shared workbook, the one file staff all depend on: the one way plantools does it.

`replace_workbook` refuses while Excel has the workbook open (its ~$ owner file), when it is
not the file the dry run saw (its SHA-256) and when it is read-only; makes the new bytes from
the old in memory; keeps a byte-for-byte backup in backups/ (never over an older one); writes
a temporary file beside the workbook with its mode, owner and group; lets the caller prove the
temporary file right; and only then moves it into place, through a link rather than over it.
A kill at any moment leaves the old workbook or the new one, whole. `collect` (a few cells,
losslessly) and `format` (RAG rules) both write through it.
"""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import datetime
from pathlib import Path
from typing import Callable

from plantools.errors import PlanError
from plantools.xlsx.files import atomic_file, open_in_excel, owner_file

NOTHING_WRITTEN = "nothing was written"


def file_sha256(path: Path) -> str:
    return hashlib.sha256(read_bytes(Path(path))).hexdigest()


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise PlanError(path, "does not exist") from None
    except OSError as exc:
        raise PlanError(path, f"cannot be read: {exc.strerror or exc}") from None


def refuse_if_open(path: Path) -> None:
    if owner_file(path):
        raise open_in_excel(path, NOTHING_WRITTEN)


def replace_workbook(workbook: Path, make: Callable[[bytes], bytes | None], prove: Callable[[Path], None],
                     expected_sha256: str | None = None, backup_dir: Path | None = None) -> tuple[bytes, Path] | None:
    """Replace `workbook` by make(its bytes), after a backup, once prove(the file written) has
    passed; (the new bytes, the backup), or None when make has nothing to change."""
    path = Path(workbook)
    target = path.resolve() if path.is_symlink() else path  # a link is written through, never replaced
    refuse_if_open(path)
    refuse_if_open(target)
    data = read_bytes(path)
    before = hashlib.sha256(data).hexdigest()
    if expected_sha256 and before != expected_sha256.lower():
        raise PlanError(path, "has changed since the dry run (someone saved it): run the dry run again; "
                              + NOTHING_WRITTEN)
    status = _writable(path, target)
    new = make(data)
    if new is None:
        return None
    saved = backup(path, backup_dir, data, status)
    with atomic_file(target) as temp:
        write_as(temp, new, status)
        prove(temp)
        refuse_if_open(path)
        if file_sha256(target) != before:
            raise PlanError(path, "changed while plantools was writing it: run the dry run again; " + NOTHING_WRITTEN)
    return new, saved


def _writable(path: Path, target: Path) -> os.stat_result:
    """The workbook's status (mode, owner, group), refusing one that is read-only: its own
    permissions say it is not to be changed, whoever runs plantools (even an administrator)."""
    try:
        status = target.stat()
    except OSError as exc:
        raise PlanError(path, f"cannot be read: {exc.strerror or exc}") from None
    if not status.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise PlanError(path, "is read-only: make it writable (or ask whoever made it read-only) and run again; "
                              + NOTHING_WRITTEN)
    return status


def write_as(temp: Path, data: bytes, status: os.stat_result) -> None:
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


def backup(path: Path, backup_dir: Path | None, data: bytes, status: os.stat_result) -> Path:
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
            write_as(temp, data, status)
    except PlanError as exc:
        raise PlanError(path, f"no backup could be made in {folder} ({exc.message}); {NOTHING_WRITTEN}") from None
    return target
