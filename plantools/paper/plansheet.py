"""What the monthly copy and the sub-groups' packs share: the Plan sheet (one row an action,
printed as a board reads it), the Key, and the page set-up of every sheet.

On paper the Plan shows the columns a board reads: ref, objective (once, on its first
action), action, who, governance, when, RAG and progress, at 9 pt, the width of the page.
Every other field (the objective on every row, outcomes, measures, the due date, the source
cell, the action key...) is kept in helper columns to the right, outside the print area, so
that the copy can be read back next month and filtered in Excel.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Callable, Sequence

from plantools.paper import printed
from plantools.paper.formats import Formats, add_rag_rules, write_key, write_row, write_text
from plantools.plan import rag
from plantools.plan.columns import EDITABLE, FORM_COLUMNS, PLAN_COLUMNS, Column
from plantools.plan.model import Action, return_key
from plantools.plan.months import label, uk_date
from plantools.plan.overdue import is_overdue
from plantools.xlsx.parts import column_letters

FONT_SIZE = 9  # points: body text of every sheet the board prints

# paper -> (xlsxwriter's paper code, width units across the page in landscape). A unit is
# 5.25 pt in Excel, but 7 pt where LibreOffice measures it with DejaVu Sans (when Calibri is
# not installed): the widths fit that wider case, so the text prints at its own size. The
# portrait sheets (Highlights, Key) are 72 units wide, A4's width in portrait.
PAPERS = {"A4": (9, 104), "A3": (8, 150)}


# printed even when empty on every row: the ref, and the RAG (a plan nobody has rated yet
# shows it); a pack, an update form, adds what it asks to be filled in
ALWAYS_PRINTED = ("ref", "rag")
EXTRA_WIDTH = 14


def _due(action: Action, late: bool) -> datetime | str:
    due = action.deadline.due
    if due:
        return datetime(due.year, due.month, due.day)
    return "Ongoing" if action.deadline.kind == "ongoing" else ""


# What the Plan sheet shows in a column that is not simply the field: (action, overdue?) -> value.
_VALUES: dict[str, Callable[[Action, bool], object]] = {
    "objective_once": lambda action, late: action.objective or action.objective_ref,
    "due": _due,
    "overdue": lambda action, late: "Overdue" if late else "",
    # the action's own row: a ref merged over three actions would send all three to the first
    "source": lambda action, late: f"{action.sheet}!{column_letters(action.columns.get('ref', 1))}{action.row}"
    if action.sheet else "",
    "key": lambda action, late: action.key,
    "proposed": lambda action, late: "",
    "return_key": lambda action, late: return_key(action),
}


def _getter(column: Column) -> Callable[[Action, bool], object]:
    if column.name in _VALUES:
        return _VALUES[column.name]
    if column.name.startswith("extra:"):
        heading = column.label
        return lambda action, late: action.extra.get(heading, "")
    name = column.name
    return lambda action, late: action.text(name)


def plan_columns(actions: list[Action], extra_columns: list[str], paper: str = "A4",
                 leave_out: tuple[str, ...] = (), always: tuple[str, ...] = ALWAYS_PRINTED,
                 form: bool = False) -> list[Column]:
    """The Plan sheet's columns for these actions: the printed ones first (any the plan's
    extra columns after the known ones), widened to fill the page; a printed column empty on
    every row moves among the helpers, unless named in `always`. leave_out: helper columns
    not wanted at all; form: a pack's update form (FORM_COLUMNS added, EDITABLE printed)."""
    extras = [Column(f"extra:{heading}", heading, EXTRA_WIDTH, True, True) for heading in extra_columns]
    known = [c for c in PLAN_COLUMNS if c.name not in leave_out]
    if form:
        after = [c.name for c in known].index("deadline") + 1
        known = [*known[:after], FORM_COLUMNS[0], *known[after:], FORM_COLUMNS[1]]
        always = (*always, *EDITABLE)
    candidates = [c for c in known if c.printed] + extras
    printed, unprinted = [], []
    for column in candidates:
        get = _getter(column)
        if column.name in always or any(get(action, False) for action in actions):
            printed.append(column)
        else:
            unprinted.append(replace(column, printed=False, flexible=False))
    room = PAPERS[paper][1] - sum(c.width for c in printed if not c.flexible)
    flexible = [c for c in printed if c.flexible]
    widths = dict(zip((c.name for c in flexible), _share(room, flexible, actions)))
    if form and widths.get("progress", FORM_PROGRESS_WIDTH) < FORM_PROGRESS_WIDTH:
        # room to write in: taken from the other flexible columns, in proportion
        need = FORM_PROGRESS_WIDTH - widths["progress"]
        others = {name: width - MIN_WIDTH for name, width in widths.items() if name != "progress"}
        spare = sum(w for w in others.values() if w > 0) or 1
        widths = {name: (FORM_PROGRESS_WIDTH if name == "progress"
                         else round(width - need * max(others[name], 0) / spare, 1))
                  for name, width in widths.items()}
    printed = [replace(c, width=widths[c.name]) if c.flexible else c for c in printed]
    return printed + unprinted + [c for c in known if not c.printed]


