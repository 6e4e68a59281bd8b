"""The sheets of the monthly copy, as a board paper: Highlights (one page), Plan, Summary,
Exceptions, Change log, Completeness and Key, each set up to print at 9 pt.

Months show as words ("November 2018"); copies.read_copy reads them back.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from plantools.copy.board_exceptions import times
from plantools.copy.earlier import LOG_COLUMNS, TREND_COLUMNS, TREND_TITLE
from plantools.copy.result import STATUSES, Consolidation, ReturnsRound, next_board, status
from plantools.paper.formats import Formats, add_rag_rules, write_row, write_text, write_workbook
from plantools.paper.plansheet import (
    FONT_SIZE,
    PAPERS,
    PlanLayout,
    header_row,
    key_sheet,
    page_setup,
    plan_columns,
    title_block,
    write_plan_sheet,
)
from plantools.plan import rag
from plantools.plan.columns import LABELS
from plantools.plan.model import Plan
from plantools.plan.months import label, uk_date
from plantools.text import cut_at_word, joined

UNASSIGNED = "Unassigned (names no known body)"
SUMMARY_NAME_WIDTH = 40
SUMMARY_COUNT_WIDTH = 10
HIGHLIGHT_ITEMS = 4  # items listed under each highlight; the rest are counted
ROUND = "Returns round"  # the Highlights' heading of the latest round of packs
HIGHLIGHT_CHARS = 78  # an item's text is cut (at a word, with "…") to one printed line


def write_copy_sheets(plan: Plan, result: Consolidation) -> None:
    write_workbook(result.path, lambda book: _copy_sheets(book, plan, result))


def _copy_sheets(book, plan: Plan, result: Consolidation) -> None:
    formats = Formats(book, FONT_SIZE)
    month = label(result.month)
    book.set_properties({"title": f"{plan.title} – consolidated, {month}", "author": "plantools"})
    _highlights_sheet(book, formats, plan, result)
    layout = PlanLayout(
        f"{plan.title} – consolidated, {month}",
        f"{len(plan.actions)} actions read from {plan.path.name} on {uk_date(date.today())}; deadlines judged as "
        f"of {uk_date(result.as_of)}. Overdue deadlines are in bold red. Helper columns (the objective on every "
        "row, outcomes, measures, due date, source cell, action key) are to the right of the printed ones.",
        plan.title, plan_columns(plan.actions, plan.extra_columns, result.paper), result.paper,
    )
    write_plan_sheet(book, formats, layout, plan.actions, result.month, result.as_of)
    _summary_sheet(book, formats, plan, result)
    _exceptions_sheet(book, formats, plan.title, result)
    _log_sheet(book, formats, plan.title, result)
    _completeness_sheet(book, formats, plan.title, result)
    key_sheet(book, formats, plan.title, result.month)


def _fit_widths(widths: list[float], paper: str, flexible: tuple[int, ...]) -> list[float]:
    """Widen or narrow the `flexible` columns so the table fills the page across (landscape)."""
    across = PAPERS[paper][1]
    room = across - sum(w for i, w in enumerate(widths) if i not in flexible)
    share = sum(widths[i] for i in flexible)
    return [round(w * room / share, 1) if i in flexible and share else w for i, w in enumerate(widths)]


def _table_rows(sheet, formats: Formats, first: int, rows: list[list], widths: list[float], row_formats=None) -> int:
    """Rows of text as tall as they need; returns the last row written."""
    row_formats = row_formats or [formats.text] * len(widths)
    row = first - 1
    for row, values in enumerate(rows, start=first):
        write_row(sheet, row, values, row_formats, widths, FONT_SIZE)
    return max(row, first)




def _highlights_sheet(book, formats: Formats, plan: Plan, result: Consolidation) -> None:
    """One page, portrait: counts by RAG and their change, then what moved and what is missing."""
    sheet = book.add_worksheet("Highlights")
    found = result.highlights
    month = label(result.month)
    compared = (f"compared with {label(result.previous_month)}" if result.previous_month
                else "the first consolidated month: nothing to compare with")
    widths = [8, 10, 10, 10, 34]  # A4 portrait
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    title_block(sheet, formats, f"Highlights – {month}", f"{plan.title}: {len(plan.actions)} actions, deadlines "
                f"judged as of {uk_date(result.as_of)}, {compared}.", widths)
    row = 3
    before = found.before
    header_row(sheet, formats, row, ["RAG", "This month", "Last month", "Change"], widths[:4])
    number = book.add_format({"border": 1, "align": "right", "font_size": FONT_SIZE})
    total = book.add_format({"border": 1, "align": "right", "bold": True, "font_size": FONT_SIZE})
    counts = [(name, result.counts[name], before.get(name) if before else None) for name in STATUSES]
    counts.append(("Total", len(plan.actions), sum(before.values()) if before else None))
    for name, now, was in counts:
        row += 1
        cells = [name, now, "–" if was is None else was, "–" if was is None else f"{now - was:+d}"]
        write_row(sheet, row, cells, [formats.rag.get(name, formats.bold_text)]
                  + [total if name == "Total" else number] * 3)
    sections = [
        ("New Reds", [(a.ref, f"{a.what} ({a.owner or 'no owner'})") for a in found.new_reds]),
        ("Completed this month", [(a.ref, a.what) for a in found.completed]),
        ("Added", [(c.ref, c.new) for c in found.added]),
        ("Removed", [(c.ref, c.old) for c in found.removed]),
        ("Deadlines slipped", [(c.ref, f"{c.old} to {c.new} ({times(n)} in all): {c.action}")
                               for c, n in found.slipped]),
        ("Overdue", [(a.ref, f"{days} days overdue (due {uk_date(a.deadline.due)}): {a.what}")
                     for a, days in found.overdue if a.deadline.due]),
        (f"Due before the next board (by {uk_date(next_board(result.month))})",
         [(a.ref, f"due {uk_date(a.deadline.due)}: {a.what}") for a in found.due if a.deadline.due]),
        ("Red for two months or more", [(a.ref, f"Red for {months} months: {a.what}") for a, months in found.long_red]),
        ("Gaps in completeness", [("", f"{what}: {len(refs)} ({' '.join(refs)})") for what, refs in found.gaps]),
        *([_round_section(found.round)] if found.round else []),
    ]
    for heading, items in sections:
        sheet.set_row(row + 1, 6)  # a gap, not a line
        row += 2
        counted = heading if heading.startswith(ROUND) else f"{heading}: {len(items) if items else 'none'}"
        sheet.merge_range(row, 0, row, 4, counted, formats.heading)
        for ref, text in items[:HIGHLIGHT_ITEMS]:
            row += 1
            write_text(sheet, row, 0, ref, formats.text)
            sheet.merge_range(row, 1, row, 4, cut_at_word(joined(text), HIGHLIGHT_CHARS), formats.text)
        if len(items) > HIGHLIGHT_ITEMS:
            row += 1
            sheet.merge_range(row, 1, row, 4, f"… and {len(items) - HIGHLIGHT_ITEMS} more ({_see(heading)})",
                              formats.subtitle)
    page_setup(sheet, plan.title, result.month, landscape=False, one_page=True)
    sheet.print_area(0, 0, row, 4)


def _see(heading: str) -> str:
    """Where the rest of a highlight's items are."""
    if heading.startswith("Gaps"):
        return "see the Completeness sheet"
    if heading.startswith(ROUND):
        return "see plantools status"
    return "see the Plan sheet" if heading.startswith("Due") else "see the Exceptions sheet"


