"""One workbook per governance body, an email draft beside each, and a manifest.

A pack is built fresh from that body's actions, never copied from the shared workbook, so
nothing else travels: not the risk log, hidden sheets, other bodies' actions, comments,
defined names or document properties of the shared workbook.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

from . import rag
from .errors import PlanError
from .model import Action, Plan
from .months import check_month, label, month_end
from .overdue import is_overdue
from .sheets import ALWAYS_PRINTED, FONT_SIZE, key_sheet, plan_columns, write_plan_sheet
from .stages import stage
from .workbook import Formats, atomic_file, write_workbook

UNASSIGNED = "Unassigned (names no known body)"
# the copy's columns but the action key, which is the consolidated copies' own bookkeeping
PACK_LEAVES_OUT = ("key",)
MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ["body", "email", "pack", "draft", "actions", "red", "amber", "overdue", "refs", "status"]
READY, NO_EMAIL, NO_ACTIONS = "ready to send", "no email address: add one on the Governance sheet", "no actions"


@dataclass
class Pack:
    body: str
    emails: tuple[str, ...]
    actions: list[Action]
    as_of: date
    workbook: Path | None = None
    draft: Path | None = None
    status: str = READY

    def count(self, status: str) -> int:
        return sum(a.rag == status for a in self.actions)

    @cached_property
    def overdue(self) -> list[Action]:
        return [a for a in self.actions if is_overdue(a, self.as_of)]


@dataclass
class PackRun:
    folder: Path
    month: str
    packs: list[Pack] = field(default_factory=list)
    unassigned: list[Action] = field(default_factory=list)
    manifest: Path | None = None
    paper: str = "A4"
    extra_columns: list[str] = field(default_factory=list)  # the plan's (see Plan.extra_columns)


def file_name(body: str, month: str, suffix: str) -> str:
    """'<body> <month>.xlsx', safe as a Windows file name."""
    name = re.sub(r'[<>:"/\\|?*\x00-\x1f]+', "-", body).strip(" .") or "body"
    if re.fullmatch(r"(con|prn|aux|nul|com\d|lpt\d)", name, re.IGNORECASE):
        name += "_"
    return f"{name[:120]} {month}{suffix}"


def make_packs(plan: Plan, month: str, out: Path, today: date | None = None, force: bool = False,
               sender: str = "", paper: str = "A4") -> PackRun:
    """Write every body's pack and draft into `out`, then the manifest (paper: "A4" or "A3")."""
    run = plan_packs(plan, month, out, today, force, paper)
    with stage("write packs"):
        write_packs(run, plan.title, sender)
    return run


def plan_packs(plan: Plan, month: str, out: Path, today: date | None = None, force: bool = False,
               paper: str = "A4") -> PackRun:
    """Who gets which actions, under which file names: everything but the writing."""
    check_month(month)
    as_of = today or min(date.today(), month_end(month))
    out = Path(out)
    if (out / MANIFEST).exists() and not force:
        raise PlanError(out / MANIFEST, f"packs for {month} are already in this folder: use --force to remake them")
    run = PackRun(out, month, manifest=out / MANIFEST, paper=paper, extra_columns=list(plan.extra_columns))
    names = [b.name for b in plan.bodies] or sorted({n for a in plan.actions for n in a.bodies})
    emails = {b.name: b.emails for b in plan.bodies}
    members: dict[str, list[Action]] = {name: [] for name in names}
    for action in plan.actions:
        for name in action.bodies:
            if name in members:
                members[name].append(action)
    for name in names:
        pack = Pack(name, emails.get(name, ()), members[name], as_of)
        run.packs.append(pack)
        if not pack.actions:
            pack.status = NO_ACTIONS
            continue
        pack.workbook = out / file_name(name, month, ".xlsx")
        if not pack.emails:
            pack.status = NO_EMAIL
            continue
        pack.draft = out / file_name(name, month, ".eml")
    run.unassigned = [a for a in plan.actions if not a.bodies]
    return run


def write_packs(run: PackRun, plan_title: str, sender: str = "") -> None:
    """Write the packs, drafts and manifest that plan_packs decided."""
    from .mail import draft_message

    for pack in run.packs:
        if pack.workbook:
            write_pack(pack, plan_title, run)
        if pack.draft:
            with atomic_file(pack.draft) as temp:
                temp.write_bytes(draft_message(pack, plan_title, run.month, sender))
    with atomic_file(run.manifest) as temp:
        temp.write_text(manifest_text(run), encoding="utf-8-sig", newline="")  # Excel reads the BOM as UTF-8


def write_pack(pack: Pack, plan_title: str, run: PackRun) -> None:
    if pack.workbook:
        write_workbook(pack.workbook, lambda book: _pack_sheets(book, pack, plan_title, run))


def _pack_sheets(book, pack: Pack, plan_title: str, run: PackRun) -> None:
    formats = Formats(book, FONT_SIZE)
    month = label(run.month)
    book.set_properties({"title": f"{pack.body}: business plan actions, {month}", "author": "plantools"})
    columns = plan_columns(pack.actions, run.extra_columns, run.paper, leave_out=PACK_LEAVES_OUT,
                           always=(*ALWAYS_PRINTED, "progress"))
    write_plan_sheet(
        book, formats, f"{plan_title} – {pack.body} – {month}",
        f"The {len(pack.actions)} actions that {pack.body} oversees. Please update the RAG and the "
        f"progress of each, and return this workbook to the Business Support Unit.",
        pack.actions, run.month, pack.as_of, f"{pack.body} – {plan_title}", columns, run.paper,
    )
    key_sheet(book, formats, f"{pack.body} – {plan_title}", run.month)


def manifest_text(run: PackRun) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(MANIFEST_COLUMNS)
    for pack in run.packs:
        writer.writerow(csv_safe([
            pack.body, "; ".join(pack.emails), pack.workbook.name if pack.workbook else "",
            pack.draft.name if pack.draft else "", len(pack.actions), pack.count(rag.RED), pack.count(rag.AMBER),
            len(pack.overdue), " ".join(a.ref for a in pack.actions), pack.status,
        ]))
    if run.unassigned:
        writer.writerow(csv_safe([UNASSIGNED, "", "", "", len(run.unassigned), "", "", "",
                                  " ".join(a.ref for a in run.unassigned), "in no pack: see plantools check"]))
    return buffer.getvalue()


def csv_safe(values: list) -> list:
    """Text that Excel would run as a formula when it opens the CSV ("=...", "+...", "-...",
    "@...") gets a leading apostrophe, so it shows as the text it is."""
    return [f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v for v in values]


def summary_lines(run: PackRun) -> list[str]:
    lines = []
    for pack in run.packs:
        where = pack.draft.name if pack.draft else pack.workbook.name if pack.workbook else "-"
        lines.append(f"{pack.body}: {_actions(len(pack.actions))}, {where} ({pack.status})")
    if run.unassigned:
        lines.append(f"{UNASSIGNED}: {_actions(len(run.unassigned))} in no pack "
                     f"({' '.join(a.ref for a in run.unassigned)}): see plantools check")
    lines.append(f"wrote {run.manifest}")
    return lines


def _actions(count: int) -> str:
    return f"{count} action{'s' * (count != 1)}"
