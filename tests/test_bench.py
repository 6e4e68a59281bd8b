"""The benchmark measures and prints its table; and no speed-up has changed a result."""

import csv
import gzip
import io
import json
import os
import subprocess
import sys
from datetime import date

import bench
import openpyxl
import pytest
from bench import STAGES, benchmark, generated_plan, next_month
from conftest import ROOT

from plantools import jobs, load_plan
from plantools.jobs import consolidate, make_packs
from plantools.plan import rag
from plantools.plan.months import from_label
from plantools.template import write_plan_workbook

REFERENCE = ROOT / "tests" / "data" / "generated-copy-reference.json.gz"
# the same outputs' row heights, made by the version before issue 23's changes to the row-height model
HEIGHTS = ROOT / "tests" / "data" / "generated-heights-reference.json.gz"


def test_benchmark_measures_a_tiny_plan_and_prints_its_table():
    """The figures the benchmark returns, as measured (not read back from its rounded table)."""
    printed = []
    [row] = benchmark([30], repeat=1, echo=printed.append, floor=True)
    assert row["actions"] == 30 and row["ours"] > 0 and row["pandas"] > 0 and row["peak_mb"] > 0
    assert row["ratio"] == pytest.approx(row["ours"] / row["pandas"])
    assert set(row["stages"]) == set(STAGES) and row["stages"]["read"] > 0 and row["stages"]["write copy"] > 0
    cells, copy, packs = row["floor"]
    assert cells > 30 * 12 and copy > 0 and packs > 0
    assert printed[0].split() == ["actions", "ours", "s", "pandas", "s", "ratio", "peak", "MB", "read", "check",
                                  "diff", "write", "copy", "write", "packs"]
    assert printed[2].split()[0] == "30" and len(printed[2].split()) == 10
    assert printed[3].startswith(f"      30: the outputs hold {cells:,} cells; xlsxwriter alone writes them in")


def test_benchmark_compares_the_writers_on_the_same_cells():
    """--writers: xlsxwriter alone and plantools' own rows in xlsxwriter's sheets write the
    outputs' cells again, and what each wrote reads back with the same text."""
    printed = []
    benchmark([30], repeat=1, echo=printed.append, writers=True)
    lines = {line.split("  ")[1].strip(): line for line in printed if line.startswith("  ") and "CPU s" in line}
    assert {"xlsxwriter alone (before)", "plantools' rows in xlsxwriter (now)"} <= set(lines)
    assert not any("NOT READ BACK" in line for line in lines.values())


def test_benchmark_times_the_bundled_plan_against_the_import_floor():
    [line] = bench.startup(1)
    assert line.startswith("the bundled plan (17 actions), medians of 1: import floor") and "monthly" in line


def test_benchmark_script_runs():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench.py"), "--sizes", "20", "--repeat", "1"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[3].split()[0] == "20"


def content(path):
    book = openpyxl.load_workbook(path)
    return {s.title: [[None if v is None else str(v) for v in row] for row in s.iter_rows(values_only=True)]
            for s in book.worksheets}


def by_label(rows, first_header):
    """The table whose header row starts with first_header: one {header: value} per row."""
    top = next(i for i, row in enumerate(rows) if row and row[0] == first_header)
    header = rows[top]
    return [{label: value for label, value in zip(header, row) if label} for row in rows[top + 1:]
            if any(row) and not rag.is_key_row([str(value or "") for value in row])]


def in_months(rows):
    """The first column's months as the copies now show them ("June 2019") back to YYYY-MM, as
    the reference has them (the change log's and the trend's first column is the month)."""
    return [[from_label(row[0]) or row[0], *row[1:]] if row and isinstance(row[0], str) else row for row in rows]


def _write_reference(copy: dict, run, manifest) -> None:
    """PLANTOOLS_NEW_REFERENCE=1: the outputs as they are now become the reference (after a
    deliberate change to what the copy or the packs say; never to make a speed-up pass)."""
    copy = {**copy, "Change log": in_months(copy["Change log"]), "Summary": in_months(copy["Summary"])}
    rows = list(csv.reader(io.StringIO(manifest.read_text(encoding="utf-8-sig"))))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(row[:-3] for row in rows)
    reference = {"copy": copy, "packs": {p.workbook.name: content(p.workbook) for p in run.packs if p.workbook},
                 "manifest": buffer.getvalue()}
    REFERENCE.write_bytes(gzip.compress(json.dumps(reference).encode(), mtime=0))


