"""The RAG rules' formulas are written without xlsxwriter's pass over them for Excel's newer
functions (some 150 regular expressions a formula), and exactly as that pass writes them."""

import zipfile

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from plantools.paper import formats
from plantools.paper.formats import WORKBOOK_OPTIONS, Formats, add_rag_rules

# (first row, last row, column, dropdown): columns past Z, a single row, a rule-only sheet
PLACES = [(4, 30, 2, False), (0, 0, 0, True), (9, 2000, 30, True), (6, 7, 701, False)]


def write(path, monkeypatch, passes: list[str], ours: bool) -> dict[str, bytes]:
    """A workbook of a sheet per place, each with its RAG rules (and one other rule whose
    formula is not a RAG rule's); its sheets' XML. `passes` collects the formulas that went
    through xlsxwriter's pass."""
    theirs = Worksheet._prepare_formula

    def counted(self, formula, *args):
        passes.append(formula)
        return theirs(self, formula, *args)

    monkeypatch.setattr(Worksheet, "_prepare_formula", counted)
    if not ours:
        monkeypatch.setattr(formats, "_rules_as_they_are", lambda *args: None)
    book = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    looks = Formats(book)
    for number, (first, last, col, dropdown) in enumerate(PLACES):
        sheet = book.add_worksheet(f"S{number}")
        sheet.write_string(first, col, "Red")
        add_rag_rules(sheet, looks, first, last, col, dropdown=dropdown)
        sheet.conditional_format(first, col, last, col, {"type": "formula", "criteria": "=XLOOKUP(1,A:A,B:B)>0",
                                                         "format": looks.rag_rule["Red"]})
    book.close()
    monkeypatch.undo()
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist() if name.startswith("xl/worksheets/")}


def test_rag_rules_skip_the_pass_and_read_the_same(tmp_path, monkeypatch):
    theirs_passed: list[str] = []
    ours_passed: list[str] = []
    theirs = write(tmp_path / "theirs.xlsx", monkeypatch, theirs_passed, ours=False)
    ours = write(tmp_path / "ours.xlsx", monkeypatch, ours_passed, ours=True)
    assert len(theirs_passed) == 5 * len(PLACES)  # every rule, when no rule is ours
    assert ours_passed == ["=XLOOKUP(1,A:A,B:B)>0"] * len(PLACES)  # only the rule that is not a RAG rule
    assert b'LEFT(ZZ7,3)="Red"' in ours["xl/worksheets/sheet4.xml"]
    assert b"_xlfn.XLOOKUP" in ours["xl/worksheets/sheet1.xml"]  # the pass still marks what it should
    assert ours == theirs
