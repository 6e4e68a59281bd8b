"""sent.csv: one row per recipient of each draft, written ahead of sending, and the send lock.

A recipient who has it is never sent it again, one refused for now (4xx) is tried again on
the next run, and one refused for good (5xx) is reported, not retried."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from plantools.errors import PlanError
from plantools.packs.drafts import header_text
from plantools.xlsx.ledger import IsALink, Ledger
from plantools.xlsx.lock import Held, file_lock

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


def _sent_ledger(folder: Path, name: str = LEDGER) -> Ledger:
    """The ledger `name` in `folder`: sent.csv for the packs, chase's own for its reminders."""
    return Ledger(Path(folder) / name, LEDGER_COLUMNS, _upgrade)


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


def read_sent_ledger(folder: Path, name: str = LEDGER) -> list[Entry]:
    """The ledger's rows, whatever Excel saved it as (UTF-8 with or without BOM, Windows-1252,
    commas or semicolons), never through a link."""
    ledger = _sent_ledger(folder, name)
    try:
        rows = ledger.rows()
    except IsALink:
        raise PlanError(ledger.path, LINK) from None
    except OSError as exc:
        raise PlanError(ledger.path, f"cannot be read: {exc.strerror or exc}") from None
    return [Entry(*(row.get(c, "") for c in LEDGER_COLUMNS)) for row in rows]


@contextmanager
def _ledger_writer(folder: Path, name: str = LEDGER) -> Iterator[Callable[[list[Entry]], None]]:
    """Make the ledger ready for appending before anything is sent, so a ledger that cannot be
    written (open in Excel, read-only) stops the run with nothing sent. A ledger that Excel
    re-saved is first rewritten, every row kept, as plantools writes it."""
    ledger = _sent_ledger(folder, name)
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
        """OSError when the rows cannot be added: the caller says what went out unrecorded."""
        try:
            ledger.append([[e.draft, e.message_id, e.recipient, e.header, e.result, e.reply, e.at] for e in entries])
        except PlanError as error:  # re-saved by Excel meanwhile, and cannot be rewritten
            raise OSError(error.message) from None

    yield append


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """One `send` at a time per packs folder (the lock of plantools.xlsx.lock: a lock left by a
    process that died is taken over)."""
    path = Path(folder) / LOCK

    def refused(why: Held | OSError) -> PlanError:
        if isinstance(why, OSError):
            return PlanError(path, f"nothing sent: cannot write in the packs folder ({why.strerror or why})")
        if why.retaken:
            return PlanError(path, "nothing sent: the lock file keeps changing; run again")
        return PlanError(folder, f"another plantools send is sending from this folder{_holder(why.holder)}: "
                                 "nothing sent; run again when it has finished")

    with file_lock(path, "send", refused):
        yield


def _holder(holder: dict | None) -> str:
    """' (process N on HOST since H:M:S)': who sends from the folder, or nothing if unknown."""
    if not holder:
        return ""
    since = str(holder.get("since", "")).split("T")[-1][:8]  # the time of day it was taken
    who = header_text(f"process {holder.get('pid')} on {holder.get('host')} since {since}")
    return f" ({who})"


def split_addresses(text: str) -> list[str]:
    """The addresses of a header or a cell, separated by commas or semicolons; a piece that
    is not an address is kept as typed, so it can be reported."""
    from email.utils import parseaddr  # only the commands that send or chase look at addresses

    pieces = re.findall(r'(?:"[^"]*"|<[^>]*>|[^,;])+', text)
    return [parseaddr(p.strip())[1] or p.strip() for p in pieces if p.strip()]
