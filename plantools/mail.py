"""Email: a draft (.eml) for each pack, and sending the drafts of a folder over SMTP.

Drafts carry "X-Unsent: 1", so Outlook opens them as new messages ready to send, and any
mail reader opens them too. Sending keeps a ledger (sent.csv) beside the drafts: a draft is
sent once, and a run after a failure sends only what did not go.
"""

from __future__ import annotations

import csv
import os
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, getaddresses, make_msgid
from pathlib import Path
from typing import Callable

from . import rag
from .errors import PlanError

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
LEDGER = "sent.csv"
LEDGER_COLUMNS = ["draft", "message_id", "to", "sent_at", "refused"]
TIMEOUT = 60  # seconds for the server to answer


def draft_message(pack, plan_title: str, month: str, sender: str = "") -> bytes:
    """The .eml for one pack: addressed to the body, its workbook attached."""
    from .consolidate import month_end

    when = month_end(month).strftime("%B %Y")
    message = EmailMessage()
    message["Subject"] = f"{plan_title}: {pack.body} actions, {when}"
    message["To"] = ", ".join(pack.emails)
    if sender:
        message["From"] = sender
    message["Date"] = formatdate(localtime=True)
    domain = sender.rpartition("@")[2] if "@" in sender else "plantools.invalid"
    message["Message-ID"] = make_msgid(domain=domain)  # a domain given: no slow lookup of this machine's name
    message["X-Unsent"] = "1"
    message.set_content(_body_text(pack, plan_title, when))
    message.add_attachment(pack.workbook.read_bytes(), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1],
                           filename=pack.workbook.name)
    return message.as_bytes(policy=policy.SMTP)


def _body_text(pack, plan_title: str, when: str) -> str:
    red, amber, late = pack.count(rag.RED), pack.count(rag.AMBER), pack.overdue
    lines = [
        f"Dear colleagues of the {pack.body},",
        "",
        f"Attached are the {len(pack.actions)} actions of the {plan_title} that the {pack.body} oversees, "
        f"as consolidated for {when}: {red} Red, {amber} Amber, {len(late)} overdue.",
        "",
    ]
    late_ids = {id(a) for a in late}  # by identity: comparing whole actions is slow and wrong
    attention = [a for a in pack.actions if a.rag in (rag.RED, rag.AMBER) or id(a) in late_ids]
    if attention:
        lines.append("For your attention:")
        for action in attention:
            notes = [action.rag] if action.rag in (rag.RED, rag.AMBER) else []
            if id(action) in late_ids:
                notes.append(f"overdue since {action.deadline.due:%d %b %Y}")
            what = " ".join((action.action or action.outcome or action.objective).split())
            lines.append(f"- {action.ref} ({', '.join(notes)}): {what[:150]}")
        lines.append("")
    lines += [
        "Please update the RAG status and the progress of each action in the attached workbook "
        "and return it to the Business Support Unit before the next board meeting.",
        "",
        "Business Support Unit",
    ]
    return "\n".join(lines) + "\n"


@dataclass
class Outcome:
    draft: Path
    to: str
    sent: bool
    note: str = ""


@dataclass
class SendRun:
    outcomes: list[Outcome] = field(default_factory=list)
    already_sent: list[Path] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.sent]


@dataclass
class Server:
    host: str
    port: int = 587
    security: str = "starttls"  # "starttls", "ssl" or "none"
    user: str = ""
    password: str = ""
    ca_file: Path | None = None


def drafts_in(folder: Path) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise PlanError(folder, "is not a folder of packs: give the folder that plantools packs wrote")
    drafts = sorted(p for p in folder.glob("*.eml") if not p.name.startswith("."))
    if not drafts:
        raise PlanError(folder, "holds no email drafts (.eml): run plantools packs first")
    return drafts


def read_draft(path: Path) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


def sent_ids(folder: Path) -> set[str]:
    ledger = Path(folder) / LEDGER
    if not ledger.exists():
        return set()
    with ledger.open(encoding="utf-8", newline="") as handle:
        return {row["message_id"] for row in csv.DictReader(handle)}


