"""Email: a draft (.eml) for each pack, and sending the drafts of a folder over SMTP (or
Microsoft Graph, plantools.send.graph).

Drafts carry "X-Unsent: 1", so Outlook opens them as new messages ready to send, and any
mail reader opens them too. Sending keeps a ledger (sent.csv) beside the drafts with one row
per recipient: a recipient who has it is never sent it again, one refused for now (4xx) is
tried again on the next run, and one refused for good (5xx) is reported, not retried.
"""

from __future__ import annotations

import ipaddress
import smtplib
import socket
import ssl
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit

from plantools.errors import PlanError
from plantools.options import GRAPH_URL
from plantools.packs.drafts import draft_policy, header_text, valid_address
from plantools.plan.months import uk_date
from plantools.send.ledger import (
    FOR_GOOD,
    FOR_NOW,
    LEDGER,
    SENT,
    Entry,
    _ledger_writer,
    folder_lock,
    read_sent_ledger,
    split_addresses,
)

TIMEOUT = 60  # seconds for the server to answer one read
TIME_LIMIT = 300  # seconds for one message in all, however the server trickles its answer


# ---------------------------------------------------------------------------------- sending

@dataclass
class Recipient:
    header: str  # "To", "Cc" or "Bcc"
    address: str


@dataclass
class Draft:
    """One draft, and what this run would do with it."""

    path: Path
    message: EmailMessage
    recipients: list[Recipient]
    waiting: list[Recipient]  # whom this run sends it to
    sent_on: str = ""  # when the ledger says it first went, if it did
    retry: dict[str, str] = field(default_factory=dict)  # address -> the earlier refusal for now
    problem: str = ""  # why it cannot be sent at all


@dataclass
class Outcome:
    draft: Path
    to: str
    sent: bool
    note: str = ""


@dataclass
class SendRun:
    outcomes: list[Outcome] = field(default_factory=list)
    already_sent: list[Draft] = field(default_factory=list)

    @property
    def sent(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.sent]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.sent]

    @property
    def complete(self) -> bool:
        """Every recipient of every draft has it, or had it before."""
        return all(o.note == SENT for o in self.outcomes)


@dataclass
class Server:
    """Where the drafts go: an SMTP server (`via` "smtp"), logging in as `user` with `password`
    or with an OAuth access `token` (AUTH XOAUTH2), or Microsoft Graph at `graph_url` with the
    `token` (`via` "graph"). A password or token never travels unencrypted (ValueError)."""

    host: str = ""
    port: int = 587
    security: str = "starttls"  # "starttls", "ssl" or "none"
    user: str = ""
    password: str = ""
    ca_file: Path | None = None
    token: str = ""
    via: str = "smtp"  # "smtp" or "graph"
    graph_url: str = GRAPH_URL

    def __post_init__(self) -> None:
        if self.via not in ("smtp", "graph"):
            raise ValueError(f"send goes --via smtp or --via graph, not {self.via!r}")
        if self.via == "smtp" and not self.host:
            raise ValueError("sending by SMTP needs the mail server: give --smtp-host, or use --via graph")
        if self.security == "none" and self.user and not self.token:
            raise ValueError("a password is never sent unencrypted: use --starttls or --ssl with --user")
        if self.security == "none" and self.token and self.via == "smtp":
            raise ValueError("a sign-in token is never sent unencrypted: use --starttls or --ssl")
        if self.via == "graph":
            check_graph_url(self.graph_url)


