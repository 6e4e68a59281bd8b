"""How much room text takes on paper: the height of wrapped text in a column.

Spreadsheet programs do not all grow a row to fit its text when they open a file (LibreOffice
keeps the height written), so every table row is written as tall as its text. Two programs
print the board's papers, and they wrap the same text differently:
- Excel, and LibreOffice where Calibri's metric twin Carlito is installed (its default install
  recommends it): Calibri, a column unit of 7 pixels;
- LibreOffice without Carlito: DejaVu Sans in Calibri's place, wider, on a unit of 9 pixels.
A row is made as tall as the taller of the two, so nothing is clipped in either, and in the first
(the board's usual) it is as tall as its text.

The character widths are the fonts' own advance widths (thousandths of an em, characters 32-126
and a few typographic marks, read with fontTools from Carlito-Regular/Bold and DejaVuSans/-Bold);
an accented letter is taken as wide as its letter, any other character as "n".
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence


@dataclass(frozen=True, eq=False)  # hashed by identity: a cache key of every word measured
class Font:
    widths: tuple[int, ...]  # characters 32..126
    bold_widths: tuple[int, ...]
    unit: float  # points of one unit of column width: the default font's digit, in whole pixels
    line: float  # the distance between lines, in ems
    padding: float  # points of a column's width no text is printed in (both sides together)
    punctuation: tuple[int, ...] = ()  # PUNCTUATION's widths
    bold_punctuation: tuple[int, ...] = ()


CALIBRI = Font(
    (226, 326, 401, 498, 507, 715, 682, 221, 303, 303, 498, 498, 250, 306, 252, 386, 507, 507, 507, 507, 507, 507,
     507, 507, 507, 507, 268, 268, 498, 498, 498, 463, 894, 579, 544, 533, 615, 488, 459, 631, 623, 252, 319, 520,
     420, 855, 646, 662, 517, 673, 543, 459, 487, 642, 567, 890, 519, 487, 468, 307, 386, 307, 498, 498, 291, 479,
     525, 423, 525, 498, 305, 471, 525, 229, 239, 455, 229, 799, 525, 527, 525, 525, 349, 391, 335, 525, 452, 715,
     433, 453, 395, 314, 460, 314, 498),
    (226, 326, 438, 498, 507, 729, 705, 233, 312, 312, 498, 498, 258, 306, 267, 430, 507, 507, 507, 507, 507, 507,
     507, 507, 507, 507, 276, 276, 498, 498, 498, 463, 898, 606, 561, 529, 630, 488, 459, 637, 631, 267, 331, 547,
     423, 874, 659, 676, 532, 686, 563, 473, 495, 653, 591, 906, 551, 520, 478, 325, 430, 325, 498, 498, 300, 494,
     537, 418, 537, 503, 316, 474, 537, 246, 255, 480, 246, 813, 537, 538, 537, 537, 355, 399, 347, 537, 473, 745,
     459, 474, 397, 344, 475, 344, 498),
    unit=7 * 0.75, line=1.22, padding=3 * 0.75, punctuation=(250, 250, 418, 418, 498, 905, 690, 498),
    bold_punctuation=(258, 258, 435, 435, 498, 905, 711, 498),
)
DEJAVU_SANS = Font(
    (318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636, 636,
     636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656,
     557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613,
     635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818,
     592, 592, 525, 636, 337, 636, 838),
    (348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696, 696, 696,
     696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683, 683, 821, 837, 372, 372, 775,
     637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675,
     716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924,
     645, 652, 582, 712, 365, 712, 838),
    unit=9 * 0.75, line=1.165, padding=0, punctuation=(318, 318, 518, 518, 500, 1000, 1000, 590),
    bold_punctuation=(380, 380, 657, 657, 500, 1000, 1000, 639),
)
PUNCTUATION = "‘’“”–—…•"  # typed by Word's autocorrect into text pasted into plans
FONTS = (CALIBRI, DEJAVU_SANS)
WIDEST = {font: max(font.bold_widths) for font in FONTS}
ROW_PADDING = 3  # points above and below the text of a row
MAX_ROW_HEIGHT = 409  # Excel's limit


COLUMN_MARGINS = 5 / 7  # units: the 5 pixels of margins xlsxwriter adds to the width it is given


def room(width: float, font: Font) -> float:
    """Points of text that fit across a column `width` units wide."""
    return max(font.unit * (width + COLUMN_MARGINS) - font.padding, 1.0)


def merged_width(widths: Sequence[float]) -> float:
    """The width of cells merged across columns of these widths: theirs and the margins between."""
    return sum(widths) + (len(widths) - 1) * COLUMN_MARGINS


def text_lines(text: str, width: float, size: float, font: Font, bold: bool = False) -> int:
    """How many lines `text` takes in `font` at `size` points, wrapped at spaces (and after
    hyphens) in a column `width` units wide; each line typed (Alt+Enter) wraps on its own, and a
    word longer than the line is broken."""
    return line_counts(text, width, size, bold)[FONTS.index(font)]


def line_counts(text: str, width: float, size: float, bold: bool = False) -> tuple[int, int]:
    """text_lines in each of FONTS, in one pass over the words."""
    across = _ACROSS.get((width, size))
    if across is None:  # in thousandths of an em, as the widths are
        if len(_ACROSS) >= MEASURED_WORDS:
            _ACROSS.clear()
        across = _ACROSS[width, size] = tuple(room(width, font) * 1000 / size for font in FONTS)
    across_c, across_d = across
    calibri, dejavu = FONTS
    measured = _MEASURED[bold]
    space_c, space_d = _SPACE[calibri, bold], _SPACE[dejavu, bold]
    lines_c = lines_d = 0
    for paragraph in text.split("\n"):
        lines_c += 1
        lines_d += 1
        used_c = used_d = 0.0
        for word in paragraph.split(" "):
            word_c, word_d, pieces_c, pieces_d = measured.get(word) or _measure(word, bold)
            # most words: no hyphen, narrower than a line; they go on it, or start the next.
            # The same steps for each font, written out twice: a call per word and font would
            # cost what the one pass saves (it runs for each word of 400,000 cells at 20,000)
            if word_c <= across_c:
                wide = word_c
                if not used_c:
                    used_c = wide
                elif used_c + space_c + wide <= across_c:
                    used_c += space_c + wide
                else:
                    lines_c += 1
                    used_c = wide
            else:
                used_c, lines_c = _place(word, pieces_c, used_c, lines_c, across_c, space_c)
            if word_d <= across_d:
                wide = word_d
                if not used_d:
                    used_d = wide
                elif used_d + space_d + wide <= across_d:
                    used_d += space_d + wide
                else:
                    lines_d += 1
                    used_d = wide
            else:
                used_d, lines_d = _place(word, pieces_d, used_d, lines_d, across_d, space_d)
    return lines_c, lines_d


def _place(word: str, pieces: tuple[float, ...], used: float, lines: int, across: float,
           space: float) -> tuple[float, int]:
    """A word of pieces (see _hyphen_parts) placed after `used` of a line: where the line then
    ends, and the lines counted so far."""
    gap = space if used else 0.0  # before the word; none inside it
    for index, wide in enumerate(pieces):
        if used + gap + wide <= across:
            used += gap + wide
            gap = 0.0
            continue
        if used:  # the piece starts a new line
            lines += 1
        # a piece wider than the line is broken over lines, a character a line at least
        count = 1 if wide <= across else min(len(_hyphen_parts(word)[index]), math.ceil(wide / across)) or 1
        lines += count - 1
        used = wide / count
        gap = 0.0
    return used, lines


# the room across a column in each font, by (width, size): a sheet's few widths, asked for by every cell
_ACROSS: dict[tuple[float, float], tuple[float, ...]] = {}

# each word as measured, in each weight: its width in each font (Calibri, DejaVu Sans), or
# infinity when a line may break inside it (a hyphen), and the widths of the pieces a line may
# break between, in each font; in thousandths of an em. A plan's words repeat: each is
# measured once
Measured = tuple[float, float, tuple[float, ...], tuple[float, ...]]
_MEASURED: dict[bool, dict[str, Measured]] = {False: {}, True: {}}
_SPACE = {(font, bold): float((font.bold_widths if bold else font.widths)[0]) for font in FONTS for bold in (False, True)}
MEASURED_WORDS = 100_000  # per weight, then the words are measured afresh


def _measure(word: str, bold: bool) -> Measured:
    """A word as measured (see _MEASURED), remembered for the next time."""
    measured = _MEASURED[bold]
    if len(measured) >= MEASURED_WORDS:
        measured.clear()
    parts = _hyphen_parts(word)
    calibri, dejavu = FONTS
    pieces_c = tuple(_width(piece, calibri, bold) for piece in parts)
    pieces_d = tuple(_width(piece, dejavu, bold) for piece in parts)
    whole = len(parts) == 1
    found = measured[word] = (pieces_c[0] if whole else math.inf, pieces_d[0] if whole else math.inf,
                              pieces_c, pieces_d)
    return found


def _width(word: str, font: Font, bold: bool) -> float:
    """A word's width in thousandths of an em."""
    table = font.bold_widths if bold else font.widths
    return float(sum(table[code - 32] if 32 <= code < 127 else _other(chr(code), font, bold) for code in map(ord, word)))


