"""Where a month's returns round stands, body by body: sent (when, to whom: send's ledger),
returned (when, cells applied, conflicts waiting: the returns.csv beside the shared workbook),
or outstanding (the reply-by date, days left or late). Data only: report.py prints it.

A return that came back unchanged counts as returned. A conflict (or bad value) waits until a
later row of the ledger applies that body's cell or finds it already in the workbook: the
officer settles it by hand in the shared workbook, then collects the same return again."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

from plantools.copy.result import ReturnsRound
from plantools.errors import PlanError
from plantools.packs.sent import SENT as SENT_RECORD
from plantools.packs.sent import Round, SentPack, read_round, read_sent
from plantools.plan.months import MONTH
from plantools.returns.ledger import ALREADY, APPLIED, read_returns_ledger
from plantools.send.ledger import LEDGER as SENT_LEDGER
from plantools.send.ledger import SENT, read_sent_ledger

RETURNED, TO_RESOLVE, OUTSTANDING, NOT_SENT = "returned", "returned with conflicts", "outstanding", "not sent"
CHASED = "chased.csv"  # chase's ledger, beside send's sent.csv
REMINDERS = "reminders"  # chase's drafts: a subfolder, which send (it reads *.eml of the folder only) never sends
WAITS = ("conflict", "bad value")  # results of returns.csv a body is asked to resolve


@dataclass
class BodyRound:
    """One body's pack in the round."""

    body: str
    pack: str  # the pack's file name
    state: str  # RETURNED, TO_RESOLVE, OUTSTANDING or NOT_SENT
    sent_on: str = ""  # ISO date and time it first went (send's ledger), "" when it did not
    sent_to: list[str] = field(default_factory=list)
    returned_on: str = ""  # ISO date and time of its first return this month
    applied: int = 0  # cells its returns wrote into the shared workbook
    conflicts: list[str] = field(default_factory=list)  # its conflicts and bad values not yet settled: 'ref field'
    reminded: list[str] = field(default_factory=list)  # when each reminder went (ISO date and time)

    @property
    def chased(self) -> bool:
        """Whether chase reminds it: sent, and not (wholly) returned."""
        return self.state in (OUTSTANDING, TO_RESOLVE)

    @property
    def draft(self) -> str:
        return str(Path(self.pack).with_suffix(".eml"))


@dataclass
class RoundStatus:
    folder: Path
    month: str
    today: date
    reply_by: date | None
    workbook: Path | None
    bodies: list[BodyRound]
    missing: str = ""  # what an older folder's record does not say, in one line

    @property
    def days_left(self) -> int | None:
        """Days until the reply-by date (negative: days past it); None when it is not recorded."""
        return (self.reply_by - self.today).days if self.reply_by else None

    @property
    def late(self) -> list[BodyRound]:
        """Bodies still to return (or to resolve) past the reply-by date."""
        left = self.days_left
        return [b for b in self.bodies if b.chased] if left is not None and left < 0 else []

    @property
    def returned(self) -> list[BodyRound]:
        return [b for b in self.bodies if b.state == RETURNED]

    def as_dict(self) -> dict:
        """For JSON: dates as YYYY-MM-DD, paths as text."""
        found = asdict(self)
        found.update(folder=str(self.folder), today=self.today.isoformat(),
                     reply_by=self.reply_by.isoformat() if self.reply_by else None,
                     workbook=str(self.workbook) if self.workbook else None)
        return found

    @classmethod
    def from_dict(cls, data: dict) -> RoundStatus:
        return cls(Path(data["folder"]), data["month"], date.fromisoformat(data["today"]),
                   date.fromisoformat(data["reply_by"]) if data["reply_by"] else None,
                   Path(data["workbook"]) if data["workbook"] else None,
                   [BodyRound(**body) for body in data["bodies"]], data["missing"])


def round_status(folder: Path, today: date | None = None) -> RoundStatus:
    """Where the round of the packs in `folder` (or of the newest month's packs under it) stands
    as of `today` (default: today)."""
    folder = newest_round(Path(folder))
    today = today or date.today()
    packs = read_sent(folder)
    if not packs:
        raise PlanError(folder, "holds no packs plantools made (no sent.json): give the folder that "
                                "plantools monthly or packs wrote, e.g. packs\\2018-11")
    recorded = read_round(folder)
    newest = max(packs.values(), key=lambda p: p.made)
    known = recorded or Round(newest.month, None, _beside(folder, newest.plan))
    latest: dict[str, SentPack] = {}
    for pack in sorted(packs.values(), key=lambda p: p.made):  # a pack remade (--force) replaces the earlier
        if pack.month == known.month:
            latest[pack.body] = pack
    returns = read_returns_ledger(known.workbook) if known.workbook and known.workbook.is_file() else []
    sent = read_sent_ledger(folder)
    chased = read_sent_ledger(folder, CHASED)
    bodies = [_body(pack, known.month, sent, chased, returns) for pack in latest.values()]
    return RoundStatus(folder, known.month, today, known.reply_by, known.workbook, bodies,
                       _missing(folder, recorded, known.workbook))