MIN_WIDTH = 8  # a printed column is never narrower (its header must fit on two lines)
FORM_PROGRESS_WIDTH = 20  # a form's progress column: room to write a few lines


def _share(room: float, columns: list[Column], actions: list[Action]) -> list[float]:
    """The page width left over, shared among the flexible columns: half by their usual
    widths, half by how much text they hold here, so the wordiest column gets the room and
    rows come out shorter."""
    getters = [_getter(c) for c in columns]
    volume = [0] * len(columns)
    shown = None
    for action in actions:
        once = (action.objective_ref, action.objective) != shown
        shown = (action.objective_ref, action.objective)
        for index, (column, get) in enumerate(zip(columns, getters)):
            if column.name != "objective_once" or once:
                volume[index] += len(str(get(action, False)))
    base, text = sum(c.width for c in columns) or 1, sum(volume) or 1
    widths = [max(MIN_WIDTH, room * (c.width / base + v / text) / 2) for c, v in zip(columns, volume)]
    over = sum(widths) - room  # taken back from the columns above the minimum
    wide = sum(w for w in widths if w > MIN_WIDTH)
    return [round(w - over * w / wide, 1) if w > MIN_WIDTH and wide else w for w in widths]


@dataclass(frozen=True)
class PlanLayout:
    """How a Plan sheet looks, whatever actions it holds: its heading, the note under it, the
    printed pages' header, its columns and paper; form: a pack's update form, the EDITABLE
    cells unlocked and shaded, the rest protected (no password: it prevents slips, not people)."""

    title: str
    note: str
    page_title: str
    columns: list[Column]
    paper: str = "A4"
    form: bool = False


def write_plan_sheet(book, formats: Formats, layout: PlanLayout, actions: list[Action], month: str,
                     as_of: date) -> None:
    """The Plan sheet: one row an action, RAG rules and dropdown, filters, print set-up.
    The consolidated copy and every sub-group's pack share it."""
    columns, form = layout.columns, layout.form
    sheet = book.add_worksheet("Plan")
    printed = sum(c.printed for c in columns)
    title_block(sheet, formats, layout.title, layout.note, [c.width for c in columns if c.printed])
    top = 3
    header_row(sheet, formats, top, [c.label for c in columns], [c.width for c in columns])
    getters = [_getter(c) for c in columns]
    counted = [c.width if c.printed else 0 for c in columns]  # rows as tall as their printed text
    once = next((i for i, c in enumerate(columns) if c.name == "objective_once"), None)
    # the four ways a row is formatted: (overdue?, has a due date?) -> a format for each column
    row_formats = {(late, dated): [formats.fill_in if form and c.name in EDITABLE else _format(formats, c.name, late, dated)
                                   for c in columns]
                   for late in (False, True) for dated in (False, True)}
    shown = None
    for row, action in enumerate(actions, start=top + 1):
        late = is_overdue(action, as_of)
        cells = [get(action, late) for get in getters]
        if once is not None:
            objective = (action.objective_ref, action.objective)
            if objective == shown:
                cells[once] = ""
            shown = objective
        write_row(sheet, row, cells, row_formats[late, action.deadline.due is not None], counted, FONT_SIZE)
    last = top + max(len(actions), 1)
    add_rag_rules(sheet, formats, top + 1, last, [c.name for c in columns].index("rag"))
    sheet.autofilter(top, 0, last, len(columns) - 1)
    sheet.freeze_panes(top + 1, 1)
    page_setup(sheet, layout.page_title, month, layout.paper, header_row=top)
    # a form carries its key under the table: on the last page with the actions, not a page alone
    end = _key_under(book, sheet, last + 2, [c.width for c in columns[:printed]]) if form else last
    sheet.print_area(0, 0, end, printed - 1)
    if form:
        for col, column in enumerate(columns):
            if column.name == "return_key":
                sheet.set_column(col, col, column.width, None, {"hidden": True})
            elif column.name in EDITABLE:
                write_text(sheet, top, col, column.label, formats.fill_in_header)
        sheet.protect("", {"sort": True, "autofilter": True, "format_columns": True, "format_rows": True})


