"""Generated plans of any size, and the benchmark of the monthly job against pandas.

    python scripts/bench.py                        # 60, 1,000, 20,000 and 100,000 actions
    python scripts/bench.py --sizes 60 1000 --repeat 3
    python scripts/bench.py --sizes 20000 --floor   # and xlsxwriter alone, for the same cells
    python scripts/bench.py --sizes 20000 --writers # and each writer worth trying, for the same cells
    python scripts/bench.py --scale                 # 2,000 bodies and 50,000 actions; a 5,000 x 5,000 junk sheet

A generated plan is laid out like the published ones (title rows, the two-row header,
priority headings, objectives merged down their actions, text deadlines, a dozen governance
bodies with aliases and emails, progress notes), from a seeded random generator, so the same
size always gives the same workbook.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

BODIES = [
    ("MSCB", ["Board", "MSCB partnership"]), ("Policy Sub-Group", ["Policy Sub- Group", "Policy"]),
    ("QA Sub-Group", ["Quality Assurance Sub-Group", "QA"]), ("PPYPS Sub-Group", ["PPYPS", "PPYP"]),
    ("Learning and Development Sub-Group", ["L&D Sub-Group", "Learning and Development"]),
    ("BIG", ["The BIG"]), ("Health Sub-Group", ["Health"]), ("Education Sub-Group", ["Schools Forum"]),
    ("Communications Sub-Group", ["C&P Subgroup"]), ("CSE Sub-Group", ["MASE"]),
    ("Early Help Task and Finish Group", ["Early Help T&F"]), ("Think Family Board", ["Think Family"]),
]
DEADLINES = ["January 2019", "March '19", "May – June 2019", "Q3 2019-20", "2019/20", "Sept 2019",
             "31st March 2020", "Ongoing", "Dec 2019", "April 2020"]
WORDS = ("review audit agree deliver embed train assure report refresh develop partners schools health "
         "police families children neglect practice protocol strategy board workforce voice data").split()
STATUSES = ["Green", "Green", "Green", "Amber", "Red", "Complete", ""]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def many_bodies(count: int) -> list[tuple[str, list[str]]]:
    return [(f"B{n:04d} Sub-Group", [f"B{n:04d} SG", f"Group {n:04d}"]) for n in range(1, count + 1)]


def generated_plan(actions: int, seed: int = 1, bodies: int = 0) -> dict:
    """A plan of `actions` actions, in the shape template.write_plan_workbook takes; overseen
    by the dozen BODIES, or by `bodies` made-up ones."""
    rng = random.Random(seed)
    known = many_bodies(bodies) if bodies else BODIES
    plan: dict[str, Any] = {
        "title": f"Generated partnership business plan ({actions:,} actions)",
        "subtitle": ["Made by plantools' benchmark (scripts/bench.py) for testing and measuring"],
        "bodies": [{"name": name, "aliases": aliases, "email": [f"{name.split()[0].lower()}@example.org"]}
                   for name, aliases in known],
        "priorities": [],
    }
    made = 0
    while made < actions:
        number = len(plan["priorities"]) + 1
        priority: dict[str, Any] = {"title": f"{number}. {_sentence(rng, 6)}", "objectives": []}
        plan["priorities"].append(priority)
        for objective_number in range(1, rng.randint(3, 12) + 1):
            if made >= actions:
                break
            count = min(rng.randint(1, 6), actions - made)
            objective: dict[str, Any] = {"ref": f"{number}.{objective_number}", "objective": _sentence(rng, 10), "actions": []}
            for _ in range(count):
                overseers = rng.sample(known, rng.choice([1, 1, 1, 2]))
                objective["actions"].append({
                    "outcome": _sentence(rng, 12), "owner": _sentence(rng, 3), "action": _sentence(rng, 14),
                    "governance": " and ".join(rng.choice([name, *aliases]) for name, aliases in overseers),
                    "deadline": rng.choice(DEADLINES), "measure": _sentence(rng, 5),
                    "rag": rng.choice(STATUSES), "progress": _sentence(rng, 9) if rng.random() < 0.8 else "",
                })
            made += count
            priority["objectives"].append(objective)
    return plan


def next_month(plan: dict, seed: int = 2) -> dict:
    """The same plan a month on: some RAGs moved, deadlines slipped, notes updated,
    actions added and removed, as staff edit it."""
    import copy

    rng = random.Random(seed)
    month = copy.deepcopy(plan)
    for priority in month["priorities"]:
        for objective in priority["objectives"]:
            for action in objective["actions"]:
                roll = rng.random()
                if roll < 0.05:
                    action["rag"] = rng.choice(STATUSES)
                elif roll < 0.08:
                    action["deadline"] = rng.choice(DEADLINES)
                elif roll < 0.3:
                    action["progress"] = _sentence(rng, 9)
            if rng.random() < 0.03:
                objective["actions"].insert(0, dict(objective["actions"][0], action=_sentence(rng, 14)))
            if rng.random() < 0.03 and len(objective["actions"]) > 1:
                objective["actions"].pop()
    return month


def write_generated(path: Path, actions: int, seed: int = 1) -> Path:
    from plantools.template import write_plan_workbook

    write_plan_workbook(Path(path), generated_plan(actions, seed), force=True)
    return Path(path)


TODAY = "2019-06-30"
MONTHS = ("2019-05", "2019-06")
STAGES = ("read", "check", "diff", "write copy", "write packs")


def prepare(folder: Path, actions: int) -> Path:
    """Last month's and this month's plan, and last month's consolidated copy to diff against."""
    from datetime import date

    from plantools.jobs import consolidate
    from plantools.read.workbook import load_plan
    from plantools.template import write_plan_workbook

    plan = generated_plan(actions, seed=actions)
    workbook = folder / "Plan.xlsx"
    write_plan_workbook(workbook, plan, force=True)
    consolidate(load_plan(workbook), MONTHS[0], folder / "monthly", today=date(2019, 5, 31), force=True)
    write_plan_workbook(workbook, next_month(plan, seed=actions + 1), force=True)
    return workbook


