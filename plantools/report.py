"""What the CLI prints: each command's on-screen summary, made from the data its Python API
returns (the API itself prints nothing and builds no text for a screen)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from plantools.copy.changes import ADDED, CHANGED, REMOVED
from plantools.packs.making import NO_EMAIL, READY, TO_OPEN, UNASSIGNED, PackRun
from plantools.plan import rag
from plantools.plan.model import Finding, Plan, counted
from plantools.plan.months import label, uk_date
from plantools.read.confirm import WorkbookLayout
from plantools.returns.ledger import LEDGER as RETURNS_LEDGER
from plantools.round.status import NOT_SENT, OUTSTANDING, RETURNED, BodyRound, RoundStatus, day_of
from plantools.send.ledger import LEDGER as SENT_LEDGER
from plantools.terminal import one_line
from plantools.text import cut, short
from plantools.xlsx.parts import column_letters

if TYPE_CHECKING:  # for the annotations only: `check` reads no copy, `monthly` sends no mail
    import pandas

    from plantools.copy.result import Consolidation
    from plantools.returns.match import Collection
    from plantools.round.chase import ChaseRun
    from plantools.send.smtp import Draft, Outcome, SendRun


def findings_table(findings: list[Finding]) -> str:
    """The findings as a plain table that reads well in a Windows console."""
    rows = [("Severity", "Where", "Ref", "Field", "Message")]
    for f in findings:
        where = f"{f.sheet}!{f.cell}" if f.sheet else "(workbook)"
        rows.append((f.severity, where, f.ref, f.field, f.message))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4] for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths) + "  " + "-" * 7)
    return "\n".join(line.rstrip() for line in lines)


def check_line(plan: Plan, findings: list[Finding]) -> str:
    """plantools check's last line: how much was read, how many errors and warnings."""
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    sheets = len(plan.plan_sheets)
    return (f"{counted(len(plan.actions), 'action')} on {counted(sheets, 'plan sheet')}: "
            f"{counted(errors, 'error')}, {counted(warnings, 'warning')}")


def copy_lines(result: Consolidation) -> list[str]:
    """What the officer reads on screen after the copy is written."""
    counts = result.counts
    errors = [f for f in result.findings if f.severity == "error"]
    lines = [
        # what to fix first, each at its sheet and cell, as plantools check lists it
        *(findings_table(errors).splitlines() if errors else []),
        f"wrote {result.path}",
        f"{len(result.actions)} actions: " + ", ".join(f"{counts[s]} {s}" for s in rag.STATUSES)
        + f", {counts[rag.NOT_RATED]} not yet rated",
        f"{counted(len(errors), 'error')}{' (listed above: fix them in the workbook)' if errors else ''}, "
        f"{counted(sum(f.severity == 'warning' for f in result.findings), 'warning')} (see the Completeness sheet)",
        f"{len(result.exceptions)} exceptions for the board (see the Exceptions sheet)",
    ]
    if result.previous_month:
        kinds = Counter(c.change for c in result.changes)
        lines.append(f"{len(result.changes)} changes since {label(result.previous_month)}: "
                     f"{kinds[ADDED]} added, {kinds[REMOVED]} removed, {kinds[CHANGED]} changed")
    else:
        lines.append("no earlier consolidated copy to compare with: this is the first month")
    return lines


def packs_lines(run: PackRun) -> list[str]:
    """Each body's pack and what became of it, what is in no pack, and what send will need."""
    lines = []
    for pack in run.packs:
        where = pack.draft.name if pack.draft else pack.workbook.name if pack.workbook else "-"
        lines.append(f"{pack.body}: {counted(len(pack.actions), 'action')}, {where} ({pack.status})")
    if run.unassigned:
        lines.append(f"{UNASSIGNED}: {counted(len(run.unassigned), 'action')} in no pack "
                     f"({' '.join(a.ref for a in run.unassigned)}): see plantools check")
    lines.extend(_what_send_needs(run))
    lines.append(f"wrote {run.manifest}")
    return lines


def _what_send_needs(run: PackRun) -> list[str]:
    """Said now, not when plantools send fails: what is missing for the drafts to be sent."""
    statuses = [pack.status for pack in run.packs]
    if TO_OPEN in statuses:
        return ["no sender (--sender): open the drafts in Outlook, which fills in your address, "
                "or give plantools send --sender ADDRESS to send them"]
    if READY not in statuses and NO_EMAIL in statuses:
        return ["no pack can be emailed: add the sub-groups' email addresses on the Governance sheet "
                "(column Email), then run again with --force"]
    return []


