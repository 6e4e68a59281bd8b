"""What every workbook plantools writes shares: atomic saving, formats, RAG rules, dropdowns."""

from __future__ import annotations

import errno
import io
import os
import re
import shutil
import socket
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from . import printed, rag
from .bulk import gc_paused
from .errors import PlanError

TEMP_PREFIX = ".~plantools-"

# Never turn text into a formula or a number: a progress note "=HYPERLINK(...)" or
# "+44 20 ..." stays exactly what staff typed.
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "nan_inf_to_errors": True,
}


DEFAULT_FONT_SIZE = 11  # points: Calibri 11, a workbook's own default
STALE_AFTER = 24 * 60 * 60  # seconds: a temp file from another machine this old is abandoned


def temp_name(suffix: str) -> str:
    """'.~plantools-<host>-<pid>-<random><suffix>': whose it is, so a later run can tell
    an abandoned temp file (its process is gone) from one another run is still writing."""
    host = re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:30] or "host"
    return f"{TEMP_PREFIX}{host}-{os.getpid()}-{uuid.uuid4().hex[:12]}{suffix}"


def remove_stale_temps(folder: Path) -> None:
    """Delete temp files (and staging folders) that a killed run left behind: this machine's
    whose process has gone, and any over a day old. A run still writing keeps its own."""
    host = re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:30] or "host"
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


def open_in_excel(path: Path) -> PlanError:
    owner = owner_file(path)
    beside = f" ({owner.name} is beside it)" if owner else ""
    return PlanError(path, f"is open in Excel{beside}: close it and run again")


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


def write_workbook(path: Path, fill: Callable[[Any], None], force: bool = True) -> None:
    """Write the xlsxwriter Workbook that `fill` fills so that it appears under `path` only
    once it is complete: a crash or a full disk leaves the old file or none.

    Cells are kept in memory until the end (xlsxwriter's in_memory mode): a fifth faster than
    its constant_memory mode, for about 250 MB more at the peak of a 100,000-action copy."""
    import xlsxwriter

    with atomic_file(path, force) as temp:
        # zipped into memory, then written in one go: a full disk or a lost share then fails
        # in our own write below, with nothing of xlsxwriter's left half open
        buffer = io.BytesIO()
        with gc_paused():  # every cell is an object until the end (see bulk.py)
            book = xlsxwriter.Workbook(buffer, {**WORKBOOK_OPTIONS, "in_memory": True})
            fill(book)
            book.close()
            del book  # a cycle: freed as the pause ends
        with temp.open("wb") as handle:
            handle.write(buffer.getbuffer())
            handle.flush()
            os.fsync(handle.fileno())


class Formats:
    """The named cell formats of one workbook; font_size sets the body text (the workbook's
    default font, Calibri 11, when not given)."""

    def __init__(self, book, font_size: float | None = None) -> None:
        size = {"font_size": font_size} if font_size else {}
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.long_title = book.add_format({"bold": True, "font_size": 14, "text_wrap": True, "valign": "top"})
        self.subtitle = book.add_format({"italic": True, "text_wrap": True, "valign": "top", **size})
        self.header = book.add_format({
            "bold": True, "bg_color": "#1F3864", "font_color": "#FFFFFF", "text_wrap": True,
            "valign": "top", "border": 1, **size,
        })
        # a pack's cells to fill in: unlocked (the sheet is protected) and shaded
        self.fill_in = book.add_format({"text_wrap": True, "valign": "top", "border": 1, "locked": False,
                                        "bg_color": "#FFF2CC", **size})
        self.fill_in_header = book.add_format({
            "bold": True, "bg_color": "#BF8F00", "font_color": "#FFFFFF", "text_wrap": True,
            "valign": "top", "border": 1, **size,
        })
        self.heading = book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, **size})
        self.text = book.add_format({"text_wrap": True, "valign": "top", "border": 1, **size})
        self.bold_text = book.add_format({"text_wrap": True, "valign": "top", "border": 1, "bold": True, **size})
        self.date = book.add_format({"num_format": "dd mmm yyyy", "valign": "top", "border": 1, **size})
        self.overdue = book.add_format({
            "text_wrap": True, "valign": "top", "border": 1, "font_color": "#C00000", "bold": True, **size,
        })
        self.rag = {
            status: book.add_format({"bg_color": fill, "font_color": font, "border": 1, "bold": True,
                                     "valign": "top", **size})
            for status, (fill, font) in rag.COLOURS.items()
        }
        # conditional formats take only what differs from the cell's own format
        self.rag_rule = {
            status: book.add_format({"bg_color": fill, "font_color": font})
            for status, (fill, font) in rag.COLOURS.items()
        }