WORKER_PEAK_MB = "worker peak MB"  # recorded beside the stages: the packs worker's peak memory
WORKER_FIGURES = "PLANTOOLS_BENCH_WORKER"  # the file the packs worker leaves its figures in


class Stages:
    """Seconds spent in each step of a run, measured from outside the library: each step's
    function is wrapped where the job looks it up, for this process only."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, module, name: str, stage: str) -> None:
        import functools
        import time

        original = getattr(module, name)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.add(stage, time.perf_counter() - began)

        setattr(module, name, timed)

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def timed(self, stage: str, call, *args, **kwargs):
        import time

        began = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            self.add(stage, time.perf_counter() - began)


def timed_packs_worker(*args):
    """The packs worker, timed: it leaves its seconds and peak memory for the benchmark."""
    import json
    import os
    import time

    from plantools.jobs import write_sent_packs

    began = time.perf_counter()
    written = write_sent_packs(*args)
    Path(os.environ[WORKER_FIGURES]).write_text(json.dumps([time.perf_counter() - began, peak_mb() or 0.0]))
    return written


def run_ours(workbook: Path) -> dict:
    """The monthly job, as a BSU officer runs it: read, check, consolidate against last month,
    then every sub-group's pack. Runs in a process of its own (see main)."""
    import importlib
    import json
    import os
    from datetime import date

    from plantools.read.workbook import load_plan

    # the modules, by name: plantools exports functions of the same names
    consolidate = importlib.import_module("plantools.copy.result")  # where compare calls check
    monthly: Any = importlib.import_module("plantools.jobs")  # its PACKS_WORKER is replaced below
    stages = Stages()
    stages.wrap(consolidate, "check", "check")
    stages.wrap(monthly, "settle", "settle")  # the comparison's first part: last month's refs kept
    stages.wrap(monthly, "compare", "compare")
    stages.wrap(monthly, "write_copy", "write copy")
    stages.wrap(monthly, "write_packs", "write packs")
    figures = workbook.parent / "worker.json"
    figures.unlink(missing_ok=True)
    os.environ[WORKER_FIGURES] = str(figures)
    monthly.PACKS_WORKER = timed_packs_worker
    with monthly.head_start(workbook, MONTHS[1], workbook.parent / "monthly") as ahead:  # as the CLI does
        plan = stages.timed("read", load_plan, workbook)
        monthly.run_month(plan, MONTHS[1], workbook.parent / "monthly", workbook.parent / "packs",
                          today=date.fromisoformat(TODAY), force=True, parallel=True, ahead=ahead)
    seconds = stages.seconds
    seconds["diff"] = seconds.pop("settle", 0.0) + seconds.pop("compare", 0.0) - seconds.get("check", 0.0)
    if figures.exists():
        took, peak = json.loads(figures.read_text())
        seconds["write packs"] = seconds.get("write packs", 0.0) + took
        seconds[WORKER_PEAK_MB] = peak
    return seconds


