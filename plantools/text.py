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
