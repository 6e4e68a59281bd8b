"""What the board must discuss about an action, and why: one set of rules for the copy's
Exceptions sheet, its Highlights and the sub-groups' emails.

An action is an exception when it is Red or Amber, overdue, got worse, had its deadline
moved this month, or has no owner, deadline or governance body. "No update" counts only
where it matters: a Red, Amber or overdue action whose progress note is the same as last
month's, or any unfinished action whose note has not changed for `stale_months` months.
"""

from __future__ import annotations

from datetime import date

from plantools.copy.changes import ADDED, Change, got_worse
from plantools.plan import rag
from plantools.plan.columns import LABELS
from plantools.plan.deadlines import MISSING, UNREADABLE
from plantools.plan.model import Action, counted
from plantools.plan.months import MONTH, between, label, uk_date
from plantools.plan.overdue import days_overdue

STALE_MONTHS = 3  # no change to the progress note for this many months is an exception


def reasons(action: Action, as_of: date, before: Action | None = None, slipped: int = 0,
            month: str = "", previous_month: str = "", last_update: str = "",
            stale_months: int = STALE_MONTHS) -> list[str]:
    """Why the board must discuss `action`, most pressing first; [] when it need not.

    before: the same action in the last copy (None when new, or in the first month);
    slipped: how many times its deadline has moved later, when it moved this month;
    month, previous_month: this copy's month and the last copy's (YYYY-MM);
    last_update: the month its progress note last changed (see last_changed)."""
    found = []
    if action.rag in (rag.RED, rag.AMBER):
        found.append(action.rag)
    late = days_overdue(action, as_of)
    if late and action.deadline.due:
        found.append(f"Overdue by {counted(late, 'day')} (due {uk_date(action.deadline.due)})")
    if before is not None and got_worse(before.rag, action.rag):
        found.append(f"RAG worse ({before.rag} to {action.rag})")
    if slipped:
        found.append(f"Deadline slipped ({times(slipped)})")
    if action.has("owner") and not action.owner:
        found.append("No owner")
    if action.has("deadline") and action.deadline.kind == MISSING:
        found.append("No deadline")
    elif action.has("deadline") and action.deadline.kind == UNREADABLE:
        found.append("Deadline cannot be read")
    if action.has("governance") and not action.governance:
        found.append("No governance body")
    if action.rag != rag.COMPLETE:
        idle = between(last_update, month) if last_update and month else 0
        if idle >= stale_months:
            found.append(f"No update for {counted(idle, 'month')} (since {label(last_update)})")
        elif (before is not None and previous_month and before.progress == action.progress
              and (action.rag in (rag.RED, rag.AMBER) or late)):
            found.append(f"No new progress note since {label(previous_month)}")
    return found


def last_changed(history: list[Change], field: str) -> dict[str, str]:
    """Action key -> the latest month the log shows `field` (a key of columns.LABELS) changed,
    or the action added. An action the log never mentions dates from the month in its key
    ("2.1b@2018-10"), when the copies first saw it."""
    wanted = LABELS[field]
    latest: dict[str, str] = {}
    for change in history:
        if change.change == ADDED or change.field == wanted:
            if change.month > latest.get(change.key, ""):
                latest[change.key] = change.month
    return latest


def first_seen(key: str) -> str:
    """The month in an action key ('2.1b@2018-10' -> '2018-10'), or '' when it has none."""
    month = key.rpartition("@")[2]
    return month if MONTH.match(month) else ""


def times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"