def run_pandas(workbook: Path) -> dict:
    """What a user would otherwise hand-write: read the plan sheet, write it out again."""
    import pandas

    # openpyxl named: it is pandas' default today, and the baseline must not move when
    # pandas changes its default reader (it warns that it will)
    frame = pandas.read_excel(workbook, sheet_name="Business Plan", engine="openpyxl")
    frame.to_excel(workbook.parent / "pandas copy.xlsx")
    return {}


def run_check(workbook: Path) -> dict:
    """`plantools check`: read the plan, match every governance cell to a body, check."""
    from datetime import date

    from plantools.plan.checks import check
    from plantools.read.workbook import load_plan

    stages = Stages()
    plan = stages.timed("read", load_plan, workbook)
    stages.timed("check", check, plan, date.fromisoformat(TODAY))
    return stages.seconds


def write_junk_sheet(path: Path, rows: int, columns: int) -> Path:
    """A small generated plan with a sheet 'Pasted' of `rows` x `columns` numbers beside it, as
    a paste gone wrong makes. The sheet's XML is streamed into the package: no grid is built."""
    import zipfile

    from plantools.xlsx.parts import column_letters

    plain = path.with_name(path.stem + " (plain).xlsx")
    write_generated(plain, 60)
    rng = random.Random(rows * columns)
    row_xml = "".join(f'<c r="{column_letters(c)}#"><v>{rng.randint(0, 10**6)}</v></c>' for c in range(1, columns + 1))
    added = {
        "xl/workbook.xml": (b"</sheets>", b'<sheet name="Pasted" sheetId="99" r:id="rIdJunk"/></sheets>'),
        "xl/_rels/workbook.xml.rels": (b"</Relationships>", b'<Relationship Id="rIdJunk" Type="http://schemas.'
                                       b'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                                       b'Target="worksheets/junk.xml"/></Relationships>'),
        "[Content_Types].xml": (b"</Types>", b'<Override PartName="/xl/worksheets/junk.xml" ContentType="application/'
                                b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    }
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename in added:
                data = data.replace(*added[info.filename])
            out.writestr(info.filename, data)
        with out.open("xl/worksheets/junk.xml", "w", force_zip64=True) as part:
            part.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.'
                       b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            for row in range(1, rows + 1):
                part.write(f'<row r="{row}">{row_xml.replace("#", str(row))}</row>'.encode())
            part.write(b"</sheetData></worksheet>")
    plain.unlink()
    return path


def run_refuse(workbook: Path) -> dict:
    """Read a plan beside a junk sheet: the junk refused (not read), the plan read."""
    from plantools.read.workbook import load_plan

    stages = Stages()
    plan = stages.timed("read", load_plan, workbook)
    refused = [f.message for f in plan.findings if f.field == "sheet" and f.severity != "note"]
    print(refused[0] if refused else "NOT REFUSED", file=sys.stderr)
    return stages.seconds


RUNS = {"ours": run_ours, "pandas": run_pandas, "check": run_check, "refuse": run_refuse}


def scale(echo=print) -> list[dict]:
    """The two scale cases of issue 11, once each, in a fresh process: time and peak memory."""
    import tempfile

    results = []
    with tempfile.TemporaryDirectory() as folder:
        plan = Path(folder) / "Many bodies.xlsx"
        from plantools.template import write_plan_workbook

        write_plan_workbook(plan, generated_plan(50_000, seed=11, bodies=2_000), force=True)
        check = measure("check", plan)
        echo(f"check, 2,000 governance bodies and 50,000 actions: {check['seconds']:.1f} s "
             f"(read {check['stages'].get('read', 0):.1f} s, check {check['stages'].get('check', 0):.1f} s), "
             f"peak {check['peak_mb']:.0f} MB")
        results.append(check)
        plan.unlink()
        junk = write_junk_sheet(Path(folder) / "Junk beside the plan.xlsx", 5_000, 5_000)
        refuse = measure("refuse", junk)
        echo(f"a 5,000 x 5,000 junk sheet ({junk.stat().st_size / 2**20:.0f} MB file): refused in "
             f"{refuse['seconds']:.1f} s, peak {refuse['peak_mb']:.0f} MB: {refuse['said']}")
        results.append(refuse)
    return results


def _child(which: str, workbook: str) -> None:
    """One timed run in a fresh interpreter, imports included; prints JSON."""
    import json
    import time

    began = time.perf_counter()
    seconds = RUNS[which](Path(workbook))
    took = time.perf_counter() - began
    # both processes' peaks added: what the job needs at most, were they to peak at once
    memory = (peak_mb() or 0.0) + seconds.pop(WORKER_PEAK_MB, 0.0)
    print(json.dumps({"seconds": took, "stages": seconds, "peak_mb": memory}))


def peak_mb() -> float | None:
    """This process's peak memory in MB (its high-water mark), or None where not measured."""
    import re

    status = Path("/proc/self/status")
    if status.exists():  # Linux: this process alone
        found = re.search(r"VmHWM:\s+(\d+)", status.read_text())
        return int(found.group(1)) / 1024 if found else None
    try:
        import resource
    except ImportError:
        return None  # Windows: not measured
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / (1024 if sys.platform == "darwin" else 1)


def measure(which: str, workbook: Path) -> dict:
    import json
    import subprocess

    done = subprocess.run([sys.executable, __file__, "--child", which, str(workbook)],
                          capture_output=True, text=True, check=True)
    return {**json.loads(done.stdout), "said": done.stderr.strip()}


def output_cells(folder: Path) -> list[tuple[str, list[tuple[str, list[tuple[int, int, Any]]]]]]:
    """The job's outputs in `folder`, each as its kind (copy or packs) and its sheets'
    non-empty cells (row, column, value), read back with calamine."""
    import python_calamine

    outputs = [("copy", path) for path in (folder / "monthly").glob(f"* {MONTHS[1]}.xlsx")]
    outputs += [("packs", path) for path in (folder / "packs").glob("*.xlsx")]
    found = []
    for kind, path in outputs:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        sheets = [(name, book.get_sheet_by_name(name).to_python()) for name in book.sheet_names]
        found.append((kind, [(name, [(r, c, v) for r, row in enumerate(rows) for c, v in enumerate(row)
                                     if v not in ("", None)]) for name, rows in sheets]))
    return found


def by_xlsxwriter(sheets: list[tuple[str, list[tuple[int, int, Any]]]]) -> bytes:
    """The cells written by xlsxwriter, as plantools writes them (one wrapped, bordered format)."""
    import io

    import xlsxwriter

    from plantools.paper.formats import WORKBOOK_OPTIONS

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {**WORKBOOK_OPTIONS, "in_memory": True})
    wrapped = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    for name, written in sheets:
        sheet = book.add_worksheet(name)
        for row, col, value in written:
            sheet.write(row, col, value, wrapped)
    book.close()
    return buffer.getvalue()


def by_plantools(sheets: list[tuple[str, list[tuple[int, int, Any]]]]) -> bytes:
    """The cells as plantools writes a table's rows: its own sheet XML inside xlsxwriter's
    sheets (paper/sheetxml.py), the same format as by_xlsxwriter."""
    import io

    import xlsxwriter

    from plantools.paper.formats import WORKBOOK_OPTIONS
    from plantools.paper.sharedstrings import hook_into
    from plantools.paper.sheetxml import rows_of

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {**WORKBOOK_OPTIONS, "in_memory": True})
    hook_into(book)
    wrapped = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    for name, written in sheets:
        rows: dict[int, list[tuple[int, Any, Any]]] = {}
        for row, col, value in written:
            rows.setdefault(row, []).append((col, value, wrapped))
        own = rows_of(book.add_worksheet(name))
        for row, cells in rows.items():
            own.add(row, cells, None)
    book.close()
    return buffer.getvalue()