def _format(formats: Formats, name: str, late: bool, dated: bool):
    if name == "due" and dated:
        return formats.date
    if name == "overdue" or (name == "deadline" and late):
        return formats.overdue
    return formats.text


def header_row(sheet, formats: Formats, row: int, labels: list[str], widths: Sequence[float]) -> None:
    """A table's header, its columns' widths, and the row as tall as its longest label."""
    for col, (text, width) in enumerate(zip(labels, widths)):
        write_text(sheet, row, col, text, formats.header)
        sheet.set_column(col, col, width)
    sheet.set_row(row, printed.row_height([printed.text_height(text, width, FONT_SIZE, bold=True)
                                           for text, width in zip(labels, widths)], FONT_SIZE))


TITLE_SIZE = 14  # points: formats.title


def title_block(sheet, formats: Formats, title: str, note: str, widths: Sequence[float]) -> None:
    """The title and, under it, a note, each wrapped across the printed columns (`widths`):
    a long title takes a second line rather than running off the page's edge."""
    across = len(widths)
    title_height = printed.text_height(title, printed.merged_width(widths), TITLE_SIZE, bold=True)
    note_height = printed.text_height(note, printed.merged_width(widths), FONT_SIZE)
    if across > 1:
        sheet.merge_range(0, 0, 0, across - 1, title, formats.long_title)
        sheet.merge_range(1, 0, 1, across - 1, note, formats.subtitle)
    else:
        write_text(sheet, 0, 0, title, formats.title)
        write_text(sheet, 1, 0, note, formats.subtitle)
    sheet.set_row(0, printed.row_height([title_height], TITLE_SIZE))
    sheet.set_row(1, printed.row_height([note_height], FONT_SIZE))


def page_setup(sheet, title: str, month: str, paper: str = "A4", header_row: int | None = None,
               landscape: bool = True, one_page: bool = False) -> None:
    """Paper, orientation, margins, the page header (title, month in words) and footer (the
    date it was made, as text, and page numbers). The page is as wide as the printed columns
    (they are sized to fit it, so text prints at its own size); one_page: and as tall."""
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.set_paper(PAPERS[paper][0])
    sheet.fit_to_pages(1, 1 if one_page else 0)
    if header_row is not None:
        sheet.repeat_rows(header_row)
    sheet.set_margins(left=0.4, right=0.4, top=0.6 if landscape else 0.85, bottom=0.6)
    if landscape:
        sheet.set_header(f"&L&B{_escape(title)}&R{label(month)}")
    else:  # too narrow for both on one line
        sheet.set_header(f"&L&B{_escape(title)}&B\n{label(month)}")
    sheet.set_footer(f"&LMade {uk_date(date.today())}&RPage &P of &N")


def _escape(text: str) -> str:
    return text.replace("&", "&&")[:200]


# the status words of the key under a form, in their colour on white paper (amber darkened to be read)
KEY_WORD_COLOURS = {rag.RED: "#C00000", rag.AMBER: "#BF8F00", rag.GREEN: "#00B050", rag.COMPLETE: "#0070C0"}


def _key_under(book, sheet, row: int, widths: list[float]) -> int:
    """The RAG key as one row under a table, across the printed columns: a row is never split
    between pages, so the key prints with the last actions. Returns its row."""
    from plantools.paper.sharedstrings import write_rich_string  # xlsxwriter's: only where a form is written

    size = {"font_size": FONT_SIZE}
    plain = book.add_format({"text_wrap": True, "valign": "top", **size})
    text = book.add_format(size)  # a run of a rich string is the workbook's default font unless told
    parts: list = [book.add_format({"bold": True, **size}), f"{rag.KEY_HEADING}:"]
    for status in rag.STATUSES:
        parts += [book.add_format({"bold": True, "font_color": KEY_WORD_COLOURS[status], **size}), f"  {status}",
                  text, f" – {rag.KEY[status]}."]
    sheet.merge_range(row, 0, row, len(widths) - 1, "", plain)
    write_rich_string(sheet, row, 0, *parts, plain)
    text = "".join(part for part in parts if isinstance(part, str))
    sheet.set_row(row, printed.row_height([printed.text_height(text, printed.merged_width(widths),
                                                               FONT_SIZE, bold=True)], FONT_SIZE))
    return row


def key_sheet(book, formats: Formats, title: str, month: str) -> None:
    """The RAG key, on one page."""
    sheet = write_key(book, formats, font_size=FONT_SIZE, heading=f"RAG key – {label(month)}")
    page_setup(sheet, title, month, landscape=False, one_page=True)
