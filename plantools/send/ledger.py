"""sent.csv: one row per recipient of each draft, written ahead of sending, and the send lock.

A recipient who has it is never sent it again, one refused for now (4xx) is tried again on
the next run, and one refused for good (5xx) is reported, not retried."""

from __future__ import annotations

import csv
import io
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
from plantools.xlsx.csvfiles import decode
from plantools.xlsx.files import atomic_file

# --------------------------------------------------------------------------------- the ledger

LEDGER = "sent.csv"
LEDGER_COLUMNS = ["draft", "message_id", "recipient", "header", "result", "reply", "at"]
SENT, FOR_NOW, FOR_GOOD = "sent", "refused for now", "refused"  # a recipient's result
LOCK = ".plantools-send.lock"


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


def read_sent_ledger(folder: Path) -> list[Entry]:
    """The ledger's rows, whatever Excel saved it as (UTF-8 with or without BOM, Windows-1252,
    commas or semicolons), never through a link. Older ledgers (one row per draft) are read
    as one row per To address."""
    path = Path(folder) / LEDGER
    data = _read_plain(path)
    if data is None:
        return []
    text = decode(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    entries = []
    for row in csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
        if "recipient" in row:
            entries.append(Entry(*(row.get(c, "") for c in LEDGER_COLUMNS)))
        elif row.get("to"):  # plantools before per-recipient rows: sent to every To address
            for address in split_addresses(row["to"]):
                refused = address in row.get("refused", "")
                entries.append(Entry(row.get("draft", ""), row.get("message_id", ""), address, "To",
                                     FOR_GOOD if refused else SENT, row.get("refused", ""), row.get("sent_at", "")))
    return entries


def _read_plain(path: Path) -> bytes | None:
    if path.is_symlink():
        raise PlanError(path, "is a link: plantools keeps its ledger only as a plain file in the packs folder; "
                              "put the file itself there")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PlanError(path, f"cannot be read: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def _canonical(data: bytes) -> bool:
    header = ("\ufeff" + ",".join(LEDGER_COLUMNS) + "\r\n").encode("utf-8")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return data.startswith(header) and data.endswith(b"\n")


def _row_bytes(entries: list[Entry]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for e in entries:
        writer.writerow([e.draft, e.message_id, e.recipient, e.header, e.result, e.reply, e.at])
    return buffer.getvalue().encode("utf-8")


@contextmanager
def _ledger_writer(folder: Path, entries: list[Entry]) -> Iterator[Callable[[list[Entry]], None]]:
    """Open the ledger for appending before anything is sent, so a ledger that cannot be
    written (open in Excel, read-only) stops the run with nothing sent. A ledger that Excel
    re-saved is first rewritten, every row kept, as plantools writes it."""
    path = Path(folder) / LEDGER
    data = _read_plain(path)
    header = ("\ufeff" + ",".join(LEDGER_COLUMNS) + "\r\n").encode("utf-8")
    try:
        if data is not None and not _canonical(data):
            with atomic_file(path) as temp:
                temp.write_bytes(header + _row_bytes(entries))
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
        try:
            if os.fstat(fd).st_size == 0:
                _write_synced(fd, header)
        except OSError:
            os.close(fd)
            raise
    except PlanError as error:
        raise PlanError(path, f"nothing sent: {error.message}") from None
    except PermissionError:
        raise PlanError(path, "nothing sent: the ledger cannot be written: is it open in Excel, or read-only? "
                              "Close it and run again") from None
    except OSError as exc:
        raise PlanError(path, f"nothing sent: the ledger cannot be written ({exc.strerror or exc})") from None
    try:
        def append(rows: list[Entry]) -> None:
            _write_synced(fd, _row_bytes(rows))

        yield append
    finally:
        os.close(fd)


def _write_synced(fd: int, data: bytes) -> None:
    """Write all of it and make the disk hold it before anything else happens."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.fsync(fd)


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
