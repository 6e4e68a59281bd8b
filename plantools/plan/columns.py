"""The plan's columns, defined once: each one's field name, header label, width, whether it
is printed, and the words a plan's header is recognised by. The reader, the monthly copy
(written and read back), the packs and the change log all go by these."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str  # the action's field, or a name below
    label: str  # the header plantools writes, which read_copy goes by, and the change log's field name
    width: float  # units of column width (on A4 for the printed ones)
    printed: bool = False  # on paper
    flexible: bool = False  # printed, and takes a share of the page width left over
    derived: bool = False  # worked out from the action's fields, not one itself: not in LABELS


# The Plan sheet's columns: printed first, then the helpers.
PLAN_COLUMNS: tuple[Column, ...] = (
    Column("ref", "Ref", 5, True),
    Column("objective_once", "Objectives", 20, True, True, derived=True),
    Column("action", "Action", 30, True, True),
    Column("owner", "Who (owner)", 14, True, True),
    Column("governance", "Governance oversight", 14, True, True),
    Column("deadline", "When?", 10, True),
    Column("rag", "RAG", 8, True),
    Column("progress", "Progress update", 30, True, True),
    Column("objective_ref", "Objective", 9),
    Column("objective", "Objective description", 26),
    Column("outcome", "Outcomes", 32),
    Column("measure", "Performance measures", 24),
    Column("due", "Due date", 11),
    Column("overdue", "Overdue", 9, derived=True),
    Column("priority", "Priority", 18),
    Column("source", "Source cell", 18, derived=True),
    Column("key", "Action key", 14, derived=True),
)
# A pack is an update form: these columns are added to it, the proposed deadline printed after
# the deadline, the return key (which row of the shared workbook each action came from) a
# hidden helper that `collect` matches the returned rows by.
PROPOSED_DEADLINE = Column("proposed", "Proposed new deadline", 8, True)
RETURN_KEY = Column("return_key", "Return key", 14)  # which row of the shared workbook a pack's row is
FORM_COLUMNS = (PROPOSED_DEADLINE, RETURN_KEY)
# what a sub-group fills in on the form: unlocked and marked, the rest protected
EDITABLE = ("rag", "progress", "proposed")

# field -> the label the copy, the packs and the change log give it
LABELS = {c.name: c.label for c in PLAN_COLUMNS if not c.derived}

# How the reader recognises a plan's header (lower-cased, punctuation gone): the first rule
# that matches a header's words wins, so the order matters: "Who? (Governance/oversight)" is
# governance, "Actions (who and what)" is a pair. Besides the fields above: action_ref (an
# action's own number), extra (carried as it is), action_pair (one column of who and what).
HEADER_RULES: tuple[tuple[str, str], ...] = (
    ("action_ref", r"^(action|task) (ref|reference|id|no|number|code)$|^id$"),
    ("ref", r"^(ref|reference|refs|item|code)( no| number)?$|^(no|number)$"),  # action or objective: its values say
    ("objective_ref", r"^(objective|obj) (ref|reference|no|number|id)$|^obj$"),
    ("governance", r"\b(governance|oversight|overseen by|monitored by|monitoring (group|body)|accountable "
                   r"(body|to|group|forum)|reporting (to|into|group|body)|reports? (to|into)|scrutiny|sub ?group|board|"
                   r"committee)\b"),
    ("deadline", r"\b(when|deadlines?|due|time ?scales?|time ?frames?|target date|completion date|by when|end date|"
                 r"finish (date|by)|date for completion|completed? by|completion target|milestone date)\b|^target$"),
    ("rag", r"\b(rag|b ?rag|status|rating|traffic lights?)\b"),
    ("extra", r"\b(complete|completed|percent|per cent)\b"),  # "% complete": carried as it is
    ("progress", r"\b(progress|updates?|comments?|commentary|notes?|(latest|current) position|position statement|"
                 r"narrative)\b"),
    ("measure", r"\b(measures?|measurement|metrics?|kpis?|indicators?|success criteria)\b"),
    ("outcome", r"\boutcomes?\b"),
    ("objective", r"\b(objectives?|aims?|goals?)\b"),
    ("priority", r"\b(priority|priorities|theme)\b"),
    ("action_pair", r"\bactions?\b.*\bwho\b.*\bwhat\b"),
    ("owner", r"\b(who|owners?|leads?|responsible|responsibility|lead officer|lead agency|officer|champion)\b"),
    ("action", r"\b(actions?|what|tasks?|activity|activities|deliverables?|interventions?|how we will|steps)\b"),
)
HEADER_PATTERNS = [(role, re.compile(rule)) for role, rule in HEADER_RULES]

# Words that mark a column, a sheet or a sheet's title as not to be sent: "Notes for Chair –
# not for circulation", "BSU use only", "Internal", "Private notes", "OFFICIAL-SENSITIVE". What
# is so marked is never read, so it cannot reach the board's copy, a pack or a draft. Matched
# on the words alone (lower case, punctuation and line breaks gone); when in doubt, withheld.
NOT_FOR_CIRCULATION = re.compile(
    r"\b(confidential\w*|in confidence|internal|private|restricted|secret|official sensitive|"
    r"not (for|to be) (circulat|distribut|publi|shar|send|sent|release|forward)\w*|"
    r"do not (circulat|distribut|publi|shar|send|release|forward)\w*|"
    r"(use|eyes) only|personal (data|information|details))\b")


def not_for_circulation(text: str) -> bool:
    """True when a header, a sheet's name or its title marks what it holds as not to be sent."""
    return bool(NOT_FOR_CIRCULATION.search(" ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())))


# What a user sees when a column is missing.
EXPECTED_HEADERS = {
    "owner": "Who? (Workplans), Owner or Lead",
    "deadline": "When?, Deadline or Due",
    "governance": "Governance oversight",
}
