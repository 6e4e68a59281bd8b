"""The whole monthly job in one go: the consolidated copy and every sub-group's pack, from
one reading of the plan. The copy and the packs do not depend on each other, so on a
machine with two or more cores the packs are written by a second process meanwhile.

All or nothing: the packs are written into a staging folder and the copy under a temporary
name, and both take their own names only once everything is written, so a run that fails
leaves neither a copy nor a pack ready to send (and can simply be run again)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from plantools.bundled import copies_folder, packs_folder
from plantools.copy.board_exceptions import STALE_MONTHS
from plantools.copy.earlier import MonthlyCopy, previous_copy, read_copy
from plantools.copy.result import Consolidation, compare, find_earlier, settle
from plantools.copy.sheets import write_copy
from plantools.errors import PlanError
from plantools.options import Mail, RunOptions
from plantools.packs.drafts import default_reply_by
from plantools.packs.making import PackRun, Written, make_staging, plan_packs, publish, taken_in_turn, write_packs
from plantools.plan.model import Plan
from plantools.plan.months import previous, this_month
from plantools.returns.ledger import collected
from plantools.round.status import latest_round
from plantools.xlsx.files import make_folder, open_in_excel, owner_file, temp_name, write_error
from plantools.xlsx.gcpause import gc_paused

if TYPE_CHECKING:  # imported when a second process is started: most runs start none
    from concurrent.futures import Future, ProcessPoolExecutor

PARALLEL_FROM = 2000  # actions; below this a second process costs more than it saves
HEAD_START_FROM = 300_000  # bytes of last month's copy: about a copy of PARALLEL_FROM actions


@dataclass
class HeadStart:
    """The second process of a large plan's monthly job, started before the plan is read (see
    head_start): it reads last month's copy meanwhile, which run_month takes from it, and then
    writes the packs."""

    pool: ProcessPoolExecutor
    path: Path  # last month's copy
    reading: Future  # its MonthlyCopy

    def read(self, path: Path) -> MonthlyCopy:
        """Last month's copy as read meanwhile; read here if it is another, or if the process
        could not start (a script without the `if __name__ == "__main__":` guard)."""
        from concurrent.futures.process import BrokenProcessPool

        if path == self.path:
            try:
                return self.reading.result()
            except BrokenProcessPool:
                pass
        return read_copy(path)


@contextmanager
def head_start(workbook: Path | str, month: str, copies: Path | None = None) -> Iterator[HeadStart | None]:
    """For run_month, entered before the plan is read: when last month's copy in `copies`
    (default: 'monthly' beside the workbook) is a large plan's (HEAD_START_FROM) and there are
    two cores, a second process that reads it while this one reads the plan (about a tenth of
    the 20,000-action job). None otherwise. The process is waited for, and stopped, when the
    block ends."""
    workbook = Path(workbook)
    path = previous_copy(copies or copies_folder(workbook), workbook, month)
    if path is None or (os.cpu_count() or 1) < 2 or _size(path) < HEAD_START_FROM:
        yield None
        return
    pool, own_tracker = _second_process()
    try:
        reading = pool.submit(_read_earlier, path)
        pool.submit(_get_ready)
        yield HeadStart(pool, path, reading)
    finally:
        _close(pool, own_tracker)


def _size(path: Path) -> int:
    """The file's size; 0 if it cannot be looked at (a link to nothing, a file just removed):
    then it is read here, and find_earlier says what is wrong with it, naming it."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def run_month(plan: Plan, month: str | None = None, copies: Path | None = None, packs: Path | None = None,
              today: date | None = None, force: bool = False, sender: str = "", reply_by: date | None = None,
              reply_to: str = "", paper: str = "A4", stale_months: int = STALE_MONTHS,
              parallel: bool = False, due_weeks: int | None = None,
              ahead: HeadStart | None = None) -> tuple[Consolidation, PackRun]:
    """The monthly job: the consolidated copy into `copies` (default: 'monthly' beside the
    workbook) and the packs into `packs` (default: 'packs/<month>' beside it), both or
    neither; by default for this month. The packs show the refs the copy settled (each
    action's letter of last month). parallel: write a large plan's packs in a second process
    meanwhile (a script that asks for it must be under `if __name__ == "__main__":`, as
    starting a process needs); `ahead`: that process, started before the plan was read
    (head_start), whose reading of last month's copy is taken if it is the one found, and
    which then writes packs whatever the plan's size."""
    month = month or this_month()
    options = RunOptions(today, force, paper)
    copies = copies or copies_folder(plan.path)
    packs = packs or packs_folder(plan.path, month)
    parallel = parallel and len(plan.actions) >= PARALLEL_FROM and (os.cpu_count() or 1) >= 2
    pool, own_tracker = (ahead.pool, False) if ahead else _second_process() if parallel else (None, False)
    staged_copy: Path | None = None
    try:
        if pool and not ahead:
            pool.submit(_get_ready)  # it starts and imports while last month's copy is read
        # whatever can refuse the run (a copy or packs already made, an unreadable earlier copy,
        # a folder that cannot be written) does so here, before anything is written
        earlier = find_earlier(plan, month, copies, force,  # the month checked first
                               ahead.read if ahead else read_copy)
        check_copy_target(earlier.target, plan.path)
        mail = _mail(Mail(sender, reply_by, reply_to, due_weeks), month, today)
        run = plan_packs(plan, month, packs, options, sender)  # the refs settled below
        run.reply_by = mail.reply_by  # recorded with the packs: status and chase read it there
        with staged_packs(run, pool) as (staging, written):
            # the refs settled once, for the copy and the packs; then the packs begin, in the
            # second process, while the rest of the comparison is made here
            settled = settle(plan, earlier)
            _settle(run, plan, settled.plan)
            writing = _submit(pool, run, plan.title, staging, mail)
            result = compare(plan, month, earlier, options, stale_months, collected(plan.path),
                             latest_round([packs, packs.parent / previous(month)]), settled)
            del earlier, settled  # last month's actions: not needed while the copy is written
            staged_copy = result.path.with_name(temp_name(".xlsx"))
            _write_staged_copy(result, staged_copy)  # meanwhile, the packs
            if writing is None:
                written.update(write_packs(run, plan.title, staging, mail))
            else:  # the packs the second process has not reached, from the last back
                written.update(write_packs(run, plan.title, staging, mail, taken_in_turn(staging), backwards=True))
                theirs = _written_by_worker(writing)
                if theirs is None:  # it could not start, or died: the packs it took are written here
                    theirs = write_packs(run, plan.title, staging, mail, lambda pack: pack.id not in written.packs)
                written.update(theirs)
            # only now, everything written, does the copy take its name (and then the packs theirs)
            try:
                os.replace(staged_copy, result.path)
            except OSError as exc:
                raise write_error(result.path, exc, replacing=True) from None
    finally:
        if pool and not ahead:  # a head start's is stopped as its block ends
            _close(pool, own_tracker)  # a failure before the packs were staged
        if staged_copy and staged_copy.exists():
            staged_copy.unlink()
    return result, run


