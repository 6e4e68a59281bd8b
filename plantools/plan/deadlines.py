"""Deadlines as people write them: "March '18", "May – June 2018", "Q3 2018-19", "Ongoing".

Rules:
- a month means its last day; a day-month-year means that day;
- a range or a list of milestones means its last date ("May – June 2018" is 30 June);
- a financial year ends on 31 March ("2018/19"), a quarter of one on its last day
  (Q1 April–June ... Q4 January–March);
- only the first sentence or clause that holds a date counts, so in
  "January 2019; with a view to the Board being dissolved 31st March 2019" the due date
  is 31 January 2019, and in "January 2013. Achieved for 2013/14" it is 31 January 2013;
- words such as "Ongoing" or "Quarterly" with no date mean the action has no end date;
- a revised date is read as revised: in "Dec 2018. Revised to March 2019 by the Board on
  10/12/18" or "March 2019 (was Dec 2018)" the due date is 31 March 2019, said in the note;
  a revision whose new date cannot be read makes the deadline unreadable, never the old date;
- a date that says when an action starts is no due date: "April 2019 onwards", "from April
  2019", "ongoing from April 2019", "April 2019 and ongoing" are ongoing, said in the note;
- guesses are read and said so in the note: a misspelt month ("Marhc 2019"), a month and a
  two-digit year ("Sept 19"), a season or school term ("Summer 2019" ends in August, "Summer
  term 2019" in July); "Mid 2019", "Winter 2019" name no month and cannot be read.
Anything else "cannot be read", and the original text is always kept.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

DATE = "date"
ONGOING = "ongoing"
UNREADABLE = "unreadable"
MISSING = "missing"


@dataclass(frozen=True)
class Deadline:
    text: str
    kind: str  # DATE, ONGOING, UNREADABLE or MISSING
    due: date | None = None
    # how a guess was made ("'Marhc' read as March"), or for an unreadable one, why it is not
    # a date ("no year"); "" when the text says plainly what it means
    note: str = ""


MONTHS = {
    name: number
    for number in range(1, 13)
    for name in {
        calendar.month_name[number].lower(),
        calendar.month_abbr[number].lower(),
    }
}
MONTHS["sept"] = 9

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d|['’‘]\s?\d\d)"
_DAY = r"(?P<day>[0-3]?\d)\s*(?:st|nd|rd|th)?"

_ONGOING_WORDS = re.compile(
    r"\b(on\s*-?\s*going|continuous(?:ly)?|throughout|recurring|as required|"
    r"business as usual|bau|annual(?:ly)?|quarterly|monthly|weekly|termly)\b"
)
# Clause breaks: a semicolon, or a full stop that ends a sentence (not "Sept." or "31.03").
_CLAUSE_BREAK = re.compile(r";|\.(?=\s+\D)|\n")

_PATTERNS = [
    # financial quarter: "Q3 2018-19", "Q3 2018/2019"
    ("quarter", re.compile(r"\bq(?P<q>\d)\s*(?:of\s*)?(?:fy\s*)?(?P<start>(?:19|20)\d\d)\s*[/-]\s*(?P<end>\d\d(?:\d\d)?)\b")),
    # financial year: "2018/19", "2018-19", "2018/2019"
    ("fy", re.compile(r"\b(?P<start>(?:19|20)\d\d)\s*[/-]\s*(?P<end>\d\d(?:\d\d)?)\b(?!\s*[/-])")),
    # ISO date
    ("iso", re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b")),
    # UK numeric date: 31/03/2019 or 31.03.19
    ("numeric", re.compile(r"\b(?P<day>[0-3]?\d)[/.](?P<month>[01]?\d)[/.](?P<year>(?:19|20)?\d\d)\b")),
    # 31st March 2019, 1 st April 2019
    ("dmy", re.compile(r"\b" + _DAY + r"\s+(?:of\s+)?" + _MONTH + r",?\s*" + _YEAR + r"(?!\d)")),
    # March 31st, 2019
    ("mdy", re.compile(r"\b" + _MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR + r"(?!\d)")),
    # a month, with or without its year: "January 2019", "March '18", "January, March"
    # a month and a two-digit year after a dash or slash: "Apr-19", "Sept/19"
    ("month", re.compile(r"\b" + _MONTH + r"\s*[-/]\s*(?P<year>\d\d)(?![a-z0-9/.])")),
    # a month, with or without its year: "January 2019", "Mar-2019", "March '18", "January, March"
    ("month", re.compile(r"\b" + _MONTH + r"(?:\s*[,/-]?\s*" + _YEAR + r")?(?![a-z0-9])")),
    # a bare year: "by 2019"
    ("year", re.compile(r"\b(?P<year>(?:19|20)\d\d)\b")),
]


def parse_deadline(value: object, month_only: bool = False) -> Deadline:
    """Read a deadline cell: an Excel date, a number or text. Never raises.
    month_only: the cell is a date that Excel shows as a month (number format mmm-yy), so it
    means that month, and a month means its last day."""
    if isinstance(value, str):
        return _parse_text(value)  # plans repeat a few dozen deadlines: read each once
    if value is None:
        return Deadline("", MISSING)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        if month_only:
            end = _month_end(value.year, value.month)
            return Deadline(f"{value:%b %Y}", DATE, end,
                            f"{SHOWN_AS_MONTH} ({value:%b %Y}): read as the month's end, {end:%d %b %Y}")
        return Deadline(value.isoformat(), DATE, value)
    return _parse_text(str(value))


@lru_cache(maxsize=4096)
def _parse_text(value: str) -> Deadline:
    text = " ".join(value.split())
    if not text:
        return Deadline("", MISSING)
    lowered, note = _correct_months(text)
    vague = _VAGUE.search(lowered)
    if vague:
        return Deadline(text, UNREADABLE, note=f"'{vague.group(0).capitalize()}' names no month: write the "
                                                "month and year, e.g. 'June 2019'")
    lowered, season = _seasons(lowered)
    note = "; ".join(n for n in (note, season) if n)
    revised = _revised(lowered)
    if revised is not None:
        lowered, old = revised
        if not _dates_in_text(lowered):
            return Deadline(text, UNREADABLE, note="the deadline was revised, but the new date cannot be read: "
                                                   "write it alone, e.g. 'March 2019'")
        note = "; ".join(n for n in (note, REVISED + (", not the date first written" if old else "")) if n)
    elif _starts_only(lowered):
        return Deadline(text, ONGOING, note=STARTS_ONLY)
    for clause in _CLAUSE_BREAK.split(lowered):
        dates = _dates_in(clause)
        if dates is None:
            break  # "31/02/2019" or "Q5 2018-19": looks like a date, is none
        if dates:
            return Deadline(text, DATE, max(dates), note)
    else:
        if _ONGOING_WORDS.search(lowered):
            return Deadline(text, ONGOING)
    return Deadline(text, UNREADABLE, note=_why_unreadable(lowered))


# Notes that say how a plain reading was made, not a guess (check gives them as notes)
REVISED = "the revised date was read"
SHOWN_AS_MONTH = "a date shown as a month"
PLAIN_NOTES = (REVISED, SHOWN_AS_MONTH)
STARTS_ONLY = "it says when the action starts, not when it is due: read as ongoing, with no due date"

# A revision and the new date after it: "revised to", "extended until", "new deadline:", "now"
_NEW_DATE = re.compile(
    r"\b(?:(?:revised|re-?profiled|extended|moved|deferred|postponed|re-?scheduled|changed|slipped|"
    r"pushed back|put back|delayed|amended|carried (?:forward|over)|rolled (?:forward|over))"
    r"(?:\s+(?:target |due |end )?(?:date|deadline|timescale))?(?!\s+from)|"
    r"(?:new|revised|amended) (?:target |due |end )?(?:date|deadline|timescale)|now)\b"
    r"\s*(?:to|until|till|into|is|of|due|by)?\s*[:\-–]?\s*")
# The new date's clause ends where who revised it and when begin ("by the Board on 10/12/18")
_REVISION_ENDS = re.compile(r"\s(?:on|by|at|agreed|approved|following|after|due to|because|as|when|per|see|"
                            r"was|from)\b|[(\[;\n]|\.(?=\s+\D)")
# The date written before, after the one that stands: "March 2019 (was Dec 2018)"
_OLD_DATE = re.compile(r"[(\[,;\-–]?\s*\b(?:revised from|changed from|moved from|extended from|deferred from|"
                       r"postponed from|originally|previously|formerly|was|old (?:date|deadline)|"
                       r"original (?:date|deadline))\b")


def _revised(text: str) -> tuple[str, str] | None:
    """(the new date's words, the old date's words) when the text revises its deadline; None
    when it does not. "now" counts only when a date follows it."""
    for match in reversed(list(_NEW_DATE.finditer(text))):
        tail = text[match.end():]
        stop = _REVISION_ENDS.search(" " + tail)
        new = tail[:max(stop.start() - 1, 0)] if stop else tail
        if match.group(0).startswith("now") and not _dates_in_text(new):
            continue
        return new.strip(" ,.-–"), text[:match.start()].strip(" ,.;-–(")
    old = _OLD_DATE.search(text)
    if old and old.start() > 0 and _dates_in_text(text[:old.start()]):
        return text[:old.start()].strip(" ,.;-–("), text[old.end():].strip(" :,.;-–()[]")
    return None


def _dates_in_text(text: str) -> list[date]:
    return [d for clause in _CLAUSE_BREAK.split(text) for d in (_dates_in(clause) or [])]


# A start with no end: "April 2019 onwards", "from April 2019", "April 2019 and ongoing"
_ONWARDS = re.compile(r"\bonwards?\b|\bthereafter\b|\band beyond\b|\bfrom then on\b")
_FROM = re.compile(r"^(?:(?:on\s*-?\s*going|continuous(?:ly)?)\s*[,:\-–]?\s*)?(?:from|starting|starts|start|"
                   r"commencing|commences|beginning|begins|since|with effect from|wef)\b")
_THEN_ONGOING = re.compile(r"(?:and|then|[,\-–/&+])\s*(?:then\s+)?(?:on\s*-?\s*going|continuous(?:ly)?|"
                           r"continuing)\s*$")
_UNTIL = re.compile(r"\b(?:to|until|till|by|through|end)\b|\d\s*-\s*\d|[a-z]\s*[-–]\s*[a-z0-9]")


def _starts_only(text: str) -> bool:
    """True when the text names only when the action starts."""
    text = re.sub(r"[–—−]", "-", text).strip(" .")
    start = _FROM.search(text)
    open_ended = bool(_ONWARDS.search(text) or _THEN_ONGOING.search(text)) or (
        start is not None and not _UNTIL.search(text[start.end():]))
    return open_ended and bool(_dates_in_text(text))  # the words first: most deadlines have none of them


# "Mid 2019", "Winter 2019": a year with no month that a person could place (winter spans two)
_VAGUE = re.compile(r"\b(early|mid|middle of|winter)\s*-?\s*(?:(?:19|20)\d\d|['’‘]\s?\d\d)\b")
# A season or school term and its year means its last month: seasons as the Met Office counts
# them, terms as English schools do (the spring term ends at Easter)
_SEASON = re.compile(r"\b(spring|summer|autumn|fall)(\s+term)?\s*-?\s*((?:19|20)\d\d|['’‘]?\s?\d\d)\b")
_SEASON_END = {("spring", False): 5, ("summer", False): 8, ("autumn", False): 11, ("fall", False): 11,
               ("spring", True): 4, ("summer", True): 7, ("autumn", True): 12, ("fall", True): 12}


def _seasons(text: str) -> tuple[str, str]:
    """'summer term 2019' -> 'july 2019', with a note saying so."""
    notes = []

    def end(match: re.Match) -> str:
        month = calendar.month_name[_SEASON_END[(match.group(1), bool(match.group(2)))]]
        year = _year(match.group(3))
        notes.append(f"'{match.group(0).capitalize()}' read as the end of {month} {year}")
        return f"{month.lower()} {year}"

    return _SEASON.sub(end, text), "; ".join(notes)


# A word just before a year, or just after a day, that is one or two letters off a month's
# name: "Marhc 2019", "Septmber 2019", "31 Jnuary 2019". Nowhere else, so "match" stays.
_NEAR_MONTH = re.compile(r"(?:(?<=\d)\s*|\b)([a-z]{4,10})(?=\.?\s*[-/,]?\s*(?:['’‘]\s?\d\d|(?:19|20)\d\d)\b)"
                         r"|(?<=\d\s)([a-z]{4,10})\b")


def _correct_months(text: str) -> tuple[str, str]:
    """The text in lower case with misspelt month names corrected, and a note saying what
    was read how."""
    notes = []
    original = text
    text = text.lower()

    def fix(match: re.Match) -> str:
        word = match.group(1) or match.group(2)
        month = _closest_month(word)
        if month is None:
            return match.group(0)
        start, end = match.span(match.lastindex or 0)  # the group that matched: a month word
        typed = original[start:end]
        notes.append(f"'{typed}' read as {calendar.month_name[month]}")
        return match.group(0).replace(word, calendar.month_name[month].lower())

    def short_year(match: re.Match) -> str:
        month, year = MONTHS[match.group(1)], 2000 + int(match.group(2))
        typed = " ".join(original[match.start():match.end()].split())
        notes.append(f"'{typed}' read as {calendar.month_name[month]} {year}")
        return f"{match.group(1)} {year}"

    corrected = _SHORT_YEAR.sub(short_year, _NEAR_MONTH.sub(fix, text))
    return corrected, "; ".join(notes)


# "Sept 19", "Dec 18": a month and a two-digit year after a space, as UK plans write them
# (a day would come first, "19 Sept"); read as the year, and said so, since "March 31" would
# read as 2031. Not when a year or a day's ending follows ("March 31st", "March 31, 2019").
_SHORT_YEAR = re.compile(r"\b(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?\s+(\d\d)\b"
                         r"(?!\s*(?:st|nd|rd|th)\b|\s*,?\s*(?:['’‘]\s?\d\d|(?:19|20)\d\d)\b|[/.:]\d)")


def _closest_month(word: str) -> int | None:
    if word in MONTHS:
        return None  # spelt right
    best = []
    for number in range(1, 13):
        name = calendar.month_name[number].lower()
        limit = 1 if len(word) <= 4 else 2
        if _distance(word, name) <= limit or (len(word) >= 4 and _distance(word, name[:len(word)]) <= 1
                                              and len(word) >= len(name) - 2):
            best.append(number)
    return best[0] if len(best) == 1 else None


def _distance(a: str, b: str) -> int:
    """Edit distance, with a swap of two neighbouring letters counting as one edit."""
    rows = [list(range(len(b) + 1))]
    for i, x in enumerate(a, 1):
        row = [i]
        for j, y in enumerate(b, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


def _why_unreadable(text: str) -> str:
    """What to write instead, for the forms people use that name no date."""
    if re.search(r"\b(tbc|tba|tbd|to be (confirmed|agreed|decided))\b", text):
        return "not yet decided: give the month and year when it is, e.g. 'March 2019', or 'Ongoing'"
    if re.search(r"\bq[1-4]\b|\bquarter\b", text):
        return "a quarter needs its financial year, e.g. 'Q3 2018-19'"
    if re.search(r"\b(" + "|".join(MONTHS) + r")\b", text):
        return "no year: write the month with its year, e.g. 'March 2019'"
    return ""


def _dates_in(clause: str) -> list[date] | None:
    """Every date the clause names; a month with no year takes the next year named.
    None when something shaped like a date is not one."""
    clause = re.sub(r"[–—−]", "-", clause)
    found: list[tuple[int, date | tuple[int, None]]] = []
    taken = [False] * len(clause)
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(clause):
            if any(taken[match.start():match.end()]):
                continue
            when = _to_date(kind, match)
            if when is None:
                if kind in ("quarter", "fy", "iso", "numeric", "dmy", "mdy"):
                    return None
                continue
            for i in range(match.start(), match.end()):
                taken[i] = True
            found.append((match.start(), when))
    found.sort(key=lambda item: item[0])
    dates: list[date] = []
    for index, (_, when) in enumerate(found):
        if isinstance(when, date):
            dates.append(when)
            continue
        month = when[0]  # a month without a year: borrow the next (else previous) year
        years = [d.year for _, d in found[index + 1:] if isinstance(d, date)]
        years = years or [d.year for d in dates]
        if years:
            dates.append(_month_end(years[0], month))
    return dates


def _to_date(kind: str, match: re.Match) -> date | tuple[int, None] | None:
    groups = match.groupdict()
    try:
        if kind == "quarter":
            start = int(groups["start"])
            quarter = int(groups["q"])
            if not 1 <= quarter <= 4:
                return None
            # financial quarters: Q1 Apr-Jun, Q2 Jul-Sep, Q3 Oct-Dec of the start year, Q4 Jan-Mar
            return _month_end(start + 1, 3) if quarter == 4 else _month_end(start, 3 + 3 * quarter)
        if kind == "fy":
            start = int(groups["start"])
            end = int(groups["end"])
            end = end if end > 99 else (start // 100) * 100 + end
            if end != start + 1:
                return None  # "2018/20" is no financial year
            return date(end, 3, 31)
        if kind == "year":
            return date(int(groups["year"]), 12, 31)
        year = _year(groups.get("year"))
        month_text = groups["month"]
        month = int(month_text) if month_text.isdigit() else MONTHS[month_text]
        if kind == "month":
            return _month_end(year, month) if year else (month, None)
        if year is None:
            return None  # a day and month with no year
        return date(year, month, int(groups["day"]))
    except (ValueError, TypeError, KeyError):
        return None


def _year(text: str | None) -> int | None:
    if not text:
        return None
    digits = re.sub(r"\D", "", text)
    return int(digits) if len(digits) == 4 else 2000 + int(digits)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])
