"""A workbook's cell values as calamine reads them: the one place it is opened, and cells read
by address. Callers word calamine's errors for their own file."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any, Iterable


def open_values(source: Path | IO[bytes]):
    """The workbook at `source` (a path, or its bytes), opened with calamine."""
    import python_calamine  # not at import: `plantools --help` needs none of it

    if isinstance(source, Path):
        return python_calamine.CalamineWorkbook.from_path(str(source))
    return python_calamine.CalamineWorkbook.from_filelike(source)


def values_at(book, sheet: str, addresses: Iterable[str]) -> dict[str, Any]:
    """The values of these cells of `sheet` ('' for an empty one), reading no further down than the lowest."""
    from plantools.xlsx.edit import split_address  # here: the reader and the monthly job need none of edit

    keys = {address: split_address(address) for address in addresses}
    if not keys:
        return {}
    rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False, nrows=max(r for r, _ in keys.values()))
    return {address: rows[row - 1][col - 1] if row <= len(rows) and col <= len(rows[row - 1]) else ""
            for address, (row, col) in keys.items()}
