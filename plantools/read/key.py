"""The workbook's own RAG key, wherever it stands (a Key sheet, rows above the header, a key
column beside the table, a block below or between the tables): its words read into the
plan's RAG words, and its rows told apart from actions' rows ("Green | On track" is no
action)."""

from __future__ import annotations

import re

from plantools.plan import rag as ragmod
from plantools.plan.model import Action, Finding, Plan
from plantools.read.grid import Grid, note
from plantools.text import short

KEY_HEADING = re.compile(r"^\s*(rag\s*)?(key|legend)\b|^\s*rag\s*(status|rating)?\s*key", re.IGNORECASE)


class KeyWords(dict[str, str]):
    """The words of the workbook's own RAG key (word -> status, as rag.normalise takes them),
    the cell each was read from (`where`), so that a RAG read by them can name its key, and
    what an earlier key said of a word a later one gives another status (`overruled`)."""

    def __init__(self) -> None:
        super().__init__()
        self.where: dict[str, str] = {}
        self.overruled: dict[str, str] = {}  # word -> "Key!B3 says Amber"
        self._statuses: dict[str, tuple[str | None, bool]] = {}  # RAG text -> what `status` says of it

    def add(self, found: dict[str, str], grid: Grid, row: int, col: int) -> None:
        """The words a key's cell at (row, col) gives; a later key's word wins, as before (the Key
        sheet is read first, then each plan sheet's keys in turn), its overruling kept."""
        for word, status in found.items():
            if self.get(word, status) != status:
                self.overruled[word] = f"{self.where[word]} says {self[word]}"
            self[word] = status
            self.where[word] = f"{grid.title}!{grid.address(row, col)}"
        self._statuses.clear()  # a new word may read a text another way

    def status(self, text: str) -> tuple[str | None, bool]:
        """The status a RAG cell's text names, read by these words too, and whether only these
        words name it. Each text is worked out once: a plan of 20,000 actions has a few dozen."""
        if text not in self._statuses:
            status = ragmod.normalise(text, self)
            self._statuses[text] = (status, status is not None and ragmod.normalise(text) is None)
        return self._statuses[text]


def rag_by_key(action: Action, words: KeyWords, plan: Plan) -> str | None:
    """The status of a RAG cell, read by the workbook's own key too ('Finished', where the key
    says Complete means 'Finished'); a word only the key gives is two readings' worth (the
    key's, or none), so the cell says which key gave it, and a warning where keys disagree."""
    status, by_key_alone = words.status(action.rag_text)
    if by_key_alone:
        word = ragmod.words_key(action.rag_text)
        said = (f"RAG '{short(action.rag_text)}' read as {status}: the workbook's key ({words.where[word]}) says "
                f"{status} means '{short(action.rag_text)}'")
        if word in words.overruled:
            plan.findings.append(Finding("warning", action.sheet, action.cell("rag"), "", "rag",
                                         f"{said}, but {words.overruled[word]}: make the keys agree"))
        else:
            note(plan, action.sheet, action.cell("rag"), said, field="rag")
    return status


def key_pairs(texts: list[tuple[int, object]]) -> list[tuple[object, object, int]]:
    """The (status, meaning, meaning's column) of a row that holds nothing else: "Green | On
    track", or "Red | ... | Amber | ... | Green | ..." along one row; [] for any other row."""
    pairs: list[tuple[object, object, int]] = []
    index = 0
    while index < len(texts):  # each step consumes one or two cells: it ends
        status = texts[index][1]
        if not isinstance(status, str) or len(status) > 20 or ragmod.normalise(status) is None:
            return []
        col, meaning = texts[index + 1] if index + 1 < len(texts) else (texts[index][0], None)
        if isinstance(meaning, str) and ragmod.normalise(meaning) is None:
            pairs.append((status, meaning, col))
            index += 2
        else:
            pairs.append((status, None, texts[index][0]))
            index += 1
    return pairs


KEY_BLOCK_REACH = 6  # rows looked at above and below: a key has four or five


