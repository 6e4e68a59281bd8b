"""The email draft (.eml) beside each pack: who, what, by when, in the officer's words.

Drafts carry "X-Unsent: 1", so Outlook opens them as new messages ready to send."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

from plantools.options import Mail
from plantools.plan import rag
from plantools.plan.deadlines import MISSING, UNREADABLE
from plantools.plan.model import Action
from plantools.plan.months import label, long_date, month_end, uk_date
from plantools.plan.overdue import falls_due, is_overdue
from plantools.text import cut_at_word, joined

if TYPE_CHECKING:  # the email package is imported when a draft is made: most runs of check and monthly make none
    from email.message import EmailMessage
    from email.policy import EmailPolicy

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
REPLY_DAYS = 14  # the default reply-by date: this long after the month's end
CUT = 200  # characters of an action's text in the email
SIGNATURE = "Business Support Unit"

# ---------------------------------------------------------------------------------- drafts


def default_reply_by(month: str, today: date | None = None) -> date:
    """14 days after the month's end, or after today if that date has passed; a weekend
    moves to the Monday."""
    today = today or date.today()
    day = month_end(month) + timedelta(days=REPLY_DAYS)
    if day < today:
        day = today + timedelta(days=REPLY_DAYS)
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def header_text(text: str) -> str:
    """One line for a header: line breaks (a name typed with Alt+Enter) and other control
    characters become spaces, which a header may hold."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", str(text)).split())


def valid_address(address: str) -> bool:
    """Something the server can deliver to: local@domain, neither part empty ('@' is not)."""
    return bool(re.fullmatch(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\".]+(\.[^@\s<>()\[\],;:\".]+)*", address))


def draft_message(pack, plan_title: str, month: str, mail: Mail = Mail(), last_saved: bool = False) -> bytes:
    """The .eml for one pack: addressed to the body, its workbook attached, asking for a
    reply by mail.reply_by (default_reply_by when not given). `last_saved`: the shared workbook
    was open in Excel when the pack was made, which the draft says first, for the officer."""
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid, parseaddr

    when = label(month)
    reply_by = mail.reply_by or default_reply_by(month)
    reply_to = mail.reply_to
    sender = header_text(mail.sender)
    message = EmailMessage()
    message["Subject"] = header_text(f"{plan_title}: {pack.body} actions for {when}, "
                                     f"please reply by {long_date(reply_by)}")
    message["To"] = ", ".join(header_text(e) for e in pack.emails)
    if sender:
        message["From"] = sender
    if reply_to:
        message["Reply-To"] = header_text(reply_to)
    message["Date"] = formatdate(localtime=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "plantools.invalid"
    message["Message-ID"] = make_msgid(domain=domain)  # a domain given: no slow lookup of this machine's name
    message["X-Unsent"] = "1"
    until = pack.as_of + timedelta(weeks=mail.due_weeks) if mail.due_weeks else reply_by
    message.set_content((LAST_SAVED if last_saved else "")
                        + _body_text(pack, header_text(plan_title), when, reply_by, sign_off(sender), until))
    message.add_attachment(pack.workbook.read_bytes(), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1],
                           filename=header_text(pack.workbook.name))
    return message_bytes(message, (*pack.emails, sender, reply_to))


# headers folded only past the 998 characters a line may hold, when a draft is written and when
# it is sent: Python folds a subject with an en dash into an empty encoded word ("=?utf-8?q??=")
# that some mail programs show
LINE_LIMIT = 998


def draft_policy() -> EmailPolicy[EmailMessage]:
    """The policy a draft is read back with, to be sent."""
    from email import policy

    return policy.default.clone(max_line_length=LINE_LIMIT)


def message_bytes(message: EmailMessage, addresses: tuple[str, ...]) -> bytes:
    """A draft's bytes, for the packs' drafts and chase's reminders alike."""
    from email import policy

    # an address with a letter beyond ASCII (jörg@...) is written as it is, in UTF-8 (RFC 6532):
    # encoded as a header word it would be another address, which no server delivers to jörg
    international = any(not address.isascii() for address in addresses)
    return message.as_bytes(policy=(policy.SMTPUTF8 if international else policy.SMTP).clone(max_line_length=LINE_LIMIT))


def sign_off(sender: str) -> str:
    """The name a draft is signed with: the sender's, else the unit's."""
    from email.utils import parseaddr

    return (parseaddr(sender)[0] if sender else "") or SIGNATURE


def item_line(action, notes: list[str]) -> str:
    """'• 2.1 (Red, overdue since 31 Oct 2018): what it is', cut to one readable line."""
    return f"• {header_text(action.ref)} ({', '.join(notes)}): {cut_at_word(header_text(joined(action.what)), CUT)}"


LAST_SAVED = ("[For the Business Support Unit: this pack was made from the last saved version of the shared "
              "workbook, which was open in Excel; changes not saved then are not in it. Delete this line "
              "before sending.]\n\n")


def _body_text(pack, plan_title: str, when: str, reply_by: date, signature: str, until: date) -> str:
    body = header_text(pack.body)
    late_ids = {id(a) for a in pack.overdue}  # by identity: comparing whole actions is slow and wrong
    undated = [a for a in pack.actions if a.deadline.kind in (MISSING, UNREADABLE)]
    counts = [f"{pack.count(rag.RED)} Red", f"{pack.count(rag.AMBER)} Amber", f"{len(late_ids)} overdue",
              f"{len(undated)} with no clear deadline"]
    lines = [
        f"Dear colleagues of the {body},",
        "",
        f"Attached are the {len(pack.actions)} actions of the {plan_title} that the {body} oversees, "
        f"as consolidated for {when}: {', '.join(counts)}.",
        "",
    ]
    attention = []
    for action in pack.actions:
        notes = [action.rag] if action.rag in (rag.RED, rag.AMBER) else []
        if id(action) in late_ids:
            notes.append(f"overdue since {uk_date(action.deadline.due)}")
        if action.deadline.kind in (MISSING, UNREADABLE):
            notes.append("no clear deadline")
        if notes:
            attention.append(item_line(action, notes))
    if attention:
        lines += ["For your attention:", *attention, ""]
    lines += due_lines(pack.actions, pack.as_of, until, overdue=False)  # the overdue are for attention above
    lines += [
        "Please update the shaded cells of the attached workbook: the RAG status and the progress of each "
        "action, and a proposed new deadline where one is needed (the board decides deadlines). Then "
        f"return the workbook to the Business Support Unit by {long_date(reply_by)}, as it is: "
        "sorting and filtering are fine, but please keep its rows and columns.",
        "",
        "Kind regards,",
        "",
        signature,
    ]
    return "\n".join(lines) + "\n"


def due_lines(actions: list[Action], today: date, until: date, overdue: bool = True) -> list[str]:
    """'Falling due by ...:' and (`overdue`) 'Overdue:', an item line each, for a draft's or a
    reminder's text."""
    due = [(a.deadline.due, a) for a in actions if a.deadline.due and falls_due(a, today, until)]
    late = [(a.deadline.due, a) for a in actions if a.deadline.due and is_overdue(a, today)]
    lines = []
    if due:
        lines += [f"Falling due by {uk_date(until)}:",
                  *(item_line(a, [f"due {uk_date(day)}"]) for day, a in sorted(due, key=lambda pair: pair[0])), ""]
    if late and overdue:
        lines += ["Overdue:", *(item_line(a, [f"overdue since {uk_date(day)}"]) for day, a in late), ""]
    return lines