def _round_section(found: ReturnsRound) -> tuple[str, list[tuple[str, str]]]:
    """'Returns round, November 2018: 5 of 7 sub-groups returned', then who has not: 'BIG
    (sent 3 Dec, reply by 17 Dec)'."""
    def day(when: date) -> str:
        return f"{when.day} {when:%b}"  # '3 Dec', on Windows too (no %-d)

    reply_by = f", reply by {day(found.reply_by)}" if found.reply_by else ""
    return (f"{ROUND}, {label(found.month)}: {found.returned} of {found.sent} sub-groups returned",
            [("", f"Not returned: {body} (sent {day(sent) if sent else 'by hand'}{reply_by})")
             for body, sent in found.not_returned])


def _summary_sheet(book, formats: Formats, plan: Plan, result: Consolidation) -> None:
    sheet = book.add_worksheet("Summary")
    title_block(sheet, formats, f"{plan.title} – summary, {label(result.month)}",
                f"{len(plan.actions)} actions. Counts by RAG status; an action overseen by several bodies "
                "counts once for each.", [SUMMARY_NAME_WIDTH] + [SUMMARY_COUNT_WIDTH] * (len(STATUSES) + 1))
    statuses = list(STATUSES)
    by_priority = _counts((a.priority or "(no priority)", status(a)) for a in plan.actions)
    by_body = _counts((body, status(a)) for a in plan.actions for body in (a.bodies or (UNASSIGNED,)))
    named = [b.name for b in plan.bodies] + sorted(set(by_body) - {b.name for b in plan.bodies})
    by_body = {name: by_body[name] for name in named if name in by_body}
    row = 3
    first_table = row
    row = _count_table(sheet, formats, row, "Priority", by_priority, statuses)
    row = _count_table(sheet, formats, row + 2, "Governance body", by_body, statuses)
    row += 2
    trend_row = row
    write_text(sheet, row, 0, TREND_TITLE, formats.bold_text)
    for col, text in enumerate(TREND_COLUMNS):
        write_text(sheet, row + 1, col, text, formats.header)
    for offset, values in enumerate(result.trend, start=row + 2):
        write_text(sheet, offset, 0, label(values[0]), formats.text)
        for col, value in enumerate(values[1:], start=1):
            sheet.write_number(offset, col, value, formats.text)
    row += 1 + len(result.trend)
    sheet.set_column(0, 0, SUMMARY_NAME_WIDTH)
    sheet.set_column(1, len(statuses) + 1, SUMMARY_COUNT_WIDTH)
    # the charts under the tables, so the page is as wide as the tables, and on a page of their
    # own: a chart split by a page break is no use on paper
    charts = [draw for draw in (
        by_priority and (lambda at: _bar_chart(book, sheet, first_table, by_priority, statuses, at)),
        len(result.trend) > 1 and (lambda at: _trend_chart(book, sheet, trend_row, result.trend, statuses, at)),
    ) if draw]
    if charts:
        row += 2
        sheet.set_h_pagebreaks([row])
        row += 1  # a row to spare after the break: LibreOffice puts the break under that row, Excel above it
        for draw in charts:
            draw(row)
            for chart_row in range(row, row + CHART_ROWS):  # the rows the chart spans, as xlsxwriter sized it
                sheet.set_row(chart_row, CHART_ROW_HEIGHT)
            row += CHART_ROWS
    page_setup(sheet, plan.title, result.month)
    sheet.print_area(0, 0, row, len(statuses) + 1)


