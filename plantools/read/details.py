"""What the values alone do not say, read from the sheet's XML only when a sheet has it: error
cells kept as text (#REF!), a RAG from an empty cell's fill or from a conditional format's
colour rule, a date shown as a month, a number shown as a percentage, hidden rows and text
nobody sees (white, ';;;', a formula bringing in another sheet's words). Also the governance
bodies: the Governance sheet read, and the bodies each action's governance cell names."""

from __future__ import annotations

import re
from collections import Counter

from plantools.plan import rag as ragmod
from plantools.plan.deadlines import parse_deadline
from plantools.plan.governance import Body, Matcher, infer_bodies, merge_duplicates
from plantools.plan.model import Action, Finding, Plan
from plantools.read.grid import Grid, clean, note
from plantools.text import short
from plantools.xlsx.parts import ColourRule, column_letters, column_number, shows_month_only


def concealed(actions: list[Action], columns: set[int], package, plan: Plan) -> None:
    """Text that goes out with an action though nobody reading the sheet sees it: white or
    ';;;' text, or a formula bringing in another sheet's (the risk log's?) words. Hidden rows
    are noted once, by hidden_rows."""
    if not actions:
        return
    rows = {a.row: a for a in actions}
    for address, why in package.concealed(actions[0].sheet).items():
        reasons = [r for r in why.split("; ") if r != "in a hidden row"]
        match = re.fullmatch(r"([A-Z]+)(\d+)", address)
        if not reasons or not match or int(match.group(2)) not in rows:
            continue
        if column_number(match.group(1)) in columns:
            action = rows[int(match.group(2))]
            formula = [r for r in reasons if r.startswith("formula")]
            unseen = [r for r in reasons if not r.startswith("formula")]
            if unseen:
                message = (f"text nobody sees in the workbook ({'; '.join(unseen)}) goes out in the copy "
                           "and the packs: make it visible, or clear it if it is not meant to be sent")
            else:
                message = (f"the cell's {formula[0].replace('formula reads', 'formula brings in the words of')}, "
                           "and they go out in the copy and the packs: check they are meant to be sent")
            plan.findings.append(Finding("warning", action.sheet, address, "", "cell", message))


def hidden_rows(actions: list[Action], layout, plan: Plan) -> None:
    hidden = [a for a in actions if a.row in layout.hidden_rows]
    if hidden:
        how = "by a filter or by hand" if layout.filtered else "by hand"
        rows = ", ".join(str(a.row) for a in hidden[:20]) + (" ..." if len(hidden) > 20 else "")
        note(plan, hidden[0].sheet, f"A{hidden[0].row}", f"{len(hidden)} action row{'s' * (len(hidden) != 1)} "
              f"hidden {how} (rows {rows}): read as actions all the same", field="row")


def cell_details(actions: list[Action], sheet: str, package, plan: Plan) -> None:
    """Error values kept as text (#REF!), a RAG read from an empty cell's fill colour, and a
    date that Excel shows as a month (mmm-yy) read as that month's end."""
    empty_rag = {a.cell("rag"): a for a in actions if a.has("rag") and not a.rag_text}
    details = package.details(sheet, set(empty_rag))
    if details.errors:
        for action in actions:
            for name, address in action.cells.items():
                error = details.errors.get(address)
                if error and name in FIELD_TEXT and not getattr(action, name):
                    setattr(action, name, error)
                    plan.findings.append(Finding("warning", sheet, address, "", name,
                                                 f"cell holds the error {error}: kept as text"))
                elif error and name == "deadline" and action.deadline.kind == "missing":
                    action.deadline = parse_deadline(error)
                elif error and name == "rag" and not action.rag_text:
                    action.rag_text = error
    for address, action in empty_rag.items():
        status = ragmod.status_of_fill(details.fills.get(address))
        if status and not action.rag_text:
            action.rag, action.rag_from_fill = status, True
            plan.findings.append(Finding(
                "warning", sheet, address, "", "rag",
                f"RAG read as {status} from the cell's colour: type {status} in the cell so that it is kept",
            ))
    first_days = {a.cell("deadline"): a for a in actions
                  if a.deadline.kind == "date" and a.deadline.due and a.deadline.due.day == 1
                  and re.fullmatch(r"\d{4}-\d\d-01", a.deadline.text)}
    if first_days:
        for address, code in package.number_formats(sheet, set(first_days)).items():
            if shows_month_only(code):
                action = first_days[address]
                action.deadline = parse_deadline(action.deadline.due, month_only=True)


