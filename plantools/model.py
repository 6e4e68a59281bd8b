"""The plan as plain data: what the reader makes and everything else consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .deadlines import Deadline
from .governance import Body

# The fields of an action, in the order plantools shows them.
FIELDS = (
    "ref", "priority", "objective_ref", "objective", "outcome", "owner", "action",
    "governance", "deadline", "measure", "rag", "progress",
)

LABELS = {
    "ref": "Ref",
    "priority": "Priority",
    "objective_ref": "Objective",
    "objective": "Objective description",
    "outcome": "Outcomes",
    "owner": "Who (owner)",
    "action": "Action",
    "governance": "Governance oversight",
    "deadline": "When?",
    "due": "Due date",
    "measure": "Performance measures",
    "rag": "RAG",
    "progress": "Progress update",
}


@dataclass(eq=False)  # two actions are the same action only if they are the same object
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
    sheet: str = ""
    row: int = 0
    cells: dict[str, str] = field(default_factory=dict)  # field -> A1 address
    key: str = ""  # lasting identity across months, given by the consolidated copies

    def cell(self, name: str) -> str:
        return self.cells.get(name, f"A{self.row}")

    def text(self, name: str) -> str:
        """A field as a person reads it."""
        if name == "deadline":
            return self.deadline.text
        if name == "rag":
            return self.rag or self.rag_text
        return str(getattr(self, name) or "")


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" or "warning"
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


@dataclass(frozen=True)
class KeyEntry:
    status: str
    meaning: str


@dataclass
class Plan:
    path: Path
    title: str = ""
    actions: list[Action] = field(default_factory=list)
    bodies: list[Body] = field(default_factory=list)
    key: list[KeyEntry] = field(default_factory=list)
    plan_sheets: list[str] = field(default_factory=list)
    # sheets that are never shown outside the BSU: the risk log and hidden sheets
    confidential_sheets: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # what the reader itself noticed
    open_in_excel: bool = False
