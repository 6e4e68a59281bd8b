"""Editing a few cells of a staff workbook loses nothing: every other zip entry byte-identical,
the edited sheet different only in the edited cells, and LibreOffice, calamine and openpyxl
all read the new values back."""

from __future__ import annotations

import csv
import io
import os
import random
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine
import xlsxwriter
from conftest import digest, realworld, soffice_convert
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plantools.errors import PlanError
from plantools.returns.cells import preview_cells, write_cells_into
from plantools.xlsx.edit import cell_problems, changed_cells, edit_cells, split_address
from plantools.xlsx.replace import file_sha256

# (file, sheet, edits, what the file carries); openpyxl cannot open the ones in NO_OPENPYXL
REALWORLD_EDITS = [
    ("poi__commentTest.xlsx", "Sheet1", {"A1": "Amber", "C40": "new row"}, "legacy comments"),
    ("poi__right-to-left.xlsx", "English", {"A3": "Green", "A2": 456}, "threaded comments"),
    ("poi__right-to-left.xlsx", "عربى", {"B2": "Red"}, "an Arabic sheet name"),
    ("poi__NewStyleConditionalFormattings.xlsx", "CF", {"A3": 99}, "x14 conditional formats"),
    ("poi__ConditionalFormattingSamples.xlsx", "Home", {"A1": "Amber"}, "conditional formats, tables"),
    ("poi__dataValidationTableRange.xlsx", "County Ranking", {"B5": "Texas"}, "x14 data validation"),
    ("poi__46535.xlsx", "Test", {"A1": "ABC"}, "defined names, hidden sheets"),
    ("calamine__picture_richdata.xlsx", "Sheet1", {"D5": "a note"}, "a picture in a cell"),
    ("xlsxwriter__macro01.xlsm", "Sheet1", {"A1": "Complete"}, "macros"),
    ("xlsxwriter__chartsheet01.xlsx", "Sheet1", {"A1": 7}, "a chart sheet"),
    ("poi__crossref_suffix-generator.xlsm", "Form", {"B2": "x"}, "macros and a drawing"),
    ("poi__49609.xlsx", "FAM", {"A1": "Amber"}, "backslash part names"),
    ("calamine__strict_iso_paths.xlsx", "ml_out", {"B2": "Red", "S80": 7}, "Strict OOXML"),
    ("calamine__nonstandard-xml-ns-prefix.xlsx", "Sheet1", {"A1": "Green"}, "an odd namespace prefix"),
]
NO_OPENPYXL = {"poi__49609.xlsx", "calamine__strict_iso_paths.xlsx"}


def entries(path) -> list[tuple[str, int, bytes]]:
    with zipfile.ZipFile(path) as package:
        return [(info.filename, info.compress_type, package.read(info)) for info in package.infolist()]


def outside_cells(xml: bytes) -> bytes:
    """A sheet's XML without its <sheetData> and with its <dimension> blanked."""
    xml = re.sub(rb"<(\w+:)?sheetData\b[^>]*/>|<(\w+:)?sheetData\b.*?</(\w+:)?sheetData>", b"", xml, count=1,
                 flags=re.DOTALL)
    return re.sub(rb"(<(\w+:)?dimension\b[^>]*ref=\")[^\"]*", rb"\1", xml, count=1)


def assert_only_cells_changed(source: Path, target: Path, sheet: str, edits: dict) -> None:
    before, after = entries(source), entries(target)
    assert [(n, c) for n, c, _ in before] == [(n, c) for n, c, _ in after]  # names, order, compression
    changed = [n for (n, _, a), (_, _, b) in zip(before, after) if a != b]
    assert len(changed) == 1  # the edited sheet's part, nothing else
    old_xml, new_xml = dict((n, d) for n, _, d in before)[changed[0]], dict((n, d) for n, _, d in after)[changed[0]]
    assert outside_cells(old_xml) == outside_cells(new_xml)  # extLst, mc:Ignorable, merges... as they were
    changes = changed_cells(source, target)
    assert changes.other == []
    assert {a: new for a, (_, new) in changes.cells[sheet].items()} == edits


def calamine_values(path: Path, sheet: str, addresses) -> dict:
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(
        skip_empty_area=False)
    found = {}
    for address in addresses:
        row, col = split_address(address)
        found[address] = rows[row - 1][col - 1] if row <= len(rows) and col <= len(rows[row - 1]) else ""
    return found


