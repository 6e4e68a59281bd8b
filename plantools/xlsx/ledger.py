"""A CSV ledger: rows added, never changed, each on the disk before what it records is done.

sent.csv (send) and returns.csv (collect) are both one: a header and rows in `columns` order,
UTF-8 with a BOM and CRLF line ends as Excel opens them. Reading is tolerant of whatever Excel
saved back (another encoding, `;` for `,`, an older set of columns); the next append first
rewrites such a file whole, every row kept, as plantools writes it, so that the file is never
half one encoding and half another. Errors are OSError (IsALink for a link) or csv.Error: each
ledger says them in its own words.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from pathlib import Path
from typing import Callable, Iterable

from plantools.xlsx.csvfiles import decode
from plantools.xlsx.files import atomic_file

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # Windows has none: the link is refused by name first


class IsALink(OSError):
    """The ledger is a link: it is never read or written through one."""


class Ledger:
    """The ledger at `path` with `columns`. `upgrade` turns a row as read (lower-case column
    names; older ledgers may have others) into the rows it stands for today (default: itself).
    `mode`, when given, is what a new ledger is made with (before anything is in it)."""

    def __init__(self, path: Path, columns: list[str],
                 upgrade: Callable[[dict[str, str]], list[dict[str, str]]] | None = None,
                 mode: int | None = None) -> None:
        self.path = Path(path)
        self.columns = columns
        self.upgrade = upgrade or (lambda row: [row])
        self.mode = mode

    def _header(self) -> bytes:
        return ("\ufeff" + ",".join(self.columns) + "\r\n").encode("utf-8")

    def _read(self) -> bytes | None:
        """The file's bytes (None when there is none), never through a link."""
        if self.path.is_symlink():
            raise IsALink(f"{self.path} is a link")
        try:
            fd = os.open(self.path, os.O_RDONLY | NOFOLLOW)
        except FileNotFoundError:
            return None
        with os.fdopen(fd, "rb") as handle:
            return handle.read()

    def rows(self) -> list[dict[str, str]]:
        """Every row, as dicts of column name to text, whatever Excel saved the file as."""
        data = self._read()
        if data is None:
            return []
        text = decode(data)
        first = text.split("\n", 1)[0]
        delimiter = ";" if ";" in first and "," not in first else ","  # Excel in a comma-decimal locale
        rows = []
        for row in csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter):
            named = {(k or "").strip().lower(): v for k, v in row.items() if isinstance(v, str)}
            rows.extend(self.upgrade(named))
        return rows

    def check_writable(self) -> None:
        """OSError unless rows can be added, found without making the file: a refusal leaves
        no empty ledger behind."""
        if self.path.is_symlink():
            raise IsALink(f"{self.path} is a link")
        if self.path.exists():
            with self.path.open("ab"):
                pass
        elif not os.access(self.path.parent, os.W_OK):
            raise PermissionError(13, "Permission denied")

    def append(self, rows: Iterable[list[str]]) -> None:
        """Add rows (in column order) and make the disk hold them before returning. The file
        is made with its header if there is none (even for no rows), and first rewritten whole
        if it is not as plantools writes it."""
        data = self._read()
        if data and not self._plain(data):
            self.replace([[row.get(c, "") for c in self.columns] for row in self.rows()])
        if data is None and self.mode is not None:  # no data in it yet while its mode is set
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | NOFOLLOW, 0o600))
            os.chmod(self.path, self.mode)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | NOFOLLOW, 0o666)
        try:
            new = os.fstat(fd).st_size == 0
            _write_synced(fd, (self._header() if new else b"") + _csv_bytes(rows))
        finally:
            os.close(fd)

    def replace(self, rows: Iterable[list[str]]) -> None:
        """The whole file as plantools writes it, with these rows: in one step, synced, its
        permissions kept (PlanError when it cannot be replaced)."""
        mode = stat.S_IMODE(self.path.stat().st_mode) if self.path.exists() else self.mode
        with atomic_file(self.path) as temp:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else 0o600)
            try:
                if mode is not None:
                    os.chmod(temp, mode)  # readable by no more people than before
                _write_synced(fd, self._header() + _csv_bytes(rows))
            finally:
                os.close(fd)

    def _plain(self, data: bytes) -> bool:
        """Whether the file is as plantools writes it: UTF-8, this header, whole rows."""
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return data.startswith(self._header()) and data.endswith(b"\n")


def _csv_bytes(rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _write_synced(fd: int, data: bytes) -> None:
    """Write all of it and make the disk hold it before anything else happens."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.fsync(fd)