def _counts(pairs) -> dict[str, Counter]:
    """(group, status) pairs -> group -> Counter of statuses, groups in order of first sight."""
    table: dict[str, Counter] = {}
    for group, status_name in pairs:
        table.setdefault(group, Counter())[status_name] += 1
    return table


def _count_table(sheet, formats: Formats, row: int, heading: str, table: dict[str, Counter],
                 statuses: list[str]) -> int:
    headers = [heading, *statuses, "Total"]
    for col, text in enumerate(headers):
        write_text(sheet, row, col, text, formats.header)
    row_formats = [formats.text] * (len(statuses) + 1) + [formats.bold_text]
    widths = [SUMMARY_NAME_WIDTH] + [SUMMARY_COUNT_WIDTH] * (len(statuses) + 1)
    for name, counts in table.items():
        row += 1
        write_row(sheet, row, [name, *(counts[s] for s in statuses), sum(counts.values())], row_formats, widths,
                  FONT_SIZE)
    return row


# In black and white the series are told apart by pattern, and each is named in the legend;
# the bars carry their counts.
PATTERNS = {rag.RED: "solid", rag.AMBER: "percent_50", rag.GREEN: "wide_upward_diagonal",
            rag.COMPLETE: "large_grid", rag.NOT_RATED: "percent_10"}