def percentages(actions: list[Action], grid: Grid, extra: dict[int, str], package) -> None:
    """A number in a carried column shown as a percentage ('% complete': 0.5 shown as 50%)
    is carried as it shows."""
    numbers = {grid.address(a.row, col): (a, label, value) for a in actions for col, label in extra.items()
               if isinstance(value := grid.value(a.row, col), (int, float)) and not isinstance(value, bool)}
    if not numbers:
        return
    for address, code in package.number_formats(grid.title, set(numbers)).items():
        shown = re.sub(r'"[^"]*"|\\.', "", code)
        if "%" in shown:
            action, label, value = numbers[address]
            places = len(shown.split(".")[1].split("%")[0]) if "." in shown.split("%")[0] else 0
            action.extra = {**action.extra, label: f"{value * 100:.{places}f}%"}


FIELD_TEXT = ("objective", "outcome", "owner", "action", "governance", "measure", "progress")


def rag_said_more(action: Action, rag_words: dict[str, str], plan: Plan) -> str | None:
    """'Green - on track' is Green; 'Amber - improving' is Amber, said so, as a guess."""
    status, only_its_meaning = ragmod.leading_status(action.rag_text, rag_words)
    if status and not only_its_meaning:
        plan.findings.append(Finding("warning", action.sheet, action.cell("rag"), "", "rag",
                                     f"RAG '{short(action.rag_text)}' read as {status}: type {status} alone "
                                     "if that is what it means"))
    return status


def rag_by_rules(actions: list[Action], grid: Grid, rules: list[ColourRule], plan: Plan) -> None:
    """The RAG a sheet shows by conditional formatting in a cell that names none: a rule that
    compares a cell with a word (cellIs equal "Complete", $H5="Complete", text contains
    "Complete") is worked out, and its fill read as fills are; any other rule that colours the
    cell is a warning at the cell, never a silent "not rated". Excel applies rules by priority."""
    for action in actions:
        row, col = grid.origin.get((action.row, action.columns["rag"]), (action.row, action.columns["rag"]))
        address = grid.address(row, col)
        for rule in rules:
            corner = rule.covers(row, col)
            if corner is None:
                continue
            holds, when = _rule_holds(rule, grid, row, col, corner)
            if holds is None:
                plan.findings.append(Finding("warning", action.sheet, address, "", "rag",
                                             f"the cell is coloured by a conditional format plantools cannot read "
                                             f"({_rule_text(rule)}): RAG not read; type it in the cell"))
                break
            if not holds or rule.fill is None:
                continue
            status = ragmod.status_of_fill(rule.fill)
            if status is None:
                plan.findings.append(Finding("warning", action.sheet, address, "", "rag",
                                             f"the sheet colours the cell #{rule.fill[-6:]} when {when}, which is no "
                                             "RAG colour: RAG not read; type it in the cell"))
            else:
                action.rag, action.rag_from_fill = status, True
                note(plan, action.sheet, address, f"RAG read as {status}: the colour the sheet shows, by a "
                      f"conditional format, when {when}", field="rag")
            break


_LITERAL = re.compile(r'\s*"([^"]*)"\s*')
_CELL_EQUALS_WORD = re.compile(r'^\s*(\$?)([A-Z]{1,3})(\$?)(\d+)\s*(=|<>)\s*"([^"]*)"\s*$')
_WORD_EQUALS_CELL = re.compile(r'^\s*"([^"]*)"\s*(=|<>)\s*(\$?)([A-Z]{1,3})(\$?)(\d+)\s*$')
_TEXT_TESTS = {"containsText": lambda v, w: w in v, "notContainsText": lambda v, w: w not in v,
               "beginsWith": lambda v, w: v.startswith(w), "endsWith": lambda v, w: v.endswith(w)}


def _rule_holds(rule: ColourRule, grid: Grid, row: int, col: int, corner: tuple[int, int]) -> tuple[bool | None, str]:
    """Whether a rule comparing a cell with a word holds for (row, col), and what it tests
    ("H5 is 'Complete'"); (None, "") for any other rule. Excel compares text ignoring case."""
    def text(at_row: int, at_col: int) -> str:
        return clean(grid.value(at_row, at_col)).casefold()

    if rule.kind == "cellIs" and rule.operator in ("equal", "notEqual") and len(rule.formulas) == 1:
        literal = _LITERAL.fullmatch(rule.formulas[0])
        if literal:
            if (text(row, col) == literal.group(1).casefold()) != (rule.operator == "equal"):
                return False, ""
            return True, f"{grid.address(row, col)} {'is' if rule.operator == 'equal' else 'is not'} '{literal.group(1)}'"
    if rule.kind in ("containsBlanks", "notContainsBlanks"):
        if (text(row, col).strip() == "") != (rule.kind == "containsBlanks"):
            return False, ""
        return True, f"{grid.address(row, col)} is {'empty' if rule.kind == 'containsBlanks' else 'not empty'}"
    if rule.kind in _TEXT_TESTS and rule.text:
        if not _TEXT_TESTS[rule.kind](text(row, col), rule.text.casefold()):
            return False, ""
        return True, f"{grid.address(row, col)} {re.sub('([A-Z])', lambda m: ' ' + m.group(1).lower(), rule.kind)} '{rule.text}'"
    parts = _comparison(rule.formulas[0]) if rule.kind == "expression" and len(rule.formulas) == 1 else None
    if parts:
        (fixed_col, letters_, fixed_row, number), sign, word = parts
        # the cell the formula names, moved from the range's corner as Excel moves a relative reference
        at_col = column_number(letters_) + (0 if fixed_col else col - corner[1])
        at_row = int(number) + (0 if fixed_row else row - corner[0])
        if (text(at_row, at_col) == word.casefold()) != (sign == "="):
            return False, ""
        return True, f"{column_letters(at_col)}{at_row} {'is' if sign == '=' else 'is not'} '{word}'"
    return None, ""


