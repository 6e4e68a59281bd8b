"""Files that are not workbooks at all (Word, PowerPoint, another Office file) called by their
name, and text from a workbook that would drive the terminal (escape sequences, control
characters)."""

import shutil
import zipfile
from pathlib import Path

import olefile
import pytest
from click.testing import CliRunner
from conftest import realworld

from plantools.cli import main

XLS = "poi__61045_govdocs1_626534.xls"


def ole_with_stream(source: str, target: Path, name: str) -> Path:
    """A real OLE compound file (an old .xls of the real-world corpus) whose one stream is
    renamed, as Word and PowerPoint name theirs: 'WordDocument', 'PowerPoint Document'."""
    data = bytearray(realworld(source).read_bytes())
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
    "plan.vsd": (lambda d: ole_with_stream(XLS, d / "plan.xls", "VisioDocument"),  # no Workbook stream: no .xls
                 "is an Office file of another kind (it holds no workbook)"),
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
    path = Path(shutil.copy(realworld(XLS), tmp_path / "plan.xls"))
    result = CliRunner().invoke(main, ["check", str(path)])
    # read as the .xls it is (its values: no plan among them), not refused as Word or damaged
    assert result.exit_code == 2 and "no plan sheet" in result.stderr and "'Sheet1' has YEAR" in result.stderr


HOSTILE = "Policy\x1b]0;owned\x07 Sub-Group\x1b[2J\x1b[31m\x9b1m\x08"


def hostile_plan(path: Path) -> Path:
    """A plan whose body name and cells carry escape sequences (saved by xlsxwriter as Excel
    does, _x001B_; every reader turns them back into ESC)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    plan = book.add_worksheet("Plan")
    plan.write_row(0, 0, ["Partnership business plan"])
    plan.write_row(2, 0, ["Objective", "Objective description", "Action", "Owner", "Governance", "Deadline",
                          "RAG", "Progress update"])
    plan.write_row(3, 0, ["1.1", "Agreement", "Draft it\x1b[8m", "Jo", HOSTILE, "January 2019", "Red\x1b[5m", ""])
    plan.write_row(4, 0, ["1.2", "Audit", "Audit it", "", "Nobody\x1b[31m\r here", "whenever\x07", "", ""])
    bodies = book.add_worksheet("Governance")
    bodies.write_row(0, 0, ["Governance body", "Also written as", "Email"])
    bodies.write_row(1, 0, [HOSTILE, "", "policy@example.org"])
    book.close()
    return path


@pytest.mark.parametrize("command, shown", [(["check"], "'Nobody here' names no governance body"),
                                            (["packs", "--month", "2018-11"], "Policy Sub-Group: 1 action")])
def test_no_escape_sequence_or_control_character_reaches_the_terminal(tmp_path, command, shown):
    plan = hostile_plan(tmp_path / "plan.xlsx")
    result = CliRunner().invoke(main, [command[0], str(plan), *command[1:]])
    assert result.exit_code in (0, 1), result.output
    printed = result.stdout + result.stderr
    assert shown in printed  # the words are there, without what they carried
    assert not [c for c in printed if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f]


def test_an_error_message_is_one_clean_line(tmp_path):
    folder = tmp_path / "Shared\x1b[31m\nplans"
    folder.mkdir()
    result = CliRunner().invoke(main, ["check", str(folder / "plan.xlsx")])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path}/Shared plans/plan.xlsx: no such file\n"
