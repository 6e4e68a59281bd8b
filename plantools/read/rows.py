"""Walking a plan sheet's rows below its header into actions: which rows are actions and which
are objectives or priorities written on a row of their own, RAG keys, totals, counts or
notes under the table (each said at the row); each action's fields, deadline and typed ref;
then the sheet's refs, objectives and cell details."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from plantools.plan import rag as ragmod
from plantools.plan.columns import EXPECTED_HEADERS
from plantools.plan.deadlines import Deadline, parse_deadline
from plantools.plan.model import Action, Finding, Plan
from plantools.read.details import cell_details, concealed, hidden_rows, percentages
from plantools.read.grid import Grid, clean, note
from plantools.read.header import Header, all_header, title_above
from plantools.read.key import KEY_HEADING, KeyWords, in_key_block, is_key, key_pairs
from plantools.read.refs import (
    identity_column,
    major,
    objectives_by_ref,
    ref_and_text,
    ref_level,
    ref_text,
    refs_of_sheet,
)

_PRIORITY_HEADING = re.compile(r"^\s*((strategic\s+)?(priority|theme|work\s*stream)(?![a-z])\s*\d*\s*[.:)-]?|\d+\s*[.:)])\s*\S",
                               re.IGNORECASE)


def read_actions(grid: Grid, header: Header, plan: Plan, package, rag_words: KeyWords) -> None:
    columns = header.columns
    sheet = grid.title
    first_action = len(plan.actions)
    for role, expected in EXPECTED_HEADERS.items():
        if role not in columns:
            plan.findings.append(Finding(
                "error", sheet, f"A{header.row}", "", role,
                f"no {role} column: expected a header such as {expected}",
            ))
    for label in header.extra.values():
        if label not in plan.extra_columns:
            plan.extra_columns.append(label)
    role_columns = list(columns.items())
    header_texts = {clean(grid.value(r, c)) for r in (header.row - 1, header.row)
                    for c in range(1, grid.max_col + 1)} - {""}
    deadline_col = columns.get("deadline")
    rag_col = columns.get("rag")
    ref_col = identity_column(columns)
    sheet_columns = {**columns, **({"ref": ref_col} if ref_col else {})}
    if "objective_ref" not in columns and "objective" in columns:
        sheet_columns["objective_ref"] = columns["objective"]  # "1.1 To embed ..." in one cell
    no_merges: dict[str, str] = {}  # shared by every action that has none
    # each deadline value read once (a plan repeats a few hundred), and its Deadline shared:
    # it is frozen, and a deadline found later (an error value, a month) replaces it
    deadlines: dict[object, Deadline] = {}
    # one sheet per priority: the sheet's name or its title says which
    priority = next((text for text in (sheet, title_above(grid, header.row)) if _PRIORITY_HEADING.match(text)), "")
    objective_ref, objective = "", ""
    typed_refs: list[str] = []
    objective_col = columns.get("objective")
    typed_objectives: list[bool] = []  # the action's row shows its objective (typed or merged)
    for row in range(header.row + 1, grid.max_row + 1):
        if grid.blank(row):
            continue
        shown, cells = grid.along(row)  # what shows in each column, and what the row holds itself
        values = {role: clean(shown[col]) for role, col in role_columns}  # each cell cleaned once
        own = {role for role, col in role_columns if values[role] and cells[col] is not None}
        if not own and not _has_extra(cells, header):
            continue  # a blank separator row, or only the spill of merges from above
        repeated = not header_texts.isdisjoint(values.values()) and (  # most rows hold no header's words
            sum(values[role] in header_texts for role in own) >= 3
            or (own and all(values[role] in header_texts for role in own)
                and sum(value in header_texts for value in values.values()) >= 3))
        if repeated or all_header(grid, row, header_texts):
            continue  # the header repeated further down (its second row, under merged headers)
        heading = _priority_heading(grid, row)
        if heading:
            priority = heading
            continue
        not_action = _not_an_action(grid, row, cells, own, values, rag_col, rag_words)
        if not_action:
            note(plan, sheet, f"A{row}", f"row {row} not read as an action: {not_action}", field="row")
            continue
        if "objective_ref" in own or "objective" in own:
            objective_ref, objective = ref_and_text(
                shown[columns["objective_ref"]] if "objective_ref" in columns else None,
                values.get("objective", ""), "objective_ref" in columns)
        if own <= {"objective_ref", "objective", "priority"} and not _has_extra(cells, header):
            continue  # an objective written on a row of its own, above its actions
        named = _objective_row(own, values)
        if named and not _has_extra(cells, header):  # the same, numbered in the ref column
            objective_ref = named[0] or (ref_text(shown[ref_col]) if ref_col else "")
            objective = named[1]
            continue
        typed = _deadline_value(shown[deadline_col]) if deadline_col else None  # a date, a text or None
        deadline = deadlines.get(typed) or deadlines.setdefault(typed, parse_deadline(typed))
        covered = grid.covered.get(row)  # the row's columns covered by a merge starting in another cell
        merged = ({role: grid.address(row, col) for role, col in sheet_columns.items() if col in covered}
                  or no_merges) if covered else no_merges
        action = Action(
            ref="",
            objective_ref=objective_ref,
            priority=values.get("priority") or priority or major(objective_ref),
            objective=objective,
            outcome=values.get("outcome", ""),
            owner=values.get("owner", ""),
            action=values.get("action", ""),
            governance=values.get("governance", ""),
            measure=values.get("measure", ""),
            progress=values.get("progress", ""),
            deadline=deadline,
            sheet=sheet,
            row=row,
            columns=sheet_columns,
            merged=merged,
        )
        if header.extra:
            action.extra = {label: clean(shown[col]) for col, label in header.extra.items()}
        if ref_col and ref_col != columns.get("objective_ref"):
            typed_refs.append(ref_text(shown[ref_col]))
        else:
            typed_refs.append(objective_ref)  # carried down from the objective's row
        if rag_col:
            action.rag_text = values["rag"]
        typed_objectives.append(bool(objective_col and values.get("objective")))
        plan.actions.append(action)
    actions = plan.actions[first_action:]
    refs_of_sheet(actions, typed_refs, ref_level(columns, grid, ref_col, actions, typed_refs))
    objectives_by_ref(actions, typed_objectives)
    cell_details(actions, grid.title, package, plan)
    percentages(actions, grid, header.extra, package)
    hidden_rows(actions, package.layout(sheet), plan)
    concealed(actions, {*sheet_columns.values(), *header.extra}, package, plan)


_OBJECTIVE_HEADING = re.compile(r"^\s*objective\s*(\d+(?:\.\d+)*)?\s*[:.)\-–]\s*(\S.*)$", re.IGNORECASE | re.DOTALL)


def _objective_row(own: set[str], values: dict[str, str]) -> tuple[str, str] | None:
    """(ref, text) of an objective named on a row of its own above its actions: its number in
    the ref column and its text alone ("1 | Hear children"), or "Objective 1: Hear children"
    where the action goes. None for any other row."""
    if not own <= {"ref", "action_ref", "objective_ref", "objective", "action", "priority"}:
        return None
    if "action" in own:
        found = _OBJECTIVE_HEADING.match(values["action"])
        return (found.group(1) or "", clean(found.group(2))) if found and "objective" not in own else None
    return ("", values["objective"]) if "objective" in own and own & {"ref", "action_ref"} else None


def _has_extra(cells: list[object], header: Header) -> bool:
    """A value of the row's own (not merged from above) in a column plantools carries as it is."""
    return any(cells[col] is not None for col in header.extra)


