"""The whole monthly job in one go: the consolidated copy and every sub-group's pack, from
one reading of the plan. The copy and the packs do not depend on each other, so on a
machine with two or more cores the packs are written by a second process meanwhile."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

from . import stages
from .consolidate import Consolidation, compare, write_copy
from .model import Plan
from .packs import PackRun, plan_packs, write_packs

PARALLEL_FROM = 2000  # actions; below this a second process costs more than it saves


def run_month(plan: Plan, month: str, copies: Path, packs: Path, today: date | None = None,
              force: bool = False, sender: str = "") -> tuple[Consolidation, PackRun]:
    result = compare(plan, month, copies, today, force)  # first: it gives each action its key
    run = plan_packs(plan, month, packs, result.as_of, force)  # refused here, before anything is written
    if len(plan.actions) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        write_copy(plan, result)
        with stages.stage("write packs"):
            write_packs(run, plan.title, sender)
        return result, run
    with ProcessPoolExecutor(max_workers=1) as pool:
        writing = pool.submit(_write_packs_timed, run, plan.title, sender)
        write_copy(plan, result)
        stages.record("write packs", writing.result())  # the worker's own time, for the benchmark
    return result, run


def _write_packs_timed(run: PackRun, plan_title: str, sender: str) -> float:
    """In the worker: write, and send back only the time it took (not the packs again)."""
    import time

    began = time.perf_counter()
    write_packs(run, plan_title, sender)
    return time.perf_counter() - began
