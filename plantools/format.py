"""`plantools format`: RAG colours and a RAG dropdown in the shared workbook itself.

It refuses when the workbook holds anything openpyxl would drop on saving (naming it), changes
nothing at all when the rules are already there, and otherwise replaces the workbook as collect
does (plantools.xlsx.replace: refused while open in Excel or read-only, a backup first, an
atomic move, its permissions kept), once the new file reads back as the same plan.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from plantools.errors import PlanError
from plantools.plan import rag
from plantools.read.workbook import load_plan
from plantools.xlsx.lock import writer_lock
from plantools.xlsx.package import Zip
from plantools.xlsx.replace import replace_workbook
from plantools.xlsx.sniff import refuse_unless_xlsx

EXTRA_ROWS = 300  # rows below the last action that get the rules, for actions added later

# Package parts openpyxl does not carry through a load and save, and what a user calls them.
LOST_PARTS = [
    (r"xl/vbaProject\.bin$", "macros (VBA)"),
    (r"xl/drawings/", "shapes or pictures"),
    (r"xl/charts/", "charts"),
    (r"xl/chartsheets/", "chart sheets"),
    (r"xl/slicers?(Caches)?/", "slicers"),
    (r"xl/timelines?(Caches)?/", "timelines"),
    (r"xl/threadedComments/", "threaded comments"),
    (r"xl/comments\d*\.xml$", "comment formatting"),
    (r"xl/richData/", "pictures in cells"),
    (r"xl/(activeX|ctrlProps)/", "form controls"),
    (r"xl/connections\.xml$", "data connections"),
    (r"xl/model/", "a data model"),
    (r"customXml/", "custom XML (e.g. SharePoint properties)"),
    (r"_xmlsignatures/", "a digital signature"),
]
# Excel 2010+ extensions inside a worksheet's XML
LOST_EXTENSIONS = [
    (b"<x14:sparklineGroups", "sparklines"),
    (b"<x14:conditionalFormattings", "Excel 2010+ conditional formats"),
    (b"<x14:dataValidations", "Excel 2010+ data validations"),
    (b"<extLst", "other Excel 2010+ extensions"),
]
MAX_PART_SCANNED = 64 * 1024 * 1024


@dataclass
class FormatResult:
    path: Path
    changed: bool
    backup: Path | None = None
    ranges: list[str] = field(default_factory=list)
    formulas: int = 0


def what_would_be_lost(path: Path, data: bytes | None = None) -> list[str]:
    """What a load and save with openpyxl would drop from this workbook (or these bytes of it), by name."""
    lost: list[str] = []
    package = Zip(path, io.BytesIO(data) if data is not None else path)
    try:
        for info in package.infos:
            name = info.filename.replace("\\", "/")
            for pattern, what in LOST_PARTS:
                if re.match(pattern, name) and what not in lost:
                    lost.append(what)
            if re.match(r"xl/worksheets/sheet\d+\.xml$", name) and info.file_size <= MAX_PART_SCANNED:
                xml = package.read(info.filename, MAX_PART_SCANNED)
                for marker, what in LOST_EXTENSIONS:
                    if marker in xml and what not in lost:
                        lost.append(what)
                        break  # the most specific name for this sheet's extensions
    finally:
        package.close()
    return lost


def format_workbook(path: Path, backup_dir: Path | None = None) -> FormatResult:
    """Add RAG conditional formatting and a dropdown to the RAG column of each plan sheet."""
    path = Path(path)
    if not path.is_file():
        load_plan(path)  # says what it is instead, before a lock is made beside it
    with writer_lock(path, "format"):  # no collect writes into it meanwhile
        return _format(path, backup_dir)


def _format(path: Path, backup_dir: Path | None) -> FormatResult:
    import openpyxl

    plan = load_plan(path)  # proves it is a plan, with a clear message when it is not
    refuse_unless_xlsx(path, "format writes its rules")
    result = FormatResult(path, changed=False)

    def make(data: bytes) -> bytes | None:
        lost = what_would_be_lost(path, data)
        if lost:
            raise PlanError(path, "not formatted, because saving it with plantools would lose "
                                  + ", ".join(lost) + "; nothing was written")
        book = openpyxl.load_workbook(io.BytesIO(data))
        for name, (header_row, columns) in plan.layouts.items():
            if "rag" not in columns:
                continue
            sheet, first_row = book[name], header_row + 1
            letter = openpyxl.utils.get_column_letter(columns["rag"])
            cell_range = f"{letter}{first_row}:{letter}{sheet.max_row + EXTRA_ROWS}"
            if _has_rag_rules(sheet, letter, first_row):
                continue
            _add_rules(sheet, cell_range, f"{letter}{first_row}")
            result.ranges.append(f"'{sheet.title}'!{cell_range}")
        if not result.ranges:
            return None
        result.formulas = sum(1 for sheet in book.worksheets for row in sheet.iter_rows()
                              for cell in row if cell.data_type == "f")
        if result.formulas:
            book.calculation.fullCalcOnLoad = True  # openpyxl keeps formulas, not their last results
        saved = io.BytesIO()
        book.save(saved)
        return saved.getvalue()

    def prove(written: Path) -> None:
        if len(load_plan(written).actions) != len(plan.actions):
            raise PlanError(path, "the formatted workbook did not read back the same; nothing was changed")

    done = replace_workbook(path, make, prove, backup_dir=backup_dir)
    if done:
        result.changed, result.backup = True, done[1]
    return result


def _has_rag_rules(sheet, letter: str, first_row: int) -> bool:
    colours = {rule.text for cf in sheet.conditional_formatting for rule in cf.rules
               if str(cf.sqref).startswith(f"{letter}{first_row}") and rule.text}
    lists = [dv for dv in sheet.data_validations.dataValidation
             if dv.type == "list" and str(dv.sqref).startswith(f"{letter}{first_row}")]
    return set(rag.STATUSES) <= colours and bool(lists)


def _add_rules(sheet, cell_range: str, first_cell: str) -> None:
    from openpyxl.formatting.rule import Rule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.styles.differential import DifferentialStyle
    from openpyxl.worksheet.datavalidation import DataValidation

    for status in rag.STATUSES:
        fill, font = rag.COLOURS[status]
        style = DifferentialStyle(fill=PatternFill(bgColor=fill.lstrip("#")), font=Font(color=font.lstrip("#")))
        rule = Rule(type="beginsWith", operator="beginsWith", text=status, dxf=style,
                    formula=[f'LEFT({first_cell},{len(status)})="{status}"'])
        sheet.conditional_formatting.add(cell_range, rule)
    validation = DataValidation(type="list", formula1='"' + ",".join(rag.STATUSES) + '"', allow_blank=True,
                                errorStyle="warning", showErrorMessage=True, errorTitle="RAG status",
                                error="Choose Red, Amber, Green or Complete (see the Key sheet).")
    validation.add(cell_range)
    sheet.add_data_validation(validation)
