"""How an action is identified from month to month: by its "Action ref" column when the sheet
has one and the cell is filled; otherwise by its objective reference and its place under that
objective, as a letter: the actions of objective 2.1 are 2.1a, 2.1b, 2.1c. Here: a ref's text
as typed ("Objective 2.1" -> "2.1"), which column names the actions, whether a sheet's refs
tell actions apart or name objectives, the lettering, and an objective's text found by its ref."""

from __future__ import annotations

import re
from collections import Counter

from plantools.plan.model import Action, Plan, letters
from plantools.read.grid import Grid, clean

OBJECTIVE_REF = re.compile(r"^\s*(?:objective\s*)?(\d+(?:\.\d+)*)\.?\s*$", re.IGNORECASE)
REF_AT_START = re.compile(r"^\s*(\d+\.\d+(?:\.\d+)*)\s+(\S.*)$", re.DOTALL)


def identity_column(columns: dict[str, int]) -> int | None:
    """The column whose values name each action: an action ref, else a ref, else the
    objective's reference."""
    for role in ("action_ref", "ref", "objective_ref"):
        if role in columns:
            return columns[role]
    return None


def ref_and_text(ref_value: object, text: str, has_ref_column: bool) -> tuple[str, str]:
    ref = ref_text(ref_value)
    if not has_ref_column or not ref:
        split = REF_AT_START.match(text)  # "1.1 Membership kept under review ..." in one cell
        alone = OBJECTIVE_REF.match(text)  # the objective column holds only "1.1"
        if split:
            ref, text = split.group(1), clean(split.group(2))
        elif alone and "." in text:
            ref, text = alone.group(1), ""
    return ref, text


def ref_text(value: object) -> str:
    """2.1 stored as a number, "2.1 ", "Objective 2.1" -> "2.1"."""
    if isinstance(value, float):
        value = f"{value:.10g}"
    text = clean(value)
    match = OBJECTIVE_REF.match(text)
    return match.group(1) if match else text


def major(objective_ref: str) -> str:
    return objective_ref.split(".")[0] if "." in objective_ref else ""


def ref_level(columns: dict[str, int], grid: Grid, ref_col: int | None, actions: list[Action],
               typed: list[str]) -> str:
    """'action' when the identity column's values tell actions apart (an Action ref, ID or #
    column, or a Ref column whose values are mostly one an action), else 'objective' (one ref
    shared by an objective's actions, merged down or repeated)."""
    if ref_col is None:
        return "objective"
    if ref_col == columns.get("action_ref"):
        return "action"
    if ref_col == columns.get("objective_ref"):
        return "objective"
    filled = [t for t in typed if t]
    counts = Counter(filled)
    first = next((i for i, t in enumerate(typed) if t), len(typed))
    if "" in typed[first:]:
        return "objective"  # written once per objective, its other actions left blank
    merged = any((a.row, ref_col) in grid.origin for a in actions)
    shared = sum(1 for t in filled if counts[t] > 1)
    return "objective" if merged or shared * 3 >= len(filled) > 0 else "action"


def refs_of_sheet(actions: list[Action], typed: list[str], level: str) -> None:
    carried = ""
    for action, ref in zip(actions, typed):
        if level == "action":
            action.ref = ref
            continue
        carried = ref or carried  # a ref written once, above the objective's actions
        action.ref_base = carried  # lettered by assign_refs if the plan has several actions under it
        action.objective_ref = action.objective_ref or carried


def objectives_by_ref(actions: list[Action], typed: list[bool]) -> None:
    """An objective typed on its first action's row and left blank below belongs to the
    objective's ref, not to the row above: in a table sorted by RAG the row above may be
    another objective's. A blank under a ref whose objective is typed elsewhere takes that
    text; one carried from a different objective's row, with none typed for its own, is left
    blank rather than given the wrong objective."""
    texts: dict[str, str] = {}
    owners: dict[str, str] = {}  # objective text -> the ref it is typed under
    for action, own in zip(actions, typed):
        if own and action.objective_ref:
            texts.setdefault(action.objective_ref, action.objective)
            owners.setdefault(action.objective, action.objective_ref)
    if not texts:
        return
    for action, own in zip(actions, typed):
        if own or not action.objective_ref:
            continue
        if action.objective_ref in texts:
            action.objective = texts[action.objective_ref]
        elif owners.get(action.objective, action.objective_ref) != action.objective_ref:
            action.objective = ""


def assign_refs(plan: Plan) -> None:
    """A ref that one objective shares among several actions gets a letter per action, in
    plan order (2.1a, 2.1b); one held by a single action stays as typed. The letters are only
    a start: the monthly copy gives each action back its letter of last month."""
    counts = Counter(a.ref_base for a in plan.actions if a.ref_base)
    seen: Counter = Counter()
    for action in plan.actions:
        base = action.ref_base
        if not base:
            continue
        if counts[base] == 1:
            action.ref = base
        else:
            seen[base] += 1
            action.ref = base + letters(seen[base])