@pytest.mark.parametrize("name, sheet, edits, carries", REALWORLD_EDITS, ids=lambda v: str(v)[:30])
def test_realworld_workbook_loses_nothing(tmp_path, name, sheet, edits, carries):
    source, target = realworld(name), tmp_path / f"edited {name}"
    edit_cells(source, target, {sheet: edits})
    assert_only_cells_changed(source, target, sheet, edits)
    assert calamine_values(target, sheet, edits) == edits
    if name not in NO_OPENPYXL:
        book = openpyxl.load_workbook(target)
        assert {a: book[sheet][a].value for a in edits} == edits


def test_text_is_kept_exactly_and_style_stays(tmp_path):
    source = tmp_path / "styled.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Plan"
    sheet["A1"] = "Red"
    sheet["A1"].font = openpyxl.styles.Font(bold=True)
    sheet["A1"].fill = openpyxl.styles.PatternFill("solid", fgColor="FFC000")
    sheet["B1"] = "old note"
    sheet["C1"] = 3
    book.save(source)
    text = "Line one\nline two & <three> \"four\" _x0041_ \u00e9\u4e2d\U0001f600 \t\r end"
    edits = {"A1": "Amber", "B1": text, "C1": None, "D1": 2.5}
    edit_cells(source, tmp_path / "out.xlsx", {"Plan": edits})
    assert_only_cells_changed(source, tmp_path / "out.xlsx", "Plan", edits)
    edited = openpyxl.load_workbook(tmp_path / "out.xlsx")["Plan"]
    assert edited["A1"].value == "Amber" and edited["A1"].font.bold and edited["A1"].fill.fgColor.rgb == "00FFC000"
    assert (edited["C1"].value, edited["D1"].value) == (None, 2.5)
    assert calamine_values(tmp_path / "out.xlsx", "Plan", ["B1"]) == {"B1": text}
    assert changed_cells(source, tmp_path / "out.xlsx").cells["Plan"]["B1"] == ("old note", text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff"),
               min_size=1, max_size=60))
def test_any_text_reads_back_exactly(tmp_path, text):
    """Any text but U+FFFE and U+FFFF, which XML cannot hold at all: they go in as Excel writes
    them (next test), and Excel reads them back, but calamine and openpyxl do not."""
    target = io.BytesIO()
    edit_cells(realworld("xlsxwriter__macro01.xlsm"), target, {"Sheet1": {"B2": text}})
    target.seek(0)
    assert changed_cells(realworld("xlsxwriter__macro01.xlsm"), target).cells == {"Sheet1": {"B2": (None, text)}}
    target.seek(0)
    rows = python_calamine.CalamineWorkbook.from_filelike(target).get_sheet_by_name("Sheet1").to_python()
    assert rows[1][1] == text


def test_the_two_characters_xml_cannot_hold_go_in_as_excel_escapes_them():
    target = io.BytesIO()
    edit_cells(realworld("xlsxwriter__macro01.xlsm"), target, {"Sheet1": {"B2": "a\ufffeb\uffff"}})
    with zipfile.ZipFile(target) as package:
        assert "a_xFFFE_b_xFFFF_" in package.read("xl/worksheets/sheet1.xml").decode()


def test_new_cells_go_in_order(tmp_path):
    source = tmp_path / "gaps.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Plan"
    for address in ("B2", "D2", "B5"):
        book.active[address] = address
    book.save(source)
    edits = {"C2": "c2", "A2": "a2", "E2": "e2", "B1": "b1", "B3": "b3", "B9": "b9"}
    edit_cells(source, tmp_path / "out.xlsx", {"Plan": edits})
    with zipfile.ZipFile(tmp_path / "out.xlsx") as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert re.findall(r'<c r="([A-Z]+\d+)"', xml) == ["B1", "A2", "B2", "C2", "D2", "E2", "B3", "B5", "B9"]
    assert re.findall(r'<row r="(\d+)"', xml) == ["1", "2", "3", "5", "9"]
    assert_only_cells_changed(source, tmp_path / "out.xlsx", "Plan", edits)
    assert openpyxl.load_workbook(tmp_path / "out.xlsx", read_only=True)["Plan"]["B9"].value == "b9"


