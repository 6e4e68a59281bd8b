"""One workbook per governance body, an email draft beside each, and a manifest.

A pack is built fresh from that body's actions, never copied from the shared workbook, so
nothing else travels: not the risk log, hidden sheets, other bodies' actions, comments,
defined names or document properties of the shared workbook.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Callable

from plantools.errors import PlanError
from plantools.options import Mail, RunOptions
from plantools.packs.form import write_return_sheet
from plantools.packs.sent import action_record, new_pack_id, pack_text, read_sent, round_record, write_sent
from plantools.paper.formats import Formats, write_workbook
from plantools.paper.plansheet import FONT_SIZE, PlanLayout, plan_columns, write_plan_sheet
from plantools.plan import rag
from plantools.plan.model import Action, Plan, return_key
from plantools.plan.months import check_month, label, month_end
from plantools.plan.overdue import is_overdue
from plantools.terminal import clean
from plantools.xlsx.csvfiles import csv_safe
from plantools.xlsx.files import atomic_file, make_folder, open_in_excel, owner_file, temp_name, write_error
from plantools.xlsx.gcpause import gc_paused
from plantools.xlsx.ledger import Ledger

UNASSIGNED = "Unassigned (names no known body)"
# the copy's columns but the action key, which is the consolidated copies' own bookkeeping
PACK_LEAVES_OUT = ("key",)
MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ["body", "email", "pack", "draft", "actions", "red", "amber", "overdue", "refs", "status",
                    "pack_id", "pack_sha256", "draft_sha256"]  # what plantools wrote: a file with other bytes is not its own
READY, NO_EMAIL, NO_ACTIONS = "ready to send", "no email address: add one on the Governance sheet", "no actions"
TO_OPEN = "ready to open in Outlook"  # a draft without a sender: Outlook fills in the officer's own


@dataclass
class Pack:
    body: str
    emails: tuple[str, ...]
    actions: list[Action]
    as_of: date
    workbook: Path | None = None
    draft: Path | None = None
    status: str = READY
    id: str = field(default_factory=new_pack_id)  # in its record sheet, the manifest and sent.json

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
    hashes: dict[str, str] = field(default_factory=dict)  # file name -> sha256 of what was written
    paper: str = "A4"
    extra_columns: list[str] = field(default_factory=list)  # the plan's (see Plan.extra_columns)
    plan_file: str = ""  # the shared workbook's file name, which returned packs are matched against
    last_saved: bool = False  # the workbook was open in Excel: read as last saved (the drafts say so)
    plan_path: Path | None = None  # the shared workbook, in full: the round's status finds its returns.csv
    reply_by: date | None = None  # the drafts' reply-by date, as the jobs settled it


_NOT_IN_NAMES = re.compile(r'[<>:"/\\|?*]')  # what Windows refuses in a file name
_RESERVED = re.compile(r"(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\s*\..*)?", re.IGNORECASE)
MAX_STEM_BYTES = 150  # a file name may have 255; room for the month, the suffix and '~$'


def safe_stem(body: str) -> str:
    """A body's name as the start of a file name on any disk: no line breaks, control or
    invisible characters, none that Windows refuses, no leading or trailing dot or space,
    not a reserved device name (CON, NUL...), not too long."""
    text = " ".join(clean(unicodedata.normalize("NFC", body)).split())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")  # bidi overrides, zero widths
    text = _NOT_IN_NAMES.sub("-", text)
    text = text.encode("utf-8")[:MAX_STEM_BYTES].decode("utf-8", "ignore").strip(" .")
    if _RESERVED.fullmatch(text):
        text = "_" + text
    return text or "body"


def file_stems(bodies: list[str]) -> dict[str, str]:
    """Each body's file name stem, distinct from every other's even where case does not count
    (Windows, macOS): bodies whose names come out the same ("A/B Group", "A:B Group"; "QA
    Sub-Group", "qa sub-group") each get a short mark made from the exact name, so that the
    same body gets the same file name every month, whichever others there are."""
    stems = {body: safe_stem(body) for body in bodies}
    alike: dict[str, list[str]] = defaultdict(list)
    for body, stem in stems.items():
        alike[stem.casefold()].append(body)
    for same in alike.values():
        if len(same) > 1:
            for body in same:
                stems[body] += f" ({hashlib.sha256(body.encode('utf-8')).hexdigest()[:6]})"
    taken: set[str] = set()
    for body, stem in stems.items():  # a marked name that is also another body's own name
        number, unique = 2, stem
        while unique.casefold() in taken:
            unique, number = f"{stem} ({number})", number + 1
        taken.add(unique.casefold())
        stems[body] = unique
    return stems


def plan_packs(plan: Plan, month: str, out: Path, options: RunOptions = RunOptions(), sender: str = "") -> PackRun:
    """Who gets which actions, under which file names, and whether they may be written:
    everything but the writing. A draft is ready to send with a sender, else to open in Outlook."""
    from plantools.packs.drafts import valid_address

    check_month(month)
    as_of = options.today or min(date.today(), month_end(month))
    out = Path(out)
    run = PackRun(out, month, manifest=out / MANIFEST, paper=options.paper, extra_columns=list(plan.extra_columns),
                  plan_file=plan.path.name, last_saved=plan.open_in_excel, plan_path=Path(os.path.abspath(plan.path)))
    # a body on two Governance rows is one body: one pack, to all its addresses
    names = list(dict.fromkeys(b.name for b in plan.bodies)) or sorted({n for a in plan.actions for n in a.bodies})
    emails: dict[str, tuple[str, ...]] = defaultdict(tuple)
    for body in plan.bodies:
        emails[body.name] += tuple(e for e in body.emails if e not in emails[body.name])
    stems = file_stems(names)
    members: dict[str, list[Action]] = {name: [] for name in names}
    for action in plan.actions:
        for name in dict.fromkeys(action.bodies):
            if name in members:
                members[name].append(action)
    for name in names:
        pack = Pack(name, emails.get(name, ()), members[name], as_of)
        run.packs.append(pack)
        if not pack.actions:
            pack.status = NO_ACTIONS
            continue
        pack.workbook = out / f"{stems[name]} {month}.xlsx"
        if not pack.emails:
            pack.status = NO_EMAIL
            continue
        wrong = [email for email in pack.emails if not valid_address(email)]
        if wrong:  # found now, not when the mail is refused: no draft, and the manifest says why
            pack.status = f"'{wrong[0]}' is not an email address: correct it on the Governance sheet"
            continue
        pack.draft = out / f"{stems[name]} {month}.eml"
        pack.status = READY if sender else TO_OPEN
    run.unassigned = [a for a in plan.actions if not a.bodies]
    check_targets(run, plan.path, options.force)
    return run


def check_targets(run: PackRun, shared: Path, force: bool) -> None:
    """Refuse, before anything is written, to write over what is not plantools' own. Its own
    are the files the folder's manifest lists with the same sha256; anything else of the same
    name (a returned pack, a workbook staff saved there) is replaced only with --force. The
    shared workbook itself, and a file open in Excel, are never replaced."""
    manifest = run.folder / MANIFEST
    read_sent(run.folder)  # a record of earlier packs that cannot be added to refuses the run now
    ours = _written_before(manifest)
    foreign = None
    for path in [manifest, *_targets(run)]:
        if not path.exists():
            continue
        if path.is_dir():
            raise PlanError(path, "is a folder: nothing can be written under its name; move it or give another --out")
        if Path(shared).exists() and os.path.samefile(path, shared):
            raise PlanError(path, "is the shared workbook itself: packs are never written over it; give another --out")
        if owner_file(path):
            raise open_in_excel(path)
        if not force and foreign is None and path != manifest and not _same(ours.get(path.name.casefold()), path):
            foreign = path
    if force:
        return
    if foreign:
        raise PlanError(foreign, "is already here and plantools did not write it (a returned pack?): "
                                 "move it, or use --force to replace it")
    if manifest.exists():
        raise PlanError(manifest, f"packs for {run.month} are already in this folder: use --force to remake them")


def _targets(run: PackRun) -> list[Path]:
    return [path for pack in run.packs for path in (pack.workbook, pack.draft) if path is not None]


def _written_before(manifest: Path) -> dict[str, str]:
    """File name (case folded) -> sha256, as the folder's manifest records what plantools wrote."""
    try:
        rows = Ledger(manifest, MANIFEST_COLUMNS).rows()
    except (OSError, csv.Error):
        return {}
    return {row[name].casefold(): row.get(f"{name}_sha256") or "" for row in rows for name in ("pack", "draft")
            if row.get(name)}


def _same(recorded: str | None, path: Path) -> bool:
    """Whether `path` is as plantools wrote it: listed with the same sha256 (or listed by a
    manifest from before plantools recorded sha256s)."""
    return recorded is not None and (recorded == "" or recorded == _sha256(path))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def make_staging(run: PackRun) -> Path:
    """A hidden folder inside the packs folder that the packs are written into first, then
    moved from into place (a rename on the same disk) once every one is written. Making it
    is also the test that the folder can be written at all."""
    make_folder(run.folder)
    staging = run.folder / temp_name(".staging")
    try:
        staging.mkdir()
    except OSError as exc:
        raise PlanError(run.folder, write_error(staging, exc).message) from None  # named by the folder itself
    return staging


@dataclass
class Written:
    """What one process wrote of a run's packs: the packs (their ids), each file's sha256 (file
    name -> sha256) and each pack's record of what was sent (pack id -> sent.pack_text)."""

    packs: set[str] = field(default_factory=set)
    hashes: dict[str, str] = field(default_factory=dict)
    records: dict[str, str] = field(default_factory=dict)

    def update(self, other: Written) -> None:
        self.packs |= other.packs
        self.hashes.update(other.hashes)
        self.records.update(other.records)


def write_packs(run: PackRun, plan_title: str, staging: Path, mail: Mail = Mail(),
                which: Callable[[Pack], bool] | None = None, backwards: bool = False) -> Written:
    """Write the packs and drafts that plan_packs decided into `staging`, under their own names,
    and make each pack's record of what was sent: every pack, or each that `which` takes when it
    is reached (two processes sharing the packs take turns so), in the run's order or backwards."""
    from plantools.packs.drafts import draft_message

    written = Written()
    try:
        for pack in reversed(run.packs) if backwards else run.packs:
            if which and not which(pack):
                continue
            staged = replace(pack, workbook=pack.workbook and staging / pack.workbook.name,
                             draft=pack.draft and staging / pack.draft.name)
            if staged.workbook:
                write_pack(staged, plan_title, run)
                written.hashes[staged.workbook.name] = _sha256(staged.workbook)
                with gc_paused():  # a record of every action sent: no cycles among them
                    written.records[pack.id] = pack_text(_sent_record(run, pack, written.hashes))
            if staged.draft:
                with atomic_file(staged.draft) as temp:
                    temp.write_bytes(draft_message(staged, plan_title, run.month, mail, run.last_saved))
                written.hashes[staged.draft.name] = _sha256(staged.draft)
            written.packs.add(pack.id)
    except PlanError as error:  # said of the file or folder it is about, not of the staging folder
        where = run.folder if error.path in (staging, staging / "-") else run.folder / error.path.name
        raise PlanError(where, error.message, error.sheet, error.cell) from None
    return written


def taken_in_turn(staging: Path) -> Callable[[Pack], bool]:
    """For write_packs in two processes at once: a pack is taken by the first to reach it (its
    claim, a file made in the staging folder only if none is there)."""
    def take(pack: Pack) -> bool:
        try:
            (staging / f"{pack.id}.taken").open("x").close()
        except FileExistsError:
            return False
        return True
    return take


def publish(run: PackRun, staging: Path, written: Written) -> None:
    """Move the staged packs into place, the drafts last, then write the record of what was sent
    (sent.json, which collect trusts) and the manifest with the sha256 of each file. If a move
    or a write fails, the drafts already moved are taken away again, so that nothing is left
    ready to send."""
    run.hashes.update(written.hashes)
    moved: list[Path] = []
    try:
        for target in sorted(_targets(run), key=lambda path: path.suffix == ".eml"):
            try:
                os.replace(staging / target.name, target)
            except OSError as exc:
                raise write_error(target, exc, replacing=True) from None
            moved.append(target)
        records = {pack.id: written.records[pack.id] for pack in run.packs if pack.id in written.records}
        write_sent(run.folder, records, round_record(run.month, run.reply_by, run.plan_path))
        Ledger(run.folder / MANIFEST, MANIFEST_COLUMNS).replace(manifest_rows(run))
    except PlanError:
        for path in moved:
            if path.suffix == ".eml":
                path.unlink(missing_ok=True)
        raise


def _sent_record(run: PackRun, pack: Pack, hashes: dict[str, str]) -> dict:
    assert pack.workbook is not None
    return {"id": pack.id, "body": pack.body, "plan": run.plan_file, "month": run.month, "file": pack.workbook.name,
            "sha256": hashes.get(pack.workbook.name, ""), "made": datetime.now().isoformat(timespec="seconds"),
            "actions": [action_record(return_key(action), action) for action in pack.actions]}


def write_pack(pack: Pack, plan_title: str, run: PackRun) -> None:
    if pack.workbook:
        write_workbook(pack.workbook, lambda book: _pack_sheets(book, pack, plan_title, run))


def _pack_sheets(book, pack: Pack, plan_title: str, run: PackRun) -> None:
    formats = Formats(book, FONT_SIZE)
    month = label(run.month)
    book.set_properties({"title": f"{pack.body}: business plan actions, {month}", "author": "plantools"})
    columns = plan_columns(pack.actions, run.extra_columns, run.paper, leave_out=PACK_LEAVES_OUT, form=True)
    layout = PlanLayout(
        f"{plan_title} – {pack.body} – {month}",
        f"The {len(pack.actions)} actions that {pack.body} oversees. Please update the shaded cells: "
        f"the RAG and the progress of each, and a new deadline where you propose one; then return this "
        f"workbook to the Business Support Unit.",
        f"{pack.body} – {plan_title}", columns, run.paper, form=True,
    )
    write_plan_sheet(book, formats, layout, pack.actions, run.month, pack.as_of)
    write_return_sheet(book, run.plan_file, run.month, pack.body, pack.id)


def manifest_rows(run: PackRun) -> list[list]:
    """The manifest's rows: one per pack, and one for the actions in no pack."""
    rows = []
    for pack in run.packs:
        rows.append(csv_safe([
            pack.body, "; ".join(pack.emails), pack.workbook.name if pack.workbook else "",
            pack.draft.name if pack.draft else "", len(pack.actions), pack.count(rag.RED), pack.count(rag.AMBER),
            len(pack.overdue), " ".join(a.ref for a in pack.actions), pack.status, pack.id if pack.workbook else "",
            run.hashes.get(pack.workbook.name, "") if pack.workbook else "",
            run.hashes.get(pack.draft.name, "") if pack.draft else "",
        ]))
    if run.unassigned:
        rows.append(csv_safe([UNASSIGNED, "", "", "", len(run.unassigned), "", "", "",
                              " ".join(a.ref for a in run.unassigned), "in no pack: see plantools check", "", "", ""]))
    return rows
