"""The monthly consolidated copy: what it says (the checks, the changes since the last copy,
the exceptions, the highlights), then written atomically by copy/sheets.py: Highlights, Plan,
Summary, Exceptions, Change log, Completeness, Key.

It is built from the plan as read (the shared workbook is only read) and compared with the
newest earlier copy in the same folder.
"""

from __future__ import annotations

from collections import Counter
from copy import copy
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from plantools.copy import board_exceptions as exceptions
from plantools.copy.board_exceptions import STALE_MONTHS
from plantools.copy.changes import ADDED, REMOVED, Change, diff, new_key, settle_refs, slips
from plantools.copy.earlier import MonthlyCopy, copy_path, previous_copy, read_copy
from plantools.errors import PlanError
from plantools.options import RunOptions
from plantools.plan import rag
from plantools.plan.checks import check
from plantools.plan.columns import LABELS, PROPOSED_DEADLINE
from plantools.plan.model import Action, Finding, Plan
from plantools.plan.months import between, check_month, following, month_end
from plantools.plan.overdue import days_overdue, falls_due
from plantools.xlsx.gcpause import gc_paused

STATUSES = (*rag.STATUSES, rag.NOT_RATED)


@dataclass
class ExceptionRow:
    action: Action
    reasons: list[str]


@dataclass
class Highlights:
    """The copy's first page: what moved this month, and what needs the board."""

    before: dict[str, int] | None = None  # last copy's counts by status; None in the first month
    new_reds: list[Action] = field(default_factory=list)
    completed: list[Action] = field(default_factory=list)
    added: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    slipped: list[tuple[Change, int]] = field(default_factory=list)  # this month's move, and how often
    overdue: list[tuple[Action, int]] = field(default_factory=list)  # days overdue, most first
    long_red: list[tuple[Action, int]] = field(default_factory=list)  # months Red, two or more
    gaps: list[tuple[str, list[str]]] = field(default_factory=list)  # what is missing, and the refs
    due: list[Action] = field(default_factory=list)  # falling due before the next board, soonest first
    round: ReturnsRound | None = None  # the latest returns round, when one went out


@dataclass
class Consolidation:
    """What one monthly run made and found: the CLI prints it, tests read it."""

    path: Path
    month: str
    as_of: date
    actions: list[Action]
    counts: dict[str, int]
    findings: list[Finding]
    changes: list[Change]  # this month's
    previous_month: str = ""
    exceptions: list[ExceptionRow] = field(default_factory=list)
    open_in_excel: bool = False
    history: list[Change] = field(default_factory=list)  # this month's changes, then every earlier month's
    earlier: Path | None = None  # the copy compared with
    trend: list[list] = field(default_factory=list)
    highlights: Highlights = field(default_factory=Highlights)
    paper: str = "A4"
    stale_months: int = STALE_MONTHS
    plan: Plan = field(kw_only=True)  # the plan as the copy shows it (keys given, refs settled)


def status(action: Action) -> str:
    return action.rag or rag.NOT_RATED


@dataclass
class Earlier:
    """Where this month's copy goes, and the newest earlier copy it is compared with."""

    target: Path
    path: Path | None = None
    copy: MonthlyCopy | None = None


def find_earlier(plan: Plan, month: str, out: Path, force: bool = False,
                 read: Callable[[Path], MonthlyCopy] = read_copy) -> Earlier:
    """Everything in `out` that can refuse the run (an existing copy for the month, an
    unreadable earlier copy), found before anything is written. `read`: how the earlier copy
    is read (run_month's may have been read meanwhile by a second process)."""
    check_month(month)
    target = copy_path(out, plan.path, month)
    if target.exists() and not force:
        raise PlanError(target, f"a consolidated copy for {month} already exists: use --force to replace it")
    with gc_paused():
        path = previous_copy(out, plan.path, month)
        return Earlier(target, path, read(path) if path else None)


@dataclass
class Settled:
    """The plan's actions copied (the caller's plan left as it was), each paired with last
    month's action (id of the copy -> (last month's, the copy)) and its ref settled against it:
    a letter kept from month to month (changes.settle_refs)."""

    plan: Plan
    pairs: dict[int, tuple[Action, Action]]


def settle(plan: Plan, found: Earlier) -> Settled:
    """The plan's refs settled against the earlier copy `found` by find_earlier (none: as typed)."""
    plan = replace(plan, actions=[copy(action) for action in plan.actions])
    with gc_paused():
        pairs = settle_refs(found.copy.actions, plan.actions) if found.copy else {}
    return Settled(plan, pairs)