def test_prefixed_namespace(tmp_path):
    """Writers built on the Open XML SDK put SpreadsheetML under a prefix: <x:c>, <x:row>."""
    plain = tmp_path / "plain.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Plan"
    book.active["A1"], book.active["A3"] = "old", 5
    book.save(plain)
    source = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(plain) as old, zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<(/?)(?!\?)", rb"<\1x:", data).replace(b"xmlns=", b"xmlns:x=")
            new.writestr(info, data)
    edits = {"A1": "new", "B1": "b", "A2": 2}
    edit_cells(source, tmp_path / "out.xlsx", {"Plan": edits})
    assert_only_cells_changed(source, tmp_path / "out.xlsx", "Plan", edits)
    with zipfile.ZipFile(tmp_path / "out.xlsx") as package:
        assert b'<x:row r="2"><x:c r="A2"><x:v>2</x:v></x:c></x:row>' in package.read("xl/worksheets/sheet1.xml")
    assert calamine_values(tmp_path / "out.xlsx", "Plan", edits) == edits


def test_empty_sheet_gets_its_first_rows(tmp_path):
    source = tmp_path / "empty.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Plan"
    book.create_sheet("Empty")
    book.save(source)
    edits = {"B2": "first", "A5": 5}
    edit_cells(source, tmp_path / "out.xlsx", {"Empty": edits})
    assert_only_cells_changed(source, tmp_path / "out.xlsx", "Empty", edits)
    assert calamine_values(tmp_path / "out.xlsx", "Empty", edits) == edits


def rewritten(source: Path, target: Path, part: str, old: bytes, new: bytes) -> Path:
    """A copy of source with one part's bytes changed, as a faulty writer would leave it."""
    with zipfile.ZipFile(source) as a, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as b:
        for info in a.infolist():
            data = a.read(info)
            b.writestr(info, data.replace(old, new, 1) if info.filename == part else data)
    return target


@pytest.mark.parametrize("old, new, found", [
    (b'<c r="A4" s="1" t="s"><v>2</v>', b'<c r="A4" s="1" t="s"><v>0</v>', "cells"),  # not asked for
    (b'<c r="A2"', b'<c r="A2" s="1"', "style"),  # the edited cell's style
    (b"<sheetView ", b'<sheetView zoomScale="90" ', "other"),  # outside the cells
    (b"</sheetData>", b'<row r="90"><c r="A90"><v>1</v></c></row></sheetData>', "cells"),
])
def test_verifier_catches_what_an_editor_should_not_do(tmp_path, old, new, found):
    source = realworld("poi__right-to-left.xlsx")
    edited = tmp_path / "edited.xlsx"
    edit_cells(source, edited, {"English": {"A2": 456}})
    faulty = rewritten(edited, tmp_path / "faulty.xlsx", "xl/worksheets/sheet1.xml", old, new)
    assert digest(faulty) != digest(edited)
    changes = changed_cells(source, faulty)
    if found == "cells":
        assert set(changes.cells["English"]) - {"A2"} and changes.other == []
    else:
        assert changes.other and all("changed" in line for line in changes.other)


def test_verifier_sees_what_openpyxl_drops(tmp_path):
    source = realworld("poi__NewStyleConditionalFormattings.xlsx")
    book = openpyxl.load_workbook(source)
    book["CF"]["A3"] = 99
    book.save(tmp_path / "openpyxl.xlsx")
    assert changed_cells(source, tmp_path / "openpyxl.xlsx").other


REFUSALS = [
    ("calamine__issue_553.xlsx", "Sheet1", "B2", "holds a formula"),
    ("xlsxwriter__dynamic_array01.xlsx", "Sheet1", "A1", "array formula"),
    ("xlsxwriter__merge_range01.xlsx", "Sheet1", "C2", "merged range B2:D2 but not its top-left"),
    ("poi__craftonhills_goalpriorityreport.xlsx", "Report", "B1", "header or totals row of the table"),
    ("calamine__picture_richdata.xlsx", "Sheet1", "B2", "picture"),
    ("poi__hello-world-signed.xlsx", "Sheet1", "A1", "digitally signed"),
    ("xlsxwriter__chartsheet01.xlsx", "Chart1", "A1", "is a chartsheet, not a worksheet"),
    ("xlsxwriter__macro01.xlsm", "No such sheet", "A1", "no such sheet"),
    ("poi__poc-xmlbomb.xlsx", "Tabelle1", "A1", "declares a DOCTYPE, as an XML bomb does"),
    ("poi__protect.xlsx", "Sheet1", "A1", "cannot be read as an .xlsx"),
]


