"""The monthly job's second process, and its memory: when the process cannot start the packs
are still written; workbooks written one after another do not pile up in memory."""

import gc
import subprocess
import sys
from pathlib import Path

import pytest
import xlsxwriter
from bench import generated_plan

from plantools import load_plan
from plantools.paper.formats import write_text, write_workbook
from plantools.template import write_plan_workbook

UNGUARDED_SCRIPT = """
import sys
from datetime import date
from pathlib import Path

from plantools import jobs, load_plan

jobs.PARALLEL_FROM = 0
folder = Path(sys.argv[1])
result, run = jobs.run_month(load_plan(folder / "Plan.xlsx"), "2019-06", folder / "copies", folder / "packs",
                                today=date(2019, 6, 30), parallel=True)
print("packs:", sum(1 for pack in run.packs if pack.workbook))
"""


def test_a_script_without_the_main_guard_still_gets_every_pack(tmp_path):
    """Starting the second process re-runs the calling script; one without the
    `if __name__ == "__main__":` guard makes that process fail (Python's rule; its traceback
    shows on stderr). The job then writes the packs itself: all of them, once."""
    write_plan_workbook(tmp_path / "Plan.xlsx", generated_plan(60, seed=3), force=True)
    script = tmp_path / "my monthly run.py"
    script.write_text(UNGUARDED_SCRIPT, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" in done.stderr  # the second process failed (how, depends on when it re-ran the script)
    plan = load_plan(tmp_path / "Plan.xlsx")
    bodies = {body for action in plan.actions for body in action.bodies}
    written = sorted(path.name for path in (tmp_path / "packs").glob("*.xlsx"))
    assert written == sorted(f"{body} 2019-06.xlsx" for body in bodies)
    assert done.stdout.splitlines() == [f"packs: {len(bodies)}"]  # the job ran once, in the script itself
    assert (tmp_path / "packs" / "manifest.csv").exists()
    assert (tmp_path / "copies" / "Plan 2019-06.xlsx").exists()


def test_each_workbook_is_freed_as_soon_as_it_is_written(tmp_path):
    """An xlsxwriter workbook refers to itself, so only Python's cycle collector frees it, and
    plantools pauses that collector while it writes (see plantools/bulk.py). Twelve packs
    must not stay in memory until it happens to run."""
    def workbooks_alive() -> set[int]:
        return {id(thing) for thing in gc.get_objects() if isinstance(thing, xlsxwriter.Workbook)}

    before = workbooks_alive()  # other tests' workbooks, whatever the collector has done with them
    for number in range(3):
        write_workbook(tmp_path / f"pack {number}.xlsx",
                       lambda book: [write_text(book.add_worksheet(), row, 0, f"action {row}") for row in range(500)])
    assert workbooks_alive() - before == set()
    assert gc.isenabled()  # the collector is back on, as it was


GUARDED_SCRIPT = """
import os
import sys
from datetime import date
from pathlib import Path

from plantools import jobs, load_plan

if __name__ == "__main__":
    jobs.PARALLEL_FROM = jobs.HEAD_START_FROM = 0
    folder = Path(sys.argv[1])
    if sys.argv[2] == "head start":  # last month's copy first, read by the second process started ahead
        jobs.consolidate(load_plan(folder / "Plan.xlsx"), "2019-05", folder / "copies", today=date(2019, 5, 31))
    with jobs.head_start(folder / "Plan.xlsx", "2019-06", folder / "copies") as ahead:
        assert (ahead is not None) == (sys.argv[2] == "head start")
        jobs.run_month(load_plan(folder / "Plan.xlsx"), "2019-06", folder / "copies", folder / "packs",
                       today=date(2019, 6, 30), parallel=True, ahead=ahead)
    mine = []
    for entry in Path("/proc").iterdir():
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue  # not a process, or one that has just ended
        if f"\\nPPid:\\t{os.getpid()}\\n" in status:
            mine.append(status.splitlines()[0])
    print("children:", mine)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="processes listed from Linux's /proc")
@pytest.mark.parametrize("how", ["started by run_month", "head start"])
def test_the_second_process_leaves_no_process_behind(tmp_path, how):
    """The packs' second process, and the resource tracker that starting it starts, are gone
    once run_month returns (or head_start's block ends): a long Python session is not left with
    a process per run."""
    write_plan_workbook(tmp_path / "Plan.xlsx", generated_plan(60, seed=3), force=True)
    script = tmp_path / "monthly run.py"
    script.write_text(GUARDED_SCRIPT, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(tmp_path), how], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["children: []"]
    assert done.stderr == ""  # no warning of semaphores leaked
    assert len(list((tmp_path / "packs").glob("*.xlsx"))) > 0 and (tmp_path / "copies" / "Plan 2019-06.xlsx").exists()


def test_last_months_copy_read_by_the_second_process_refuses_the_run_as_it_would_here(tmp_path, monkeypatch):
    """`monthly` on a large plan reads last month's copy in the second process while it reads the
    plan (jobs.head_start). A damaged copy then refuses the run just as when it is read here: the
    same one line, exit 2, nothing written."""
    from click.testing import CliRunner

    from plantools import jobs
    from plantools.cli import main

    write_plan_workbook(tmp_path / "Plan.xlsx", generated_plan(60, seed=3), force=True)
    (tmp_path / "monthly").mkdir()
    (tmp_path / "monthly" / "Plan 2019-05.xlsx").write_bytes(b"PK\x03\x04" + b"not a workbook" * 100)
    said = []
    real = jobs.HeadStart
    for head_start_from in (0, 10**12):  # read by the second process, then here
        monkeypatch.setattr(jobs, "HEAD_START_FROM", head_start_from)
        used: list[int] = []
        monkeypatch.setattr(jobs, "HeadStart", lambda *args: used.append(1) or real(*args))
        done = CliRunner().invoke(main, ["monthly", str(tmp_path / "Plan.xlsx"), "--month", "2019-06"])
        assert used == ([1] if head_start_from == 0 else [])
        said.append((done.exit_code, done.output))
    assert said[0] == said[1]
    assert said[0][0] == 2 and "Plan 2019-05.xlsx" in said[0][1] and len(said[0][1].splitlines()) == 1, said[0]
    assert sorted(path.name for path in (tmp_path / "monthly").iterdir()) == ["Plan 2019-05.xlsx"]
    assert not (tmp_path / "packs").exists() or not any((tmp_path / "packs").rglob("*.xlsx"))


def test_two_processes_taking_the_packs_in_turn_write_each_once_and_record_them_in_order(tmp_path):
    """run_month's two processes share the packs (whichever reaches one first takes it, the second
    process from the first pack, this one from the last once the copy is written): two writers at
    once, here two threads, write every pack exactly once; the record lists them in the run's order,
    each with its file's sha256, and the manifest every file."""
    import json
    import threading

    from conftest import BUNDLED_2018, digest

    from plantools.options import Mail
    from plantools.packs.making import Written, make_staging, plan_packs, publish, taken_in_turn, write_packs

    plan = load_plan(BUNDLED_2018)
    run = plan_packs(plan, "2018-11", tmp_path / "packs")
    staging = make_staging(run)
    shares: list[Written] = []
    writers = [threading.Thread(target=lambda backwards: shares.append(
        write_packs(run, plan.title, staging, Mail(), taken_in_turn(staging), backwards)), args=(backwards,))
        for backwards in (False, True)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
    assert not any(writer.is_alive() for writer in writers) and len(shares) == 2
    first, second = shares
    assert first.packs.isdisjoint(second.packs)
    assert first.packs | second.packs == {pack.id for pack in run.packs}
    first.update(second)
    publish(run, staging, first)
    record = json.loads((run.folder / "sent.json").read_text(encoding="utf-8"))
    made = [pack for pack in run.packs if pack.workbook]
    assert list(record["packs"]) == [pack.id for pack in made]
    assert [entry["sha256"] for entry in record["packs"].values()] == [digest(pack.workbook) for pack in made]
    listed = (run.folder / "manifest.csv").read_text(encoding="utf-8-sig")
    assert all(pack.workbook.name in listed for pack in made)