@contextmanager
def staged_packs(run: PackRun, pool: ProcessPoolExecutor | None = None) -> Iterator[tuple[Path, Written]]:
    """All or nothing, for make_packs and run_month alike: the block writes the packs into the
    staging folder this yields, and adds what it wrote to the Written it yields; only when it
    ends without error do they take their own names (publish). Whatever happens, the second
    process (`pool`), which may still be writing into the folder, is waited for, and then the
    folder goes."""
    staging = make_staging(run)
    written = Written()
    try:
        yield staging, written
        publish(run, staging, written)
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
        shutil.rmtree(staging, ignore_errors=True)


def _mail(mail: Mail, month: str, today: date | None) -> Mail:
    """The drafts' reply-by date settled: as given, else default_reply_by."""
    return replace(mail, reply_by=mail.reply_by or default_reply_by(month, today))


def _write_staged_copy(result: Consolidation, staged: Path) -> None:
    """The copy, written under a temporary name beside its own (a failure named by its own)."""
    try:
        write_copy(replace(result, path=staged))
    except PlanError as error:
        where = result.path if error.path == staged else error.path
        raise PlanError(where, error.message, error.sheet, error.cell) from None


def check_copy_target(target: Path, shared: Path) -> None:
    """Before anything is written: the copy's folder can be written in (a file made and
    removed), the copy is not open in Excel, and it is not the shared workbook."""
    if target.exists() and shared.exists() and os.path.samefile(target, shared):
        raise PlanError(target, "is the shared workbook itself: the copy is never written over it")
    if target.exists() and owner_file(target):
        raise open_in_excel(target)
    make_folder(target.parent)
    probe = target.parent / temp_name(".probe")
    try:
        probe.open("xb").close()
        probe.unlink()
    except OSError as exc:
        raise write_error(target, exc) from None


def _second_process() -> tuple[ProcessPoolExecutor, bool]:
    """A fresh interpreter, as Windows always starts one: it holds only what it is sent, not a
    copy of this process's memory. And whether starting it starts the resource tracker (a
    process of its own, watching its semaphores), or that was running already, for the caller's
    own processes."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import resource_tracker

    running = getattr(resource_tracker._resource_tracker, "_fd", None) is not None
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")), not running


def _close(pool: ProcessPoolExecutor, own_tracker: bool) -> None:
    """The second process waited for, and the resource tracker stopped if starting it started
    it (its semaphores are gone now), so that nothing is left behind."""
    from multiprocessing import resource_tracker

    pool.shutdown(cancel_futures=True)
    stop = getattr(resource_tracker._resource_tracker, "_stop", None)  # Python's own tests stop it so
    if own_tracker and stop:
        stop()


def _read_earlier(path: Path) -> MonthlyCopy:
    """In the second process: last month's copy (as find_earlier reads it)."""
    with gc_paused():
        return read_copy(path)