@pytest.mark.parametrize("way", ["one after the other", "packs in a second process", "with a head start"])
def test_consolidated_copy_and_packs_are_what_they_were_before_any_speed_up(tmp_path, monkeypatch, way):
    """The copy and the packs of a seeded generated plan, every value under every header of
    the reference, must be what they were when the reference was last made on purpose; whether
    the packs are written after the copy or meanwhile. It was first made before the performance
    work, and made again (PLANTOOLS_NEW_REFERENCE=1) when issues 10 to 13 changed what the
    outputs say on purpose: refs as typed, the board paper's layout, packs as update forms."""
    plan = generated_plan(400, seed=7)
    write_plan_workbook(tmp_path / "Generated.xlsx", plan, force=True)
    consolidate(load_plan(tmp_path / "Generated.xlsx"), "2019-05", tmp_path / "m", today=date(2019, 5, 31))
    write_plan_workbook(tmp_path / "Generated.xlsx", next_month(plan, seed=8), force=True)
    june = date(2019, 6, 30)
    if way == "one after the other":
        second = consolidate(load_plan(tmp_path / "Generated.xlsx"), "2019-06", tmp_path / "m", today=june)
        run = make_packs(load_plan(tmp_path / "Generated.xlsx"), "2019-06", tmp_path / "p", today=june,
                         copies=tmp_path / "m")
    elif way == "packs in a second process":
        monkeypatch.setattr(jobs, "PARALLEL_FROM", 0)
        monkeypatch.setattr(jobs, "PACKS_WORKER", bench.timed_packs_worker)
        monkeypatch.setenv(bench.WORKER_FIGURES, str(tmp_path / "worker.json"))
        second, run = jobs.run_month(load_plan(tmp_path / "Generated.xlsx"), "2019-06", tmp_path / "m",
                                        tmp_path / "p", today=june, parallel=True)
        assert (tmp_path / "worker.json").exists()  # the packs were written by the second process
    else:  # as the CLI runs it: last month's copy read by the second process while the plan is read
        monkeypatch.setattr(jobs, "HEAD_START_FROM", 0)
        monkeypatch.setattr(jobs, "PACKS_WORKER", bench.timed_packs_worker)
        monkeypatch.setenv(bench.WORKER_FIGURES, str(tmp_path / "worker.json"))
        monkeypatch.setattr(jobs, "read_copy", None)  # not read by this process
        with jobs.head_start(tmp_path / "Generated.xlsx", "2019-06", tmp_path / "m") as ahead:
            assert ahead is not None
            second, run = jobs.run_month(load_plan(tmp_path / "Generated.xlsx"), "2019-06", tmp_path / "m",
                                         tmp_path / "p", today=june, parallel=True, ahead=ahead)
        assert (tmp_path / "worker.json").exists()
    copy = content(second.path)
    if os.environ.get("PLANTOOLS_NEW_REFERENCE") and way == "one after the other":
        _write_reference(copy, run, tmp_path / "p" / "manifest.csv")
    reference = json.loads(gzip.decompress(REFERENCE.read_bytes()))
    for sheet, first in (("Plan", "Ref"), ("Change log", "Month"), ("Completeness", "Severity"), ("Key", "RAG status")):
        expected = by_label(reference["copy"][sheet], first)
        rows = in_months(copy[sheet]) if sheet == "Change log" else copy[sheet]
        got = [{label: row[label] for label in expected[0]} for row in by_label(rows, first)]
        assert len(got) == len(expected), sheet
        for number, (row, want) in enumerate(zip(got, expected), start=1):
            assert row == want, f"{sheet} row {number}"
    assert in_months(copy["Summary"])[3:] == reference["copy"]["Summary"][3:]  # the counts and the trend
    packs = {p.workbook.name: content(p.workbook) for p in run.packs if p.workbook}
    assert sorted(packs) == sorted(reference["packs"])
    for name, sheets in reference["packs"].items():
        expected = by_label(sheets["Plan"], "Ref")
        got = [{label: row[label] for label in expected[0]} for row in by_label(packs[name]["Plan"], "Ref")]
        assert got == expected, name
        key = [row for row in packs[name]["Plan"] if rag.is_key_row([str(value or "") for value in row])]
        assert len(key) == 1, name  # the key, under the actions (it was a sheet of its own)
    manifest = list(csv.reader(io.StringIO((tmp_path / "p" / "manifest.csv").read_text(encoding="utf-8-sig"))))
    # each pack's id and each file's bytes: they differ run to run
    assert manifest[0][-3:] == ["pack_id", "pack_sha256", "draft_sha256"]
    assert [row[:-3] for row in manifest] == list(csv.reader(io.StringIO(reference["manifest"])))
    # every row as tall as it was (the row-height model made faster, not different)
    tall = json.loads(gzip.decompress(HEIGHTS.read_bytes()))
    assert heights(second.path) == tall["copy"]
    assert {p.workbook.name: heights(p.workbook) for p in run.packs if p.workbook} == tall["packs"]


def heights(path) -> dict[str, dict[str, float]]:
    """Each sheet's rows of a height of their own: row number -> points."""
    book = openpyxl.load_workbook(path)
    return {s.title: {str(n): d.height for n, d in sorted(s.row_dimensions.items()) if d.height}
            for s in book.worksheets}
