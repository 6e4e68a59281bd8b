"""The workbooks attached to a mail file: a returned pack saved from the mail client as an
.eml, or an Outlook message dragged out of Outlook (.msg).

An .msg is an OLE compound file (read with olefile): each attachment is a storage
'__attach_version1.0_#XXXXXXXX' holding its bytes in the stream '__substg1.0_37010102', its
long file name in '__substg1.0_3707001F' (else the short one, '..._3704001F'; UTF-16LE) and
its MIME type in '..._370E001F'. A message attached inside it, or an embedded object, is a
storage '__substg1.0_3701000D' instead: no file, so no pack; it is left out, and said so.
"""

from __future__ import annotations

import io
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import TYPE_CHECKING

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
        found, notes = _outlook_attachments(path)
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


def _outlook_attachments(path: Path) -> tuple[Attached, list[str]]:
    import olefile

    found, notes = [], []
    try:
        with olefile.OleFileIO(str(path)) as ole:
            storages = sorted({entry[0] for entry in ole.listdir(streams=True, storages=True)
                               if entry[0].lower().startswith("__attach_version1.0_#")})
            for number, storage in enumerate(storages, start=1):
                name = _text(ole, f"{storage}/__substg1.0_3707001F") or _text(ole, f"{storage}/__substg1.0_3704001F")
                shown, data = name or f"attachment {number}", f"{storage}/__substg1.0_37010102"
                if ole.exists(f"{storage}/__substg1.0_3701000D"):
                    notes.append(f"its attachment '{shown}' is a message or object inside it, not a file, so no "
                                 "pack: left out (open it in Outlook and save its pack, if it carries one)")
                elif not _is_workbook(name, _text(ole, f"{storage}/__substg1.0_370E001F")):
                    continue
                elif ole.exists(data):
                    found.append((shown, io.BytesIO(ole.openstream(data).read())))
                else:  # attached by reference: a link to a file on a share or in the cloud
                    notes.append(f"its attachment '{shown}' is a link to a file, not the file: left out "
                                 "(save the pack from where the link points)")
    except (OSError, ValueError, IndexError, KeyError, olefile.olefile.OleFileError) as exc:
        raise PlanError(path, f"is an Outlook message (.msg) that cannot be read: it is damaged "
                              f"({type(exc).__name__}): save the returned pack from it instead") from None
    return found, notes


def _text(ole: OleFileIO, stream: str) -> str:
    """A string property of the message (PT_UNICODE: UTF-16LE, maybe ending in a NUL); '' when absent."""
    if not ole.exists(stream):
        return ""
    return ole.openstream(stream).read().decode("utf-16-le", "replace").rstrip("\0").strip()
