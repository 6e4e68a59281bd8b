"""Issue 10: the workbooks staff really keep are read faithfully (tests/corpus.py holds them
and what must be read from each)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from plantools import load_plan
from plantools.checks import check

from conftest import soffice_convert
from corpus import LAYOUTS, Layout


def written(layout: Layout, name: str, tmp_path: Path) -> Path:
    """The layout's workbook, as code wrote it or as LibreOffice saved it again."""
    file_name = re.sub(r"[^A-Za-z0-9]+", " ", name).strip() + ".xlsx"
    if not layout.libreoffice:
        path = tmp_path / file_name
        layout.write(path)
        return path
    (tmp_path / "src").mkdir()
    layout.write(tmp_path / "src" / file_name)
    return soffice_convert(tmp_path / "src" / file_name, "xlsx", tmp_path)


def where(finding) -> str:
    return f"{finding.sheet}!{finding.cell}" if finding.sheet else ""


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_layout_reads_as_its_table_says(name, tmp_path):
    layout = LAYOUTS[name]
    plan = load_plan(written(layout, name, tmp_path))
    read = [(a.ref, a.action or a.outcome, a.owner, tuple(sorted(a.bodies)), a.deadline.due, a.rag)
            for a in plan.actions]
    assert read == [(*row[:3], tuple(sorted(row[3])), *row[4:]) for row in layout.actions]
    if layout.priorities is not None:
        assert [a.priority for a in plan.actions] == layout.priorities
    if layout.extra is not None:
        for label, values in layout.extra.items():
            assert label in plan.extra_columns
            assert [a.extra.get(label, "") for a in plan.actions] == values
    findings = check(plan, layout.today)
    said = [(f.severity, where(f), f.message) for f in findings if f.severity in ("error", "warning")]
    for severity, cell, words in layout.findings:
        assert any(s == severity and w == cell and words.lower() in m.lower() for s, w, m in said), \
            f"no {severity} at {cell} saying {words!r}: {said}"
    unexpected = [(s, w, m) for s, w, m in said
                  if not any(s == e[0] and w == e[1] and e[2].lower() in m.lower() for e in layout.findings)]
    assert unexpected == []
    notes = [(where(f), f.message) for f in findings if f.severity == "note"]
    for cell, words in layout.notes:
        assert any((not cell or w == cell) and words.lower() in m.lower() for w, m in notes), \
            f"no note at {cell} saying {words!r}: {notes}"