def _get_ready() -> None:
    """In the second process, before it has work: what writing packs needs, imported."""
    import xlsxwriter  # noqa: F401


def _settle(run: PackRun, plan: Plan, settled: Plan) -> None:
    """The run's actions swapped for their copies in `settled` (the plan's actions in the same
    order, their refs settled), which the packs, the manifest and sent.json show."""
    copies = {id(action): twin for action, twin in zip(plan.actions, settled.actions)}
    for pack in run.packs:
        pack.actions = [copies[id(action)] for action in pack.actions]
    run.unassigned = [copies[id(action)] for action in run.unassigned]


def write_sent_packs(sent: Path) -> Written:
    """In the second process: the packs written, in turn with this process once it has written
    the copy (write_packs, taken_in_turn). `sent` is the file _submit pickled into: the run (its
    actions' refs settled), the plan's title, the staging folder and the mail."""
    import pickle

    with sent.open("rb") as handle, gc_paused():  # the run's actions: no cycles among them
        run, plan_title, staging, mail = pickle.load(handle)
    sent.unlink()
    return write_packs(run, plan_title, staging, mail, taken_in_turn(staging))


def _submit(pool: ProcessPoolExecutor | None, run: PackRun, plan_title: str, staging: Path,
            mail: Mail) -> Future | None:
    """The packs, sent to the second process (see write_sent_packs); None when there is
    none, or it could not start (a script without the `if __name__ == "__main__":` guard):
    then they are written here."""
    if pool is None:
        return None
    import pickle  # here: only a plan large enough for a second process is pickled
    from concurrent.futures.process import BrokenProcessPool

    # pickled here and now (not by the pool's thread later, while this process goes on to give
    # the same actions their keys), into a file in the staging folder, so that neither process
    # keeps the pickle's bytes while it works
    sent = staging / temp_name(".pickle")
    try:
        with sent.open("wb") as handle:
            pickle.dump((run, plan_title, staging, mail), handle, pickle.HIGHEST_PROTOCOL)
    except OSError:  # a full disk, say: this process writes the packs, and says what went wrong
        sent.unlink(missing_ok=True)
        return None
    try:
        return pool.submit(PACKS_WORKER, sent)
    except BrokenProcessPool:
        return None


def _written_by_worker(writing: Future) -> Written | None:
    """What the second process wrote; None when it could not start or died: a script that runs
    this without the `if __name__ == "__main__":` guard that starting a process needs."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return writing.result()
    except BrokenProcessPool:
        return None


# what the second process runs (a function it can import by name; the benchmark times it)
PACKS_WORKER = write_sent_packs


def consolidate(plan: Plan, month: str | None = None, out: Path | None = None, today: date | None = None,
                force: bool = False, paper: str = "A4", stale_months: int = STALE_MONTHS) -> Consolidation:
    """Write '<out>/<workbook name> <month>.xlsx' and say what it holds: by default this
    month's copy, into 'monthly' beside the workbook. An existing copy for the month is kept
    (PlanError) unless force.

    Deadlines are judged as of `today`, by default the month's last day for a past month
    and today for the current one. paper: "A4" or "A3"; stale_months: an action whose
    progress note has not changed for this many months is an exception."""
    month = month or this_month()
    out = out or copies_folder(plan.path)
    earlier = find_earlier(plan, month, out, force)
    result = compare(plan, month, earlier, RunOptions(today, force, paper), stale_months, collected(plan.path),
                     latest_round([packs_folder(plan.path, m) for m in (month, previous(month))]))
    write_copy(result)
    return result


def make_packs(plan: Plan, month: str | None = None, out: Path | None = None, today: date | None = None,
               force: bool = False, sender: str = "", reply_by: date | None = None, reply_to: str = "",
               paper: str = "A4", copies: Path | None = None, due_weeks: int | None = None) -> PackRun:
    """Write every body's pack and draft into `out` (default: 'packs/<month>' beside the
    workbook), then the manifest: all of them or, if anything fails, none. The drafts ask for
    a reply by `reply_by` (default: mail.default_reply_by) to `reply_to` (default: the
    sender); due_weeks: the drafts list the actions falling due within this many weeks
    (default: by the reply-by date); paper: "A4" or "A3". The packs show each action's ref as the newest copy in
    `copies` (default: 'monthly' beside the workbook) has it."""
    from plantools.copy.earlier import refs_as_copied

    month = month or this_month()
    out = out or packs_folder(plan.path, month)
    plan = refs_as_copied(plan, copies or copies_folder(plan.path), month)
    run = plan_packs(plan, month, out, RunOptions(today, force, paper), sender)
    mail = _mail(Mail(sender, reply_by, reply_to, due_weeks), month, today)
    run.reply_by = mail.reply_by  # recorded with the packs: status and chase read it there
    with staged_packs(run) as (staging, written):
        written.update(write_packs(run, plan.title, staging, mail))
    return run
