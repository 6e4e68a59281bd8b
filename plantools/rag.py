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


def normalise(text: object) -> str | None:
    """'G', 'green ', 'AMBER', 'Completed' -> a status; None when not recognised."""
    if text is None:
        return None
    words = re.sub(r"[^a-z ]+", " ", str(text).lower())
    return _WORDS.get(" ".join(words.split()))


def status_of_fill(rgb: str | None) -> str | None:
    """The status a cell's solid fill colour stands for ('FFFF0000' -> Red), or None."""
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
    return None
