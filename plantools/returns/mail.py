"""The workbooks attached to a mail file: a returned pack saved from the mail client as an
.eml, or an Outlook message dragged out of Outlook (.msg).

An .msg is an OLE compound file (read with olefile): each attachment is a storage
'__attach_version1.0_#XXXXXXXX' holding its bytes in the stream '__substg1.0_37010102', its
long file name in '__substg1.0_3707001F' (else the short one, '..._3704001F'; UTF-16LE, or
8-bit '..._001E' in Outlook's older ANSI format) and its MIME type in '..._370E001F'. A message attached inside it, or an embedded object, is a
storage '__substg1.0_3701000D' instead: no file, so no pack; it is left out, and said so.
"""

from __future__ import annotations

import io
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from plantools.errors import PlanError
from plantools.xlsx.sniff import is_outlook_message

if TYPE_CHECKING:
    from olefile import OleFileIO

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
WORKBOOK_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  "application/vnd.ms-excel.sheet.macroenabled.12")
NO_WORKBOOK = "is a mail with no workbook attached: save the returned pack from it instead"

Attached = list[tuple[str, io.BytesIO]]  # (file name, bytes) of each workbook attached


def workbooks_attached(path: Path) -> tuple[Attached, list[str]]:
    """The workbooks attached to a mail file (.msg by its content, else .eml), and a note for
    each attachment left out that might have been one. Raises PlanError when none is there."""
    if is_outlook_message(path):
        found, notes = _outlook_workbooks(path)
    else:
        found, notes = _eml_attachments(path), []
    if not found:
        raise PlanError(path, NO_WORKBOOK + "".join(f"; {note}" for note in notes))
    return found, notes


def _is_workbook(name: str, mime_type: str) -> bool:
    """By its file name, as the mail client shows it, or by its type (a short name, XLSX~1.XLS,
    or none at all)."""
    return name.lower().endswith(WORKBOOK_SUFFIXES) or mime_type.lower() in WORKBOOK_TYPES


def _eml_attachments(path: Path) -> Attached:
    try:
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    except OSError as exc:
        raise PlanError(path, f"cannot be read ({exc.strerror or exc})") from None
    found = []
    for part in message.iter_attachments():
        name = part.get_filename() or ""
        if _is_workbook(name, part.get_content_type()):
            payload = part.get_payload(decode=True)
            found.append((name, io.BytesIO(payload if isinstance(payload, bytes) else b"")))
    return found


class Attachment(NamedTuple):
    """One attachment of an Outlook message."""
    name: str  # its long file name, else its short (8.3) one; '' when it has none
    mime_type: str
    data: bytes | None  # None: no file here (a message or object inside the mail, or a link)
    inside: bool  # a message or object attached inside the mail


def outlook_attachments(path: Path) -> list[Attachment]:
    """Every attachment of an Outlook message (.msg), in Outlook's order. Raises PlanError when
    the file cannot be read."""
    import olefile

    attachments = []
    try:
        with olefile.OleFileIO(str(path)) as ole:
            storages = sorted({entry[0] for entry in ole.listdir(streams=True, storages=True)
                               if entry[0].lower().startswith("__attach_version1.0_#")})
            for storage in storages:
                data = f"{storage}/__substg1.0_37010102"
                attachments.append(Attachment(
                    _text(ole, storage, "3707") or _text(ole, storage, "3704"), _text(ole, storage, "370E"),
                    ole.openstream(data).read() if ole.exists(data) else None,
                    ole.exists(f"{storage}/__substg1.0_3701000D")))
    except (OSError, ValueError, IndexError, KeyError, olefile.olefile.OleFileError) as exc:
        raise PlanError(path, f"is an Outlook message (.msg) that cannot be read: it is damaged "
                              f"({type(exc).__name__}): save the returned pack from it instead") from None
    return attachments


def _outlook_workbooks(path: Path) -> tuple[Attached, list[str]]:
    found, notes = [], []
    for number, attachment in enumerate(outlook_attachments(path), start=1):
        shown = attachment.name or f"attachment {number}"
        if attachment.inside:
            notes.append(f"its attachment '{shown}' is a message or object inside it, not a file, so no pack: "
                         "left out (open it in Outlook and save its pack, if it carries one)")
        elif not _is_workbook(attachment.name, attachment.mime_type):
            continue
        elif attachment.data is None:  # attached by reference: a link to a file on a share or in the cloud
            notes.append(f"its attachment '{shown}' is a link to a file, not the file: left out "
                         "(save the pack from where the link points)")
        else:
            found.append((shown, io.BytesIO(attachment.data)))
    return found, notes


def _text(ole: OleFileIO, storage: str, tag: str) -> str:
    """A string property ('' when absent): Unicode (type 001F, UTF-16LE), or 8-bit (001E) in a
    message saved in Outlook's older ANSI format, read as Windows-1252, the code page of
    English-language Windows (a name in another code page may show wrongly; the file itself is read whole)."""
    for kind, encoding in (("001F", "utf-16-le"), ("001E", "cp1252")):
        stream = f"{storage}/__substg1.0_{tag}{kind}"
        if ole.exists(stream):
            return ole.openstream(stream).read().decode(encoding, "replace").rstrip("\0").strip()
    return ""
