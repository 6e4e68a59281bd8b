"""A pack as an update form: the very hidden record sheet that names the pack."""

from __future__ import annotations

RETURN_SHEET = "plantools"
FORM = "plantools update form 1"


def write_return_sheet(book, plan_file: str, month: str, body: str, pack_id: str) -> None:
    """The form's name for itself, on a very hidden, protected sheet: the pack id, by which
    collect finds what was sent in sent.json (which alone it trusts), and the plan, month and body
    it was made for. The actions as sent are recorded there, not here."""
    sheet = book.add_worksheet(RETURN_SHEET)
    for number, values in enumerate([[FORM], ["Plan", plan_file], ["Month", month], ["Body", body],
                                     ["Pack id", pack_id]]):
        for col, value in enumerate(values):
            sheet.write_string(number, col, value)
    sheet.very_hidden()
    sheet.protect()