_TOTAL = re.compile(r"^\s*(grand\s+|sub-?\s*)?totals?\b|^\s*(count|number of actions|sum)\b|"
                    r"^\s*(rag\s+)?(status\s+)?(summary|breakdown)\b", re.IGNORECASE)
_NOTE = re.compile(r"^\s*(notes?\b|nb\b|n\.b\.|\*|source\b|please\b|last updated\b|updated\b|version\b)",
                   re.IGNORECASE)


def _not_an_action(grid: Grid, row: int, cells: list[object], own: set[str], values: dict[str, str],
                   rag_col: int | None, rag_words: KeyWords) -> str:
    """Why a row that holds values is no action ("" when it is one): a RAG key or legend
    (above, between or below the tables), a totals row or a note under the table, whether
    typed or the values of formulas. cells: the row's own values, as Grid.along gives them."""
    texts = [(col, value) for col, value in enumerate(cells) if value is not None]
    if not texts:
        return ""
    first = str(texts[0][1])
    heading = KEY_HEADING.match(first) is not None
    if heading and len(texts) <= 3:
        for col, value in texts:
            rag_words.add(ragmod.inline_key_words(value), grid, row, col)
        return "it is a RAG key"
    # most rows begin with a ref or an action's words, so are no key row
    if heading or (len(first) <= 20 and not first[:1].isdigit() and ragmod.normalise(first) is not None):
        pairs = key_pairs(texts[1:] if heading else texts)
        if pairs and is_key(texts, pairs, own, rag_col, _shows(values)):
            for status, meaning, col in pairs:
                rag_words.add(ragmod.key_words(status, meaning), grid, row, col)
            return "it is a RAG key"
        if (in_key_block(grid, row) and not (texts[0][0] == rag_col and _shows(values) & {"action", "outcome", "objective"})
                and not ("deadline" in own and parse_deadline(values["deadline"]).due)):  # "May 2030": an action's
            col, meaning = texts[1] if len(texts) > 1 else (texts[0][0], None)
            rag_words.add(ragmod.key_words(texts[0][1], meaning), grid, row, col)
            return "it is a RAG key"
    if _TOTAL.match(first) and (all(isinstance(v, (int, float)) or _looks_numeric(v) for _, v in texts[1:])
                                or not own & {"owner", "governance", "deadline"}):
        return "it is a totals row"  # counts, or words such as "2 Green" where no action has an owner
    if (len(texts) >= 2 and _is_number(texts[1][1]) and all(_is_number(value) for _, value in texts[2:])
            and (_is_number(texts[0][1]) or ragmod.normalise(first))
            and not (_shows(values) - own) & {"action", "outcome", "objective", "owner"}):
        return "it is a count of actions"  # "Green | 5", or "2 | 3 | 5 | 1" under the statuses' names
    if len(texts) == 1 and (_NOTE.match(first) or (own and own <= {"ref", "action_ref"} and len(first.split()) >= 3)):
        return "it is a note under the table"  # a sentence alone where a ref goes is no ref
    return ""