@dataclass
class ReturnsRound:
    """The latest returns round, as the jobs hand it to the copy (from round/status: the copy
    reads no ledger of a later stage itself)."""

    month: str
    returned: int
    sent: int  # bodies whose pack went out
    reply_by: date | None
    not_returned: list[tuple[str, date | None]] = field(default_factory=list)  # body, the day its pack went


@dataclass
class Collected:
    """What `collect` wrote into the shared workbook, from its ledger (returns.csv): the rows
    of cells applied and of deadlines proposed, as the copy tells them to the board."""

    applied: list[dict[str, str]] = field(default_factory=list)
    proposed: list[dict[str, str]] = field(default_factory=list)


def compare(plan: Plan, month: str, found: Earlier, options: RunOptions = RunOptions(),
            stale_months: int = STALE_MONTHS, collected: Collected | None = None,
            returns_round: ReturnsRound | None = None, settled: Settled | None = None) -> Consolidation:
    """Everything the copy says, without writing it: the checks, and the changes since the
    newest earlier copy (`found` by find_earlier), each naming the body whose return made it
    (`collected`), and where the latest returns round stands (`returns_round`). The result's
    plan holds copies of the plan's actions, each with its lasting key and its ref as settled
    (a letter kept from last month): `settled`'s, when the caller has settled them already
    (settle), then given their keys; the caller's plan is left as it was."""
    collected = collected or Collected()
    settled = settled or settle(plan, found)
    plan = settled.plan
    as_of = options.today or min(date.today(), month_end(month))
    # the reader's notes (which sheets and columns it read) are the officer's, not the board's
    findings = [f for f in check(plan, as_of) if f.severity != "note"]
    with gc_paused():
        earlier_copy = found.copy
        changes: list[Change] = []
        history: list[Change] = []
        pairs = settled.pairs
        if earlier_copy:
            changes = _returned_by(diff(earlier_copy.actions, plan.actions, month, pairs), plan,
                                   earlier_copy, month, collected.applied)
            history = changes + earlier_copy.log
        else:
            keys: set[str] = set()
            for action in plan.actions:
                action.key = action.key or new_key(action, month, keys)
                keys.add(action.key)
    counts = Counter(status(a) for a in plan.actions)
    result = Consolidation(found.target, month, as_of, plan.actions, {s: counts[s] for s in STATUSES}, findings,
                           changes, earlier_copy.month if earlier_copy else "", open_in_excel=plan.open_in_excel,
                           history=history, earlier=found.path, paper=options.paper, stale_months=stale_months,
                           plan=plan)
    earlier_trend = earlier_copy.trend if earlier_copy else []
    result.trend = [row for row in earlier_trend if row[0] != month]
    result.trend.append([month, *(result.counts[s] for s in STATUSES), len(plan.actions)])
    proposed = proposed_deadlines(plan, month, collected.proposed) if result.previous_month else {}
    result.exceptions = _exceptions(plan.actions, pairs, result, proposed)
    result.highlights = _highlights(plan.actions, pairs, result, earlier_trend)
    result.highlights.round = returns_round
    return result


def _returned(plan: Plan, rows: list[dict[str, str]],
              keep: Callable[[dict[str, str]], bool]) -> list[tuple[str, dict[str, str]]]:
    """The returns ledger's rows that `keep` keeps, each with the key of the action whose cell
    it names (by where the cell is, so a plan with no refs is served too; by ref when the cell
    is not found)."""
    fields = {label: name for name, label in LABELS.items()}
    fields[PROPOSED_DEADLINE.label] = "deadline"
    rows = [row for row in rows if keep(row)]
    if not rows:
        return []
    at = {(a.sheet, a.cell(name)): a.key for a in plan.actions for name in ("rag", "progress", "deadline") if a.has(name)}
    by_ref = {a.ref: a.key for a in plan.actions if a.ref}
    found = []
    for row in rows:
        key = at.get((row.get("sheet", ""), row.get("cell", ""))) or by_ref.get(row.get("ref", ""))
        if key and fields.get(row.get("field", "")):
            found.append((key, row))
    return found


def _returned_by(changes: list[Change], plan: Plan, earlier: MonthlyCopy, month: str,
                 applied: list[dict[str, str]]) -> list[Change]:
    """Each change that a sub-group's return wrote into the shared workbook names that body:
    a return collected since the earlier copy was made, whatever month its pack was (a late
    one too), or one of a pack sent since."""
    try:
        made = datetime.fromtimestamp(earlier.path.stat().st_mtime).isoformat(timespec="seconds")
    except OSError:
        made = "9999"  # not to be found: the packs' months alone say
    bodies: dict[tuple[str, str, str], list[str]] = {}
    for key, row in _returned(plan, applied, lambda row: row.get("when", "") >= made
                              or earlier.month <= row.get("month", "") < month):
        bodies.setdefault((key, row["field"], row["new"]), []).append(row["body"])
    if not bodies:
        return changes
    return [replace(c, returned_by=", ".join(dict.fromkeys(bodies.get((c.key, c.field, c.new), []))))
            for c in changes]


