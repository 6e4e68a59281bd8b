"""Files that are not workbooks at all (Word, PowerPoint) called by their name, and text
from a workbook that would drive the terminal (escape sequences, control characters)."""

import shutil
import zipfile
from pathlib import Path

import olefile
import pytest
from click.testing import CliRunner

from plantools.cli import main

from conftest import REALWORLD, simple_plan

XLS = REALWORLD / "poi__61045_govdocs1_626534.xls"


def ole_with_stream(source: Path, target: Path, name: str) -> Path:
    """A real OLE compound file (an old .xls) whose one stream is renamed, as Word and
    PowerPoint name theirs: 'WordDocument', 'PowerPoint Document'."""
    if not source.exists():
        pytest.skip(f"{source} is not here (shared/realworld beside the project)")
    data = bytearray(source.read_bytes())
    old = "Workbook".encode("utf-16-le")
    at = data.index(old)  # the directory entry: the name (64 bytes), then its length in bytes
    data[at:at + 64] = name.encode("utf-16-le").ljust(64, b"\0")
    data[at + 64:at + 66] = (2 * len(name) + 2).to_bytes(2, "little")
    target.write_bytes(bytes(data))
    assert olefile.OleFileIO(str(target)).listdir() == [[name]]
    return target


def ooxml(target: Path, part: str) -> Path:
    with zipfile.ZipFile(target, "w") as package:
        package.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        package.writestr(part, '<?xml version="1.0"?><document/>')
    return target


OTHER_FILES = {
    "plan.doc": (lambda d: ole_with_stream(XLS, d / "plan.doc", "WordDocument"), "is a Word document"),
    "plan.ppt": (lambda d: ole_with_stream(XLS, d / "plan.ppt", "PowerPoint Document"), "is a PowerPoint presentation"),
    "plan.docx": (lambda d: ooxml(d / "plan.docx", "word/document.xml"), "is a Word document"),
    "plan.pptx": (lambda d: ooxml(d / "plan.pptx", "ppt/presentation.xml"), "is a PowerPoint presentation"),
    "renamed to .xlsx": (lambda d: ooxml(d / "plan.xlsx", "word/document.xml"), "is a Word document"),
}


@pytest.mark.parametrize("case", OTHER_FILES)
def test_word_and_powerpoint_files_are_called_by_their_name(tmp_path, case):
    make, words = OTHER_FILES[case]
    path = make(tmp_path)
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {path}: {words}, not an Excel workbook: give the plan workbook (.xlsx)\n"


def test_an_old_xls_is_still_an_old_xls(tmp_path):
    if not XLS.exists():
        pytest.skip("shared/realworld is not here")
    path = Path(shutil.copy(XLS, tmp_path / "plan.xls"))
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2 and "an old Excel 97-2003 workbook (.xls)" in result.stderr
