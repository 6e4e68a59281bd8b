"""The whole monthly job in one go: the consolidated copy and every sub-group's pack, from
one reading of the plan. The copy and the packs do not depend on each other, so on a
machine with two or more cores the packs are written by a second process meanwhile."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path

from . import stages
from .consolidate import Consolidation, compare, find_earlier, write_copy
from .exceptions import STALE_MONTHS
from .model import Plan
from .packs import PackRun, plan_packs, write_packs

PARALLEL_FROM = 2000  # actions; below this a second process costs more than it saves


def run_month(plan: Plan, month: str, copies: Path, packs: Path, today: date | None = None,
              force: bool = False, sender: str = "", paper: str = "A4",
              stale_months: int = STALE_MONTHS) -> tuple[Consolidation, PackRun]:
    # whatever can refuse the run (a copy or packs already made, an unreadable earlier copy)
    # does so here, before anything is written
    earlier = find_earlier(plan, month, copies, force)
    run = plan_packs(plan, month, packs, today, force, paper)
    parallel = len(plan.actions) >= PARALLEL_FROM and (os.cpu_count() or 1) >= 2
    # a fresh interpreter, as Windows always starts one: it holds only what it is sent, not a
    # copy of this process's memory
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) if parallel else None
    try:
        writing = pool.submit(_write_packs_timed, run, plan.title, sender) if pool else None
        # meanwhile: checks and changes
        result = compare(plan, month, copies, today, force, earlier, paper, stale_months)
        del earlier  # last month's actions: not needed while the copy is written
        write_copy(plan, result)
        if not _written_by_worker(writing):
            with stages.stage("write packs"):
                write_packs(run, plan.title, sender)
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    return result, run


def _written_by_worker(writing: Future | None) -> bool:
    """Whether the second process wrote the packs (its figures recorded for the benchmark).
    False when there was none, or when it could not start or died: a script that runs this
    without the `if __name__ == "__main__":` guard that starting a process needs."""
    if writing is None:
        return False
    try:
        seconds, peak_mb = writing.result()
    except BrokenProcessPool:
        return False
    stages.record("write packs", seconds)
    stages.record(stages.WORKER_PEAK_MB, peak_mb)
    return True


def _write_packs_timed(run: PackRun, plan_title: str, sender: str) -> tuple[float, float]:
    """In the worker: write, and send back only the time it took and its peak memory."""
    import time

    began = time.perf_counter()
    write_packs(run, plan_title, sender)
    return time.perf_counter() - began, stages.peak_mb() or 0.0