# behind each pattern a pale tint of its own colour, not white: on screen and in colour a bar
# is its status's colour at a glance (on white, LibreOffice drew amber and green near-white)
TINTS = {rag.AMBER: "#FFE699", rag.GREEN: "#C6EFCE", rag.COMPLETE: "#BDD7EE", rag.NOT_RATED: "#FFFFFF"}


def _colour(status_name: str) -> str:
    return rag.COLOURS.get(status_name, ("#A6A6A6",))[0]


# Two charts on one landscape A4 page (509 pt between the margins): each 300 px (225 pt) tall,
# on rows of a fixed height, so that no program's default row height moves the second one over
# the page's foot.
CHART_SIZE = {"width": 700, "height": 300}
CHART_ROWS, CHART_ROW_HEIGHT = 16, 15


def _series_style(name: str, counts: list[int]) -> dict:
    """A status's bars: colour and pattern, a black edge, and each count written on its bar,
    except where the bar is empty (a "0" floating on nothing)."""
    pattern = PATTERNS[name]
    fill = ({"fill": {"color": _colour(name)}} if pattern == "solid" else
            {"pattern": {"pattern": pattern, "fg_color": _colour(name), "bg_color": TINTS[name]}})
    labels = {"value": True, "font": {"size": 9, "bold": True}, "fill": {"color": "#FFFFFF"},
              "custom": [{"delete": True} if not count else None for count in counts]}
    return {"border": {"color": "#000000", "width": 0.75}, "data_labels": labels, **fill}


def _bar_chart(book, sheet, header_row: int, table: dict[str, Counter], statuses: list[str], at_row: int) -> None:
    chart = book.add_chart({"type": "bar", "subtype": "stacked"})
    last = header_row + len(table)
    for col, name in enumerate(statuses, start=1):
        chart.add_series({
            "name": ["Summary", header_row, col],
            "categories": ["Summary", header_row + 1, 0, last, 0],
            "values": ["Summary", header_row + 1, col, last, col],
            **_series_style(name, [counts[name] for counts in table.values()]),
        })
    chart.set_title({"name": "Actions by priority and RAG", "name_font": {"size": 11}})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"position": "bottom"})
    chart.set_size(CHART_SIZE)
    sheet.insert_chart(at_row, 0, chart)


def _trend_chart(book, sheet, title_row: int, trend: list[list], statuses: list[str], at_row: int) -> None:
    """The months side by side, each a column of its RAG counts stacked: unlike lines, two
    statuses with the same count never hide each other."""
    chart = book.add_chart({"type": "column", "subtype": "stacked"})
    first, last = title_row + 2, title_row + 1 + len(trend)
    for col, name in enumerate(statuses, start=1):
        chart.add_series({
            "name": name,
            "categories": ["Summary", first, 0, last, 0],
            "values": ["Summary", first, col, last, col],
            "gap": 80,
            **_series_style(name, [month[col] for month in trend]),
        })
    chart.set_title({"name": TREND_TITLE, "name_font": {"size": 11}})
    chart.set_legend({"position": "bottom"})
    chart.set_size(CHART_SIZE)
    sheet.insert_chart(at_row, 0, chart)


EXCEPTION_HEADERS = [LABELS["ref"], "Why it is here",
                     *(LABELS[name] for name in ("rag", "owner", "governance", "deadline", "action", "progress"))]