def send_drafts(folder: Path, server: Server, sender: str = "",
                report: Callable[[Outcome], None] = lambda outcome: None) -> SendRun:
    """Send every draft in `folder` not yet in its ledger. Stops at a lost connection;
    what was sent is in the ledger, so a second run sends only the rest."""
    run = SendRun()
    done = sent_ids(folder)
    waiting = []
    for path in drafts_in(folder):
        message = read_draft(path)
        if message["Message-ID"] in done:
            run.already_sent.append(path)
        else:
            waiting.append((path, message))
    if not waiting:
        return run
    smtp = connect(server, folder)
    try:
        for index, (path, message) in enumerate(waiting):
            outcome = _send_one(smtp, path, message, sender)
            run.outcomes.append(outcome)
            report(outcome)
            if outcome.sent:
                _record(folder, path, message, outcome)
            elif outcome.note.startswith("connection lost"):
                for rest, rest_message in waiting[index + 1:]:
                    skipped = Outcome(rest, rest_message["To"] or "", False, "not sent: the connection was lost")
                    run.outcomes.append(skipped)
                    report(skipped)
                break
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
    return run


def connect(server: Server, folder: Path) -> smtplib.SMTP:
    """Open the connection; STARTTLS and SSL verify the server's certificate and name."""
    context = ssl.create_default_context(cafile=str(server.ca_file) if server.ca_file else None)
    where = f"{server.host}:{server.port}"
    try:
        if server.security == "ssl":
            smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
            if server.security == "starttls":
                smtp.starttls(context=context)
        if server.user:
            smtp.login(server.user, server.password)
    except ssl.SSLCertVerificationError as exc:
        raise PlanError(folder, f"nothing sent: the certificate of {where} could not be verified "
                                f"({exc.verify_message}); give the council's CA with --ca-file") from None
    except smtplib.SMTPAuthenticationError:
        raise PlanError(folder, f"nothing sent: {where} refused the user name or password") from None
    except smtplib.SMTPNotSupportedError:
        raise PlanError(folder, f"nothing sent: {where} does not offer STARTTLS; try --ssl") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise PlanError(folder, f"nothing sent: cannot connect to {where} ({exc})") from None
    return smtp


def _send_one(smtp: smtplib.SMTP, path: Path, message: EmailMessage, sender: str) -> Outcome:
    del message["X-Unsent"]  # it is being sent now, not drafted
    if sender:
        del message["From"]
        message["From"] = sender
    to = message["To"] or ""
    if not message["From"]:
        return Outcome(path, to, False, "no sender: give --sender (the From address)")
    if not getaddresses([to]):
        return Outcome(path, to, False, "no recipient in the draft's To line")
    try:
        refused = smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        return Outcome(path, to, False, "every recipient refused: " + _refusals(exc.recipients))
    except (smtplib.SMTPServerDisconnected, ConnectionError, socket.timeout) as exc:
        return Outcome(path, to, False, f"connection lost ({exc or type(exc).__name__})")
    except smtplib.SMTPResponseException as exc:
        return Outcome(path, to, False, f"refused by the server ({exc.smtp_code} {_text(exc.smtp_error)})")
    except smtplib.SMTPException as exc:
        return Outcome(path, to, False, f"not sent ({exc})")
    note = ("sent, but refused for " + _refusals(refused)) if refused else "sent"
    return Outcome(path, to, True, note)


def _refusals(recipients: dict) -> str:
    return "; ".join(f"{address} ({code} {_text(reply)})" for address, (code, reply) in recipients.items())


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _record(folder: Path, path: Path, message: EmailMessage, outcome: Outcome) -> None:
    """Append to the ledger at once, and to disk, so a crash later cannot resend this one."""
    ledger = Path(folder) / LEDGER
    new = not ledger.exists()
    with ledger.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        if new:
            writer.writerow(LEDGER_COLUMNS)
        writer.writerow([path.name, message["Message-ID"], outcome.to, datetime.now().isoformat(timespec="seconds"),
                         "" if outcome.note == "sent" else outcome.note])
        handle.flush()
        os.fsync(handle.fileno())
