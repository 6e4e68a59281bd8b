"""A pack as an update form: the very hidden record sheet that names the pack."""

from __future__ import annotations

from plantools.plan.columns import RETURN_KEY
from plantools.plan.model import Action, return_key

RETURN_SHEET = "plantools"
FORM = "plantools update form 1"
# what the form records of each action as sent: (header, field)
SENT = [(RETURN_KEY.label, "key"), ("Ref", "ref"), ("Action", "action"), ("RAG", "rag"), ("Progress", "progress")]


def write_return_sheet(book, plan_file: str, month: str, body: str, pack_id: str, actions: list[Action]) -> None:
    """The form's record of what was sent, on a very hidden, protected sheet."""
    sheet = book.add_worksheet(RETURN_SHEET)
    rows: list[list[str]] = [[FORM], ["Plan", plan_file], ["Month", month], ["Body", body], ["Pack id", pack_id],
                             [header for header, _ in SENT]]
    for action in actions:
        rows.append([return_key(action) if name == "key" else action.text(name) for _, name in SENT])
    for number, values in enumerate(rows):
        for col, value in enumerate(values):
            sheet.write_string(number, col, value)
    sheet.very_hidden()
    sheet.protect()
