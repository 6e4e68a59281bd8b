"""The plan as plain data: what the reader makes and everything else consumes."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter
from pathlib import Path

from plantools.plan.deadlines import Deadline
from plantools.plan.governance import Body
from plantools.xlsx.parts import column_letters


def counted(number: int, noun: str) -> str:
    """'1 conflict', '2 conflicts': a count with its noun (made plural with an s)."""
    return f"{number} {noun}{'s' * (number != 1)}"




def letters(number: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa: the letters that tell apart the actions of one objective."""
    text = ""
    while number:
        number, rest = divmod(number - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


@dataclass(eq=False, slots=True)  # the same action only if the same object; slots: 100,000 of them
class Action:
    """One action of the plan, with the cell each of its fields came from."""

    ref: str
    objective_ref: str = ""
    priority: str = ""
    objective: str = ""
    outcome: str = ""
    owner: str = ""
    action: str = ""
    governance: str = ""
    deadline: Deadline = field(default_factory=lambda: Deadline("", "missing"))
    measure: str = ""
    rag: str | None = None  # a status from rag.STATUSES, or None when empty or not recognised
    rag_text: str = ""  # what the RAG cell holds, as typed
    rag_from_fill: bool = False  # the status was read from the cell's colour
    progress: str = ""
    bodies: tuple[str, ...] = ()  # governance bodies that the governance text names
    unknown_bodies: tuple[str, ...] = ()  # names in the governance text that are no known body
    # the objective's ref as typed, when the action's ref is its objective's: plantools adds a
    # letter where several actions share it (2.1 -> 2.1a, 2.1b) and keeps each action's letter
    # month to month; "" when the ref is the action's own, exactly as typed
    ref_base: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # header -> text, for visible columns plantools does not know
    sheet: str = ""
    row: int = 0
    # where each field came from: the sheet's columns (one dict shared by all its actions, so a
    # plan of 100,000 actions does not hold 1.6 million addresses) and, for a field read from a
    # merged cell, that cell's address
    columns: dict[str, int] = field(default_factory=dict)
    merged: dict[str, str] = field(default_factory=dict)
    key: str = ""  # lasting identity across months, given by the consolidated copies

    def __reduce__(self):
        """Pickled (and copied) as its values in field order: a third faster than the default
        for slots, on the 40,000 actions the monthly job hands its second process at 20,000."""
        return Action, _action_values(self)

    @property
    def what(self) -> str:
        """What the action is, in one field: its action text, else its outcome, else its objective."""
        return self.action or self.outcome or self.objective

    def has(self, name: str) -> bool:
        """Whether the sheet has a column for this field."""
        return name in self.columns

    def cell(self, name: str) -> str:
        """The A1 address of the cell this field came from."""
        if name in self.merged:
            return self.merged[name]
        if name in self.columns:
            return f"{column_letters(self.columns[name])}{self.row}"
        return f"A{self.row}"

    @property
    def cells(self) -> dict[str, str]:
        """Field -> A1 address, for every field the sheet has a column for."""
        return {name: self.cell(name) for name in self.columns}

    def text(self, name: str) -> str:
        """A field as a person reads it."""
        if name == "deadline":
            return self.deadline.text
        if name == "rag":
            return self.rag or self.rag_text
        return str(getattr(self, name) or "")


_action_values = attrgetter(*(f.name for f in fields(Action)))


@dataclass(frozen=True)
class Finding:
    severity: str  # "error", "warning" or "note" (what the reader chose, where it had a choice)
    sheet: str
    cell: str
    ref: str
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {
            "severity": self.severity, "sheet": self.sheet, "cell": self.cell,
            "ref": self.ref, "field": self.field, "message": self.message,
        }


@dataclass
class SheetHeader:
    """How one plan sheet's header was read: what `plantools layout` shows and saves."""
    top: int  # the first header row
    row: int  # the last: data starts below it
    labels: dict[int, str]  # column -> its header text, for every column that has one
    left_out: dict[int, str]  # column -> why it is not read ("hidden", "marked not for circulation")
    samples: dict[str, list[str]]  # field -> the first three values read from its column


@dataclass
class Plan:
    path: Path
    title: str = ""
    actions: list[Action] = field(default_factory=list)
    bodies: list[Body] = field(default_factory=list)
    # each plan sheet, in workbook order: its (last) header row and its columns, role -> number
    layouts: dict[str, tuple[int, dict[str, int]]] = field(default_factory=dict)
    headers: dict[str, SheetHeader] = field(default_factory=dict)  # each plan sheet's, the same order
    # sheets that are never shown outside the BSU: the risk log and hidden sheets
    confidential_sheets: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # what the reader itself noticed
    # headers of the visible columns the reader does not know, in sheet order: carried into
    # the copy and the packs after the known ones, as they are
    extra_columns: list[str] = field(default_factory=list)
    open_in_excel: bool = False
    # the month (YYYY-MM) whose column is read where RAG and progress have a column a period;
    # "" for the latest period with any entry
    period_month: str = ""

    @property
    def plan_sheets(self) -> list[str]:
        return list(self.layouts)

def return_key(action: Action) -> str:
    """Which row of the shared workbook an action came from: 'Business Plan!12'."""
    return f"{action.sheet}!{action.row}"
