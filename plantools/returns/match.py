"""Fold the sub-groups' returned packs back into the shared workbook.

Nothing a returned file says about itself is trusted. Its pack id (on its hidden record sheet)
finds plantools' own record of the pack (plantools.packs.sent, beside the packs' manifest): the body
the changes are credited to, the actions the pack was sent with and their values then are the
record's. A row is matched to its action by its return key, and what the sub-group changed is
read against what was sent. Each change is then checked and placed:
- a RAG must be a RAG word (or one of the workbook's own key); a proposed deadline must read
  as a date. A bad value is reported at the return's file, sheet and cell;
- the action is found in the shared workbook as it is now, by what it says (rows may have been
  sorted, inserted or deleted since), and the change is written into its cell;
- a conflict is reported, and nothing written for it, when a row's return key is none the pack
  was sent with, the action is overseen by another body in the shared workbook now, the
  workbook's cell has changed since the pack was made, two bodies' returns disagree on one
  action, the cell is a formula or a merged range covering several actions, or the action is gone;
- a proposed deadline is never written: deadlines are the board's decision. It is listed for
  the officer, recorded, and shown in next month's Exceptions.

`collect(..., write=False)` writes nothing; with write=True the changed cells (and only those)
are written through plantools.returns.cells.write_cells_into, and every decision is added to the
ledger, returns.csv beside the workbook. Collecting a return twice changes nothing.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from plantools.copy.changes import match
from plantools.errors import PlanError
from plantools.plan import rag
from plantools.plan.columns import LABELS, PROPOSED_DEADLINE, RETURN_KEY
from plantools.plan.deadlines import DATE, ONGOING, parse_deadline
from plantools.plan.model import Action, Plan
from plantools.plan.months import uk_date
from plantools.returns import ledger
from plantools.returns.ledger import LEDGER, MAX_FIELD
from plantools.returns.read import Returned, Row, cell_text, read_return
from plantools.text import fit_cell, short
from plantools.xlsx.files import atomic_file, is_owner_file, open_in_excel
from plantools.xlsx.lock import writer_lock


@dataclass
class Edit:
    """A cell to write: the action's cell in the shared workbook, and where the value came from."""
    sheet: str
    cell: str
    ref: str
    field: str
    old: str
    new: str
    bodies: list[str]
    sources: list[str]  # 'file, sheet Plan, cell H7' for each return that asks for it


@dataclass
class Item:
    """A change that is not written: a conflict, a bad value, a proposal, or one already there."""
    kind: str  # "conflict", "bad value", "proposed", "already"
    ref: str
    field: str
    new: str
    body: str
    where: str  # the return's file, sheet and cell
    message: str
    sheet: str = ""
    cell: str = ""
    old: str = ""


@dataclass
class Collection:
    workbook: Path
    sha256: str
    month: str
    edits: list[Edit] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # rows added to or deleted from a return
    # a return with nothing new, in one line each: 'came back unchanged', 'already collected on ...'
    settled: list[str] = field(default_factory=list)
    unchanged: list[Returned] = field(default_factory=list)  # recorded in the ledger as such
    written: bool = False
    backup: Path | None = None

    def of(self, kind: str) -> list[Item]:
        return [item for item in self.items if item.kind == kind]


def collect(returns: list[Path | str], into: Path | str, write: bool = False,
            backup_dir: Path | None = None, packs_dir: Path | None = None) -> Collection:
    """What the returned packs change in `into` (the shared workbook), written only when
    `write`. The record of what was sent is read from `packs_dir` (default: 'packs/<month>'
    beside the workbook, where `packs` puts them). Raises PlanError (nothing written) for a
    file that is no returned pack, a pack with no record, one of another plan or month, the
    workbook open in Excel or changed since the dry run, or being written by another run."""
    from plantools.xlsx.sniff import refuse_unless_xlsx

    into = Path(into)
    if not into.is_file():
        raise PlanError(into, "does not exist: give the shared workbook the packs were made from with --into; "
                              "nothing was written")
    refuse_unless_xlsx(into, "collect writes the returns", "make the packs again from it (a pack is folded back "
                       "only into the workbook it was made from)")
    if not write:
        return _collect(returns, into, write, backup_dir, packs_dir)
    with writer_lock(into, "collect"):  # one writer at a time, from the first read to the replace
        pause_for_tests("locked")
        return _collect(returns, into, write, backup_dir, packs_dir)


