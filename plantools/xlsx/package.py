"""An .xlsx package opened once: its zip, its parts found as Excel finds them (case-insensitive,
either slash, %-escaped or not), read within a limit, and its sheets mapped to their parts
through the workbook's relationships. The reader's details (parts.py) and the lossless editor
(edit.py) both stand on it."""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from typing import IO, BinaryIO, Union
from urllib.parse import unquote

from plantools.errors import PlanError

Source = Union[Path, str, BinaryIO]
REL_NS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "http://purl.oclc.org/ooxml/officeDocument/relationships")  # transitional and strict
MAX_XML = 512 * 1024 * 1024  # bytes a sheet's XML may unpack to (a 100,000-action plan is ~60 MB)
MAX_SMALL_XML = 64 * 1024 * 1024  # workbook.xml, relationships, tables, shared strings


def part_key(name: str) -> str:
    return name.replace("\\", "/").lstrip("/").lower()


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


class Zip:
    """The package's zip and its map of parts and sheets."""

    def __init__(self, path: Path, source: Source) -> None:
        self.path = path
        try:
            self.zip = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise PlanError(path, f"cannot be read as an .xlsx workbook ({exc})") from None
        self.infos = self.zip.infolist()
        self.parts: dict[str, zipfile.ZipInfo] = {}
        for info in self.infos:
            self.parts.setdefault(part_key(info.filename), info)
        self._sheets: dict[str, tuple[str, str]] | None = None
        self.shared_part = ""

    def close(self) -> None:
        self.zip.close()

    def info(self, part: str) -> zipfile.ZipInfo | None:
        return self.parts.get(part_key(part)) or self.parts.get(part_key(unquote(part)))

    def read(self, part: str, limit: int = MAX_SMALL_XML) -> bytes:
        info = self.info(part)
        if info is None:
            raise KeyError(part)
        try:
            with self.zip.open(info) as handle:
                data = handle.read(limit + 1)  # read no more than the limit, whatever the header says
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
            raise PlanError(self.path, f"part {info.filename} cannot be read ({exc})") from None
        if len(data) > limit:
            raise PlanError(self.path, f"part {info.filename} unpacks to more than {limit // 2**20} MB: refused")
        return data

    def open(self, part: str) -> IO[bytes]:
        info = self.info(part)
        if info is None:
            raise KeyError(part)
        return self.zip.open(info)

    def xml(self, part: str):
        from defusedxml import DefusedXmlException, ElementTree

        try:
            return ElementTree.fromstring(self.read(part))
        except (ElementTree.ParseError, DefusedXmlException) as exc:
            raise PlanError(self.path, f"part {part} is not readable XML ({exc})") from None

    def relationships(self, part: str) -> list[tuple[str, str, str]]:
        """(Id, type, target part) of each internal relationship of `part`."""
        folder, name = posixpath.split(part_key(part))
        rels = posixpath.join(folder, "_rels", name + ".rels")
        if self.info(rels) is None:
            return []
        found = []
        for rel in self.xml(rels):
            target = (rel.get("Target") or "").replace("\\", "/")
            if rel.get("TargetMode") == "External" or not target:
                continue
            resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target))
            found.append((rel.get("Id") or "", rel.get("Type") or "", resolved))
        return found

    @property
    def sheets(self) -> dict[str, tuple[str, str]]:
        """Sheet name -> (its part, its kind: 'worksheet', 'chartsheet'...), in the workbook's order."""
        if self._sheets is None:
            self._sheets = self._read_workbook()
        return self._sheets

    def _read_workbook(self) -> dict[str, tuple[str, str]]:
        book = next((target for _, kind, target in self.relationships("")
                     if kind.endswith("/officeDocument")), "xl/workbook.xml")
        if not book.lower().endswith(".xml") or self.info(book) is None:
            raise PlanError(self.path, "is not an .xlsx or .xlsm workbook (no workbook.xml; an .xlsb "
                                       "cannot be edited)")
        rels = {rid: (kind, target) for rid, kind, target in self.relationships(book)}
        self.shared_part = next((t for k, t in rels.values() if k.endswith("/sharedStrings")), "")
        sheets = {}
        for sheet in self.xml(book).iter():
            if local_name(sheet.tag) != "sheet":
                continue
            rid = next((v for k, v in sheet.attrib.items() if k.startswith("{") and
                        k[1:].partition("}")[0] in REL_NS and local_name(k) == "id"), "")
            kind, target = rels.get(rid, ("", ""))
            sheets[sheet.get("name") or ""] = (target, kind.rpartition("/")[2])
        return sheets
