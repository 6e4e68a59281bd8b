"""A month, written YYYY-MM ("2018-11"): checking it, its last day, its name in words
("November 2018"), the month before, how many months lie between two, and whether it is in
the plan's year."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date

from plantools.errors import PlanError

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def check_month(text: str) -> str:
    """The month itself, or PlanError saying how to write one."""
    if not MONTH.match(text or ""):
        raise PlanError("", f"'{text}' is not a month: write it as YYYY-MM, e.g. 2018-11")
    return text


def this_month() -> str:
    """The month of today, YYYY-MM: what every command works on unless told otherwise."""
    return month_of(date.today())


def _parts(month: str) -> tuple[int, int]:
    check_month(month)
    return int(month[:4]), int(month[5:])


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_end(month: str) -> date:
    """'2018-11' -> 30 November 2018."""
    year, number = _parts(month)
    return date(year, number, calendar.monthrange(year, number)[1])


def label(month: str) -> str:
    """'2018-11' -> 'November 2018', in English whatever the machine's locale."""
    year, number = _parts(month)
    return f"{_NAMES[number]} {year}"


# not calendar.month_name, which follows the machine's locale
_NAMES = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


def previous(month: str) -> str:
    """'2019-01' -> '2018-12'."""
    year, number = _parts(month)
    return f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"


def following(month: str) -> str:
    """'2018-12' -> '2019-01'."""
    year, number = _parts(month)
    return f"{year + 1:04d}-01" if number == 12 else f"{year:04d}-{number + 1:02d}"


def between(earlier: str, later: str) -> int:
    """Whole months from `earlier` to `later`: ('2018-10', '2019-01') -> 3."""
    (y1, m1), (y2, m2) = _parts(earlier), _parts(later)
    return (y2 - y1) * 12 + (m2 - m1)


def uk_date(day: date) -> str:
    """31 Jan 2019, in English whatever the machine's locale."""
    return f"{day.day} {_NAMES[day.month][:3]} {day.year}"


def long_date(day: date) -> str:
    """'Friday 14 December 2018', in English whatever the machine's locale."""
    return f"{_DAYS[day.weekday()]} {day.day} {_NAMES[day.month]} {day.year}"


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def from_label(text: str) -> str:
    """'November 2018' (as the copies show a month) or '2018-11' -> '2018-11'; '' when neither."""
    text = " ".join(str(text).split())
    if MONTH.match(text):
        return text
    name, _, year = text.partition(" ")
    if name.capitalize() in _NAMES[1:] and year.isdigit() and len(year) == 4:
        return f"{year}-{_NAMES.index(name.capitalize()):02d}"
    return ""


# a financial year in a plan's title: "2018-19", "2018 – 19", "2018/2019"
_FINANCIAL_YEAR = re.compile(r"\b((?:19|20)\d\d)\s*[-–—/]\s*(?:(?:19|20)(?=\d\d\b))?(\d\d)\b")


def plan_year(title: str, dues: Iterable[date]) -> tuple[str, str, str] | None:
    """The plan's first and last month, and what they were read from. A title naming a
    financial year ("Business Plan 2018-19") means April 2018 to March 2019; without one, the
    months from its earliest deadline to its latest; None when it has no dated deadline."""
    match = _FINANCIAL_YEAR.search(title)
    if match and int(match[2]) == (int(match[1]) + 1) % 100:
        start = int(match[1])
        return f"{start:04d}-04", f"{start + 1:04d}-03", f"from '{match[0]}' in its title"
    days = sorted(dues)
    if not days:
        return None
    return month_of(days[0]), month_of(days[-1]), "from its deadlines"


def outside_plan_year(month: str, title: str, dues: Iterable[date]) -> str:
    """One warning line when `month` is outside the plan's year (see plan_year), else ""."""
    year = plan_year(title, dues)
    if year is None or year[0] <= month <= year[1]:
        return ""
    first, last, source = year
    nearest = first if month < first else last
    return (f"warning: {label(month)} is outside the plan's year ({label(first)} to {label(last)}, {source}): "
            f"give the month, e.g. --month {nearest}")