def _collect(returns: list[Path | str], into: Path, write: bool, backup_dir: Path | None,
             packs_dir: Path | None) -> Collection:
    from plantools.read.workbook import load_plan
    from plantools.xlsx.files import is_open_in_excel
    from plantools.xlsx.replace import file_sha256

    if write:
        ledger.check_writable(ledger.ledger_path(into))
        ledger.settle(into)  # what a stopped run left unconfirmed, before anything else
    before = ledger.read_returns_ledger(into)  # read first: a ledger that cannot be read stops the run here
    said = {tuple(row.get(c, "") for c in ledger.COLUMNS[1:11]) for row in before}
    # Excel's owner files ('~$Policy return.xlsx', beside a return still open) come with a *.xlsx
    owners = [Path(path) for path in returns if is_owner_file(Path(path))]
    packs = [pack for path in returns if Path(path) not in owners for pack in read_return(path)]
    if not packs:
        raise PlanError(Path(returns[0]) if returns else Path("."), "no returned packs given"
                        + (" (only Excel's owner files '~$...', of workbooks open in Excel)" if owners else ""))
    _trust(packs, into, packs_dir)
    packs, twice = _once(packs)
    _same_plan_and_month(packs, into)
    sha = file_sha256(into)
    plan = load_plan(into)
    result = Collection(into, sha, packs[0].month, notes=twice + [
        f"{owner.name} is Excel's owner file of a workbook open in Excel, no return: left out" for owner in owners])
    wanted: dict[tuple[str, str], list[Edit]] = {}
    for pack in packs:
        counts = len(result.notes), len(result.items), sum(map(len, wanted.values()))
        _notes(pack, result)
        found = _find(pack, plan)
        for key, row in pack.rows.items():
            sent = pack.sent.get(key)
            if sent is None:
                result.items.append(Item("conflict", row.shown.get("ref", ""), RETURN_KEY.label, key, pack.body,
                                         f"{pack.path.name}, sheet {pack.sheet}, cell {row.key_column}{row.cell_row}",
                                         "this row's return key is none of the actions the pack was sent with "
                                         "(a row or key typed in?): nothing written for it"))
                continue
            why = _not_its_row(pack, row, sent)
            if why:
                result.items.append(Item("conflict", sent.ref, RETURN_KEY.label, key, pack.body,
                                         f"{pack.path.name}, sheet {pack.sheet}, row {row.cell_row}", why))
                continue
            for name in ("rag", "progress", "proposed"):
                if name in row.values:
                    _change(pack, row, name, sent, found.get(key), plan, result, wanted)
        if counts[0] == len(result.notes) and counts[2] == sum(map(len, wanted.values())):
            _nothing_new(pack, result, counts[1], said, before)
    result.edits = _agree(wanted, result)
    _refuse_unwritable(result, into)
    if write:
        _write(result, into, backup_dir, said)
    else:
        _remember_dry_run(result)
        stopped = sum(row.get("result") == ledger.INTENT for row in before)
        if stopped:
            result.notes.append(f"{LEDGER}: a collect was stopped before it said what became of {stopped} "
                                "cell(s): the next collect --yes records it, from the workbook as it is")
        if result.edits and is_open_in_excel(into):
            result.notes.append(f"{into.name} is open in Excel (its owner file ~$ is beside it): "
                                "close it before adding --yes")
    return result


