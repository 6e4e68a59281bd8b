"""Bad workbooks, hostile files, odd cells, and a shared drive: one clear line, exit 2,
nothing written, and the shared workbook never touched."""

import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner
from conftest import BUNDLED_2018, digest, realworld, realworld_folder, simple_plan
from msoffcrypto.format.ooxml import OOXMLFile

from plantools import load_plan
from plantools.cli import main
from plantools.jobs import consolidate
from plantools.paper.formats import write_row, write_text, write_workbook

ACTIONS = [["1.1", "Agreement", "Draft it", "Jo", "Board", "May 2019", "Green", "On track"]]
COMMANDS = {
    "check": lambda path, out: ["check", path],
    "consolidate": lambda path, out: ["consolidate", path, "--month", "2018-11", "--out", out],
    "packs": lambda path, out: ["packs", path, "--month", "2018-11", "--out", out],
    "format": lambda path, out: ["format", path, "--backup-dir", out],
}


def zip_of(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return buffer.getvalue()


def stray_value_workbook(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Plan")
    sheet.write_row(0, 0, ["Objective", "Action", "Owner", "Governance", "Deadline"])
    sheet.write_row(1, 0, ["1.1 One", "a", "Jo", "Board", "May 2019"])
    sheet.write_string(1048575, 16383, "typed in the last cell by mistake")
    book.close()
    return path


def encrypted(plain: Path, target: Path, password: str) -> Path:
    with plain.open("rb") as source, target.open("wb") as out:
        OOXMLFile(source).encrypt(password, out)
    return target


# name -> (how to make it in a folder, words the one-line message must hold)
BAD_FILES = {
    "csv renamed": (lambda d: _write(d / "plan.xlsx", b"Ref,Owner,When\n1.1,Jo,May 2019\n"), "a text file (a CSV?)"),
    "pdf renamed": (lambda d: _write(d / "plan.xlsx", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n"), "is a PDF"),
    "empty file": (lambda d: _write(d / "plan.xlsx", b""), "is empty"),
    "truncated download": (lambda d: _write(d / "plan.xlsx", BUNDLED_2018.read_bytes()[:6000]),
                           "damaged or incomplete"),
    "zip, not a workbook": (lambda d: _write(d / "plan.xlsx", zip_of({"notes.txt": b"hello"})),
                            "not an Excel workbook"),
    "a folder": (lambda d: (d / "plan.xlsx").mkdir() or d / "plan.xlsx", "is a folder"),
    "missing": (lambda d: d / "no such plan.xlsx", "no such file"),
    # an .xls and an .ods are read (issue 17): these two hold no plan
    "old .xls": (lambda d: _copy(realworld("poi__61045_govdocs1_626534.xls"), d), "no plan sheet"),
    ".xlsb": (lambda d: _copy(realworld("calamine__issues.xlsb"), d), "binary workbook (.xlsb)"),
    ".ods": (lambda d: _copy(realworld("calamine__merged_cells.ods"), d), "no plan sheet"),
    "encrypted .xlsx": (lambda d: encrypted(BUNDLED_2018, d / "locked.xlsx", "s3cret"), "is encrypted"),
    "encrypted .xlsx (Excel)": (lambda d: _copy(realworld("calamine__pass_protected.xlsx"), d), "is encrypted"),
    "encrypted .xls": (lambda d: _copy(realworld("poi__password.xls"), d), "is encrypted"),
    "XML entity bomb": (lambda d: _copy(realworld("poi__poc-xmlbomb.xlsx"), d), "as an XML bomb does"),
    "no plan sheet": (lambda d: _copy(realworld("poi__simple-monthly-budget.xlsx"), d), "no plan sheet"),
    "header mangled": (lambda d: simple_plan(d / "plan.xlsx", ACTIONS) and _mangle(d / "plan.xlsx"),
                       "expected a header row with at least three of"),
    "value at XFD1048576": (lambda d: stray_value_workbook(d / "plan.xlsx"), "values run as far as XFD1048576"),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _copy(source: Path, folder: Path) -> Path:
    return Path(shutil.copy(source, folder / source.name))


def _mangle(path: Path) -> Path:
    book = openpyxl.load_workbook(path)
    for cell in book["Plan"][3]:
        cell.value = f"Column {cell.column}"
    book.save(path)
    return path


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, case, command):
    make, words = BAD_FILES[case]
    folder = tmp_path / "shared drive"
    folder.mkdir()
    path = make(folder)
    before = digest(path) if path.is_file() else None
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [str(a) for a in COMMANDS[command](path, out)], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and str(path) in result.stderr and words in result.stderr
    assert result.stdout == ""
    assert not out.exists() or not any(out.iterdir())  # nothing written
    assert sorted(p.name for p in folder.iterdir()) == [path.name] or not path.exists()
    if before:
        assert digest(path) == before


def test_encrypted_workbook_opens_with_the_password_in_the_environment(tmp_path):
    locked = encrypted(BUNDLED_2018, tmp_path / "locked.xlsx", "s3cret")
    runner = CliRunner()
    opened = runner.invoke(main, ["check", str(locked), "--today", "2018-05-31"],
                           env={"PLANTOOLS_WORKBOOK_PASSWORD": "s3cret"})
    assert opened.exit_code == 1 and opened.output.splitlines()[-1] == "17 actions on 1 plan sheet: 3 errors, 3 warnings"
    wrong = runner.invoke(main, ["check", str(locked)], env={"PLANTOOLS_WORKBOOK_PASSWORD": "guess"})
    assert wrong.exit_code == 2 and "does not open it" in wrong.stderr


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_a_file_without_read_permission(tmp_path):
    folder = Path(tempfile.mkdtemp(dir="/tmp"))  # a folder others may enter, unlike pytest's own
    try:
        os.chmod(folder, 0o755)
        path = Path(shutil.copy(BUNDLED_2018, folder / "plan.xlsx"))
        os.chmod(path, 0)
        euid = os.geteuid()
        if euid == 0:
            os.seteuid(65534)  # root reads anything: be "nobody" for the call
        try:
            result = CliRunner().invoke(main, ["check", str(path)], catch_exceptions=False)
        finally:
            if euid == 0:
                os.seteuid(0)
        assert result.exit_code == 2 and "permission denied" in result.stderr
    finally:
        shutil.rmtree(folder)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's /proc for the memory used")
def test_zip_bomb_is_refused_fast_with_bounded_memory(tmp_path):
    """A real plan whose sheet is padded with 300 MB of spaces (1:1000): refused from the
    zip's directory, before anything is unpacked."""
    bomb = tmp_path / "padded plan.xlsx"
    with zipfile.ZipFile(BUNDLED_2018) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, data)
                continue
            with target.open(info.filename, "w", force_zip64=True) as part:
                head, tail = data.rsplit(b"</worksheet>", 1)
                part.write(head)
                for _ in range(300):
                    part.write(b" " * (1024 * 1024))
                part.write(b"</worksheet>" + tail)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    # the command in a process of its own, which says the most memory it ever held (VmHWM:
    # ru_maxrss would include what the parent held when it forked)
    run_and_measure = ("import re, sys\nfrom pathlib import Path\nfrom plantools.cli import main\n"
                       "try:\n    main(['check', sys.argv[1]])\nexcept SystemExit as done:\n"
                       "    status = Path('/proc/self/status').read_text()\n"
                       "    print(re.search(r'VmHWM:\\s+(\\d+)', status).group(1))\n    sys.exit(done.code)\n")
    result = subprocess.run([sys.executable, "-c", run_and_measure, str(bomb)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "would unpack to 300 MB" in result.stderr
    assert int(result.stdout) < 200 * 1024  # KB: the 300 MB was never unpacked


def test_cells_that_are_formulas_errors_numbers_long_text_and_other_scripts(tmp_path):
    path = tmp_path / "odd cells.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Plan")
    sheet.write_row(0, 0, ["Objective", "Action", "Owner", "Governance", "Deadline", "RAG", "Progress update"])
    sheet.write_row(1, 0, ["1.1 One", "Draft", "Jo", "Board", "May 2019", "Red"])
    sheet.write_formula(1, 6, "=1/0", None, "#DIV/0!")  # an error where the note should be
    sheet.write_row(2, 0, ["1.2 Two", "Audit"])
    sheet.write_formula(2, 2, '="Sam "&"Smith"', None, "Sam Smith")  # a formula: its last result counts
    sheet.write_number(2, 3, 42)  # a number where text is expected
    sheet.write_row(2, 4, ["Ongoing", "Amber", "x" * 32767])  # as long as a cell may hold
    sheet.write_row(3, 0, ["1.3 Three", "مراجعة السياسة 🚸", "Ayşe Yılmaz 👩‍⚕️", "Board", "Q3 2018-19", "Green",
                           "进展顺利"])
    sheet.write_formula(4, 2, "=#REF!", None, "#REF!")
    sheet.write_row(4, 0, ["1.4 Four", "Lost owner"])
    sheet.write_row(4, 3, ["Board", "May 2019"])
    book.close()
    plan = load_plan(path)
    actions = {a.ref: a for a in plan.actions}
    assert actions["1.1"].progress == "#DIV/0!"
    assert actions["1.2"].owner == "Sam Smith" and actions["1.2"].governance == "42"
    assert actions["1.3"].owner == "Ayşe Yılmaz 👩‍⚕️"
    assert actions["1.4"].owner == "#REF!"
    assert ("warning", "C5", "cell holds the error #REF!: kept as text") in {
        (f.severity, f.cell, f.message) for f in plan.findings}
    result = consolidate(plan, "2018-11", tmp_path / "monthly", today=date(2018, 11, 30))
    copy = openpyxl.load_workbook(result.path)["Plan"]
    header = [c.value for c in copy[4]]
    column = {name: header.index(name) + 1 for name in ("Who (owner)", "Progress update", "Action")}
    assert copy.cell(5, column["Progress update"]).value == "#DIV/0!"
    assert copy.cell(5, column["Progress update"]).data_type == "s"  # text, not an error value
    assert copy.cell(6, column["Progress update"]).value == "x" * 32767
    assert copy.cell(7, column["Action"]).value == "مراجعة السياسة 🚸"


def test_text_longer_than_a_cell_holds_is_cut_and_says_so(tmp_path):
    """Other programs can write cells longer than Excel's 32,767 characters."""
    path = tmp_path / "long.xlsx"
    write_workbook(path, lambda book: write_text(book.add_worksheet(), 0, 0, "y" * 40000))
    value = openpyxl.load_workbook(path).active["A1"].value
    assert len(value) == 32767 and value.startswith("y" * 32000) and value.endswith("longer than Excel allows]")



def test_text_of_emoji_is_counted_as_excel_counts_it(tmp_path):
    """Excel counts a cell's characters in UTF-16, an emoji as two: a table row's text (and a
    single cell's) too long so counted is cut and says so, as ASCII text is, where before it
    was written whole into a table row (a file Excel must repair) or cut short by xlsxwriter
    without a word. Text of exactly 32,767 so counted is kept whole."""
    whole, long = "🚸" * 16383 + "a", "🚸" * 20000 + " the end"

    def fill(book) -> None:
        sheet = book.add_worksheet()
        write_row(sheet, 0, [whole, long], [None, None], [50, 50], 11)
        write_text(sheet, 1, 0, long)

    write_workbook(tmp_path / "emoji.xlsx", fill)
    sheet = openpyxl.load_workbook(tmp_path / "emoji.xlsx").active
    assert sheet["A1"].value == whole
    for cut in (sheet["B1"].value, sheet["A2"].value):
        assert len(cut.encode("utf-16-le")) // 2 <= 32767 and cut.startswith("🚸" * 16000)
        assert cut.endswith("🚸 …[cut: the cell in the shared workbook is longer than Excel allows]")

def test_formula_like_text_stays_text_in_packs_and_manifest(tmp_path):
    shared = simple_plan(tmp_path / "plan.xlsx", [["1.1", "One", "-", "+44 20 7946 0000", "=cmd|' /C calc'!A0",
                                                   "May 2019", "", "@SUM(A1)"]],
                         bodies=[("=cmd|' /C calc'!A0", "", "x@example.org")])
    book = openpyxl.load_workbook(shared)
    for address in ("C4", "E4", "H4"):
        book["Plan"][address].data_type = "s"  # typed as text in Excel
    book["Governance"]["A2"].data_type = "s"
    book.save(shared)
    result = CliRunner().invoke(main, ["packs", str(shared), "--month", "2018-11", "--out", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    [pack] = (tmp_path / "p").glob("*.xlsx")
    sheet = openpyxl.load_workbook(pack)["Plan"]
    values = {(c.value, c.data_type) for row in sheet.iter_rows(min_row=5, max_row=5) for c in row if c.value}
    assert {("-", "s"), ("+44 20 7946 0000", "s"), ("=cmd|' /C calc'!A0", "s"), ("@SUM(A1)", "s")} <= values
    manifest = (tmp_path / "p" / "manifest.csv").read_text(encoding="utf-8-sig")
    assert manifest.splitlines()[1].startswith("'=cmd|' /C calc'!A0,")  # Excel shows it, does not run it


def test_macro_workbook_is_read_and_no_macro_is_ever_written(tmp_path):
    source = realworld("xlsxwriter__macro01.xlsm")
    vba = tmp_path / "vbaProject.bin"
    vba.write_bytes(zipfile.ZipFile(source).read("xl/vbaProject.bin"))
    path = tmp_path / "Business Plan.xlsm"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Plan")
    sheet.write_row(0, 0, ["Objective", "Action", "Owner", "Governance", "Deadline", "RAG"])
    sheet.write_row(1, 0, ["1.1 One", "Draft", "Jo", "Board", "May 2019", "Green"])
    book.add_vba_project(str(vba))
    book.close()
    before = digest(path)
    runner = CliRunner()
    assert runner.invoke(main, ["check", str(path), "--today", "2019-01-01"]).exit_code == 0
    done = runner.invoke(main, ["consolidate", str(path), "--month", "2018-11", "--out", str(tmp_path / "m")])
    assert done.exit_code == 0
    [copy] = (tmp_path / "m").iterdir()
    assert copy.suffix == ".xlsx" and not any("vba" in n.lower() for n in zipfile.ZipFile(copy).namelist())
    refused = runner.invoke(main, ["format", str(path)])
    assert refused.exit_code == 2 and "would lose macros (VBA)" in refused.stderr
    assert digest(path) == before


REALWORLD_FILES = sorted(p for p in realworld_folder().glob("*") if p.suffix not in (".md", ".tsv"))


@pytest.mark.skipif(not REALWORLD_FILES, reason=f"the real-world corpus is not at {realworld_folder()} "
                    "(set PLANTOOLS_REALWORLD to the folder, or put shared/realworld beside the project)")
@pytest.mark.parametrize("path", REALWORLD_FILES, ids=lambda p: p.name)
def test_every_real_world_file_is_read_or_refused_cleanly(path, tmp_path):
    before = digest(path)
    result = subprocess.run([sys.executable, "-m", "plantools", "check", str(path), "--format", "json"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode in (0, 1, 2), result.stderr
    assert "Traceback" not in result.stderr
    if result.returncode == 2:
        assert result.stderr.count("\n") == 1 and str(path) in result.stderr
    for command in ("consolidate", "packs"):
        other = CliRunner().invoke(main, [str(a) for a in COMMANDS[command](path, tmp_path / command)],
                                   catch_exceptions=False)
        assert other.exit_code in (0, 2)
    assert digest(path) == before
