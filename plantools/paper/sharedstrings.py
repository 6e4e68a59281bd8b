"""A workbook's shared strings, written by plantools: xlsxwriter's own, byte for byte, faster;
and only plantools' own rich text written as rich text. Imported where a workbook is written
(xlsxwriter with it), not by every command that imports the paper room."""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from typing import Any

from xlsxwriter.packager import Packager
from xlsxwriter.sharedstrings import SharedStrings


def hook_into(book: Any) -> None:
    """Have the workbook write its shared strings as below (its `_get_packager` is there to be
    replaced)."""
    book._get_packager = _Packager


# what xlsxwriter escapes in a shared string: XML's specials, control characters, the
# non-characters; and text that looks like Excel's own escape of one (_x000D_). Two searches:
# one alternation of both scans text three times as slowly
_ESCAPED = (re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]"), re.compile(r"_x[0-9a-fA-F]{4}_"))


def write_rich_string(sheet: Any, row: int, col: int, *parts: Any) -> None:
    """xlsxwriter's write_rich_string, the string marked as rich text: xlsxwriter writes any
    shared string of the form <r>...</r> as rich text's XML, so text a user typed in that form
    (a progress note "<r>a & b</r>") made a file no program could open; only the strings
    marked here are written so (see _SharedStrings)."""
    sheet.write_rich_string(row, col, *parts)
    vars(sheet.str_table).setdefault(RICH, set()).add(sheet.table[row][col].string)


RICH = "plantools_rich"  # the workbook's string table's own: the indexes of its rich strings


class _SharedStrings(SharedStrings):
    """xlsxwriter's shared strings, byte for byte, with a string that needs no escaping and has
    no space at either end (most of them) written as it is, without its four regexes per string
    (at 20,000 actions, 400,000 strings: 1.6 CPU s of the monthly job's 9), a run of them at a
    time; and text that only looks like rich text's XML written as the text it is."""

    def _write_sst_strings(self) -> None:
        strings = self.string_table.string_array
        rich = vars(self.string_table).get(RICH, set())
        # the strings to escape, found by one search of them all, joined by a line break (which
        # is not escaped, so a match falls within one string); then those with a space at an end
        starts = list(accumulate((len(string) + 1 for string in strings), initial=0))
        joined = "\n".join(strings)
        own = {bisect_right(starts, found.start()) - 1 for escaped in _ESCAPED for found in escaped.finditer(joined)}
        own.update(index for index, string in enumerate(strings) if string[:1].isspace() or string[-1:].isspace())
        write, plain = self.fh.write, 0  # plain: the first string of the run not yet written
        for index in sorted(own):
            if plain < index:
                write("<si><t>" + "</t></si><si><t>".join(strings[plain:index]) + "</t></si>")
            string = strings[index]
            if string.startswith("<r>") and string.endswith("</r>") and index not in rich:
                self._write_text(string)
            else:
                self._write_si(string)
            plain = index + 1
        if plain < len(strings):
            write("<si><t>" + "</t></si><si><t>".join(strings[plain:]) + "</t></si>")

    def _write_text(self, string: str) -> None:
        """The plain text branch of xlsxwriter's own _write_si."""
        string = self._escape_control_characters(string)
        space = [("xml:space", "preserve")] if string[:1].isspace() or string[-1:].isspace() else []
        self._xml_si_element(string, space)


class _Packager(Packager):
    def _write_shared_strings_file(self) -> None:  # xlsxwriter's own, but for the class
        if not self.workbook.str_table.count:
            return
        strings = _SharedStrings()
        strings.string_table = self.workbook.str_table
        strings._set_xml_writer(self._filename("xl/sharedStrings.xml"))
        strings._assemble_xml_file()