def newest_round(folder: Path) -> Path:
    """`folder` itself when it holds packs; given the folder of every month's packs ('packs',
    as a scheduled task is), its newest month's ('packs/2018-11')."""
    if (folder / SENT_RECORD).is_file() or not folder.is_dir():
        return folder
    months = sorted(p for p in folder.iterdir() if MONTH.match(p.name) and (p / SENT_RECORD).is_file())
    return months[-1] if months else folder


def _beside(folder: Path, name: str) -> Path | None:
    """An older folder's workbook: where monthly puts the packs, 'packs/<month>' beside it."""
    path = folder.resolve().parent.parent / name
    return path if path.is_file() else None


def _missing(folder: Path, recorded: Round | None, workbook: Path | None) -> str:
    if recorded is None:
        found = f"its workbook was found at {workbook}" if workbook else "and its workbook was not found beside it"
        return (f"{folder / 'sent.json'} was made before plantools recorded the reply-by date and the shared workbook: "
                f"no days left or late are shown, {found}; make the packs again to record them")
    if workbook is None or not workbook.is_file():
        return f"the shared workbook recorded for these packs, {workbook}, is not there: no returns are shown"
    return ""


def _body(pack: SentPack, month: str, sent: list, chased: list, returns: list[dict[str, str]]) -> BodyRound:
    draft = Path(pack.file).with_suffix(".eml").name.casefold()
    delivered = [e for e in sent if e.draft.casefold() == draft and e.result == SENT]
    prefix = f"{Path(pack.file).stem} reminder ".casefold()
    first: dict[str, str] = {}  # each reminder that went: when it first reached anyone
    for entry in chased:
        if entry.draft.casefold().startswith(prefix) and entry.result == SENT:
            first.setdefault(entry.draft.casefold(), entry.at)
    reminders = sorted(first.values())
    rows = [r for r in returns if r.get("month") == month and _names(r.get("body", ""), pack.body)]
    found = BodyRound(pack.body, pack.file, NOT_SENT, delivered[0].at if delivered else "",
                      list(dict.fromkeys(e.recipient for e in delivered)), reminded=reminders)
    if rows:
        found.returned_on = min(r.get("when", "") for r in rows)
        found.applied = sum(r.get("result") == APPLIED for r in rows)
        found.conflicts = _waiting(rows)
        found.state = TO_RESOLVE if found.conflicts else RETURNED
    elif delivered:
        found.state = OUTSTANDING
    return found


def _names(recorded: str, body: str) -> bool:
    """Whether a ledger row's body is `body`: a conflict between two bodies names both."""
    return recorded == body or body in (part.strip() for part in recorded.split(", "))


def _waiting(rows: list[dict[str, str]]) -> list[str]:
    """Conflicts and bad values that no later row settled (the cell applied, or found already
    in the workbook when the same return was collected again)."""
    waiting: dict[tuple[str, str], None] = {}  # in the order found
    for row in rows:  # in the order written
        key = (row.get("ref", ""), row.get("field", ""))
        result = row.get("result", "")
        if result.startswith(WAITS):
            waiting[key] = None
        elif result in (APPLIED, ALREADY):
            waiting.pop(key, None)
    return [" ".join(filter(None, key)) for key in waiting]


def day_of(at: str) -> date | None:
    """'2018-12-03T10:04:00' -> 3 Dec 2018; None when it is no such time."""
    try:
        return datetime.fromisoformat(at).date()
    except ValueError:
        return None


def latest_round(folders: list[Path]) -> ReturnsRound | None:
    """The round of the first of `folders` whose packs went out (send's ledger is there), as
    the copy's Highlights tell the board; None when none did."""
    for folder in folders:
        if not (folder / SENT_LEDGER).is_file():
            continue
        status = round_status(folder)
        sent = [b for b in status.bodies if b.state != NOT_SENT]
        if sent:
            return ReturnsRound(status.month, sum(bool(b.returned_on) for b in sent), len(sent), status.reply_by,
                                [(b.body, day_of(b.sent_on)) for b in sent if b.state == OUTSTANDING])
    return None