def _trust(packs: list[Returned], into: Path, packs_dir: Path | None) -> None:
    """Each return's plan, month, body and actions as sent, from plantools' record of the pack
    its pack id names, in place of what the return says of itself."""
    from plantools.bundled import packs_folder
    from plantools.packs.sent import SENT, read_sent

    records: dict[Path, dict] = {}
    for pack in packs:
        if not pack.pack_id:
            raise PlanError(pack.path, "is a pack made before plantools kept its own record of what it sent, so "
                                       "what it may change cannot be checked: make the packs again (plantools "
                                       "packs --force) and send those; nothing was written")
        folder = Path(packs_dir) if packs_dir else packs_folder(into, pack.month)
        if folder not in records:
            records[folder] = read_sent(folder)
        record = records[folder].get(pack.pack_id)
        if record is None:
            raise PlanError(pack.path, f"is a pack that {folder / SENT} has no record of (made with --out into "
                                       "another folder? Give that folder with --packs); nothing was written")
        pack.plan_file, pack.month, pack.body, pack.sent = record.plan, record.month, record.body, record.actions
        pack.missing = [key for key in pack.sent if key not in pack.rows]


def _same_plan_and_month(packs: list[Returned], into: Path) -> None:
    for pack in packs:
        if pack.plan_file.casefold() != into.name.casefold():
            raise PlanError(pack.path, f"is a pack of '{pack.plan_file}', not of '{into.name}': "
                                       "give that workbook with --into; nothing was written")
    months = sorted({pack.month for pack in packs})
    if len(months) > 1:
        odd = next(pack for pack in packs if pack.month == months[0])
        raise PlanError(odd.path, f"is a pack for {months[0]}, the others for {months[-1]}: collect one "
                                  "month's returns at a time; nothing was written")


def _once(packs: list[Returned]) -> tuple[list[Returned], list[str]]:
    """Each return counted once: the same file given twice, or a mail and the pack saved
    from it, say the same thing (the same body's pack with the same values)."""
    seen: dict[tuple, Returned] = {}
    notes = []
    for pack in packs:
        said = (pack.body, pack.month, tuple(sorted((key, tuple(sorted((name, cell_text(value)) for name, value
                                                                      in row.values.items())))
                                                    for key, row in pack.rows.items())))
        if said in seen:
            notes.append(f"{pack.path.name} says the same as {seen[said].path.name} (both from {pack.body}): "
                         "counted once")
        else:
            seen[said] = pack
    return list(seen.values()), notes


def _not_its_row(pack: Returned, row: Row, sent: Action) -> str:
    """Why a returned row cannot be trusted to be the action its return key says, or ''."""
    if pack.repeated.get(row.key):
        rows = " and ".join(str(number) for number in pack.repeated[row.key])
        return (f"rows {rows} carry the same return key (a row copied?): which is {sent.ref or 'the action'} "
                "cannot be told; nothing written for it")
    for name, label in (("ref", "Ref"), ("action", "Action")):
        said, was = row.shown.get(name), sent.text(name)
        if said is not None and was and " ".join(said.split()) != " ".join(was.split()):
            return (f"its {label} '{short(said)}' is not the action its return key was sent with "
                    f"('{short(was)}'): was the sheet sorted without its hidden Return key column? Nothing written for it")
    return ""


def _notes(pack: Returned, result: Collection) -> None:
    result.notes += pack.notes
    for number in pack.added:
        result.notes.append(f"{pack.path.name}, sheet {pack.sheet}, row {number}: a row added in the return "
                            "is no action of the pack: add new actions in the shared workbook; left out")
    for label in pack.no_column:
        result.notes.append(f"{pack.path.name}, sheet {pack.sheet}: no '{label}' column (renamed or deleted?): "
                            "nothing read from it")
    for key in pack.missing:
        result.notes.append(f"{pack.path.name}: action {pack.sent[key].ref or key} was deleted from the return: "
                            "nothing changed for it")


def _find(pack: Returned, plan: Plan) -> dict[str, Action]:
    """Return key -> the action in the shared workbook now: matched by what it says, as month
    to month, so a sorted, inserted or renumbered plan still finds it."""
    sent = list(pack.sent.items())
    pairs = match([action for _, action in sent], plan.actions)
    by_sent = {id(old): new for old, new in pairs.values()}
    return {key: by_sent[id(action)] for key, action in sent if id(action) in by_sent}