def _exceptions_sheet(book, formats: Formats, title: str, result: Consolidation) -> None:
    sheet = book.add_worksheet("Exceptions")
    widths = _fit_widths([6, 24, 9, 14, 14, 12, 30, 30], result.paper, flexible=(1, 3, 4, 6, 7))
    title_block(sheet, formats, f"Exceptions for the board – {label(result.month)}",
                f"Red and Amber; overdue; RAG worse; deadline moved this month; no owner, deadline or governance "
                f"body; Red, Amber or overdue with no new progress note; no update for {result.stale_months} months "
                "or more." + ("" if result.previous_month else " No earlier month to compare with."),
                widths)
    header_row(sheet, formats, 3, EXCEPTION_HEADERS, widths)
    rows = [[a.ref, "\n".join(item.reasons), a.text("rag"), a.owner, a.governance, a.deadline.text,
             a.action or a.outcome or a.objective, a.progress]
            for item in result.exceptions for a in (item.action,)]
    if rows:
        last = _table_rows(sheet, formats, 4, rows, widths)
    else:
        last = 4
        write_text(sheet, 4, 0, "No exceptions this month.", formats.subtitle)
    add_rag_rules(sheet, formats, 4, last, 2, dropdown=False)
    sheet.autofilter(3, 0, last, len(EXCEPTION_HEADERS) - 1)
    sheet.freeze_panes(4, 1)
    page_setup(sheet, title, result.month, result.paper, header_row=3)


def _log_sheet(book, formats: Formats, title: str, result: Consolidation) -> None:
    sheet = book.add_worksheet("Change log")
    if result.earlier is None:
        note = "No earlier consolidated copy in this folder to compare with: this is the first month."
    else:
        note = (f"{len(result.changes)} changes since {label(result.previous_month)} ({result.earlier.name}); "
                "earlier months' changes follow this month's.")
    printed = len(LOG_COLUMNS) - 1  # all but the action key
    widths = _fit_widths([14, 6, 14, 24, 24, 9, 12, 36], result.paper, flexible=(3, 4, 7)) + [14]
    title_block(sheet, formats, f"Change log – {label(result.month)}", note, widths[:printed])
    header_row(sheet, formats, 3, LOG_COLUMNS, widths)
    rows = [[label(c.month), c.ref, c.field, c.old, c.new, c.change, c.returned_by, c.action, c.key]
            for c in result.history]
    counted = widths[:printed] + [0]
    last = _table_rows(sheet, formats, 4, rows, counted)
    sheet.autofilter(3, 0, last, len(LOG_COLUMNS) - 1)
    sheet.freeze_panes(4, 0)
    page_setup(sheet, title, result.month, result.paper, header_row=3)
    sheet.print_area(0, 0, last, printed - 1)


def _completeness_sheet(book, formats: Formats, title: str, result: Consolidation) -> None:
    sheet = book.add_worksheet("Completeness")
    errors = sum(f.severity == "error" for f in result.findings)
    headers = ["Severity", "Sheet", "Cell", "Ref", "Field", "Message"]
    widths = _fit_widths([9, 16, 7, 7, 11, 80], result.paper, flexible=(1, 5))
    title_block(sheet, formats, f"Completeness – {label(result.month)}",
                f"{errors} errors and {sum(f.severity == 'warning' for f in result.findings)} warnings from plantools check, "
                f"as of {uk_date(result.as_of)}. Each points at the cell to fix in the shared workbook.", widths)
    header_row(sheet, formats, 3, headers, widths)
    warning_formats = [formats.text] * len(headers)
    error_formats = [formats.overdue, *warning_formats[1:]]
    row = 3
    for row, finding in enumerate(result.findings, start=4):
        write_row(sheet, row, [finding.severity, finding.sheet, finding.cell, finding.ref, finding.field,
                               finding.message], error_formats if finding.severity == "error" else warning_formats,
                  widths, FONT_SIZE)
    sheet.autofilter(3, 0, max(row, 4), len(headers) - 1)
    sheet.freeze_panes(4, 0)
    page_setup(sheet, title, result.month, result.paper, header_row=3)

def write_copy(result: Consolidation) -> None:
    from plantools.copy.sheets import write_copy_sheets

    write_copy_sheets(result.plan, result)
