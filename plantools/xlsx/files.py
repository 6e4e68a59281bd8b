"""Files plantools writes or guards: temporary names, atomic replace, the one "open in Excel"
check, the one backup, folders, stale temporaries."""

from __future__ import annotations

import errno
import os
import re
import shutil
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from plantools.errors import PlanError

TEMP_PREFIX = ".~plantools-"
STALE_AFTER = 24 * 60 * 60  # seconds: a temp file from another machine this old is abandoned


def temp_name(suffix: str) -> str:
    """'.~plantools-<host>-<pid>-<random><suffix>': whose it is, so a later run can tell
    an abandoned temp file (its process is gone) from one another run is still writing."""
    return f"{TEMP_PREFIX}{_host()}-{os.getpid()}-{os.urandom(6).hex()}{suffix}"


def _host() -> str:
    """This machine's name as a temp file's name holds it: socket.gethostname(), which
    os.uname() gives without importing socket. (Not platform.node(): on Windows, which has no
    os.uname, it asks WMI for the Windows version first, which can take seconds or hang.)"""
    if hasattr(os, "uname"):
        name = os.uname().nodename
    else:
        import socket

        name = socket.gethostname()
    return re.sub(r"[^A-Za-z0-9]", "", name)[:30] or "host"


def remove_stale_temps(folder: Path) -> None:
    """Delete temp files (and staging folders) that a killed run left behind: this machine's
    whose process has gone, and any over a day old. A run still writing keeps its own."""
    host = _host()
    try:
        temps = list(Path(folder).glob(TEMP_PREFIX + "*"))
    except OSError:
        return
    for temp in temps:
        found = re.match(re.escape(TEMP_PREFIX) + r"([A-Za-z0-9]+)-(\d+)-", temp.name)
        try:
            old = time.time() - temp.stat().st_mtime > STALE_AFTER
            mine_and_dead = found is not None and found.group(1) == host and not is_running(int(found.group(2)))
            if (old or mine_and_dead) and temp.is_dir():
                shutil.rmtree(temp)
            elif old or mine_and_dead:
                temp.unlink()
        except OSError:
            continue  # still open by its writer (Windows), or already gone


def is_running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.name == "nt", spelled so that mypy checks the branch for Windows only
        import ctypes  # os.kill would end the process on Windows: ask, do not signal

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        ctypes.windll.kernel32.CloseHandle(handle)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def owner_file(path: Path) -> Path | None:
    """The '~$' file Excel keeps beside a workbook it has open (for long names '~$' takes the
    place of the first two characters), if there is one."""
    for name in ("~$" + path.name, "~$" + path.name[2:]):
        if (path.parent / name).exists():
            return path.parent / name
    return None


def is_owner_file(path: Path) -> bool:
    """Whether `path` is itself an owner file Excel keeps beside a workbook it has open."""
    return path.name.startswith("~$")


def is_open_in_excel(path: Path) -> bool:
    return owner_file(path) is not None


def open_in_excel(path: Path, then: str = "") -> PlanError:
    """The one way plantools says a file is open in Excel; `then` what became of the run."""
    owner = owner_file(path)
    beside = f" ({owner.name} is beside it)" if owner else ""
    return PlanError(path, f"is open in Excel{beside}: close it and run again" + (f"; {then}" if then else ""))


def write_error(path: Path, exc: OSError, replacing: bool = False) -> PlanError:
    """Why writing `path` failed, in one line: the disk full or read-only, no permission on
    its folder, or (when replacing it) the file open in Excel."""
    folder = path.parent
    if exc.errno == errno.EROFS:
        return PlanError(folder, "is on a read-only disk: nothing can be written there")
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return PlanError(path, f"cannot be written: the disk is full ({exc.strerror})")
    if exc.errno == errno.ENAMETOOLONG:
        return PlanError(path, "cannot be written: the file name is too long for this disk")
    if isinstance(exc, PermissionError):
        if replacing and path.exists() and (owner_file(path) or os.name == "nt"):
            return open_in_excel(path)  # Windows refuses to replace a file another program has open
        return PlanError(folder, "no permission to write in this folder")
    return PlanError(path, f"cannot be written: {exc.strerror or exc}")


def make_folder(folder: Path) -> None:
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise PlanError(folder, "cannot be made: a file is in the way (give a folder for the output)") from None
    except OSError as exc:
        existing = next((p for p in [folder, *folder.parents] if p.is_dir()), folder)
        raise write_error(existing / "-", exc) from None  # the folder it could not write in


@contextmanager
def atomic_file(path: Path, force: bool = True) -> Iterator[Path]:
    """A temporary path beside `path` to write to; moved into place only when the block
    finishes, so a crash or a full disk leaves the old file or none, never half a file."""
    path = Path(path)
    if path.exists() and not force:
        raise PlanError(path, "already exists: use --force to replace it")
    if path.exists() and owner_file(path):
        raise open_in_excel(path)
    make_folder(path.parent)
    remove_stale_temps(path.parent)
    # a unique name in the same folder, so that the final move is a rename on the same disk
    temp = path.with_name(temp_name(path.suffix))
    replacing = False
    try:
        yield temp
        replacing = True
        os.replace(temp, path)
    except OSError as exc:
        raise write_error(path, exc, replacing) from None
    finally:
        if temp.exists():  # a read-only disk refuses even to unlink what is not there
            temp.unlink()
