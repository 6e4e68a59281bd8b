"""Reminders to the bodies whose pack has not come back (or came back with conflicts to
resolve): a draft for each, written into the packs folder's 'reminders' subfolder (send reads
only the folder's own *.eml, so a reminder is never sent as a pack), then sent as `send`
sends: its own ledger (chased.csv) with a row per recipient, send's lock on the packs folder,
a refusal for now (4xx) tried again on the next run.

A chase round is a day: a body gets one reminder a day (its draft is named with the date),
however often chase runs; `again` starts another round the same day."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Callable

from plantools.errors import PlanError
from plantools.packs.drafts import XLSX_TYPE, default_reply_by, due_lines, header_text, message_bytes, sign_off
from plantools.packs.sent import SentPack, read_sent
from plantools.plan import rag
from plantools.plan.model import counted
from plantools.plan.months import following, label, long_date, uk_date
from plantools.round.status import CHASED, REMINDERS, TO_RESOLVE, BodyRound, RoundStatus, day_of, round_status
from plantools.send.smtp import TIME_LIMIT, Outcome, SendRun, Server, preview, read_draft, send_drafts
from plantools.xlsx.files import atomic_file, make_folder

_NAME = re.compile(r" reminder (\d{4}-\d\d-\d\d)(?: \((\d+)\))?\.eml$", re.IGNORECASE)


@dataclass
class Reminder:
    """What this chase does for one body: its reminder draft, or why it is not chased."""

    body: BodyRound
    why: str  # why it is chased, or why not
    draft: Path | None = None  # None: not chased in this run
    retry: bool = False  # the draft was written by an earlier run and not yet delivered to all


@dataclass
class ChaseRun:
    status: RoundStatus
    reminders: list[Reminder]
    sent: SendRun | None = None  # None for a dry run

    @property
    def chased(self) -> list[Reminder]:
        return [r for r in self.reminders if r.draft]


def plan_chase(folder: Path, today: date | None = None, again: bool = False) -> ChaseRun:
    """Who this chase would remind and why, and who not and why: nothing is written."""
    status = round_status(folder, today)
    folder = status.folder
    pending = {d.path for d in preview(folder, ledger=CHASED, drafts=_reminder_drafts(folder)) if d.waiting}
    reminders = []
    for body in status.bodies:
        if not body.chased:
            reminders.append(Reminder(body, _not_chased(body)))
            continue
        why = _why(body, status)
        mine = sorted((p for p in _reminder_drafts(folder) if _of(p, body)), key=_order)
        last = mine[-1] if mine else None
        if last and last in pending:
            reminders.append(Reminder(body, f"{why}; its reminder {last.name} has not reached everyone yet",
                                      last, retry=True))
        elif last and _order(last)[0] == status.today.isoformat() and not again:
            reminders.append(Reminder(body, f"reminded today already ({last.name}): again tomorrow, or give --again"))
        else:
            reminders.append(Reminder(body, why, _new_name(folder, body, status.today, mine)))
    return ChaseRun(status, reminders)


def chase(folder: Path, server: Server | None = None, sender: str = "", today: date | None = None,
          again: bool = False, due_weeks: int | None = None, time_limit: float = TIME_LIMIT,
          report: Callable[[Outcome], None] = lambda outcome: None) -> ChaseRun:
    """Remind each body of `folder`'s round that has not returned its pack (or has conflicts
    to resolve), its pack attached again; without `server`, only say who would be reminded
    and why (a dry run). The reminders list what falls due within `due_weeks` weeks (default:
    by the next reply-by date) and what is overdue."""
    run = plan_chase(folder, today, again)
    if server is None:
        return run
    folder = run.status.folder
    packs = {p.file: p for p in read_sent(folder).values() if p.month == run.status.month}
    for reminder in run.chased:
        assert reminder.draft is not None
        if not reminder.retry and not reminder.draft.exists():
            _write(reminder, packs[reminder.body.pack], run.status, folder, due_weeks)
    run.sent = send_drafts(folder, server, sender, time_limit=time_limit, report=report, ledger=CHASED,
                           only=[r.draft for r in run.chased if r.draft])
    return run


def _reminder_drafts(folder: Path) -> list[Path]:
    where = Path(folder) / REMINDERS
    return sorted(p for p in where.glob("*.eml") if not p.name.startswith(".")) if where.is_dir() else []


def _of(path: Path, body: BodyRound) -> bool:
    return path.name.casefold().startswith(f"{Path(body.pack).stem} reminder ".casefold()) and bool(_NAME.search(path.name))


def _order(path: Path) -> tuple[str, int]:
    """A reminder's day and its number that day (a draft of another name: first)."""
    found = _NAME.search(path.name)
    return (found[1], int(found[2] or 1)) if found else ("", 0)


