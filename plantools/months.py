"""A month, written YYYY-MM ("2018-11"): checking it, its last day, its name in words
("November 2018"), the month before, and how many months lie between two."""

from __future__ import annotations

import calendar
import re
from datetime import date

from .errors import PlanError

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
