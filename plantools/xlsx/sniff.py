"""What a file really is, before any parser sees it, and whether it is safe to open.

A renamed CSV or PDF, an empty file, a truncated download, a .xlsb, a Word or PowerPoint
file, an Outlook message (.msg), another Office file holding no workbook, a password-protected
workbook and a zip bomb each get one plain sentence that says what to do, instead of a
parser's exception or a machine that grinds for minutes. An old .xls and
an .ods are read (their values, through python-calamine) but never written into.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from plantools.errors import PlanError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
SAVE_AS_XLSX = "open it in Excel and save it as an Excel Workbook (.xlsx)"

# Limits on what a workbook's parts may unpack to, checked from the zip's directory before
# anything is decompressed. A 100,000-action plan's largest part is about 60 MB at 1:12.
MAX_PART_BYTES = 1024 * 1024 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
SUSPECT_PART_BYTES = 64 * 1024 * 1024
MAX_RATIO = 100  # XML deflates about 1:10; padding made to swell deflates over 1:1000


# the formats besides .xlsx that the reader reads (their values, through python-calamine)
OTHER_FORMATS = {"xls": "an old Excel 97-2003 workbook (.xls)", "ods": "an OpenDocument spreadsheet (.ods)"}


def open_workbook_bytes(path: Path) -> io.BytesIO | None:
    """Check the file is an .xlsx workbook and say what it is when not. Returns the decrypted
    workbook when the file is an encrypted workbook and $PLANTOOLS_WORKBOOK_PASSWORD opens it,
    else None (read the path)."""
    source, _ = open_spreadsheet(path)
    return source if isinstance(source, io.BytesIO) else None


def open_spreadsheet(path: Path, other_formats: bool = False) -> tuple[Path | io.BytesIO, str]:
    """Check the file and say what it is: (what to read, its format). The format is 'xlsx'
    (the path, or the decrypted workbook), or with other_formats 'xls' or 'ods' (the path),
    which are otherwise refused with what to do."""
    head = _head(path)
    if head.startswith(OLE_MAGIC):
        streams = _ole_streams(path)
        _not_word_or_powerpoint(streams or set(), path)
        if streams is not None and _is_outlook_message(streams):
            raise PlanError(path, f"is {OUTLOOK_MESSAGE}, not an Excel workbook: save the workbook attached to it "
                                  "and give that")
        plain = _ole(path, other_formats, streams)
        if plain is None:
            return path, "xls"
        check_package(plain, path)
        plain.seek(0)
        return plain, "xlsx"
    if not head.startswith(ZIP_MAGIC):
        raise PlanError(path, _not_a_workbook(head, path))
    return path, check_package(path, path, other_formats)


def refuse_unless_xlsx(path: Path, doing: str, then: str = "give that") -> None:
    """plantools writes into .xlsx workbooks only: an .xls or .ods is refused before anything
    else is done. doing: what would have been written ("collect writes the returns"); then:
    what to do with the .xlsx."""
    _, kind = open_spreadsheet(path, other_formats=True)
    if kind != "xlsx":
        raise PlanError(path, f"is {OTHER_FORMATS[kind]}: {doing} into an Excel Workbook (.xlsx) only; "
                              f"{SAVE_AS_XLSX} and {then}; nothing was written")


def _head(path: Path) -> bytes:
    try:
        if not path.exists():
            raise PlanError(path, "no such file")
        if path.is_dir():
            raise PlanError(path, "is a folder, not a workbook")
        with path.open("rb") as handle:
            head = handle.read(8)
    except PermissionError:
        raise PlanError(path, "cannot be read: permission denied") from None
    except OSError as exc:
        raise PlanError(path, f"cannot be read ({exc.strerror or exc})") from None
    if not head:
        raise PlanError(path, "is empty (0 bytes), not a workbook")
    return head


def _not_a_workbook(head: bytes, path: Path) -> str:
    if head.startswith(b"%PDF"):
        return "is a PDF, not a workbook"
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or all(
            32 <= byte < 127 or byte in b"\t\r\n" for byte in head):
        return f"is a text file (a CSV?), not a workbook: {SAVE_AS_XLSX}"
    return f"is not an Excel workbook (.xlsx): {SAVE_AS_XLSX}"


def check_package(source: Path | io.BytesIO, path: Path, other_formats: bool = False) -> str:
    """A zip that is a whole .xlsx package (or, with other_formats, .ods), and not one built to
    swell when unpacked. Returns 'xlsx' or 'ods'."""
    kind = "xlsx"
    try:
        with zipfile.ZipFile(source) as package:
            infos = package.infolist()
            names = {info.filename.replace("\\", "/").lower() for info in infos}
            if "mimetype" in names and package.read("mimetype").startswith(b"application/vnd.oasis"):
                if not other_formats:
                    raise PlanError(path, f"is {OTHER_FORMATS['ods']}: {SAVE_AS_XLSX}")
                kind = "ods"
    except zipfile.BadZipFile:
        raise PlanError(path, "is damaged or incomplete (a download cut short?): it is not a whole workbook; "
                              "save it again from Excel") from None
    except OSError as exc:
        raise PlanError(path, f"cannot be read ({exc.strerror or exc})") from None
    _not_word_or_powerpoint(names, path)
    if "xl/workbook.bin" in names:
        raise PlanError(path, f"is a binary workbook (.xlsb): {SAVE_AS_XLSX}")
    if kind == "xlsx" and not any(name.endswith("workbook.xml") for name in names):
        raise PlanError(path, "is a zip file but not an Excel workbook (it has no workbook part)")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_PART_BYTES or (info.file_size > SUSPECT_PART_BYTES and ratio > MAX_RATIO):
            raise PlanError(path, f"refused: its part {info.filename} would unpack to "
                                  f"{info.file_size // (1024 * 1024)} MB ({ratio:.0f} times its packed size), "
                                  "far more than any plan needs (a zip bomb, or a sheet padded by mistake)")
    if total > MAX_TOTAL_BYTES:
        raise PlanError(path, f"refused: it would unpack to {total // (1024 * 1024)} MB, "
                              "far more than any plan needs")
    return kind


# a part (.docx, .pptx) or stream (.doc, .ppt) that only that program's files have
OTHER_OFFICE = {"word/document.xml": "a Word document", "worddocument": "a Word document",
                "ppt/presentation.xml": "a PowerPoint presentation", "powerpoint document": "a PowerPoint presentation"}


def _not_word_or_powerpoint(names: set[str], path: Path) -> None:
    for name, what in OTHER_OFFICE.items():
        if name in names:
            raise PlanError(path, f"is {what}, not an Excel workbook: give the plan workbook (.xlsx)")


OUTLOOK_MESSAGE = "an Outlook message (.msg)"
# the top-level streams of an .xls: 'Workbook' (Excel 97 on), 'Book' (Excel 5 and 95)
XLS_STREAMS = {"workbook", "book"}


def is_outlook_message(path: Path) -> bool:
    """An Outlook message saved as a file (dragged out of Outlook), whatever it is called."""
    if not _head(path).startswith(OLE_MAGIC):
        return False
    streams = _ole_streams(path)
    return streams is not None and _is_outlook_message(streams)


def _is_outlook_message(streams: set[str]) -> bool:
    """A .msg keeps the message's properties in '__properties_version1.0' and each value in a
    '__substg1.0_' stream; no other OLE file names its streams so."""
    return "__properties_version1.0" in streams and any(name.startswith("__substg1.0_") for name in streams)


def _ole_streams(path: Path) -> set[str] | None:
    """The lower-cased names of an OLE file's top-level streams and storages ('workbook',
    'worddocument'), or None when its directory cannot be read."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            return {entry[0].lower() for entry in ole.listdir(streams=True, storages=True)}
    except (OSError, ValueError, IndexError, KeyError, olefile.olefile.OleFileError):
        return None  # damaged: said below, or by the reader