def _comparison(formula: str) -> tuple[tuple[str, str, str, str], str, str] | None:
    """'$H5="Complete"' or '"Complete"=$H5' as (("$", "H", "", "5"), "=", "Complete")."""
    if found := _CELL_EQUALS_WORD.match(formula):
        fixed_col, letters_, fixed_row, number, sign, word = found.groups()
    elif found := _WORD_EQUALS_CELL.match(formula):
        word, sign, fixed_col, letters_, fixed_row, number = found.groups()
    else:
        return None
    return (fixed_col, letters_, fixed_row, number), sign, word


def _rule_text(rule: ColourRule) -> str:
    said = " ".join(part for part in (rule.kind, rule.operator, *rule.formulas, rule.text) if part)
    return short(said, 80)


def read_bodies_of_actions(plan: Plan) -> None:
    """The bodies each action's governance cell names: those of the Governance sheet, or,
    without one, those the plan's cells name (listed by `check` for the officer to see)."""
    if plan.bodies:
        plan.bodies, repeats = merge_duplicates(plan.bodies)
        for first, repeat in repeats:
            plan.findings.append(Finding(
                "warning", repeat.sheet, f"A{repeat.row}", "", "governance",
                f"'{repeat.name}' is on the Governance sheet twice (rows {first.row} and {repeat.row}): "
                "read as one body with the aliases and emails of both"))
    else:
        plan.bodies = infer_bodies([a.governance for a in plan.actions if a.governance])
    matcher = Matcher(plan.bodies)
    for action in plan.actions:
        if action.governance:
            action.bodies, action.unknown_bodies = matcher.read(action.governance)
    if plan.bodies and plan.bodies[0].inferred:
        counts = Counter(name for a in plan.actions for name in a.bodies)
        listed = "; ".join(f"{b.name} ({counts[b.name]})" for b in plan.bodies)
        note(plan, "", "", f"no Governance sheet: {len(plan.bodies)} bod{'ies' if len(plan.bodies) != 1 else 'y'} read from the governance "
              f"cells, with their actions: {listed}. `plantools governance` writes a starting "
              "Governance sheet to correct and paste in", field="governance")


# A Governance sheet's column of other names for a body: "Also written as", "Abbreviation"
_ALIAS_HEADER = re.compile(r"alias|also|known as|abbrev|acronym|short (name|form)|initials", re.IGNORECASE)


def read_bodies(grid: Grid, plan: Plan) -> list[Body]:
    """The Governance sheet: a header row naming the body, its aliases (any number of columns:
    "Also written as", "Abbreviation") and its email."""
    bodies: list[Body] = []
    header: dict[str, int] = {}
    alias_columns: list[int] = []
    for row in range(1, min(grid.max_row, 2000) + 1):
        texts = {col: clean(grid.value(row, col)) for col in range(1, min(grid.max_col, 10) + 1)}
        if not header:
            alias_columns = [col for col, text in texts.items() if _ALIAS_HEADER.search(text)]
            for col, text in texts.items():
                lowered = text.lower()
                if col in alias_columns:
                    header.setdefault("aliases", col)
                elif re.search(r"e-?mail", lowered):
                    header.setdefault("emails", col)
                elif re.search(r"body|name|group|governance", lowered):
                    header.setdefault("name", col)
            if "name" not in header:
                header = {}
            continue
        name = texts.get(header["name"], "")
        if not name:
            continue
        aliases = tuple(alias for col in alias_columns for alias in _split(texts.get(col, ""), r"[;\n]"))
        emails = _split(texts.get(header.get("emails", 0), ""), r"[;,\s]")
        for email in emails:
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
                plan.findings.append(Finding(
                    "warning", grid.title, f"{column_letters(header['emails'])}{row}", "", "email",
                    f"'{email}' for {name} does not look like an email address",
                ))
        bodies.append(Body(name, aliases, tuple(e for e in emails if "@" in e), grid.title, row))
    return bodies


def _split(text: str, separators: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(separators, text) if part.strip())
