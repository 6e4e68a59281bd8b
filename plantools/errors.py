"""The one error a user sees: what went wrong, in which file, sheet and cell."""

from __future__ import annotations

from pathlib import Path

from plantools.terminal import one_line


class PlanError(Exception):
    """A workbook that cannot be read, or an output that cannot be written.

    str(error) is the single line the CLI prints; the CLI exits with status 2.
    """

    def __init__(self, path: Path | str, message: str, sheet: str = "", cell: str = "") -> None:
        self.path = Path(path)
        self.sheet = sheet
        self.cell = cell
        self.message = message
        if not str(path):  # bad input that is no file's (a month written wrongly)
            super().__init__(one_line(message))
            return
        where = f"{self.path}"
        if sheet:
            where += f", sheet '{sheet}'"
        if cell:
            where += f", cell {cell}"
        super().__init__(one_line(f"{where}: {message}"))  # one line, whatever a name or cell holds

    def __reduce__(self):
        # rebuilt from its parts when it crosses from a worker process
        return (PlanError, (self.path, self.message, self.sheet, self.cell))