def _ole(path: Path, other_formats: bool, streams: set[str] | None) -> io.BytesIO | None:
    """An OLE file is an encrypted workbook or an old .xls: the decrypted workbook, or None
    for an .xls when other_formats (read the path). streams: its top-level names, None when
    its directory could not be read (damaged: said here, or by the .xls reader)."""
    import msoffcrypto
    from msoffcrypto.exceptions import DecryptionError, FileFormatError, InvalidKeyError

    try:
        with path.open("rb") as handle:
            office = msoffcrypto.OfficeFile(handle)
            encrypted = office.is_encrypted()
            if encrypted and office.format == "ooxml" and os.environ.get("PLANTOOLS_WORKBOOK_PASSWORD"):
                office.load_key(password=os.environ["PLANTOOLS_WORKBOOK_PASSWORD"])
                plain = io.BytesIO()
                office.decrypt(plain)
                plain.seek(0)
                return plain
    except (InvalidKeyError, DecryptionError):
        raise PlanError(path, "is encrypted, and $PLANTOOLS_WORKBOOK_PASSWORD does not open it") from None
    except (FileFormatError, AssertionError, ValueError, OSError, IndexError, KeyError):
        encrypted = False  # not an Office file msoffcrypto knows: treated as an old .xls below
    if encrypted:
        raise PlanError(path, "is encrypted (password-protected): remove the password in Excel (File > Info > "
                              "Protect Workbook > Encrypt with Password), or give it in the environment variable "
                              "PLANTOOLS_WORKBOOK_PASSWORD")
    if path.stat().st_size < 512:
        raise PlanError(path, "is damaged: too small to be a workbook")
    if streams is None and not other_formats:
        raise PlanError(path, "is damaged or incomplete (a download cut short?): its contents cannot be read; "
                              "save it again")
    if streams is not None and not streams & XLS_STREAMS:
        raise PlanError(path, "is an Office file of another kind (it holds no workbook), not an Excel workbook: "
                              "give the plan workbook (.xlsx)")
    if other_formats:
        return None
    raise PlanError(path, f"is {OTHER_FORMATS['xls']}: {SAVE_AS_XLSX}")