def _change(pack: Returned, row, name: str, sent: Action, current: Action | None, plan: Plan,
            result: Collection, wanted: dict[tuple[str, str], list[Edit]]) -> None:
    value = row.values[name]
    new = cell_text(value)
    before = "" if name == "proposed" else (sent.rag_text if name == "rag" else sent.progress)
    if new == before or new == fit_cell(before) or (name == "rag" and rag.normalise(new) is not None
                                                    and rag.normalise(new) == rag.normalise(before)):
        return  # not changed by the sub-group (text longer than a cell holds was sent cut, and said so)
    where = f"{pack.path.name}, sheet {pack.sheet}, cell {row.cell(name)}"
    label = LABELS.get(name, PROPOSED_DEADLINE.label)

    def item(kind: str, message: str, **extra) -> None:
        result.items.append(Item(kind, sent.ref, label, new, pack.body, where, message, **extra))

    if fit_cell(before) != before:  # what came back is an edit of part of the note: written, the rest were lost
        at = {"sheet": current.sheet, "cell": current.cell(name)} if current is not None else {}
        item("conflict", f"{label} in the shared workbook is longer than a cell holds and went into the pack cut: "
                         "a change to it is not written, or the rest of the note would be lost; make the change "
                         "in the shared workbook", **at)
        return
    if not new:
        item("bad value", f"{label} cleared in the return: a value is never erased from the shared workbook")
        return
    if len(new) > MAX_FIELD:
        item("bad value", f"{label} is {len(new):,} characters long, more than a cell holds ({MAX_FIELD:,}): "
                          "shorten it and return the pack again")
        return
    if name == "rag":
        status = rag.normalise(value)
        if status is None:
            item("bad value", f"'{new}' is not a RAG: write Red, Amber, Green or Complete (see the Key sheet)")
            return
        new = status
    if current is not None and pack.body not in current.bodies:
        now = ", ".join(current.bodies) or "no body"
        item("conflict", f"{current.sheet}!{current.cell('governance')} now gives this action to {now}, not "
                         f"{pack.body}: a return changes only its own body's actions; nothing written",
             sheet=current.sheet, cell=current.cell(name if name != "proposed" else "deadline"))
        return
    if name == "proposed":
        deadline = parse_deadline(value if not isinstance(value, str) else new)
        if deadline.kind not in (DATE, ONGOING):
            item("bad value", f"proposed deadline '{new}' cannot be read as a date: "
                              + (deadline.note or "write a month and year, e.g. 'March 2019'"))
            return
        # where it would go, for the officer (and to tell actions without a ref apart); the
        # deadline it would replace is the workbook's, said beside the one sent when they differ
        at = {"sheet": current.sheet, "cell": current.cell("deadline")} if current and current.has("deadline") else {}
        was = current.deadline.text if current is not None else sent.deadline.text
        if current is not None and was != sent.deadline.text:
            was += f", sent as {sent.deadline.text or 'none'}"
        item("proposed", f"proposed new deadline for {sent.ref or 'this action'}: {new} (was "
                         f"{was or 'none'}); deadlines are the board's to change, so it is not written",
             old=current.deadline.text if current is not None else sent.deadline.text, **at)
        return
    if current is None:
        item("conflict", "the action is no longer in the shared workbook (deleted, or reworded beyond "
                         "recognition): nothing written")
        return
    if not current.has(name):
        item("conflict", f"the shared workbook's sheet '{current.sheet}' has no {label} column: nothing written")
        return
    now = current.text(name) if name == "progress" else current.rag_text
    cell = current.cell(name)
    if now == new or (name == "rag" and current.rag == new):
        item("already", f"already in the workbook ({cell})", sheet=current.sheet, cell=cell, old=now)
        return
    # a RAG is unchanged when it means the same status: 'G' for Green, the workbook's own key
    # word ('On track'), or the cell's colour when it has no word (current.rag reads all three)
    if now != before and not (name == "rag" and current.rag is not None and current.rag == rag.normalise(before)):
        item("conflict", f"{current.sheet}!{cell} has changed in the shared workbook since the pack was made "
                         f"(now '{short(now)}', sent as '{short(before)}'): nothing written; decide and type it in",
             sheet=current.sheet, cell=cell, old=now)
        return
    if name == "rag" and current.rag_from_fill and not now:
        item("conflict", f"{current.sheet}!{cell} shows its RAG by its colour alone: writing the word would leave "
                         f"it {str(current.rag).lower()}; nothing written; type it in and change the colour",
             sheet=current.sheet, cell=cell, old=current.rag)
        return
    sharing = [a for a in plan.actions if a is not current and a.sheet == current.sheet and a.cell(name) == cell]
    if sharing:
        item("conflict", f"{current.sheet}!{cell} is one merged cell for {len(sharing) + 1} actions: writing it "
                         "would change them all; nothing written", sheet=current.sheet, cell=cell, old=now)
        return
    wanted.setdefault((current.sheet, cell), []).append(
        Edit(current.sheet, cell, current.ref, label, now, new, [pack.body], [where]))


