"""The overdue rule: an action is overdue when its due date has passed and it is not Complete."""

from __future__ import annotations

from datetime import date

from plantools.plan import rag
from plantools.plan.model import Action


def is_overdue(action: Action, as_of: date) -> bool:
    due = action.deadline.due
    return bool(due and due < as_of and action.rag != rag.COMPLETE)


def days_overdue(action: Action, as_of: date) -> int:
    """Days since the due date of an overdue action; 0 for one that is not overdue."""
    due = action.deadline.due
    return (as_of - due).days if due and is_overdue(action, as_of) else 0


def falls_due(action: Action, start: date, end: date) -> bool:
    """Due from `start` to `end`, both days included, and not Complete: what a chair looks at
    before the next board (an action past its date is overdue instead)."""
    due = action.deadline.due
    return bool(due and start <= due <= end and action.rag != rag.COMPLETE)