def _new_name(folder: Path, body: BodyRound, today: date, mine: list[Path]) -> Path:
    number = max([n for day, n in map(_order, mine) if day == today.isoformat()], default=0) + 1
    suffix = f" ({number})" if number > 1 else ""
    return folder / REMINDERS / f"{Path(body.pack).stem} reminder {today.isoformat()}{suffix}.eml"


def _not_chased(body: BodyRound) -> str:
    returned = day_of(body.returned_on)
    if returned:
        return f"returned on {uk_date(returned)}"
    return "sent.csv has no delivery of its pack (no email address, or sent by hand)"


def _why(body: BodyRound, status: RoundStatus) -> str:
    """'not returned; reply by 14 Dec 2018, 6 days late' or 'returned with conflicts or bad values to resolve: 1.1 RAG'."""
    if body.state == TO_RESOLVE:
        return f"returned with conflicts or bad values to resolve: {', '.join(body.conflicts)}"
    left = status.days_left
    if status.reply_by is None or left is None:
        return "not returned"
    when = f"{-left} days late" if left < 0 else "due today" if left == 0 else f"{left} days left"
    return f"not returned; reply by {uk_date(status.reply_by)}, {when}"


def _write(reminder: Reminder, pack: SentPack, status: RoundStatus, folder: Path, due_weeks: int | None) -> None:
    """The reminder draft: to, from and reply-to as the pack's own draft, the pack attached again."""
    assert reminder.draft is not None
    original_path = folder / reminder.body.draft
    workbook = folder / pack.file
    for path in (original_path, workbook):
        if not path.is_file():
            raise PlanError(path, "is not in the packs folder any more: the reminder needs it (the pack's draft "
                                  "and workbook as made); nothing sent")
    original = read_draft(original_path)
    message = EmailMessage()
    message["Subject"] = header_text(f"Reminder: {original['Subject']}")
    for name in ("To", "Cc", "From", "Reply-To"):
        for value in original.get_all(name) or []:
            message[name] = header_text(str(value))
    message["Date"] = formatdate(localtime=True)
    sender = str(original["From"] or "")
    domain = parseaddr(sender)[1].rpartition("@")[2] or "plantools.invalid"
    message["Message-ID"] = make_msgid(domain=domain)
    message["X-Unsent"] = "1"
    message.set_content(_text(reminder, pack, status, sign_off(sender), due_weeks))
    message.add_attachment(workbook.read_bytes(), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1],
                           filename=header_text(workbook.name))
    addresses = tuple(parseaddr(str(v))[1] for n in ("To", "Cc", "From", "Reply-To") for v in message.get_all(n) or [])
    make_folder(reminder.draft.parent)
    with atomic_file(reminder.draft) as temp:
        temp.write_bytes(message_bytes(message, addresses))


def due_window(status: RoundStatus, due_weeks: int | None) -> date:
    """The last day of 'falling due': `due_weeks` weeks on, else the round's reply-by date, else
    (that passed) the next round's."""
    if due_weeks is not None:
        return status.today + timedelta(weeks=due_weeks)
    if status.reply_by and status.reply_by >= status.today:
        return status.reply_by
    return default_reply_by(following(status.month), status.today)


def _text(reminder: Reminder, pack: SentPack, status: RoundStatus, signature: str, due_weeks: int | None) -> str:
    body, month = header_text(reminder.body.body), label(status.month)
    sent = day_of(reminder.body.sent_on)
    lines = [f"Dear colleagues of the {body},", ""]
    if reminder.body.state == TO_RESOLVE:
        lines.append(f"Thank you for returning the {month} pack. These changes in it could not be written into "
                     f"the shared workbook as they stand (it changed since the pack was made, or a value was not "
                     f"one the plan takes): {', '.join(header_text(c) for c in reminder.body.conflicts)}. Please "
                     "check them with the Business Support Unit, or return the pack again with them corrected.")
    else:
        asked = f", which asked for a reply by {long_date(status.reply_by)}" if status.reply_by else ""
        lines.append(f"This is a reminder: the {month} pack of the {counted(len(pack.actions), 'action')} that the "
                     f"{body} oversees{f' (sent on {uk_date(sent)})' if sent else ''}{asked}, has not come back yet. "
                     "It is attached again: please update its shaded cells (the RAG and progress of each action, "
                     "and a proposed new deadline where one is needed) and return it as it is.")
    lines.append("")
    actions = list(pack.actions.values())
    for action in actions:  # as sent: the record keeps the RAG as typed
        action.rag = rag.normalise(action.rag_text)
    lines += due_lines(actions, status.today, due_window(status, due_weeks))
    lines += ["Kind regards,", "", signature]
    return "\n".join(lines) + "\n"

