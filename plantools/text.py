"""Text made to fit: a cell's lines as one, and text cut to a length with "…", at a word or anywhere."""

from __future__ import annotations

import re

_LIST_MARKER = re.compile(r"^(?:[-*•·▪–]|\d+[.)])\s+")
ELLIPSIS = "…"


def joined(text: str) -> str:
    """A cell's lines as one: list markers dropped, runs of spaces as one, lines joined with
    '; ' unless a line already ends a sentence or clause."""
    result = ""
    for line in str(text).splitlines():
        part = " ".join(_LIST_MARKER.sub("", line.strip()).split())
        if part:
            result += ("" if not result else " " if result[-1] in ".;:,!?" else "; ") + part
    return result


def cut(text: str, limit: int) -> str:
    """`text` whole if it has at most `limit` characters, else its first limit - 1 and '…'
    (anywhere, mid-word too: for samples and quotes)."""
    return text if len(text) <= limit else text[:limit - 1] + ELLIPSIS


def cut_at_word(text: str, limit: int) -> str:
    """`text` whole if it has at most `limit` characters, else the words that fit before '…'
    within `limit`, without trailing punctuation; never mid-word (a first word longer than
    the limit is kept whole)."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    kept = head.rsplit(" ", 1)[0] if " " in head else text.split(" ", 1)[0]
    return kept.rstrip(" ,;:-–") + ELLIPSIS


def short(text: str, limit: int = 60) -> str:
    """A cell's text quoted in a message: on one line, cut with '…' past `limit` characters."""
    return cut(" ".join(text.split()), limit)


MAX_CELL_TEXT = 32767  # Excel's limit for one cell, in UTF-16 units
TRUNCATED = " …[cut: the cell in the shared workbook is longer than Excel allows]"


def fit_cell(text: str) -> str:
    """The text, or as much of it as a cell holds and a note that it was cut. Excel counts a
    cell's characters in UTF-16, an emoji two: more is a file Excel must repair (or, written by
    xlsxwriter, cut short without the note)."""
    if len(text) <= MAX_CELL_TEXT // 2:  # most text: short enough however it is counted
        return text
    units = text.encode("utf-16-le")
    if len(units) <= 2 * MAX_CELL_TEXT:
        return text
    room = 2 * (MAX_CELL_TEXT - len(TRUNCATED))  # the note is all in UTF-16's first plane: a unit a character
    return units[:room].decode("utf-16-le", "ignore") + TRUNCATED  # "ignore": half an emoji at the cut