@pytest.mark.parametrize("name, sheet, cell, words", REFUSALS, ids=lambda v: str(v)[:30])
def test_refusals_name_sheet_and_cell_and_write_nothing(tmp_path, name, sheet, cell, words):
    before = digest(realworld(name))
    with pytest.raises(PlanError) as refused:
        edit_cells(realworld(name), tmp_path / "out.xlsx", {sheet: {cell: "Red"}})
    message = str(refused.value)
    assert words in message and "\n" not in message
    if refused.value.cell:
        assert f"sheet '{sheet}', cell {cell}" in message
    assert not (tmp_path / "out.xlsx").exists() and digest(realworld(name)) == before


def test_cell_problems_lists_every_refusal_at_once():
    edits = {"B2": "Red", "B4": "shared formula", "C2": "fine", "E1": float("nan"), "ZZZZ1": 1, "A1": ["a list"]}
    problems = cell_problems(realworld("calamine__issue_553.xlsx"), {"Sheet1": edits})
    assert set(problems["Sheet1"]) == {"B2", "B4", "E1", "ZZZZ1", "A1"}
    assert "formula" in problems["Sheet1"]["B4"] and "not a cell address" in problems["Sheet1"]["ZZZZ1"]
    assert cell_problems(realworld("calamine__issue_553.xlsx"), {"Sheet1": {"C2": "fine"}}) == {}


def test_edit_onto_itself_refused(tmp_path):
    path = tmp_path / "Plan.xlsm"
    path.write_bytes(realworld("xlsxwriter__macro01.xlsm").read_bytes())
    before = digest(path)
    with pytest.raises(PlanError, match="onto itself"):
        edit_cells(path, path, {"Sheet1": {"A1": "x"}})
    assert digest(path) == before


# ---------------------------------------------------------------- LibreOffice

def libreoffice_csv(path: Path, outdir: Path) -> list[list[str]]:
    converted = soffice_convert(path, "csv:Text - txt - csv (StarCalc):44,34,76", outdir)
    return list(csv.reader(io.StringIO(converted.read_text(encoding="utf-8"), newline="")))


def test_libreoffice_made_workbook_with_chart(tmp_path):
    made = tmp_path / "made" / "Plan.xlsx"
    made.parent.mkdir()
    book = xlsxwriter.Workbook(made)
    sheet = book.add_worksheet("Plan")
    for row, (ref, rag, count) in enumerate([("Ref", "RAG", "Count"), ("1.1", "Green", 3), ("1.2", "Red", 5)]):
        sheet.write_string(row, 0, ref)
        sheet.write_string(row, 1, rag)
        sheet.write(row, 2, count)
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": "=Plan!$C$2:$C$3"})
    sheet.insert_chart("E2", chart)
    book.close()
    source = soffice_convert(made, "xlsx", tmp_path)  # saved by LibreOffice
    assert any("chart" in name for name, _, _ in entries(source))
    edits = {"B2": "Amber", "D2": "Waiting for the consultation\nsecond line"}
    edit_cells(source, tmp_path / "edited.xlsx", {"Plan": edits})
    assert_only_cells_changed(source, tmp_path / "edited.xlsx", "Plan", edits)
    rows = libreoffice_csv(tmp_path / "edited.xlsx", tmp_path / "csv")
    assert rows[0][:3] == ["Ref", "RAG", "Count"]
    assert rows[1][:4] == ["1.1", "Amber", "3", "Waiting for the consultation\nsecond line"]
    assert calamine_values(tmp_path / "edited.xlsx", "Plan", edits) == edits
    assert openpyxl.load_workbook(tmp_path / "edited.xlsx")["Plan"]["B2"].value == "Amber"


@pytest.mark.parametrize("name, sheet, edits", [
    ("xlsxwriter__macro01.xlsm", "Sheet1", {"A1": "Complete", "B3": 12}),
    ("poi__NewStyleConditionalFormattings.xlsx", "CF", {"A3": 99, "B3": "note"}),
])
def test_libreoffice_shows_the_new_values(tmp_path, name, sheet, edits):
    target = tmp_path / ("edited" + Path(name).suffix)
    edit_cells(realworld(name), target, {sheet: edits})
    rows = libreoffice_csv(target, tmp_path / "csv")
    for address, value in edits.items():
        row, col = split_address(address)
        assert rows[row - 1][col - 1] == str(value)


# ---------------------------------------------------------------- the safe write

