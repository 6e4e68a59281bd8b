"""One run at a time: a lock file, as Excel keeps its owner file.

A lock file is made with O_CREAT|O_EXCL (only one process can make it) and holds who made it:
the process id, the machine, the time and the command. Where the system has them (not
Windows) the maker also holds the operating system's lock on it, which goes with its process.
A lock whose process is gone is taken over: on this machine known at once (the system's lock
is free, or on Windows the process is not running), another machine's (which cannot be asked)
when it is older than a day. One that is still empty a minute after it was made was left by a
process killed as it made it.

writer_lock is the shared workbook's: every command that replaces it (collect --yes, format)
takes it before its last check of the file and gives it back after the replace, so a second
writer refuses in one line instead of overwriting the first one's cells. `send` holds one per
packs folder (plantools.send.ledger).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from plantools.errors import PlanError
from plantools.xlsx.files import STALE_AFTER, is_running, write_error

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
UNWRITTEN_AFTER = 60  # seconds: a lock still empty this long was left by a process killed as it made it


def lock_path(workbook: Path) -> Path:
    """Beside the file itself: a workbook reached through a link is locked where it is."""
    real = Path(workbook).resolve() if Path(workbook).is_symlink() else Path(workbook)
    return real.parent / f"~$plantools-{real.name}.lock"


class Held(Exception):
    """The lock is another run's: `holder` is what its file says (None when it says nothing
    readable); `retaken` when it was taken again while plantools took over a stale one."""

    def __init__(self, holder: dict | None, retaken: bool = False) -> None:
        super().__init__(holder)
        self.holder = holder
        self.retaken = retaken


@contextmanager
def writer_lock(workbook: Path, command: str) -> Iterator[None]:
    """Hold the workbook's lock for the block; PlanError if another run holds it."""
    path = lock_path(workbook)

    def refused(why: Held | OSError) -> PlanError:
        if isinstance(why, OSError):
            return write_error(path, why)
        if why.retaken:
            return PlanError(workbook, f"its lock {path.name} was taken again while plantools took over a stale "
                                       "one: run again; nothing was written")
        return PlanError(workbook, f"is being written by {_who(why.holder)} (its lock {path.name} is beside it): "
                                   "wait for it to finish and run again; nothing was written")

    with file_lock(path, command, refused):
        yield


@contextmanager
def file_lock(path: Path, command: str, refused: Callable[[Held | OSError], PlanError]) -> Iterator[None]:
    """Hold the lock file `path` for the block. When it cannot be had (Held: another run has
    it; OSError: it cannot be made), raise what `refused` words for the caller."""
    import socket  # here: only a command that writes takes a lock

    mine = {"pid": os.getpid(), "host": socket.gethostname(), "since": datetime.now().isoformat(timespec="seconds"),
            "command": command}
    try:
        fd = _take(path, mine)
    except (Held, OSError) as why:
        raise refused(why) from None
    try:
        yield
    finally:
        _give_back(path, fd, mine)


def _take(path: Path, mine: dict) -> int:
    for _ in range(3):  # a stale lock is taken over; a lock taken again meanwhile is respected
        try:
            # readable by all (it says only who holds it), so that another user's run can tell
            # a live holder from a dead one
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR | NOFOLLOW, 0o644)
        except FileExistsError:
            _take_over_if_stale(path)
            continue
        try:
            # before anything is in it: a file naming a holder with its lock free is a dead one's.
            # Waits only while another run looks at it to judge whether it is stale.
            _os_lock(fd, wait=True)
            data = json.dumps(mine).encode("utf-8")
            while data:
                data = data[os.write(fd, data):]
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            path.unlink(missing_ok=True)
            raise
        return fd
    raise Held(_holder(path), retaken=True)


def _take_over_if_stale(path: Path) -> None:
    """Remove the lock at `path` if its holder is gone; Held if it is not."""
    try:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW)
    except FileNotFoundError:
        return  # given back meanwhile
    except OSError:  # not ours to open (another user's): judged by what it says alone
        fd = -1
    try:
        locked = _os_lock(fd) if fd >= 0 else None
        if locked is not None and not _same(fd, path):
            return  # no longer the lock at `path` (given back or taken over meanwhile): look again
        holder = _holder(path)
        if locked is False or not _stale(path, holder, locked is True):
            raise Held(holder)
        if sys.platform != "win32":
            path.unlink(missing_ok=True)  # while holding its lock: no other run removes a newer one
    finally:
        if fd >= 0:
            os.close(fd)
    if sys.platform == "win32":
        path.unlink(missing_ok=True)  # Windows removes no file that is open


def _give_back(path: Path, fd: int, mine: dict) -> None:
    try:
        if sys.platform != "win32" and _holder(path) == mine and _same(fd, path):
            path.unlink(missing_ok=True)  # before unlocking: whoever locks the old file sees it is gone
    finally:
        os.close(fd)  # closing releases the system's lock
    if sys.platform == "win32" and _holder(path) == mine:  # never another run's, taken over from us
        path.unlink(missing_ok=True)


def _os_lock(fd: int, wait: bool = False) -> bool | None:
    """Take the system's lock on the open file: False if a live process has it (and not
    `wait`); None where there is none to take: on Windows (its locks would stop others reading
    who holds it) and on a disk that keeps no such locks (then the holder's word alone counts)."""
    if sys.platform == "win32":
        return None
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    except OSError:
        return None
    return True


def _same(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
    except OSError:
        return False


def _holder(path: Path) -> dict | None:
    """Who holds it, as its file says: JSON, or 'process N on HOST since H:M:S' (the send lock
    of plantools before one lock served both)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    try:
        holder = json.loads(text)
    except ValueError:
        found = re.fullmatch(r"process (\d+) on (\S+)(?: since (\S+))?\s*", text)
        return {"pid": int(found[1]), "host": found[2], "since": found[3] or ""} if found else None
    return holder if isinstance(holder, dict) else None


def _stale(path: Path, holder: dict | None, unlocked: bool) -> bool:
    """Whether the lock's holder is gone. `unlocked`: the system's lock on it was free."""
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return True  # given back meanwhile
    if holder is None:
        return age > UNWRITTEN_AFTER
    import socket

    if holder.get("host") == socket.gethostname() and isinstance(holder.get("pid"), int):
        return unlocked or not is_running(holder["pid"])  # a free system lock: even a reused pid is not its
    return age > STALE_AFTER


def _who(holder: dict | None) -> str:
    if holder is None:
        return "another plantools run"
    return (f"plantools {holder.get('command', '')} (process {holder.get('pid')} on {holder.get('host')}, "
            f"since {str(holder.get('since', ''))[:16].replace('T', ' ')})")
