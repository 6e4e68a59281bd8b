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
from .errors import PlanError
from .packs import MANIFEST, PackRun, make_packs

PARALLEL_FROM = 2000  # actions; below this a second process costs more than it saves


def run_month(plan: Plan, month: str, copies: Path, packs: Path, today: date | None = None,
              force: bool = False, sender: str = "") -> tuple[Consolidation, PackRun]:
    result = compare(plan, month, copies, today, force)  # first: it gives each action its key
    if (Path(packs) / MANIFEST).exists() and not force:  # refused before anything is written
        raise PlanError(Path(packs) / MANIFEST, f"packs for {month} are already in this folder: use --force")
    if len(plan.actions) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        write_copy(plan, result)
        return result, make_packs(plan, month, packs, result.as_of, force, sender)
    with ProcessPoolExecutor(max_workers=1) as pool:
        packing = pool.submit(_packs_timed, plan, month, packs, result.as_of, force, sender)
        write_copy(plan, result)
        run, seconds = packing.result()
    stages.record("write packs", seconds)  # the worker's own time, for the benchmark
    return result, run


def _packs_timed(plan: Plan, month: str, out: Path, as_of: date, force: bool, sender: str) -> tuple[PackRun, float]:
    import time

    began = time.perf_counter()
    run = make_packs(plan, month, out, as_of, force, sender)
    return run, time.perf_counter() - began