def by_rustpy_xlsxwriter(sheets: list[tuple[str, list[tuple[int, int, Any]]]]) -> bytes:
    """The cells as rows of records through rustpy-xlsxwriter (rust_xlsxwriter), no formats."""
    import io

    from rustpy_xlsxwriter import write_worksheets

    entries = []
    for name, written in sheets:
        width = max((col for _, col, _ in written), default=0) + 1
        rows: dict[int, dict[str, Any]] = {}
        for row, col, value in written:
            rows.setdefault(row, {f"c{c}": "" for c in range(width)})[f"c{col}"] = value
        entries.append((name[:31], list(rows.values())))
    buffer = io.BytesIO()
    write_worksheets(entries, buffer)
    return buffer.getvalue()


def by_pyexcelerate(sheets: list[tuple[str, list[tuple[int, int, Any]]]]) -> bytes:
    """The cells through pyexcelerate, as a grid per sheet, no formats."""
    import io

    from pyexcelerate import Workbook

    book = Workbook()
    for name, written in sheets:
        width = max((col for _, col, _ in written), default=0) + 1
        grid: dict[int, list[Any]] = {}
        for row, col, value in written:
            grid.setdefault(row, [None] * width)[col] = value
        book.new_sheet(name[:31], data=[grid.get(row, [None] * width) for row in range(max(grid, default=-1) + 1)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# the writers compared by --writers: name -> (the module it needs, what writes the cells)
WRITERS = {
    "xlsxwriter alone (before)": ("xlsxwriter", by_xlsxwriter),
    "plantools' rows in xlsxwriter (now)": ("xlsxwriter", by_plantools),
    "rustpy-xlsxwriter": ("rustpy_xlsxwriter", by_rustpy_xlsxwriter),
    "pyexcelerate": ("pyexcelerate", by_pyexcelerate),
}


def replay(outputs, write) -> tuple[float, float, int]:
    """CPU seconds `write` takes to write the outputs' cells again (the copy, the packs), and
    the bytes it made."""
    import time

    seconds, size = {"copy": 0.0, "packs": 0.0}, 0
    for kind, sheets in outputs:
        began = time.process_time()
        size += len(write(sheets))
        seconds[kind] += time.process_time() - began
    return seconds["copy"], seconds["packs"], size


def writer_floor(folder: Path) -> tuple[int, float, float]:
    """The cells of the job's outputs in `folder`, and the CPU seconds xlsxwriter alone takes
    to write them again (the copy, the packs), replayed with no plantools code around it:
    about the least any job that writes those cells with xlsxwriter can take."""
    outputs = output_cells(folder)
    copy, packs, _ = replay(outputs, by_xlsxwriter)
    return sum(len(cells) for _, sheets in outputs for _, cells in sheets), copy, packs


def compare_writers(folder: Path) -> list[str]:
    """Each writer of WRITERS (those installed) writing the job's outputs' cells: CPU seconds
    and megabytes, side by side in one run, the values read back checked where it can."""
    import importlib.util
    import io

    import python_calamine

    outputs = output_cells(folder)
    lines = []
    for name, (module, write) in WRITERS.items():
        if importlib.util.find_spec(module) is None:
            lines.append(f"  {name:<36} not installed")
            continue
        copy, packs, size = replay(outputs, write)
        # the first output's first sheet read back: every text there (a writer of records adds
        # a header row, so where is not compared)
        back = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(write(outputs[0][1])))
        got = {v for row in back.get_sheet_by_name(back.sheet_names[0]).to_python() for v in row}
        same = {v for _, _, v in outputs[0][1][0][1] if isinstance(v, str)} <= got
        lines.append(f"  {name:<36} {copy + packs:6.2f} CPU s (copy {copy:5.2f}, packs {packs:5.2f}), "
                     f"{size / 2**20:5.1f} MB{'' if same else ', TEXT NOT READ BACK THE SAME'}")
    return lines


def startup(runs: int = 11) -> list[str]:
    """The bundled plan's `check` and `monthly` against the bare import floor (python with
    xlsxwriter, python-calamine and click imported, nothing else), each a fresh process,
    alternating; medians of `runs`."""
    import os
    import statistics
    import subprocess
    import tempfile
    import time

    def timed(*args: str) -> float:
        began = time.perf_counter()
        done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env)
        took = time.perf_counter() - began
        if done.returncode not in (0, 1):  # check's 1: the bundled plan has findings
            raise RuntimeError(done.stderr)
        return took

    # the plantools beside this script, whether installed or not; its modules compiled once
    # (__pycache__), as an install compiles them, not again by every run
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent.parent),
                                                                      os.environ.get("PYTHONPATH")]))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    floor, check, monthly = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(runs + 1):
            out = str(Path(folder) / str(run))  # a folder of its own: no earlier run's record to read
            took = (timed("-c", "import xlsxwriter, python_calamine, click"), timed("-m", "plantools", "check"),
                    timed("-m", "plantools", "monthly", "--month", "2019-03", "--out", out))
            if run:  # the first compiled the modules: not counted
                for kept, seconds in zip((floor, check, monthly), took):
                    kept.append(seconds)
    median = statistics.median
    bare = median(floor)
    return [f"the bundled plan (17 actions), medians of {runs}: import floor (xlsxwriter, python-calamine, click) "
            f"{bare:.2f} s; check {median(check):.2f} s ({median(check) / bare:.1f} times); "
            f"monthly {median(monthly):.2f} s ({median(monthly) / bare:.1f} times)"]