def proposed_deadlines(plan: Plan, month: str, proposed: list[dict[str, str]]) -> dict[str, list[str]]:
    """Action key -> the new deadlines sub-groups proposed in their returns ('June 2019
    (QA Sub-Group)') and the board has not yet decided: from packs before this month, late
    ones too, while the action's deadline is still the one it was proposed against."""
    deadlines = {a.key: a.deadline.text for a in plan.actions}
    found: dict[str, list[str]] = {}
    for key, row in _returned(plan, proposed, lambda row: row.get("month", "") < month):
        proposal = f"{row['new']} ({row['body']})"
        if deadlines.get(key) == row.get("old", "") and proposal not in found.get(key, []):
            found.setdefault(key, []).append(proposal)
    return found


def _exceptions(actions: list[Action], pairs: dict, result: Consolidation,
                proposed: dict[str, list[str]]) -> list[ExceptionRow]:
    slipped_now = {c.key for c in result.changes if c.field == LABELS["deadline"]}
    slipped = slips(result.history) if slipped_now else Counter()
    updated = exceptions.last_changed(result.history, "progress")
    found = []
    for action in actions:
        before = pairs.get(id(action), (None,))[0]
        why = exceptions.reasons(
            action, result.as_of, before, slipped[action.key] if action.key in slipped_now else 0,
            result.month, result.previous_month,
            updated.get(action.key) or exceptions.first_seen(action.key), result.stale_months)
        why += [f"Proposed new deadline: {proposal}" for proposal in proposed.get(action.key, [])]
        if why:
            found.append(ExceptionRow(action, why))
    order = {rag.RED: 0, rag.AMBER: 1}
    return sorted(found, key=lambda e: order.get(e.action.rag or "", 2))


def _highlights(actions: list[Action], pairs: dict, result: Consolidation, trend: list[list]) -> Highlights:
    found = Highlights()
    if result.previous_month:
        last = next((row for row in reversed(trend) if row[0] == result.previous_month), None)
        found.before = dict(zip(STATUSES, last[1:])) if last else None
        for action in actions:
            before = pairs.get(id(action), (None,))[0]
            was = before.rag if before is not None else None
            if action.rag == rag.RED and was != rag.RED:
                found.new_reds.append(action)
            if action.rag == rag.COMPLETE and before is not None and was != rag.COMPLETE:
                found.completed.append(action)
    found.added = [c for c in result.changes if c.change == ADDED]
    found.removed = [c for c in result.changes if c.change == REMOVED]
    moved = slips(result.changes)
    if moved:
        times = slips(result.history)
        found.slipped = [(c, times[c.key]) for c in result.changes
                         if c.field == LABELS["deadline"] and moved[c.key]]
    late = [(a, days_overdue(a, result.as_of)) for a in actions]
    found.overdue = sorted(((a, days) for a, days in late if days), key=lambda pair: -pair[1])
    red_since = exceptions.last_changed(result.history, "rag")
    for action in actions:
        if action.rag == rag.RED:
            since = red_since.get(action.key) or exceptions.first_seen(action.key)
            months = between(since, result.month) + 1 if since else 1
            if months >= 2:
                found.long_red.append((action, months))
    found.long_red.sort(key=lambda pair: -pair[1])
    found.gaps = _gaps(result.findings)
    board = next_board(result.month)
    found.due = sorted((a for a in actions if a.deadline.due and falls_due(a, result.as_of, board)),
                       key=lambda a: a.deadline.due or board)
    return found


def next_board(month: str) -> date:
    """The day by which 'due before the next board' falls: the end of the month after the copy's
    (the board meets monthly, on the copy of the month before)."""
    return month_end(following(month))


GAPS = {  # a check's field -> what its errors say is missing
    "owner": "No owner",
    "deadline": "No deadline, or one that cannot be read",
    "governance": "No governance body, or one the Governance sheet does not know",
    "rag": "A RAG that is not Red, Amber, Green or Complete",
    "ref": "A missing or duplicate reference",
}


def _gaps(findings: list[Finding]) -> list[tuple[str, list[str]]]:
    refs: dict[str, list[str]] = {}
    for finding in findings:
        if finding.severity == "error":
            refs.setdefault(GAPS.get(finding.field, "Other errors"), []).append(finding.ref or finding.cell)
    return [(what, refs[what]) for what in [*GAPS.values(), "Other errors"] if what in refs]