def _agree(wanted: dict[tuple[str, str], list[Edit]], result: Collection) -> list[Edit]:
    """One edit per cell: returns that ask the same agree; returns that differ conflict."""
    edits = []
    for (sheet, cell), asked in wanted.items():
        if len({edit.new for edit in asked}) == 1:
            first = asked[0]
            for other in asked[1:]:
                first.bodies += other.bodies
                first.sources += other.sources
            edits.append(first)
            continue
        for edit in asked:
            result.items.append(Item("conflict", edit.ref, edit.field, edit.new, ", ".join(edit.bodies),
                                     "; ".join(edit.sources), f"the returns disagree on {sheet}!{cell}: "
                                     "nothing written; decide and type it in", sheet, cell, edit.old))
    return edits


def _refuse_unwritable(result: Collection, into: Path) -> None:
    """A formula, an array or another cell the lossless editor will not write: a conflict."""
    from plantools.xlsx.edit import cell_problems

    if not result.edits:
        return
    problems = cell_problems(into, _by_sheet(result.edits))
    keep = []
    for edit in result.edits:
        why = problems.get(edit.sheet, {}).get(edit.cell)
        if why:
            result.items.append(Item("conflict", edit.ref, edit.field, edit.new, ", ".join(edit.bodies),
                                     "; ".join(edit.sources), f"{edit.sheet}!{edit.cell}: {why}; nothing written",
                                     edit.sheet, edit.cell, edit.old))
        else:
            keep.append(edit)
    result.edits = keep


def _by_sheet(edits: list[Edit]) -> dict[str, dict[str, str]]:
    cells: dict[str, dict[str, str]] = {}
    for edit in edits:
        cells.setdefault(edit.sheet, {})[edit.cell] = edit.new
    return cells


def _dry_run_record(workbook: Path) -> Path:
    return workbook.parent / f".~plantools-collect {workbook.name}.json"


def _remember_dry_run(result: Collection) -> None:
    """What the dry run saw, so that --yes refuses a workbook saved since."""
    record = {"sha256": result.sha256}  # no cell's value: the file is as readable as its folder
    try:
        with atomic_file(_dry_run_record(result.workbook)) as temp:
            temp.write_text(json.dumps(record), encoding="utf-8")
    except PlanError:
        pass  # a read-only folder: the dry run still shows what it would write


def _nothing_new(pack: Returned, result: Collection, first: int, said: set[tuple],
                 before: list[dict[str, str]]) -> None:
    """A return that asks to write nothing is said in one line: one that came back as it was
    sent, or one whose every decision the ledger already holds (the same return collected
    again), instead of its 'already' lines and proposals over again."""
    own = result.items[first:]
    if any(item.kind not in ("already", "proposed") for item in own):
        return  # a conflict or a bad value is shown again, until it is dealt with
    if own and _new_rows([["", *row, ""] for row in _item_rows(own, result.month)], said):
        return
    if not own and _new_rows([_unchanged_row(pack, result.month, "", "")], said):
        result.settled.append(f"{pack.path.name}: came back unchanged from {pack.body}: nothing to write")
        result.unchanged.append(pack)
        return
    whens = [row["when"] for row in before if row.get("body") == pack.body
             and (row.get("return") == pack.path.name or row.get("return", "").startswith(pack.path.name + ","))]
    try:
        when = f" on {uk_date(datetime.fromisoformat(min(whens)).date())}"
    except ValueError:
        when = ""
    del result.items[first:]
    result.settled.append(f"{pack.path.name}: already collected{when} (from {pack.body}): nothing new in it")