def benchmark(sizes: list[int], repeat: int, echo=print, floor: bool = False, writers: bool = False) -> list[dict]:
    import shutil
    import statistics
    import tempfile

    header = (f"{'actions':>8} {'ours s':>8} {'pandas s':>9} {'ratio':>6} {'peak MB':>8} "
              + " ".join(f"{name:>11}" for name in STAGES))
    echo(header)
    echo("-" * len(header))
    rows, notes = [], []
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            workbook = prepare(Path(folder), size)
            ours, theirs = [], []
            for _ in range(repeat):  # alternating, so that a busy moment hurts both alike
                # each run makes the month's packs afresh, as a month's one run does: packs remade
                # into the folder add to its record of what was sent, which grows run by run
                shutil.rmtree(Path(folder) / "packs", ignore_errors=True)
                ours.append(measure("ours", workbook))
                theirs.append(measure("pandas", workbook))
            floors = writer_floor(Path(folder)) if floor else None
            compared = compare_writers(Path(folder)) if writers else []
        median = statistics.median
        row = {
            "actions": size, "ours": median(r["seconds"] for r in ours),
            "pandas": median(r["seconds"] for r in theirs),
            "peak_mb": max((r["peak_mb"] or 0) for r in ours),
            "stages": {name: median(r["stages"].get(name, 0.0) for r in ours) for name in STAGES},
        }
        row["ratio"] = row["ours"] / row["pandas"]
        rows.append(row)
        echo(f"{size:>8,} {row['ours']:>8.2f} {row['pandas']:>9.2f} {row['ratio']:>6.2f} {row['peak_mb']:>8.0f} "
             + " ".join(f"{row['stages'][name]:>11.2f}" for name in STAGES))
        if floors:
            row["floor"] = floors
            notes.append(f"{size:>8,}: the outputs hold {floors[0]:,} cells; xlsxwriter alone writes them in "
                         f"{floors[1] + floors[2]:.2f} CPU s (copy {floors[1]:.2f}, packs {floors[2]:.2f})")
        if compared:
            notes += [f"{size:>8,}: the outputs' cells written again by each writer:", *compared]
    for note in notes:
        echo(note)
    return rows


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python scripts/bench.py", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[60, 1000, 20000, 100000])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, alternating; medians shown")
    parser.add_argument("--floor", action="store_true",
                        help="then time xlsxwriter alone writing the same cells as the job wrote")
    parser.add_argument("--writers", action="store_true",
                        help="then time each writer (xlsxwriter alone, plantools' own rows in xlsxwriter's sheets, and "
                             "rustpy-xlsxwriter and pyexcelerate where installed) writing the same cells")
    parser.add_argument("--startup", type=int, default=11, metavar="RUNS",
                        help="then the bundled plan's check and monthly against the bare import floor, "
                             "medians of RUNS (0: not)")
    parser.add_argument("--scale", action="store_true",
                        help="instead: `check` of 2,000 bodies and 50,000 actions, and a plan beside a "
                             "5,000 x 5,000 junk sheet (time and peak memory until it is refused)")
    parser.add_argument("--child", nargs=2, metavar=("WHICH", "WORKBOOK"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return
    if args.scale:
        scale()
        return
    print(f"the monthly job (read, check, consolidate against last month, packs) against pandas "
          f"read_excel + to_excel of the same sheet; medians of {args.repeat} runs, each in a fresh process")
    benchmark(args.sizes, args.repeat, floor=args.floor, writers=args.writers)
    if args.startup:
        print("\n".join(startup(args.startup)))


if __name__ == "__main__":
    main()
