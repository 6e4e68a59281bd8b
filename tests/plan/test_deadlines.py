"""Deadlines as people write them: every deadline string of both published plans."""

from datetime import date, datetime

import pytest
from conftest import BUNDLED_2012, BUNDLED_2018
from hypothesis import given
from hypothesis import strategies as st

from plantools.plan.deadlines import DATE, MISSING, ONGOING, UNREADABLE, parse_deadline
from plantools.read.workbook import load_plan

# Every "When?" text in shared/seeds/, with the due date a board manager would read from it.
SEED_DEADLINES = {
    # 2018-19 plan
    "January 2019; with a view to the Board being dissolved 31 st March 2019 and constituted as a "
    "safeguarding partnership from 1 st April 2019": date(2019, 1, 31),
    "January 2019": date(2019, 1, 31),
    "May – June 2018": date(2018, 6, 30),
    "March '18": date(2018, 3, 31),
    "March 2019": date(2019, 3, 31),
    # 2012-13 plan
    "Dec 2013": date(2013, 12, 31),
    "Sept 2013": date(2013, 9, 30),
    "Framework in place November 2012 Progress reports January, March, September 2013": date(2013, 9, 30),
    "September 2013": date(2013, 9, 30),
    "Protocol and action plan in place by April 2013. Achieved": date(2013, 4, 30),
    "January 2013. Achieved for 2013/14": date(2013, 1, 31),
    "December 2013": date(2013, 12, 31),
}

OTHER_WRITTEN_FORMS = {
    "Jan 2019": date(2019, 1, 31),
    "31st March 2019": date(2019, 3, 31),
    "31 March 2019": date(2019, 3, 31),
    "2018/19": date(2019, 3, 31),
    "2018-2019": date(2019, 3, 31),
    "Q3 2018-19": date(2018, 12, 31),
    "Q4 2018/19": date(2019, 3, 31),
    "Q1 2019-20": date(2019, 6, 30),
    "31/03/2019": date(2019, 3, 31),
    "2019-03-31": date(2019, 3, 31),
    "March 31, 2019": date(2019, 3, 31),
    "Sept. 2013": date(2013, 9, 30),
    "end of February 2020": date(2020, 2, 29),
    "March ’19": date(2019, 3, 31),
    "by 2020": date(2020, 12, 31),
    "  January\n2019 ": date(2019, 1, 31),
    "May-June 2018": date(2018, 6, 30),
    "November 2018 – January 2019": date(2019, 1, 31),
}


@pytest.mark.parametrize("text, due", {**SEED_DEADLINES, **OTHER_WRITTEN_FORMS}.items())
def test_written_deadline_reads_as_its_due_date(text, due):
    deadline = parse_deadline(text)
    assert (deadline.kind, deadline.due) == (DATE, due)
    assert deadline.text == " ".join(text.split())  # the original words are kept


@pytest.mark.parametrize("text", ["Ongoing", "ongoing", "On-going", "Quarterly", "Annually", "As required"])
def test_no_end_date_is_ongoing(text):
    assert parse_deadline(text).kind == ONGOING
    assert parse_deadline(text).due is None


@pytest.mark.parametrize("text", ["TBC", "when the budget allows", "September", "next spring", "31/02/2019",
                                  "Q5 2018-19", "2018/20"])
def test_unreadable_deadline_keeps_its_text(text):
    deadline = parse_deadline(text)
    assert deadline.kind == UNREADABLE
    assert deadline.due is None and deadline.text == text


@pytest.mark.parametrize("value", [None, "", "   ", "\n"])
def test_empty_deadline_is_missing(value):
    assert parse_deadline(value).kind == MISSING


def test_excel_dates_are_dates():
    assert parse_deadline(datetime(2019, 1, 15, 0, 0)).due == date(2019, 1, 15)
    assert parse_deadline(date(2019, 1, 15)).due == date(2019, 1, 15)


def test_bundled_workbooks_hold_every_seed_deadline():
    """The transcribed workbooks read back with exactly the seed's deadlines and dates."""
    read = {}
    for path in (BUNDLED_2018, BUNDLED_2012):
        for action in load_plan(path).actions:
            if action.deadline.text:
                read[action.deadline.text] = action.deadline.due
    assert read == {**SEED_DEADLINES, "Ongoing": None}  # 2.4 of the 2012-13 plan


@given(st.text(max_size=200))
def test_any_text_gives_a_deadline_and_never_raises(text):
    deadline = parse_deadline(text)
    assert deadline.kind in (DATE, ONGOING, UNREADABLE, MISSING)
    assert (deadline.due is not None) == (deadline.kind == DATE)