def add_rag_rules(sheet, formats: Formats, first_row: int, last_row: int, col: int,
                  dropdown: bool = True) -> None:
    """Colour the RAG column by its text, so a change typed in Excel recolours at once,
    and offer the key's words as a dropdown."""
    last_row = max(last_row, first_row)
    for status in rag.STATUSES:
        sheet.conditional_format(first_row, col, last_row, col, {
            "type": "text", "criteria": "begins with", "value": status,
            "format": formats.rag_rule[status],
        })
    if not dropdown:
        return
    sheet.data_validation(first_row, col, last_row, col, {
        "validate": "list",
        "source": list(rag.STATUSES),
        "input_title": "RAG status",
        "input_message": "Red, Amber, Green or Complete",
        "error_title": "RAG status",
        "error_message": "Choose Red, Amber, Green or Complete (see the Key sheet).",
        "error_type": "warning",
    })


def write_key(book, formats: Formats, name: str = "Key", font_size: float = DEFAULT_FONT_SIZE, heading: str = ""):
    """The RAG key, set up to print on one page, under `heading` when given; returns the sheet."""
    sheet = book.add_worksheet(name)
    widths: list[float] = [14, 56]
    top = 2 if heading else 0
    if heading:
        sheet.write_string(0, 0, heading, formats.title)
    sheet.write_string(top, 0, "RAG status", formats.header)
    sheet.write_string(top, 1, "Meaning", formats.header)
    for row, status in enumerate(rag.STATUSES, start=top + 1):
        write_row(sheet, row, [status, rag.KEY[status]], [formats.rag[status], formats.text], widths, font_size)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.set_portrait()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 1)
    return sheet


MAX_CELL_TEXT = 32767  # Excel's limit for one cell
TRUNCATED = " …[cut: the cell in the shared workbook is longer than Excel allows]"


def _fit(text: str) -> str:
    return text if len(text) <= MAX_CELL_TEXT else text[: MAX_CELL_TEXT - len(TRUNCATED)] + TRUNCATED


def write_text(sheet, row: int, col: int, text: str, fmt=None) -> None:
    """Text always as text (never a formula, number or link); nothing at all as a blank cell."""
    if text:
        sheet.write_string(row, col, _fit(text), fmt)
    else:
        sheet.write_blank(row, col, None, fmt)


def write_row(sheet, row: int, values: list, formats: list, widths: Sequence[float] | None = None,
              font_size: float = DEFAULT_FONT_SIZE) -> None:
    """One row of a table: text as text (as write_text), a datetime as a date, a number as a
    number; and, given the column widths, the row made as tall as its printed text (see
    printed.py). A width of 0 marks a column that is not printed: left out of the height, and an
    empty value there writes no cell. (Runs once a cell in tables of 100,000 rows, so kept lean.)"""
    heights = []
    for col, value in enumerate(values):
        if value.__class__ is str:
            if not value:
                if widths is None or widths[col]:  # a border on paper; nothing at all off it
                    sheet.write_blank(row, col, None, formats[col])
                continue
            sheet.write_string(row, col, _fit(value), formats[col])
            if widths is not None and widths[col] and not printed.fits_on_one_line(value, widths[col], font_size):
                heights.append(printed.text_height(value, widths[col], font_size))
        elif isinstance(value, datetime):
            sheet.write_datetime(row, col, value, formats[col])
        else:
            sheet.write_number(row, col, value, formats[col])
    if widths is not None:
        sheet.set_row(row, printed.row_height(heights, font_size))