@pytest.fixture
def shared(tmp_path) -> Path:
    path = tmp_path / "Shared drive" / "Business Plan 2025.xlsm"
    path.parent.mkdir()
    path.write_bytes(realworld("xlsxwriter__macro01.xlsm").read_bytes())
    return path


def test_write_cells_into_backs_up_then_replaces(shared):
    original = shared.read_bytes()
    preview = preview_cells(shared, {"Sheet1": {"A1": "Amber"}})
    assert preview.cells == {"Sheet1": {"A1": (123, "Amber")}} and shared.read_bytes() == original
    result = write_cells_into(shared, {"Sheet1": {"A1": "Amber"}}, expected_sha256=preview.sha256)
    assert result.changed and result.backup.read_bytes() == original
    assert re.fullmatch(r"Business Plan 2025 backup \d{4}-\d\d-\d\d \d{6}\.xlsm", result.backup.name)
    assert result.backup.parent == shared.parent / "backups"
    assert calamine_values(shared, "Sheet1", ["A1"]) == {"A1": "Amber"}
    assert file_sha256(shared) == result.sha256
    assert sorted(p.name for p in shared.parent.iterdir()) == ["Business Plan 2025.xlsm", "backups"]
    again = write_cells_into(shared, {"Sheet1": {"A1": "Amber"}})
    assert not again.changed and again.backup is None  # the same return twice changes nothing


def test_refused_while_open_in_excel(shared):
    before = digest(shared)
    (shared.parent / ("~$" + shared.name)).write_bytes(b"owner")
    with pytest.raises(PlanError, match="open in Excel"):
        write_cells_into(shared, {"Sheet1": {"A1": "Amber"}})
    assert digest(shared) == before and not (shared.parent / "backups").exists()


def test_refused_when_changed_since_the_dry_run(shared):
    expected = preview_cells(shared, {"Sheet1": {"A1": "Amber"}}).sha256
    edit_cells(realworld("xlsxwriter__macro01.xlsm"), shared, {"Sheet1": {"B1": "someone else"}})
    before = digest(shared)
    with pytest.raises(PlanError, match="changed since the dry run"):
        write_cells_into(shared, {"Sheet1": {"A1": "Amber"}}, expected_sha256=expected)
    assert digest(shared) == before and not (shared.parent / "backups").exists()


@pytest.mark.parametrize("name, cell, words", [
    ("calamine__issue_553.xlsx", "B2", "cell B2: holds a formula"),
    ("xlsxwriter__merge_range01.xlsx", "D2", "cell D2: is inside the merged range B2:D2"),
    ("calamine__pass_protected.xlsx", "A1", "is encrypted"),
])
def test_refused_cell_leaves_shared_workbook_alone(tmp_path, name, cell, words):
    path = tmp_path / "Plan.xlsx"
    path.write_bytes(realworld(name).read_bytes())
    before = digest(path)
    with pytest.raises(PlanError, match=words):
        write_cells_into(path, {"Sheet1": {"A9": "fine", cell: "Red"}})
    assert digest(path) == before and sorted(p.name for p in tmp_path.iterdir()) == ["Plan.xlsx"]


KILLED_WRITER = """
import sys
from plantools.returns.cells import write_cells_into
write_cells_into(sys.argv[1], {"Plan": {"B%d" % r: "Amber" for r in range(2, 20000, 7)}})
"""


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_kill_during_write_leaves_old_or_new_whole(tmp_path):
    path = tmp_path / "Plan.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Plan")
    for row in range(20000):
        sheet.write_string(row, 0, f"Action {row} " * 5)
        sheet.write_string(row, 1, "Green")
    book.close()
    saved, old = path.read_bytes(), digest(path)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}

    def writer() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path)], env=env)

    started = time.monotonic()
    assert writer().wait() == 0
    took, new = time.monotonic() - started, digest(path)
    assert new != old
    chance = random.Random(13)
    for _ in range(5):
        path.write_bytes(saved)
        process = writer()
        time.sleep(chance.uniform(0, took))  # a random moment of a whole run
        process.kill()
        process.wait()
        assert digest(path) in (old, new)
        python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Plan").to_python()
    path.write_bytes(saved)
    assert writer().wait() == 0 and digest(path) == new
    # the next run removed the temporary files the killed ones left
    assert not list(tmp_path.glob(".~plantools-*")) and not list((tmp_path / "backups").glob(".~plantools-*"))
