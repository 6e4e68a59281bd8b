"""One writer at a time: a lock file beside the shared workbook, as Excel keeps its owner file.

'~$plantools-<workbook name>.lock' is made with O_CREAT|O_EXCL (only one process can make it)
and holds who made it: the process id, the machine and the time. Every plantools command that
replaces the shared workbook (collect --yes, format) takes it before its last check of the
file and gives it back after the replace, so a second writer refuses in one line instead of
overwriting the first one's cells. A lock whose process is gone (on this machine), or that is
older than a day (another machine's, which cannot be asked), is taken over.
"""

from __future__ import annotations

import json
import os
import socket
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

from plantools.errors import PlanError
from plantools.xlsx.files import STALE_AFTER, is_running, write_error

UNWRITTEN_AFTER = 60  # seconds: a lock still empty this long was left by a process killed as it made it


def lock_path(workbook: Path) -> Path:
    """Beside the file itself: a workbook reached through a link is locked where it is."""
    real = Path(workbook).resolve() if Path(workbook).is_symlink() else Path(workbook)
    return real.parent / f"~$plantools-{real.name}.lock"


@contextmanager
def writer_lock(workbook: Path, command: str) -> Iterator[None]:
    """Hold the workbook's lock for the block; PlanError if another run holds it."""
    path = lock_path(workbook)
    mine = {"pid": os.getpid(), "host": socket.gethostname(), "since": datetime.now().isoformat(timespec="seconds"),
            "command": command}
    _take(path, workbook, mine)
    try:
        yield
    finally:
        if _holder(path) == mine:  # never another run's, taken over from us
            path.unlink(missing_ok=True)


def _take(path: Path, workbook: Path, mine: dict) -> None:
    for _ in range(2):  # a stale lock is taken over once; a lock taken again meanwhile is respected
        try:
            handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            holder = _holder(path)
            if _stale(path, holder):
                path.unlink(missing_ok=True)
                continue
            raise PlanError(workbook, f"is being written by {_who(holder)} (its lock {path.name} is beside it): "
                                      "wait for it to finish and run again; nothing was written") from None
        except OSError as exc:
            raise write_error(path, exc) from None
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(json.dumps(mine))
            stream.flush()
            os.fsync(stream.fileno())
        return
    raise PlanError(workbook, f"its lock {path.name} was taken again while plantools took over a stale one: "
                              "run again; nothing was written")


def _holder(path: Path) -> dict | None:
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return holder if isinstance(holder, dict) else None


def _stale(path: Path, holder: dict | None) -> bool:
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return True  # given back meanwhile
    if holder is None:
        return age > UNWRITTEN_AFTER
    if holder.get("host") == socket.gethostname() and isinstance(holder.get("pid"), int):
        return not is_running(holder["pid"])
    return age > STALE_AFTER


def _who(holder: dict | None) -> str:
    if holder is None:
        return "another plantools run"
    return (f"plantools {holder.get('command', '')} (process {holder.get('pid')} on {holder.get('host')}, "
            f"since {str(holder.get('since', ''))[:16].replace('T', ' ')})")