def preview_line(draft: Draft) -> str:
    """plantools send without --yes: what would become of one draft."""
    from plantools.send.smtp import describe

    if draft.problem:
        return f"cannot send: {draft.path.name}: {draft.problem}"
    if not draft.waiting:
        if draft.sent_on:
            return f"already sent on {draft.sent_on}: skipped {draft.path.name}"
        return f"not sent: {draft.path.name}: every recipient refused it for good (see {SENT_LEDGER})"
    if draft.retry:
        return f"would retry: {draft.path.name} to {describe(draft.waiting)} (refused for now before: " \
               f"{'; '.join(filter(None, draft.retry.values())) or 'no reply'})"
    return f"would send: {draft.path.name} to {describe(draft.waiting)}"


def outcome_line(outcome: Outcome) -> str:
    """plantools send or chase, as each message goes (or fails)."""
    return f"{'sent' if outcome.sent else 'FAILED'}: {outcome.draft.name} to {outcome.to}" \
        + ("" if outcome.note == "sent" else f": {outcome.note}")


def send_lines(run: SendRun) -> list[str]:
    """plantools send --yes, after the messages: what was skipped, and the count."""
    skipped = [preview_line(draft) for draft in run.already_sent]  # 'already sent on ...: skipped ...'
    return [*skipped, f"{len(run.sent)} sent, {len(run.failed)} failed, {len(run.already_sent)} sent before"]


def collect_lines(result: Collection) -> list[str]:
    """Each cell to write, each conflict, bad value and proposal, each on one line whatever a
    file name or cell holds."""
    lines = []
    verb = "wrote" if result.written else "would write"
    for edit in result.edits:
        lines.append(f"{verb}: {edit.sheet}!{edit.cell}  {edit.ref}  {edit.field}  "
                     f"'{short(edit.old, 40)}' -> '{short(edit.new, 40)}'  (from {', '.join(edit.bodies)})")
    for kind in ("conflict", "bad value", "proposed", "already"):
        for item in result.of(kind):
            lines.append(f"{kind}: {item.ref} {item.field} '{short(item.new, 40)}' from {item.body} "
                         f"({item.where}): {item.message}")
    lines.extend(f"note: {note}" for note in result.notes)
    lines.extend(result.settled)
    if result.settled and not (result.edits or result.items or result.notes):
        return [one_line(line) for line in lines]  # one line a return, and nothing more to say
    conflicts, bad = len(result.of("conflict")), len(result.of("bad value"))
    cells = len(result.edits)
    if result.written:
        lines.append(f"{counted(cells, 'cell')} written into {result.workbook.name} "
                     f"(backup: {result.backup}); {counted(conflicts, 'conflict')}, {counted(bad, 'bad value')}; "
                     f"see {RETURNS_LEDGER}")
    elif cells:
        lines.append(f"nothing written: {counted(cells, 'cell')} to write, {counted(conflicts, 'conflict')}, "
                     f"{counted(bad, 'bad value')}; add --yes to write them")
    else:
        lines.append(f"nothing to write: {counted(conflicts, 'conflict')}, {counted(bad, 'bad value')}")
    return [one_line(line) for line in lines]  # a name or cell with a line break prints no line of its own


def history_line(frame: pandas.DataFrame, path: Path) -> str:
    """What plantools history wrote, and over which months."""
    months = list(frame["Month"].unique())
    return (f"wrote {path}: {frame['Action key'].nunique()} actions over {len(months)} months "
            f"({months[0]} to {months[-1]}), {len(frame)} rows")


def status_lines(status: RoundStatus) -> list[str]:
    """plantools status: the round, then one line per body, then the count."""
    lines = [f"{label(status.month)} packs in {status.folder}: {_reply_by(status)}"]
    if status.workbook:
        lines.append(f"returns from {RETURNS_LEDGER} beside {status.workbook}")
    if status.missing:
        lines.append(f"note: {status.missing}")
    lines.extend(one_line(f"{body.body}: {body_line(body, status)}") for body in status.bodies)
    returned = len(status.returned)
    waiting = [b for b in status.bodies if b.chased]
    lines.append(f"{returned} of {len(status.bodies)} returned, {len(waiting)} outstanding"
                 + (f" ({len(status.late)} past the reply-by date)" if status.late else ""))
    return lines


def _reply_by(status: RoundStatus) -> str:
    left = status.days_left
    if status.reply_by is None or left is None:
        return "reply-by date not recorded"
    return f"reply by {uk_date(status.reply_by)} ({_days(left)})"


def _days(left: int) -> str:
    return f"{-left} days late" if left < 0 else "due today" if left == 0 else f"{left} days left"


def _on(at: str) -> str:
    day = day_of(at)
    return uk_date(day) if day else at or "?"


