"""The RAG vocabulary: what staff type, what it means, and the colours of the key."""

from __future__ import annotations

import colorsys
import re

RED = "Red"
AMBER = "Amber"
GREEN = "Green"
COMPLETE = "Complete"
STATUSES = (RED, AMBER, GREEN, COMPLETE)
NOT_RATED = "Not rated"

# The key as the partnership publishes it (2012-13 plan); Complete is the finished
# form of Green, kept apart so the board can see what is done.
KEY_HEADING = "RAG key"  # heads the key where it sits under a pack's table
KEY = {
    GREEN: "Completed or On track",
    AMBER: "Risk of not being completed or Missing deadline",
    RED: "Unlikely to complete on target/deadline or Unachievable in current conditions",
    COMPLETE: "Completed (Green, and finished)",
}

# Fill and font colours for each status, used by every workbook plantools writes.
COLOURS = {
    RED: ("#FF0000", "#FFFFFF"),
    AMBER: ("#FFC000", "#000000"),
    GREEN: ("#00B050", "#FFFFFF"),
    COMPLETE: ("#0070C0", "#FFFFFF"),
}

_WORDS = {
    "r": RED, "red": RED,
    "a": AMBER, "amber": AMBER, "orange": AMBER, "yellow": AMBER,
    "g": GREEN, "green": GREEN, "on track": GREEN,
    "c": COMPLETE, "b": COMPLETE, "blue": COMPLETE, "complete": COMPLETE,
    "completed": COMPLETE, "achieved": COMPLETE, "done": COMPLETE,
    "green complete": COMPLETE, "green completed": COMPLETE,
}


# What staff paste from the emoji keyboard or a web page.
_EMOJI = {
    "\U0001F534": RED, "\u2B55": RED, "\u274C": RED, "\U0001F7E5": RED,  # red circle, circle, cross, square
    "\U0001F7E0": AMBER, "\U0001F7E1": AMBER, "\U0001F7E7": AMBER, "\U0001F7E8": AMBER, "\u26A0": AMBER,
    "\U0001F7E2": GREEN, "\U0001F7E9": GREEN,
    "\U0001F535": COMPLETE, "\U0001F7E6": COMPLETE, "\u2705": COMPLETE, "\u2714": COMPLETE,
}


def words_key(text: str) -> str:
    """The form in which RAG words are compared: lower case, letters and digits, punctuation as
    spaces. Digits stay, so a ref such as 'B-2' or 'A/1' is never read as 'B' or 'A'."""
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text.lower()).split())


def normalise(text: object, words: dict[str, str] | None = None) -> str | None:
    """'G', 'green ', 'AMBER', 'Completed', '🟢' -> a status; None when not recognised.
    words: the workbook's own key ('on track' -> Green), read by the reader."""
    if text is None:
        return None
    text = str(text)
    for char in text:
        if char in _EMOJI and text.strip(" \ufe0f\n" + char) == "":
            return _EMOJI[char]  # the emoji alone, perhaps with its colour selector
    key = words_key(text)
    found = _WORDS.get(key)
    if found is None and words:
        found = words.get(key)
    return found


def leading_status(text: str, words: dict[str, str] | None = None) -> tuple[str | None, bool]:
    """'Amber - improving', 'G (on track)': the status a cell names first, when the rest names
    no other status; and whether the rest only says what that status means ('Green - on
    track'). (None, False) for 'Green/Amber', 'Red (was Amber)', 'Not started'."""
    found = re.match(r"\s*([A-Za-z]+)\b\s*[-\u2013:(/,]?\s*(.+?)\)?\s*$", text, re.DOTALL)
    status = normalise(found.group(1)) if found else None
    if found is None or status is None:
        return None, False
    rest = words_key(found.group(2))
    others = {normalise(word) for word in rest.split() if len(word) > 1} - {None, status}
    if others:
        return None, False
    meaning = _WORDS.get(rest) or (words or {}).get(rest)
    return status, meaning == status


def key_words(status_cell: object, meaning: object) -> dict[str, str]:
    """The words a workbook's key row gives a status: 'Green' | 'Completed or On track'
    gives 'completed or on track', 'completed' and 'on track'; words plantools already knows
    keep their meaning."""
    status = normalise(status_cell)
    if status is None or not isinstance(meaning, str) or not meaning.strip():
        return {}
    phrases = [meaning, *re.split(r"\s+or\s+|;", meaning, flags=re.IGNORECASE)]
    found = {}
    for phrase in phrases:
        key = words_key(phrase)
        if key and key not in _WORDS and len(key.split()) <= 10:
            found[key] = status
    return found


# "Green = on track", "Key: Amber - at risk; Red - off track": a key written in one cell
_INLINE_KEY = re.compile(r"(?:\bkey\s*:|^|[;,\n])\s*([A-Za-z]+)\s*[=:\u2013-]\s*([^;,=\n]+)", re.IGNORECASE)


def inline_key_words(text: object) -> dict[str, str]:
    """The words a key written in one cell gives its statuses."""
    found: dict[str, str] = {}
    if isinstance(text, str):
        for status, meaning in _INLINE_KEY.findall(text):
            found.update(key_words(status, meaning))
    return found


def status_of_fill(rgb: str | None) -> str | None:
    """The status a cell's solid fill colour stands for ('FFFF0000' -> Red), or None. Blue
    is Complete, as in plantools' own key (COLOURS) and the BRAG keys partnerships use."""
    if not rgb or not re.fullmatch(r"[0-9A-Fa-f]{6,8}", rgb):
        return None
    red, green, blue = (int(rgb[-6:][i:i + 2], 16) / 255 for i in (0, 2, 4))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    if saturation < 0.35 or not 0.2 <= lightness <= 0.85:
        return None  # greys, white, black and pastel tints are not a status
    degrees = hue * 360
    if degrees < 15 or degrees >= 340:
        return RED
    if 20 <= degrees < 60:
        return AMBER
    if 75 <= degrees < 170:
        return GREEN
    if 190 <= degrees < 250:
        return COMPLETE
    return None


def is_key_row(texts: list[str]) -> bool:
    """The key written under a pack's table ("RAG key:  Red – ..."), which is no action."""
    return bool(texts) and texts[0].startswith(f"{KEY_HEADING}:") and all(KEY[s] in texts[0] for s in STATUSES)
