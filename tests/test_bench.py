"""The benchmark runs and prints its table; and no speed-up has changed a result."""

import csv
import gzip
import io
import json
import re
import subprocess
import sys
from datetime import date

import openpyxl
import pytest

from plantools import load_plan, monthly, stages
from plantools.bench import generated_plan, next_month
from plantools.consolidate import consolidate
from plantools.packs import make_packs
from plantools.template import write_plan_workbook

from conftest import ROOT

REFERENCE = ROOT / "tests" / "data" / "generated-copy-reference.json.gz"


def test_benchmark_runs_on_a_tiny_plan_and_prints_its_table():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench.py"), "--sizes", "30", "--repeat", "1",
                             "--floor"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["actions", "ours", "s", "pandas", "s", "ratio", "peak", "MB", "read", "check",
                                "diff", "write", "copy", "write", "packs"]
    row = lines[3].split()
    assert row[0] == "30" and len(row) == 10
    ours, pandas, ratio = float(row[1]), float(row[2]), float(row[3])
    assert ours > 0 and pandas > 0 and abs(ratio - ours / pandas) < 0.02
    floor = re.fullmatch(r"\s+30: the outputs hold ([\d,]+) cells; xlsxwriter alone writes them in ([\d.]+) CPU s "
                         r"\(copy ([\d.]+), packs ([\d.]+)\)", lines[4])
    assert floor, lines[4:]
    cells, together, copy, packs = int(floor[1].replace(",", "")), *map(float, floor.groups()[1:])
    assert cells > 30 * 12 and copy > 0 and packs > 0 and abs(together - copy - packs) < 0.02


def content(path):
    book = openpyxl.load_workbook(path)
    return {s.title: [[None if v is None else str(v) for v in row] for row in s.iter_rows(values_only=True)]
            for s in book.worksheets}


@pytest.mark.parametrize("way", ["one after the other", "packs in a second process"])
def test_consolidated_copy_and_packs_are_what_they_were_before_any_speed_up(tmp_path, monkeypatch, way):
    """The reference was made by the code before the performance work (commit 'Hardening
    tests...'), from the same seeded plan: every cell of the copy and of each pack, and the
    manifest, must be the same, whether the packs are written after the copy or meanwhile.
    (One deliberate change since: packs no longer carry the copies' "Action key" column, which
    was empty in every pack; it was removed from the reference by a script, nothing else. And
    the manifest has gained two columns since, the sha256 of each file, left out here: a pack
    records when it was made, a draft its own Message-ID.)"""
    plan = generated_plan(400, seed=7)
    write_plan_workbook(tmp_path / "Generated.xlsx", plan, force=True)
    consolidate(load_plan(tmp_path / "Generated.xlsx"), "2019-05", tmp_path / "m", today=date(2019, 5, 31))
    write_plan_workbook(tmp_path / "Generated.xlsx", next_month(plan, seed=8), force=True)
    june = date(2019, 6, 30)
    if way == "one after the other":
        second = consolidate(load_plan(tmp_path / "Generated.xlsx"), "2019-06", tmp_path / "m", today=june)
        run = make_packs(load_plan(tmp_path / "Generated.xlsx"), "2019-06", tmp_path / "p", today=june)
    else:
        monkeypatch.setattr(monthly, "PARALLEL_FROM", 0)
        measured = stages.start()
        second, run = monthly.run_month(load_plan(tmp_path / "Generated.xlsx"), "2019-06", tmp_path / "m",
                                        tmp_path / "p", today=june)
        assert measured[stages.WORKER_PEAK_MB] > 0  # the packs were written by the second process
    reference = json.loads(gzip.decompress(REFERENCE.read_bytes()))
    copy = content(second.path)
    copy["Plan"][1][0] = copy["Plan"][1][0].split(" on ")[0]  # the day it was made
    for sheet, rows in reference["copy"].items():
        assert len(copy[sheet]) == len(rows), sheet
        for number, (row, expected) in enumerate(zip(copy[sheet], rows), start=1):
            assert row == expected, f"{sheet} row {number}"
    assert sorted(copy) == sorted(reference["copy"])
    packs = {p.workbook.name: content(p.workbook) for p in run.packs if p.workbook}
    assert packs == reference["packs"]
    manifest = list(csv.reader(io.StringIO((tmp_path / "p" / "manifest.csv").read_text(encoding="utf-8-sig"))))
    assert manifest[0][-2:] == ["pack_sha256", "draft_sha256"]
    assert [row[:-2] for row in manifest] == list(csv.reader(io.StringIO(reference["manifest"])))