def body_line(body: BodyRound, status: RoundStatus) -> str:
    """'returned 5 Dec 2018: 3 cells applied, no conflicts waiting', 'outstanding: sent 3 Dec 2018 to a@x; ...'."""
    sent = f"sent {_on(body.sent_on)} to {', '.join(body.sent_to)}" if body.sent_on else "not sent by plantools send"
    reminded = f"; reminded {', '.join(_on(at) for at in body.reminded)}" if body.reminded else ""
    if body.state == RETURNED:
        return f"returned {_on(body.returned_on)}: {counted(body.applied, 'cell')} applied, no conflicts waiting"
    if body.state == NOT_SENT:
        return f"{NOT_SENT}: {SENT_LEDGER} has no delivery of it (no email address, or sent by hand): not chased"
    if body.state == OUTSTANDING:
        left = status.days_left
        due = f"; reply by {uk_date(status.reply_by)}, {_days(left)}" if status.reply_by and left is not None else ""
        return f"outstanding: {sent}{due}{reminded}"
    return (f"returned {_on(body.returned_on)} with {counted(len(body.conflicts), 'conflict')} waiting "
            f"({', '.join(body.conflicts)}; "
            f"{counted(body.applied, 'cell')} applied): collect the same return again once the workbook "
            f"agrees{reminded}")


def chase_lines(run: ChaseRun) -> list[str]:
    """plantools chase: who is (or would be) reminded and why, and who is not and why."""
    dry = run.sent is None
    lines = []
    for reminder in run.reminders:
        if reminder.draft is None:
            lines.append(f"not chased: {reminder.body.body}: {reminder.why}")
        elif dry:
            verb = "would retry" if reminder.retry else "would chase"
            lines.append(f"{verb}: {reminder.body.body}: {reminder.why}")
    if dry:
        lines.append(f"nothing sent: add --yes to send {counted(len(run.chased), 'reminder')}")
    elif run.sent is not None:
        lines.append(f"{len(run.sent.sent)} sent, {len(run.sent.failed)} failed, "
                     f"{len(run.sent.already_sent)} sent before")
    return [one_line(line) for line in lines]


SAMPLE_CHARS = 30  # each sample value `plantools layout` shows is cut to this many characters


def layout_lines(shown: WorkbookLayout) -> list[str]:
    """`plantools layout`: the plan sheets, each field's column with its first values, what is
    carried or left out and why, and whether the reading is saved."""
    plan = shown.plan
    lines = [f"{plan.path.name}: {len(plan.plan_sheets)} plan sheet{'s' * (len(plan.plan_sheets) != 1)}, "
             f"{len(plan.actions)} action{'s' * (len(plan.actions) != 1)}"]
    counts = {sheet: sum(1 for a in plan.actions if a.sheet == sheet) for sheet in plan.plan_sheets}
    for sheet, header in plan.headers.items():
        rows = f"row {header.row}" if header.top == header.row else f"rows {header.top}-{header.row}"
        lines.append(f"Sheet '{sheet}': header {rows}, {counts[sheet]} actions")
        lines.append(f"  {'field':<15} {'col':<3} {'header':<32} first values")
        for field, col in sorted(plan.layouts[sheet][1].items(), key=lambda item: item[1]):
            samples = " | ".join(_sample(value) for value in header.samples.get(field, [])) or "(empty)"
            lines.append(f"  {field:<15} {column_letters(col):<3} {_sample(header.labels.get(col, '')):<32} {samples}")
        read = set(plan.layouts[sheet][1].values())
        carried = [f"{column_letters(c)} '{_sample(label)}'" for c, label in header.labels.items()
                   if c not in read and c not in header.left_out and label in plan.extra_columns]
        if carried:
            lines.append(f"  carried as they are: {'; '.join(carried)}")
        for col, why in header.left_out.items():
            lines.append(f"  left out: {column_letters(col)} '{_sample(header.labels.get(col, ''))}' ({why})")
    for finding in plan.findings:
        if finding.field == "sheet" and " read as plan:" not in finding.message:
            lines.append(finding.message[:1].upper() + finding.message[1:])  # "Sheet 'Risk log' left out: ..."
    governance = {body.sheet for body in plan.bodies if body.sheet}
    for sheet in sorted(governance):
        count = sum(1 for body in plan.bodies if body.sheet == sheet)
        lines.append(f"Sheet '{sheet}' read as the governance bodies ({count})")
    for finding in plan.findings:
        if finding.field == "layout":
            lines.append(f"{finding.severity.capitalize()}: {finding.message}")
    name = shown.settings.name
    if shown.saved:
        lines.append(f"Saved as {name} beside the workbook: every command now reads the workbook this way")
    elif shown.followed:
        lines.append(f"Read as {name} says (saved earlier); `plantools layout --save` saves it again")
    else:
        lines.append(f"Found by plantools; `plantools layout --save` saves it as {name} beside the "
                     "workbook, which every command then follows")
    return lines


def _sample(text: str) -> str:
    return cut(" / ".join(text.split("\n")), SAMPLE_CHARS)
