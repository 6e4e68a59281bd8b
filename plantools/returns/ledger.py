"""returns.csv, the ledger of every decision `collect` took, written ahead of the workbook.

A run that writes cells first appends one intent row per cell (result INTENT) and syncs the
file; only then is the workbook replaced; then the same rows are appended again with their
result (APPLIED). A run stopped in between leaves intents with no result: the next run that
writes settles each from the workbook itself (the new value is in the cell: applied; it is
not: not written), before it does anything else. So no write is ever unrecorded, and none is
recorded that did not happen.

Every field is bounded (a cell's values by MAX_FIELD, the most an Excel cell holds; the rest by
MAX_OTHER) and kept as text Excel will not
run, and control characters are removed, so nothing a return holds can make the ledger
unreadable to a later run; a ledger that cannot be read is an error before anything is written.
"""

from __future__ import annotations

import csv
import stat
from pathlib import Path

from plantools.copy.result import Collected
from plantools.errors import PlanError
from plantools.terminal import clean
from plantools.xlsx.csvfiles import csv_safe, csv_unsafe
from plantools.xlsx.ledger import IsALink, Ledger

LEDGER = "returns.csv"
COLUMNS = ["when", "return", "body", "month", "sheet", "cell", "ref", "field", "old", "new", "result", "run"]
APPLIED, ALREADY, PROPOSED = "applied", "already in the workbook", "proposed: for the board to decide"
UNCHANGED = "came back unchanged"
INTENT = "writing: not yet confirmed"
NOT_WRITTEN = "not written: the run was stopped before the workbook was replaced"
REFUSED = "not written"  # and why: the workbook refused at the last check (read-only, changed, open)
MAX_FIELD = 32_767  # Excel's own limit for a cell: whatever was written into the workbook fits whole
MAX_OTHER = 2_000  # a return's file name, a body, a message: more is no name


def ledger_path(workbook: Path) -> Path:
    return Path(workbook).parent / LEDGER


def bounded(value: object, limit: int = MAX_FIELD) -> str:
    """A field as the ledger keeps it: no control character but line breaks and tabs, at most
    `limit` characters (said where cut)."""
    text = clean(str(value))
    if len(text) <= limit:
        return text
    mark = f" … (cut: {len(text):,} characters)"
    return text[: limit - len(mark)] + mark


def bounded_row(row: list) -> list[str]:
    """A row (in COLUMNS order) as the ledger keeps it: a cell's old and new values up to what a
    cell holds, every other field up to MAX_OTHER."""
    return [bounded(value, MAX_FIELD if name in ("old", "new") else MAX_OTHER) for name, value in zip(COLUMNS, row)]


def read_returns_ledger(workbook: Path) -> list[dict[str, str]]:
    """The decisions in the returns ledger beside the workbook (none when there is no
    ledger): each write once, with its result; an intent only while nothing says what became
    of it. Raises PlanError when it cannot be read (damaged, or edited beyond what csv reads)."""
    rows = _rows(workbook)
    waiting = {id(row) for row in unsettled(rows)}
    return [row for row in rows if row.get("result") != INTENT or id(row) in waiting]


def _ledger(workbook: Path, mode: int | None = None) -> Ledger:
    return Ledger(ledger_path(workbook), COLUMNS, lambda row: [{name: row.get(name, "") for name in COLUMNS}], mode)


def _rows(workbook: Path) -> list[dict[str, str]]:
    """Every row of the ledger, intents and all."""
    ledger = ledger_path(workbook)
    if not ledger.is_file() or ledger.is_symlink():
        return []
    try:
        return [{name: csv_unsafe(value) for name, value in row.items()} for row in _ledger(workbook).rows()]
    except (csv.Error, OSError) as exc:
        raise PlanError(ledger, f"cannot be read ({exc}): it was edited or damaged; restore it from a backup "
                                "or move it aside; nothing was written") from None


def check_writable(ledger: Path) -> None:
    """The ledger can be added to (checked before the workbook is written, so that no write
    goes unrecorded), without making it yet: a refusal leaves no empty ledger behind."""
    try:
        Ledger(ledger, COLUMNS).check_writable()
    except IsALink:
        raise PlanError(ledger, "is a link: the ledger is never written through one; nothing was written") from None
    except OSError as exc:
        raise PlanError(ledger, f"cannot be written ({exc.strerror or exc}): is it open in Excel? "
                                "Nothing was written") from None


def append(workbook: Path, rows: list[list]) -> None:
    """Add rows (in COLUMNS order) to the workbook's ledger, synced to the disk before
    returning. A new ledger is readable by no more people than the workbook (it holds what was
    written into it). A ledger written before the run column was added, or re-saved by Excel,
    is first rewritten whole as plantools writes it."""
    if not rows:
        return
    ledger = _ledger(workbook, stat.S_IMODE(Path(workbook).stat().st_mode) & 0o666)
    try:
        ledger.append([csv_safe(bounded_row(row)) for row in rows])
    except OSError as exc:
        raise PlanError(ledger.path, f"cannot be written ({exc.strerror or exc})") from None


def unsettled(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The intent rows of runs stopped before they said what became of them."""
    settled = {(row.get("run"), row.get("sheet"), row.get("cell"), row.get("field"))
               for row in rows if row.get("result") != INTENT}
    return [row for row in rows if row.get("result") == INTENT
            and (row.get("run"), row.get("sheet"), row.get("cell"), row.get("field")) not in settled]


def settle(workbook: Path) -> int:
    """Say what became of each write a stopped run left unconfirmed, from the workbook as it
    is: returns how many were settled."""
    from plantools.returns.cells import cell_texts

    open_rows = unsettled(_rows(workbook))
    if not open_rows:
        return 0
    now = cell_texts(workbook, {(row["sheet"], row["cell"]) for row in open_rows})
    append(workbook, [[*(row.get(name, "") for name in COLUMNS[:10]),
                     APPLIED if now.get((row["sheet"], row["cell"])) == row["new"] else NOT_WRITTEN, row["run"]]
                    for row in open_rows])
    return len(open_rows)


def collected(workbook: Path) -> Collected:
    """What the returns wrote into `workbook`, as the monthly copy tells the board."""
    rows = read_returns_ledger(workbook)
    return Collected([r for r in rows if r.get("result") == APPLIED], [r for r in rows if r.get("result") == PROPOSED])