def _other(char: str, font: Font, bold: bool) -> int:
    """A character outside the table: curly quotes and dashes as measured, an accented letter
    as its letter, anything else as wide as "n"."""
    if char in PUNCTUATION:
        return (font.bold_punctuation if bold else font.punctuation)[PUNCTUATION.index(char)]
    table = font.bold_widths if bold else font.widths
    base = unicodedata.normalize("NFD", char)[0]
    return table[ord(base) - 32] if 32 <= ord(base) < 127 else table[ord("n") - 32]


def _hyphen_parts(word: str) -> tuple[str, ...]:
    """Where a line may break inside a word: after each hyphen (the hyphen kept on the left)."""
    if "-" not in word.strip("-"):
        return (word,)
    parts = word.split("-")
    return tuple(part + "-" for part in parts[:-1]) + (parts[-1],)


# whole cells' heights, keyed by (text, width, size, bold): the copy's and packs' cells repeat
_HEIGHTS: dict[tuple[str, float, float, bool], float] = {}
CACHED_HEIGHTS = 200_000  # then the cache starts afresh


def text_height(text: str, width: float, size: float, bold: bool = False) -> float:
    """Points of paper `text` needs in a column `width` units wide: the taller of the two
    programs' wrapping, without the row's padding."""
    key = (text, width, size, bold)
    height = _HEIGHTS.get(key)
    if height is None:
        if len(_HEIGHTS) >= CACHED_HEIGHTS:
            _HEIGHTS.clear()
        calibri, dejavu = line_counts(text, width, size, bold)
        height = _HEIGHTS[key] = max(calibri * CALIBRI.line, dejavu * DEJAVU_SANS.line) * size
    return height


def fits_on_one_line(text: str, width: float, size: float) -> bool:
    """A quick answer for most short cells: one line typed, narrower than the column in each
    font even if every character were its widest."""
    return len(text) <= one_line_chars(width, size) and "\n" not in text


@lru_cache(maxsize=1024)
def one_line_chars(width: float, size: float) -> int:
    """The most characters that fit across a column in each font even if every one were its
    widest: n such that n * size * WIDEST / 1000 <= room in both (a cell's few widths, so cached)."""
    def fits(count: int) -> bool:
        return all(count * size * WIDEST[font] / 1000 <= room(width, font) for font in FONTS)

    count = int(min(room(width, font) * 1000 / (size * WIDEST[font]) for font in FONTS))
    while fits(count + 1):  # the division's rounding, settled by the comparison itself
        count += 1
    while count > 0 and not fits(count):
        count -= 1
    return count


def row_height(heights: list[float], size: float) -> float:
    """A row's height from its cells' text heights: at least a line, at most Excel's limit."""
    return min(MAX_ROW_HEIGHT, max([size * CALIBRI.line, *heights]) + ROW_PADDING)