def check_graph_url(url: str) -> str:
    """`url` if Graph may be reached there: https, or plain http only on this machine."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"{url!r} is not a web address: give it as https://graph.microsoft.com/v1.0")
    if parts.scheme == "http" and not loopback(parts.hostname):
        raise ValueError(f"{url} is plain http, so the sign-in token would travel unencrypted: use https "
                         "(plain http only to this machine, 127.0.0.1)")
    return url


def loopback(host: str) -> bool:
    """Whether `host` is this machine."""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def drafts_in(folder: Path) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise PlanError(folder, "is not a folder of packs: give the folder that plantools packs wrote")
    drafts = sorted(p for p in folder.glob("*.eml") if not p.name.startswith("."))
    if not drafts:
        raise PlanError(folder, "holds no email drafts (.eml): run plantools packs first")
    return drafts


def read_draft(path: Path) -> EmailMessage:
    return BytesParser(policy=draft_policy()).parsebytes(path.read_bytes())  # sent unfolded, as drafted


def preview(folder: Path, sender: str = "", resend: bool = False, ledger: str = LEDGER,
            drafts: list[Path] | None = None) -> list[Draft]:
    """What `send` would do with each draft in `folder` (or with `drafts`, e.g. chase's
    reminders), from the drafts and the ledger `ledger` in `folder`."""
    entries = read_sent_ledger(folder, ledger)
    by_draft: dict[str, list[Entry]] = {}
    for entry in entries:
        by_draft.setdefault(entry.draft.casefold(), []).append(entry)  # Windows: one file, any case
    return [_plan(path, by_draft.get(path.name.casefold(), []), sender, resend)
            for path in (drafts_in(folder) if drafts is None else drafts)]


def _plan(path: Path, entries: list[Entry], sender: str, resend: bool) -> Draft:
    message = read_draft(path)
    recipients, problem = _recipients(message)
    if not problem and not (sender or message["From"]):
        problem = "no sender: give --sender (the From address)"
    last = {e.recipient.casefold(): e for e in entries}  # the latest row for each address
    sent = [e for e in entries if e.result == SENT]
    remade = bool(sent) and all(e.message_id != message["Message-ID"] for e in entries)
    waiting = recipients if resend else [r for r in recipients if _due(last.get(r.address.casefold()), remade)]
    retry = {r.address: last[r.address.casefold()].reply for r in waiting
             if not resend and r.address.casefold() in last}
    return Draft(path, message, recipients, waiting, _day(sent[0].at) if sent else "", retry, problem)


def _due(entry: Entry | None, remade: bool) -> bool:
    """Whether a recipient gets the draft in this run: one never tried, unless the draft was
    remade (packs --force) after it went; one refused for now, always."""
    return not remade if entry is None else entry.result == FOR_NOW


def _recipients(message: EmailMessage) -> tuple[list[Recipient], str]:
    recipients: list[Recipient] = []
    seen: set[str] = set()
    for header in ("To", "Cc", "Bcc"):
        for value in _raw(message, header):
            for address in split_addresses(value):
                if not valid_address(address):
                    return [], f"{header} holds {address!r}, which is not an email address: correct it and run again"
                if "=?" in address:  # RFC 2047 is for words in a header, never for an address
                    return [], (f"{header} holds {address!r}, an address written as an encoded word (by an older "
                                "plantools): it would go to another address; make the packs again")
                if address.casefold() not in seen:
                    seen.add(address.casefold())
                    recipients.append(Recipient(header, address))
    if not recipients:
        return [], "no recipient in its To, Cc or Bcc line"
    return recipients, ""


def _raw(message: EmailMessage, header: str) -> list[str]:
    """A header as written: the parsed one shows a broken address such as "@" as "<>". A
    header in UTF-8 (jörg@...) is read as UTF-8."""
    return [header_text(v.encode("ascii", "surrogateescape").decode("utf-8", "replace"))
            for n, v in message.raw_items() if n.lower() == header.lower()]


def _day(at: str) -> str:
    """'2018-11-30T10:04:00' (or Excel's '30/11/2018 10:04') -> '30 Nov 2018'."""
    for parse in (datetime.fromisoformat, lambda t: datetime.strptime(t.split()[0], "%d/%m/%Y")):
        try:
            when = parse(at)
        except (ValueError, IndexError):
            continue
        return uk_date(when)
    return at or "an earlier run"


def describe(recipients: list[Recipient]) -> str:
    """'a@x, b@x; Cc: c@x; Bcc: d@x'."""
    parts = []
    for header in ("To", "Cc", "Bcc"):
        addresses = ", ".join(r.address for r in recipients if r.header == header)
        if addresses:
            parts.append(addresses if header == "To" else f"{header}: {addresses}")
    return "; ".join(parts)


def send_drafts(folder: Path, server: Server, sender: str = "", resend: bool = False,
                time_limit: float = TIME_LIMIT, report: Callable[[Outcome], None] = lambda outcome: None,
                ledger: str = LEDGER, only: list[Path] | None = None) -> SendRun:
    """Send every draft in `folder` (or the drafts `only`, e.g. chase's reminders) to whoever
    the ledger `ledger` in `folder` says has not had it. One run at a time per folder, whatever
    it sends; each message's ledger rows are on disk before the next goes; stops at a lost
    connection, so a second run sends only the rest. With a token, SMTP signs in as
    `server.user`, else as `sender`; Graph sends each draft as it is, from the signed-in mailbox."""
    folder = Path(folder)
    if server.via == "graph" and not server.token:
        raise ValueError("Microsoft Graph takes no password: give the Server an access token (access_token)")
    if server.token and server.via == "smtp" and not server.user:
        if not sender:
            raise ValueError("signing in with a token needs the mailbox: give --user or --sender")
        server = replace(server, user=parseaddr(sender)[1])
    run = SendRun()
    if only is None:
        drafts_in(folder)  # a folder that is not one of packs: said so before any lock is made in it
    with folder_lock(folder):
        drafts = preview(folder, sender, resend, ledger, only)
        waiting = []
        for draft in drafts:
            if draft.waiting and not draft.problem:
                waiting.append(draft)
            elif draft.sent_on and not draft.problem:
                run.already_sent.append(draft)
            else:  # a bad address, or every recipient refused it for good before
                outcome = Outcome(draft.path, ", ".join(_raw(draft.message, "To")), False,
                                  draft.problem or f"every recipient refused it for good before (see {ledger})")
                run.outcomes.append(outcome)
                report(outcome)
        if not waiting:
            return run
        with _ledger_writer(folder, ledger) as record:
            if server.via == "graph":
                _send_all(lambda draft: _post_one(draft, server, time_limit), waiting, record, run, report,
                          folder / ledger)
                return run
            smtp = connect(server, folder, time_limit)
            try:
                _send_all(lambda draft: _send_one(smtp, draft, sender, time_limit), waiting, record, run, report,
                          folder / ledger)
            finally:
                try:
                    smtp.quit()
                except (smtplib.SMTPException, OSError):
                    pass
    return run


def _send_all(send_one: Callable[[Draft], tuple[Outcome, list[Entry]]], waiting: list[Draft],
              record: Callable[[list[Entry]], None], run: SendRun, report: Callable[[Outcome], None],
              ledger: Path) -> None:
    for index, draft in enumerate(waiting):
        outcome, entries = send_one(draft)
        if entries:
            try:
                record(entries)
            except OSError as exc:
                report(outcome)
                raise PlanError(ledger,
                                f"{draft.path.name} went out but cannot be recorded here "
                                f"({exc.strerror or exc}): nothing more sent; add its rows before running "
                                "again, or it goes twice") from None
        run.outcomes.append(outcome)
        report(outcome)
        if outcome.note.startswith("connection lost"):
            for rest in waiting[index + 1:]:
                skipped = Outcome(rest.path, describe(rest.waiting), False, "not sent: the connection was lost")
                run.outcomes.append(skipped)
                report(skipped)
            return


def _send_one(smtp: smtplib.SMTP, draft: Draft, sender: str, time_limit: float) -> tuple[Outcome, list[Entry]]:
    message = draft.message
    del message["X-Unsent"]  # it is being sent now, not drafted
    if sender:
        del message["From"]
        message["From"] = header_text(sender)
    to = describe(draft.waiting)
    addresses = [r.address for r in draft.waiting]
    beyond_ascii = [a for a in (*addresses, parseaddr(str(message["From"] or ""))[1]) if not a.isascii()]
    if beyond_ascii and not smtp.has_extn("smtputf8"):  # never rewritten into an address no one has
        return Outcome(draft.path, to, False, f"not sent: {beyond_ascii[0]} has letters beyond ASCII and this server "
                                              "does not take such addresses (no SMTPUTF8): send it from your mail "
                                              "program, or through a server that does"), []
    refused: dict[str, tuple[int, bytes]] = {}
    with time_limit_on(smtp, time_limit) as expired:
        try:
            refused = smtp.send_message(message, to_addrs=addresses)  # Bcc is never in what goes
        except smtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients
        except (smtplib.SMTPServerDisconnected, ConnectionError, socket.timeout) as exc:
            why = f"no answer within {time_limit:g} s" if expired.is_set() else str(exc) or type(exc).__name__
            return Outcome(draft.path, to, False, f"connection lost ({why}); not recorded as sent"), []
        except smtplib.SMTPSenderRefused as exc:
            if _send_as_denied(exc.smtp_error):
                from plantools.send.graph import SEND_AS  # Graph's module only when sending (plantools imports fast)

                raise PlanError(draft.path, f"not sent: the mailbox may not send as {exc.sender} "
                                            f"({exc.smtp_code} {_text(_bytes(exc.smtp_error))}): {SEND_AS}") from None
            refused = {a: (exc.smtp_code, _bytes(exc.smtp_error)) for a in addresses}
        except smtplib.SMTPResponseException as exc:  # the sender or the message refused: for everyone
            refused = {a: (exc.smtp_code, _bytes(exc.smtp_error)) for a in addresses}
        except smtplib.SMTPException as exc:
            return Outcome(draft.path, to, False, f"not sent ({exc})"), []
    at = datetime.now().isoformat(timespec="seconds")
    entries = []
    for recipient in draft.waiting:
        code, reply = refused.get(recipient.address, (250, b""))
        result = SENT if recipient.address not in refused else FOR_NOW if 400 <= code < 500 else FOR_GOOD
        entries.append(Entry(draft.path.name, message["Message-ID"] or "", recipient.address, recipient.header,
                             result, f"{code} {_text(reply)}".strip() if result != SENT else "", at))
    return Outcome(draft.path, to, len(refused) < len(addresses), _note(entries)), entries


def _post_one(draft: Draft, server: Server, time_limit: float) -> tuple[Outcome, list[Entry]]:
    """Send one draft through Graph, to all its recipients at once, as the very file."""
    from plantools.send.graph import FOR_NOW_CODES, LOST, post_mime

    to = describe(draft.waiting)
    if len(draft.waiting) < len(draft.recipients):  # Graph would send it again to those who have it
        have = ", ".join(r.address for r in draft.recipients if r not in draft.waiting)
        return Outcome(draft.path, to, False, f"not sent: {have} had it already and Graph sends to every "
                                              "recipient at once: send it to the rest --via smtp"), []
    status, reply = post_mime(server.graph_url, server.token, draft.path, server.ca_file, min(TIMEOUT, time_limit),
                              time_limit)
    if status == LOST:
        return Outcome(draft.path, to, False, f"connection lost ({reply}); not recorded as sent"), []
    result = SENT if status == 202 else FOR_NOW if status in FOR_NOW_CODES or status >= 500 else FOR_GOOD
    at = datetime.now().isoformat(timespec="seconds")
    entries = [Entry(draft.path.name, draft.message["Message-ID"] or "", r.address, r.header, result,
                     "" if result == SENT else f"{status} {reply}".strip(), at) for r in draft.waiting]
    return Outcome(draft.path, to, result == SENT, _note(entries)), entries


def _send_as_denied(reply: bytes | str) -> bool:
    """Exchange Online's refusal of a From address the signed-in mailbox may not use."""
    text = _text(_bytes(reply))
    return "5.7.60" in text or "SendAsDenied" in text


def _note(entries: list[Entry]) -> str:
    later = [f"{e.recipient} ({e.reply})" for e in entries if e.result == FOR_NOW]
    never = [f"{e.recipient} ({e.reply})" for e in entries if e.result == FOR_GOOD]
    if not later and not never:
        return SENT
    parts = []
    if never:
        parts.append("refused for good: " + "; ".join(never))
    if later:
        parts.append("refused for now, tried again on the next run: " + "; ".join(later))
    return ("sent, but " if len(later) + len(never) < len(entries) else "") + ", ".join(parts)


def _bytes(reply: bytes | str) -> bytes:
    return reply if isinstance(reply, bytes) else str(reply).encode("utf-8")


def _text(reply: bytes) -> str:
    return header_text(reply.decode("utf-8", "replace"))


@contextmanager
def time_limit_on(smtp: smtplib.SMTP, seconds: float) -> Iterator[threading.Event]:
    """Cut the connection if what runs inside takes longer than `seconds` in all: the socket's
    timeout is per read, and a server can answer one slow line at a time forever."""
    expired = threading.Event()

    def cut() -> None:
        expired.set()
        if smtp.sock is not None:
            try:
                smtp.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    timer = threading.Timer(seconds, cut)
    timer.daemon = True
    timer.start()
    try:
        yield expired
    finally:
        timer.cancel()


def connect(server: Server, folder: Path, time_limit: float = TIME_LIMIT) -> smtplib.SMTP:
    """Open the connection; STARTTLS and SSL verify the server's certificate and name."""
    context = ssl.create_default_context(cafile=str(server.ca_file) if server.ca_file else None)
    timeout = min(TIMEOUT, time_limit)
    smtp = (smtplib.SMTP_SSL(timeout=timeout, context=context) if server.security == "ssl"
            else smtplib.SMTP(timeout=timeout))
    smtp._host = server.host  # type: ignore[attr-defined]  # the name the certificate must carry: connect() alone does not set it
    try:
        with time_limit_on(smtp, time_limit) as expired:
            _open(smtp, server, folder, context, time_limit, expired)
    except BaseException:
        smtp.close()
        raise
    return smtp


def _without_starttls(host: str) -> str:
    """The option that works with a server that offers no STARTTLS."""
    if loopback(host):
        return "a relay on this machine needs no encryption: add --no-tls"
    return "ask which port takes TLS from the start (often 465) and add --ssl --smtp-port 465"


def _open(smtp: smtplib.SMTP, server: Server, folder: Path, context: ssl.SSLContext, time_limit: float,
          expired: threading.Event) -> None:
    where = f"{server.host}:{server.port}"
    try:
        smtp.connect(server.host, server.port)
        smtp.ehlo()
        if server.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise PlanError(folder, f"nothing sent: {where} does not offer STARTTLS: {_without_starttls(server.host)}")
            smtp.starttls(context=context)
            smtp.ehlo()
        if server.user:
            if not smtp.has_extn("auth"):
                raise PlanError(folder, f"nothing sent: {where} offers no login (no AUTH): "
                                        "leave out --user if it takes mail without one")
            if server.token:
                _xoauth2(smtp, server, folder, where)
            else:
                smtp.login(server.user, server.password)
    except ssl.SSLCertVerificationError as exc:
        raise PlanError(folder, f"nothing sent: the certificate of {where} could not be verified "
                                f"({exc.verify_message}); give the council's CA with --ca-file") from None
    except smtplib.SMTPAuthenticationError as exc:
        reply = f"{exc.smtp_code} {_text(_bytes(exc.smtp_error))}"
        if _smtp_auth_off(reply):
            raise PlanError(folder, f"nothing sent: {where} does not take a login for this mailbox ({reply}): "
                                    "ask IT to enable SMTP AUTH for this mailbox, or use --via graph") from None
        if server.token:
            raise PlanError(folder, f"nothing sent: {where} refused the sign-in token for {server.user} ({reply}): "
                                    "sign in again: plantools send --oauth ..., or check the --token-command") from None
        raise PlanError(folder, f"nothing sent: {where} refused the user name or password") from None
    except ssl.SSLError as exc:  # most often --ssl on a port that starts without TLS
        raise PlanError(folder, f"nothing sent: {where} does not start with TLS ({exc.reason or exc}): leave out "
                                f"--ssl to use STARTTLS (usually port 587), or {_without_starttls(server.host)}") from None
    except ConnectionRefusedError:
        raise PlanError(folder, f"nothing sent: nothing answers at {where} (connection refused): "
                                "check --smtp-host and --smtp-port") from None
    except (smtplib.SMTPException, OSError) as exc:
        why = f"no answer within {time_limit:g} s" if expired.is_set() else header_text(str(exc))
        raise PlanError(folder, f"nothing sent: cannot connect to {where} ({why})") from None


def _xoauth2(smtp: smtplib.SMTP, server: Server, folder: Path, where: str) -> None:
    """AUTH XOAUTH2 as Exchange Online and Gmail take it. A refusal comes as a challenge (a
    JSON error), answered with an empty line, and then 535."""
    if "XOAUTH2" not in smtp.esmtp_features.get("auth", "").upper().split():
        raise PlanError(folder, f"nothing sent: {where} does not take a sign-in token (no AUTH XOAUTH2): "
                                "leave out --oauth and --token-command and log in with --user")
    first = f"user={server.user}\x01auth=Bearer {server.token}\x01\x01"
    smtp.auth("XOAUTH2", lambda challenge=None: "" if challenge is not None else first, initial_response_ok=True)


def _smtp_auth_off(reply: str) -> bool:
    """Exchange Online's ways of saying SMTP AUTH (client submission) is switched off."""
    folded = reply.casefold()
    return any(words in folded for words in ("smtpclientauthentication is disabled", "basic authentication is disabled",
                                             "smtp auth is disabled", "5.7.139 authentication unsuccessful, smtp"))