def first_status(grid: Grid, row: int) -> tuple[int, str] | None:
    """(column, status) when a row's first value is a status word alone and no cell of the
    row holds a date or a number (a key's rows: "Green | On track | ..."), else None."""
    found = None
    if not grid.top <= row < grid.top + len(grid.rows):
        return None
    for col, value in enumerate(grid.rows[row - grid.top], start=grid.left):  # a merge's other cells are ""
        if value == "":
            continue
        if not isinstance(value, str):
            return None  # a date, a number: an action's row
        if found is None:  # a word: "a" and "b" are actions' names as often as Amber and Blue
            status = ragmod.normalise(value) if 3 <= len(value.strip()) <= 20 else None
            if status is None:
                return None
            found = (col, status)
    return found


def in_key_block(grid: Grid, row: int) -> bool:
    """The row is one of a RAG key's, wherever the key stands (above, between or below the
    tables) and whichever columns its meanings fall in: its first value is a status word,
    and so is the first value of the rows next to it, in the same column, naming two statuses
    or more, or the rows run up to a "RAG key" heading."""
    first = first_status(grid, row)
    if first is None:
        return False
    statuses = {first[1]}
    for step in (-1, 1):
        at = row + step
        while abs(at - row) <= KEY_BLOCK_REACH and grid.top <= at <= grid.max_row:
            other = first_status(grid, at)
            if other is None or other[0] != first[0]:
                heading = next((grid.raw(at, col) for col in range(grid.left, grid.max_col + 1)
                                if grid.own(at, col) and grid.raw(at, col) is not None), None)
                if step == -1 and isinstance(heading, str) and KEY_HEADING.match(heading):
                    return True
                break
            statuses.add(other[1])
            at += step
    return len(statuses) >= 2


def along_key(grid: Grid, row: int) -> bool:
    """A key along one row ("RAG key: | Red | ... | Green | ..."), whose cells lie across the
    table's columns."""
    texts = [(col, grid.raw(row, col)) for col in range(grid.left, grid.max_col + 1)
             if grid.own(row, col) and grid.raw(row, col) is not None]
    heading = bool(texts) and KEY_HEADING.match(str(texts[0][1])) is not None
    pairs = key_pairs(texts[1:] if heading else texts)
    return len({ragmod.normalise(status) for status, *_ in pairs}) >= 2


def is_key(texts: list[tuple[int, object]], pairs: list[tuple[object, object, int]], own: set[str],
            rag_col: int | None, shows: set[str]) -> bool:
    """A row of statuses and meanings is the key, not an action: when it names two statuses
    or more (a key along one row); when a status stands outside the RAG column and the row
    has no owner, governance or deadline of its own; or when it stands in the RAG column and
    the row shows no action, owner, governance or deadline (typed or merged from above)."""
    if len({ragmod.normalise(status) for status, *_ in pairs}) >= 2:
        return True
    outside = any(col != rag_col and ragmod.normalise(value) is not None for col, value in texts)
    if outside:
        return len(texts) <= 3 and not own & {"owner", "governance", "deadline"}
    return len(texts) <= 2 and not shows & {"action", "owner", "governance", "deadline", "outcome", "objective"}


def key_words(grid: Grid, words: KeyWords, rows: range | None = None, columns: range | None = None) -> None:
    """Add the words of the workbook's own RAG key: a row with a status and what it means, or
    several along the row (on a Key sheet; in the rows above a plan's header; or in a plan's
    key columns)."""
    columns = columns or range(grid.left, grid.max_col + 1)
    for row in rows if rows is not None else range(grid.top, grid.max_row + 1):
        cells: list[tuple[int, object]] = [(col, value) for col in columns
                                           if isinstance(value := grid.raw(row, col), str) and value.strip()]
        along = key_pairs(cells[1:] if cells and KEY_HEADING.match(str(cells[0][1])) else cells)
        if len(along) > 1:
            for status, meaning, col in along:
                words.add(ragmod.key_words(status, meaning), grid, row, col)
            continue
        for (_, value), (col, meaning) in zip(cells, cells[1:]):
            found = ragmod.key_words(value, meaning)
            if found:
                words.add(found, grid, row, col)
                break
        else:
            for col, value in cells:
                words.add(ragmod.inline_key_words(value), grid, row, col)