def _shows(values: dict[str, str]) -> set[str]:
    """The fields a row shows, typed or merged down from above (asked of the few rows that
    may be a key or a count, so not made for every row)."""
    return {role for role, value in values.items() if value}


def _is_number(value: object) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)) or _looks_numeric(value)


_NUMERIC = re.compile(r"\s*[\d.,%]+\s*")


def _looks_numeric(value: object) -> bool:
    # most values begin with a letter, which no number does: the pattern is not tried
    return isinstance(value, str) and not value[:1].isalpha() and bool(_NUMERIC.fullmatch(value))


def _priority_heading(grid: Grid, row: int) -> str:
    """A row holding one text alone, e.g. "2. Think Family", merged across or numbered."""
    raw = grid.rows[row - grid.top]
    if len(raw) - raw.count("") != 1:
        return ""  # most rows: more than one value, so no heading
    texts = []
    for col in range(1, grid.max_col + 1):
        if grid.own(row, col):
            value = clean(grid.value(row, col))
            if value:
                texts.append((col, value))
    if len(texts) != 1:
        return ""
    col, text = texts[0]
    if grid.width.get((row, col), 1) >= 3 or _PRIORITY_HEADING.match(text):
        return text
    return ""


def _deadline_value(value: object) -> object:
    if isinstance(value, (datetime, date)):
        return value
    if isinstance(value, time):
        return None  # a time of day alone is no deadline
    return clean(value) if value is not None else None