def _write(result: Collection, into: Path, backup_dir: Path | None, said: set[tuple]) -> None:
    """Write ahead: the ledger's intents synced, then the workbook replaced, then confirmed."""
    from plantools.returns.cells import write_cells_into
    from plantools.xlsx.files import is_open_in_excel

    record = _dry_run_record(into)
    if record.exists():
        try:
            seen = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            seen = {}
        if seen.get("sha256") not in (None, result.sha256):
            raise PlanError(into, "has changed since the dry run (someone saved it): run collect again "
                                  "without --yes to see what it would write now; nothing was written")
    if result.edits and is_open_in_excel(into):
        raise open_in_excel(into, "nothing was written")
    when, run = datetime.now().isoformat(timespec="seconds"), uuid.uuid4().hex[:12]
    items = _new_rows([[when, *row, run] for row in _item_rows(result.items, result.month)]
                      + [_unchanged_row(pack, result.month, when, run) for pack in result.unchanged], said)
    if result.edits:
        ledger.append(into, items + _edit_rows(result, when, run, ledger.INTENT))
        pause_for_tests("intent")
        try:
            written = write_cells_into(into, _by_sheet(result.edits), expected_sha256=result.sha256,
                                       backup_dir=backup_dir)
        except PlanError as refused:  # the intents settled at once, with the reason
            ledger.append(into, _edit_rows(result, when, run, f"{ledger.REFUSED}: {refused.message}"))
            raise
        result.written, result.backup = written.changed, written.backup
        pause_for_tests("replaced")
        ledger.append(into, _edit_rows(result, when, run, ledger.APPLIED if result.written else ledger.ALREADY))
    else:
        ledger.append(into, items)
    record.unlink(missing_ok=True)


def _edit_rows(result: Collection, when: str, run: str, outcome: str) -> list[list]:
    return [[when, source, body, result.month, edit.sheet, edit.cell, edit.ref, edit.field, edit.old, edit.new,
             outcome, run] for edit in result.edits for body, source in zip(edit.bodies, edit.sources)]


def _unchanged_row(pack: Returned, month: str, when: str, run: str) -> list:
    return [when, pack.path.name, pack.body, month, *[""] * 6, ledger.UNCHANGED, run]


def _item_rows(items: list[Item], month: str) -> list[list]:
    """The ledger's columns from 'return' to 'result' for each item."""
    return [[item.where, item.body, month, item.sheet, item.cell, item.ref, item.field, item.old, item.new,
             {"already": ledger.ALREADY, "proposed": ledger.PROPOSED}.get(item.kind, f"{item.kind}: {item.message}")]
            for item in items]


def _new_rows(rows: list[list], said: set[tuple]) -> list[list]:
    """Collecting a return again adds nothing the ledger already says (but the time and run),
    nor 'already in the workbook' for this return's own earlier write."""
    return [row for row in rows if tuple(ledger.bounded_row(row)[1:11]) not in said
            and not (row[10] == ledger.ALREADY and _applied_before(ledger.bounded_row(row), said))]


def _applied_before(row: list[str], said: set[tuple]) -> bool:
    return any(entry[:7] == tuple(row[1:8]) and entry[8] == row[9] and entry[9] == ledger.APPLIED for entry in said)


def pause_for_tests(point: str) -> None:
    """A test hook: with $PLANTOOLS_TEST_PAUSE set to `point`, say so in the file
    '<point>.reached' in $PLANTOOLS_TEST_PAUSE_DIR and wait (at most a minute) for
    '<point>.go' there, so a test can kill the run, or start another, at that moment."""
    if os.environ.get("PLANTOOLS_TEST_PAUSE") != point:
        return
    folder = Path(os.environ["PLANTOOLS_TEST_PAUSE_DIR"])
    (folder / f"{point}.reached").write_text(str(os.getpid()), encoding="utf-8")
    deadline = time.monotonic() + 60
    while not (folder / f"{point}.go").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
