"""sent.csv: one row per recipient of each draft, written ahead of sending, and the send lock.

A recipient who has it is never sent it again, one refused for now (4xx) is tried again on
the next run, and one refused for good (5xx) is reported, not retried."""

from __future__ import annotations

import os
import re
import socket
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from pathlib import Path
from typing import Callable, Iterator

from plantools.errors import PlanError
from plantools.packs.drafts import header_text
from plantools.xlsx.ledger import IsALink, Ledger

# --------------------------------------------------------------------------------- the ledger

LEDGER = "sent.csv"
LEDGER_COLUMNS = ["draft", "message_id", "recipient", "header", "result", "reply", "at"]
SENT, FOR_NOW, FOR_GOOD = "sent", "refused for now", "refused"  # a recipient's result
LOCK = ".plantools-send.lock"
LINK = "is a link: plantools keeps its ledger only as a plain file in the packs folder; put the file itself there"


@dataclass
class Entry:
    """One ledger row: what became of one recipient of one draft."""

    draft: str
    message_id: str
    recipient: str
    header: str
    result: str
    reply: str
    at: str


def _sent_ledger(folder: Path) -> Ledger:
    return Ledger(Path(folder) / LEDGER, LEDGER_COLUMNS, _upgrade)


def _upgrade(row: dict[str, str]) -> list[dict[str, str]]:
    """A row as read, as today's rows: older ledgers (one row per draft) are read as one row
    per To address."""
    row = {name: value.strip() for name, value in row.items()}
    if "recipient" in row:
        return [row]
    if not row.get("to"):
        return []
    return [{"draft": row.get("draft", ""), "message_id": row.get("message_id", ""), "recipient": address,
             "header": "To", "result": FOR_GOOD if address in row.get("refused", "") else SENT,
             "reply": row.get("refused", ""), "at": row.get("sent_at", "")}
            for address in split_addresses(row["to"])]  # plantools before per-recipient rows: sent to every To address


def read_sent_ledger(folder: Path) -> list[Entry]:
    """The ledger's rows, whatever Excel saved it as (UTF-8 with or without BOM, Windows-1252,
    commas or semicolons), never through a link."""
    ledger = _sent_ledger(folder)
    try:
        rows = ledger.rows()
    except IsALink:
        raise PlanError(ledger.path, LINK) from None
    except OSError as exc:
        raise PlanError(ledger.path, f"cannot be read: {exc.strerror or exc}") from None
    return [Entry(*(row.get(c, "") for c in LEDGER_COLUMNS)) for row in rows]


@contextmanager
def _ledger_writer(folder: Path) -> Iterator[Callable[[list[Entry]], None]]:
    """Make the ledger ready for appending before anything is sent, so a ledger that cannot be
    written (open in Excel, read-only) stops the run with nothing sent. A ledger that Excel
    re-saved is first rewritten, every row kept, as plantools writes it."""
    ledger = _sent_ledger(folder)
    try:
        ledger.append([])
    except IsALink:
        raise PlanError(ledger.path, LINK) from None
    except PlanError as error:
        raise PlanError(ledger.path, f"nothing sent: {error.message}") from None
    except PermissionError:
        raise PlanError(ledger.path, "nothing sent: the ledger cannot be written: is it open in Excel, or "
                                     "read-only? Close it and run again") from None
    except OSError as exc:
        raise PlanError(ledger.path, f"nothing sent: the ledger cannot be written ({exc.strerror or exc})") from None

    def append(entries: list[Entry]) -> None:
        ledger.append([[e.draft, e.message_id, e.recipient, e.header, e.result, e.reply, e.at] for e in entries])

    yield append


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """One `send` at a time per packs folder. The operating system's lock on the lock file
    goes with its process, so a lock left by a process that died is simply taken over."""
    path = Path(folder) / LOCK
    for _ in range(20):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
        except OSError as exc:
            raise PlanError(path, f"nothing sent: cannot write in the packs folder ({exc.strerror or exc})") from None
        if not _try_lock(fd):
            os.close(fd)
            raise PlanError(folder, f"another plantools send is sending from this folder{_holder(path)}: "
                                    "nothing sent; run again when it has finished")
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except OSError:
            same = False
        if same:  # not a file that the previous holder unlinked as we opened it
            break
        os.close(fd)
    else:
        raise PlanError(path, "nothing sent: the lock file keeps changing; run again")
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"process {os.getpid()} on {socket.gethostname()} since {datetime.now():%H:%M:%S}\n".encode())
        yield
    finally:
        if sys.platform != "win32":
            path.unlink(missing_ok=True)  # before unlocking: whoever locks the old file sees it is gone
        else:
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # Windows wants its locks undone before the close
        os.close(fd)  # closing releases the lock
        if sys.platform == "win32":
            try:
                path.unlink()
            except OSError:
                pass  # another send has it open: it is theirs now


def _try_lock(fd: int) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _holder(path: Path) -> str:
    try:
        text = header_text(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return ""
    return f" ({text})" if text else ""

def split_addresses(text: str) -> list[str]:
    """The addresses of a header or a cell, separated by commas or semicolons; a piece that
    is not an address is kept as typed, so it can be reported."""
    pieces = re.findall(r'(?:"[^"]*"|<[^>]*>|[^,;])+', text)
    return [parseaddr(p.strip())[1] or p.strip() for p in pieces if p.strip()]
