"""Returns from Outlook (issue 22): `collect` takes an Outlook message dragged out of Outlook
(.msg) carrying a pack exactly as it takes the same mail saved as .eml, and any other OLE
file is called what it is.

The real .msg files of the corpus carry no workbook (no public one does), so the pack path is
tested with a .msg made here: an OLE compound file written by the small writer below, laid
out as Outlook lays out a message's attachments (MS-OXMSG), read back by olefile as a check."""

from __future__ import annotations

import re
import shutil
import struct
from email.message import EmailMessage
from pathlib import Path

import olefile
import pytest
from conftest import digest, realworld

from plantools.returns.mail import outlook_attachments, workbooks_attached
from plantools.returns.read import read_return
from plantools.xlsx.edit import changed_cells
from test_collect import MONTH, edit_pack, ledger_rows, make_packs, pack_of, run, shared_plan, wrote_lines

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# ---------------------------------------------------------------- a small OLE compound file writer

SECTOR, MINI, CUTOFF = 512, 64, 4096
END, FREE, FAT_SECTOR, NONE = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
Tree = dict[str, "bytes | Tree"]  # a storage: name -> a stream's bytes, or a storage


def compound_file(tree: Tree) -> bytes:
    """An OLE compound file (version 3, 512-byte sectors): streams under 4096 bytes in the
    mini stream, as the format requires; each storage's children chained as right siblings."""
    entries: list[list] = []  # [name, type (1 storage, 2 stream, 5 root), data, child, right]

    def add(name: str, node: bytes | Tree, kind: int) -> int:
        entries.append([name, kind, node if isinstance(node, bytes) else b"", NONE, NONE])
        index = len(entries) - 1
        if isinstance(node, dict):
            children = [add(n, v, 1 if isinstance(v, dict) else 2) for n, v in node.items()]
            entries[index][3] = children[0] if children else NONE
            for left, right in zip(children, children[1:]):
                entries[left][4] = right
        return index

    add("Root Entry", tree, 5)
    body, fat, mini, minifat = bytearray(), [], bytearray(), []

    def chain(data: bytes, table: list[int], out: bytearray, size: int) -> int:
        if not data:
            return END
        start, count = len(table), -(-len(data) // size)
        table.extend([*range(start + 1, start + count), END])
        out.extend(data.ljust(count * size, b"\0"))
        return start

    starts = [0] * len(entries)
    for index, (_, kind, data, _, _) in enumerate(entries):
        if kind == 2:
            starts[index] = chain(data, minifat, mini, MINI) if len(data) < CUTOFF else chain(data, fat, body, SECTOR)
    starts[0] = chain(bytes(mini), fat, body, SECTOR)
    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat)
    minifat_start, minifat_count = chain(minifat_bytes, fat, body, SECTOR), -(-len(minifat_bytes) // SECTOR)
    directory = b"".join(
        struct.pack("<64sHBBIII16sIQQIQ", name.encode("utf-16-le").ljust(64, b"\0"), 2 * len(name) + 2, kind, 1,
                    NONE, right, child, b"", 0, 0, 0, starts[index], len(mini) if kind == 5 else len(data))
        for index, (name, kind, data, child, right) in enumerate(entries))
    directory_start = chain(directory.ljust(-(-len(entries) // 4) * SECTOR, b"\0"), fat, body, SECTOR)
    fat_count = next(n for n in range(1, 110) if len(fat) + n <= n * SECTOR // 4)
    fat_sectors = list(range(len(fat), len(fat) + fat_count))
    fat += [FAT_SECTOR] * fat_count
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII109I", olefile.MAGIC, b"", 0x3E, 3, 0xFFFE, 9, 6, b"", 0, fat_count,
                         directory_start, 0, CUTOFF, minifat_start if minifat else END, minifat_count, END, 0,
                         *fat_sectors, *[FREE] * (109 - fat_count))
    return header + bytes(body) + struct.pack(f"<{fat_count * SECTOR // 4}I", *fat, *[FREE] * (
        fat_count * SECTOR // 4 - len(fat)))


def unicode(text: str) -> bytes:
    return (text + "\0").encode("utf-16-le")


def outlook_message(path: Path, subject: str, attachments: list[dict[str, bytes | Tree]]) -> Path:
    """An Outlook message as Outlook saves one: its properties and string values at the top,
    each attachment in its own storage ({stream tag: value})."""
    tree: Tree = {"__properties_version1.0": bytes(32), "__substg1.0_0037001F": unicode(subject),
                  "__substg1.0_1000001F": unicode("Our update is attached.")}
    for number, streams in enumerate(attachments):
        tree[f"__attach_version1.0_#{number:08X}"] = {"__properties_version1.0": bytes(8), **{
            f"__substg1.0_{tag}": value for tag, value in streams.items()}}
    path.write_bytes(compound_file(tree))
    return path


def by_value(name: str, data: bytes, mime: str = XLSX_TYPE) -> dict[str, bytes | Tree]:
    """A file attached by value: its bytes, long and short file names, MIME type."""
    return {"37010102": data, "3707001F": unicode(name), "3704001F": unicode(name[:8].upper()),
            "370E001F": unicode(mime)}


def test_the_writer_makes_a_compound_file_olefile_reads_back(tmp_path):
    big, small = bytes(range(256)) * 40, b"tiny"
    path = tmp_path / "t.msg"
    path.write_bytes(compound_file({"a": small, "s": {"big": big, "empty": b"", "inner": {"x": small * 300}}}))
    with olefile.OleFileIO(str(path)) as ole:
        assert sorted(ole.listdir()) == [["a"], ["s", "big"], ["s", "empty"], ["s", "inner", "x"]]
        assert ole.openstream("s/big").read() == big and ole.openstream("a").read() == small
        assert ole.openstream("s/inner/x").read() == small * 300 and ole.openstream("s/empty").read() == b""


# ---------------------------------------------------------------- the real .msg files

def test_a_real_outlook_messages_attachments_are_read_with_their_names_types_and_bytes():
    message = realworld("msgextractor__unicode.msg")
    attachments = outlook_attachments(message)
    assert [(a.name, a.mime_type, a.inside) for a in attachments] == [
        ("import OleFileIO.tif", "image/tiff", False), ("raised value error.tif", "image/tiff", False)]
    with olefile.OleFileIO(str(message)) as ole:  # all of each file, as the message holds it
        sizes = [ole.get_size(f"__attach_version1.0_#0000000{n}/__substg1.0_37010102") for n in (0, 1)]
    assert [len(a.data or b"") for a in attachments] == sizes and min(sizes) > 900_000
    assert all((a.data or b"").startswith(b"II*\0") for a in attachments)  # TIFF, little-endian
    assert outlook_attachments(realworld("msgextractor__strangeDate.msg")) == []


@pytest.mark.parametrize("name", ["msgextractor__unicode.msg", "msgextractor__strangeDate.msg"])
def test_a_real_outlook_message_without_a_workbook_is_refused_in_one_line(tmp_path, name):
    message = realworld(name)  # two pictures attached, or nothing
    shared = shared_plan(tmp_path)
    make_packs(shared)
    before = digest(shared)
    result = run("collect", message, "--into", shared, "--yes", code=2)
    assert result.output == f"Error: {message}: is a mail with no workbook attached: save the returned pack " \
                            "from it instead\n"
    assert digest(shared) == before and not (tmp_path / "returns.csv").exists()
    assert not (tmp_path / "backups").exists()


def test_a_real_outlook_message_is_called_an_outlook_message_not_an_old_xls(tmp_path):
    message = Path(shutil.copy(realworld("msgextractor__unicode.msg"), tmp_path / "RE Policy pack.msg"))
    result = run("check", message, code=2)
    assert result.output == f"Error: {message}: is an Outlook message (.msg), not an Excel workbook: save the " \
                            "workbook attached to it and give that\n"
    renamed = Path(shutil.copy(message, tmp_path / "plan.xlsx"))  # what it is, whatever it is called
    assert "is an Outlook message (.msg)" in run("consolidate", renamed, "--month", MONTH, code=2).output


# ---------------------------------------------------------------- a pack in a .msg, as in an .eml

def returned_mail(folder: Path, returned: Path, others: list[tuple[str, bytes]]) -> tuple[Path, Path]:
    """The same reply as .eml and as .msg: the pack attached, then the others."""
    reply = EmailMessage()
    reply["From"], reply["To"], reply["Subject"] = "qa@example.org", "bsu@example.org", "RE: QA pack"
    reply.set_content("Our update is attached.\n")
    attached = [("QA Sub-Group 2018-11.xlsx", returned.read_bytes()), *others]
    for name, data in attached:
        reply.add_attachment(data, maintype="application", subtype=XLSX_TYPE.split("/")[1], filename=name)
    eml = folder / "RE QA pack.eml"
    eml.write_bytes(bytes(reply))
    return eml, outlook_message(folder / "RE QA pack.msg", "RE: QA pack", [by_value(n, d) for n, d in attached])


def test_a_pack_in_a_msg_is_collected_exactly_as_the_same_mail_as_eml(tmp_path):
    base = tmp_path / "base"
    base.mkdir()
    shared = shared_plan(base)
    packs = make_packs(shared, MONTH, "--sender", "bsu@example.org")
    returned = edit_pack(pack_of(packs, "QA Sub-Group"), {"1.2": {"RAG": "Complete", "Progress update": "Done"}},
                         tmp_path / "filled.xlsx")
    eml, msg = returned_mail(tmp_path, returned, [("Our figures.xlsx", shared.read_bytes())])
    with olefile.OleFileIO(str(msg)) as ole:  # the pack is big enough to sit in the file's own sectors
        assert ole.get_size("__attach_version1.0_#00000000/__substg1.0_37010102") >= 4096
    outcome = {}
    for mail in (eml, msg):
        folder = tmp_path / mail.suffix[1:]
        shutil.copytree(base, folder)
        into = folder / shared.name
        result = run("collect", mail, "--into", into, "--yes", code=0)
        rows = [{**row, "return": row["return"].replace(mail.name, "MAIL"), "when": "", "run": ""}  # this run's
                for row in ledger_rows(into)]
        output = re.sub(r"\(backup: [^)]*\)", "(backup)", result.output.replace(mail.name, "MAIL"))  # its folder, time
        outcome[mail.suffix] = (wrote_lines(result.output), output, changed_cells(shared, into).cells, rows)
    assert outcome[".msg"] == outcome[".eml"]
    wrote, output, cells, rows = outcome[".msg"]
    assert wrote == ["wrote: Plan!G5  1.2  RAG  'Amber' -> 'Complete'  (from QA Sub-Group)",
                     "wrote: Plan!H5  1.2  Progress update  'Late' -> 'Done'  (from QA Sub-Group)"]
    assert cells == {"Plan": {"G5": ("Amber", "Complete"), "H5": ("Late", "Done")}}
    assert "note: MAIL: its attachment 'Our figures.xlsx' is no returned pack (is not a pack that plantools " \
           "made" in output
    assert [row["return"] for row in rows] == ["MAIL, sheet Plan, cell H5", "MAIL, sheet Plan, cell I5"]


def test_a_msg_with_no_pack_only_a_message_inside_or_a_link_says_so_in_one_line(tmp_path):
    shared = shared_plan(tmp_path)
    make_packs(shared)
    before = digest(shared)
    inner = {"__properties_version1.0": bytes(32), "__substg1.0_0037001F": unicode("RE: QA pack")}
    msg = outlook_message(tmp_path / "FW QA.msg", "FW: QA pack", [
        {"3701000D": inner, "3707001F": unicode("RE: QA pack")},  # the reply, attached as a message
        {"3707001F": unicode("QA Sub-Group 2018-11.xlsx"), "370E001F": unicode(XLSX_TYPE)},  # a link, no bytes
        by_value("photo.png", b"\x89PNG\r\n\x1a\n", "image/png")])
    result = run("collect", msg, "--into", shared, "--yes", code=2)
    assert result.output == (
        f"Error: {msg}: is a mail with no workbook attached: save the returned pack from it instead; its attachment "
        "'RE: QA pack' is a message or object inside it, not a file, so no pack: left out (open it in Outlook and "
        "save its pack, if it carries one); its attachment 'QA Sub-Group 2018-11.xlsx' is a link to a file, not the "
        "file: left out (save the pack from where the link points)\n")
    assert digest(shared) == before and not (tmp_path / "returns.csv").exists()


def test_a_msg_attachment_is_found_by_its_short_name_or_its_type_and_one_inside_is_noted(tmp_path):
    shared = shared_plan(tmp_path)
    pack = pack_of(make_packs(shared), "QA Sub-Group").read_bytes()
    short = {"37010102": pack, "3704001F": unicode("QASUB~1.XLS"), "370E001F": unicode(XLSX_TYPE)}  # 8.3 name only
    nameless = {"37010102": pack, "370E001F": unicode(XLSX_TYPE)}
    inner = {"3701000D": {"__properties_version1.0": bytes(32)}}  # a message inside, no name
    for number, (streams, shown) in enumerate([(short, "QASUB~1.XLS"), (nameless, "attachment 1")]):
        msg = outlook_message(tmp_path / f"RE {number}.msg", "RE: QA", [streams, inner])
        assert [name for name, _ in workbooks_attached(msg)[0]] == [shown]
        [returned] = read_return(msg)
        assert (returned.body, returned.month, len(returned.rows)) == ("QA Sub-Group", MONTH, 2)
        assert returned.notes == [f"{msg.name}: its attachment 'attachment 2' is a message or object inside it, "
                                  "not a file, so no pack: left out (open it in Outlook and save its pack, if it "
                                  "carries one)"]


def test_a_damaged_msg_is_refused_in_one_line(tmp_path):
    shared = shared_plan(tmp_path)
    make_packs(shared)
    good = outlook_message(tmp_path / "good.msg", "RE: QA", [by_value("QA.xlsx", b"PK" * 3000)])
    cut = tmp_path / "cut.msg"  # a copy cut short: its directory and tables, at the end, are gone
    cut.write_bytes(good.read_bytes()[:2048])
    result = run("collect", cut, "--into", shared, code=2)
    assert result.output == f"Error: {cut}: is damaged or incomplete (a download cut short?): its contents cannot " \
                            "be read; save it again\n"


def test_a_msg_whose_attachment_is_damaged_is_refused_in_one_line(tmp_path):
    shared = shared_plan(tmp_path)
    make_packs(shared)
    before = digest(shared)
    pack = pack_of(tmp_path / "packs" / MONTH, "QA Sub-Group").read_bytes()
    msg = outlook_message(tmp_path / "RE QA.msg", "RE: QA", [by_value("QA Sub-Group 2018-11.xlsx", pack)])
    data = bytearray(msg.read_bytes())
    fat = 512 + 512 * struct.unpack_from("<I", data, 76)[0]  # the first FAT sector, from the header
    struct.pack_into("<I", data, fat, 0x00FFFFFF)  # the pack's first sector now leads past the file's end
    msg.write_bytes(bytes(data))
    result = run("collect", msg, "--into", shared, "--yes", code=2)
    assert result.output == f"Error: {msg}: is damaged or incomplete (a download cut short?): it is not a whole " \
                            "workbook; save it again from Excel\n"
    assert digest(shared) == before and not (tmp_path / "returns.csv").exists()


def test_a_msg_in_outlooks_older_ansi_format_is_read_alike(tmp_path):
    shared = shared_plan(tmp_path)
    pack = pack_of(make_packs(shared), "QA Sub-Group").read_bytes()
    name = "Café QA return.xlsx"  # 8-bit strings (type 001E), Windows-1252
    msg = outlook_message(tmp_path / "RE QA ansi.msg", "RE: QA", [
        {"37010102": pack, "3707001E": name.encode("cp1252") + b"\0", "370E001E": XLSX_TYPE.encode("ascii")}])
    assert [(a.name, a.mime_type) for a in outlook_attachments(msg)] == [(name, XLSX_TYPE)]
    [returned] = read_return(msg)
    assert (returned.body, len(returned.rows), returned.notes) == ("QA Sub-Group", 2, [])
