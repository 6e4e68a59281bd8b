"""The copy and the packs as LibreOffice prints them, measured from the PDF itself
(`pdftotext -bbox`: every word's box; a box is about 1.3 times the font size, so 8 pt text
makes boxes 10.4 pt high)."""

import re
import shutil
import subprocess
from datetime import date

import openpyxl
import pytest
from conftest import BUNDLED_2018, soffice_convert

from plantools import load_plan
from plantools.jobs import consolidate, make_packs

EIGHT_POINT_BOX = 10.4
A4_LANDSCAPE, A3_LANDSCAPE = (841.9, 595.3), (1190.6, 841.9)
EXAMPLE_MONTH = {  # row in the bundled workbook -> (RAG, progress update)
    8: ("Green", "Draft agreement circulated to partners"),
    10: ("Amber", "Mental Health Protocol waiting for CCG sign-off"),
    14: ("Red", "Audit postponed: QA Chair post vacant"),
    18: ("Complete", "User voice strategy agreed at the Board"),
}
# a sheet's first page is told by its title; the pages after it, up to the next title, are its
COPY_TITLES = {"Highlights": "Highlights – December 2018", "Plan": "– consolidated, December 2018",
               "Summary": "– summary, December 2018", "Exceptions": "Exceptions for the board – December 2018",
               "Change log": "Change log – December 2018", "Completeness": "Completeness – December 2018",
               "Key": "RAG key – December 2018"}
REF = re.compile(r"^\d+\.\d+[a-z]+$")


def pages_of(pdf):
    """[(width, height, [(xMin, yMin, xMax, yMax, word)])] for each page."""
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler's pdftotext is not installed")
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        width, height = map(float, re.match(r'width="([\d.]+)" height="([\d.]+)"', page).groups())
        words = [(float(a), float(b), float(c), float(d), text) for a, b, c, d, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page)]
        pages.append((width, height, words))
    return pages


def sheets_of(pages, titles):
    """Sheet name -> its pages, each page given to the sheet whose title it, or the page before, shows."""
    found, current = {}, None
    for page in pages:
        text = " ".join(word[4] for word in page[2]).replace("&amp;", "&")
        current = next((name for name, title in titles.items() if title in text), current)
        found.setdefault(current, []).append(page)
    return found


def rows_and_lines(page):
    """For each action row on a Plan page but the last: (ref, its height, the lines of text in it).
    A row runs from its ref down to the next ref; its lines are the distinct heights words start at."""
    words = page[2]
    refs = sorted((w for w in words if REF.match(w[4]) and w[0] < 60), key=lambda w: w[1])
    rows = []
    for ref, following in zip(refs, refs[1:]):
        inside = {round(w[1]) for w in words if ref[1] - 1 <= w[1] < following[1] - 1}
        rows.append((ref[4], following[1] - ref[1], len(inside)))
    return rows


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """December's copy of the bundled plan (after November's, with an example month typed in),
    two sub-groups' packs, and the same copy on A3: each printed to PDF by LibreOffice."""
    folder = tmp_path_factory.mktemp("print")
    plan_path = folder / BUNDLED_2018.name
    shutil.copy(BUNDLED_2018, plan_path)
    consolidate(load_plan(plan_path), "2018-11", folder / "monthly", today=date(2018, 11, 30))
    book = openpyxl.load_workbook(plan_path)
    for row, (status, note) in EXAMPLE_MONTH.items():
        book["Business Plan"].cell(row, 9).value, book["Business Plan"].cell(row, 10).value = status, note
    book.save(plan_path)
    plan = load_plan(plan_path)
    copy = consolidate(plan, "2018-12", folder / "monthly", today=date(2018, 12, 31))
    run = make_packs(plan, "2018-12", folder / "packs", today=date(2018, 12, 31))
    packs = {p.body: p.workbook for p in run.packs if p.body in ("BIG", "QA Sub-Group")}
    a3 = consolidate(plan, "2018-12", folder / "a3", today=date(2018, 12, 31), paper="A3")
    return {
        "copy": pages_of(soffice_convert(copy.path, "pdf", folder)),
        "a3": pages_of(soffice_convert(a3.path, "pdf", folder / "a3")),
        **{body: pages_of(soffice_convert(path, "pdf", folder)) for body, path in packs.items()},
    }


def test_each_sheet_of_the_copy_prints_on_as_few_pages_as_its_text_needs(printed):
    sheets = sheets_of(printed["copy"], COPY_TITLES)
    counts = {name: len(pages) for name, pages in sheets.items()}
    assert list(counts) == list(COPY_TITLES)  # every sheet, in order, none before the first title
    assert counts["Highlights"] == 1 and counts["Key"] == 1
    assert counts["Plan"] <= 3  # 17 actions with long texts, at 9 pt: it was 2 pages at 5 pt, 4 with rows half blank
    assert counts["Summary"] == 2  # the tables, then the charts on a page of their own
    assert counts["Completeness"] == 1 and counts["Change log"] <= 2
    assert all((round(page[0], 1), round(page[1], 1)) == A4_LANDSCAPE for page in sheets["Plan"])


def test_body_text_is_at_least_8_point_on_every_page(printed):
    for name, pages in printed.items():
        for number, (_, _, words) in enumerate(pages, start=1):
            smallest = min(w[3] - w[1] for w in words)
            assert smallest >= EIGHT_POINT_BOX, (name, number, smallest)


def test_a_pack_prints_its_key_under_its_actions_on_the_last_page_not_a_page_alone(printed):
    for body in ("BIG", "QA Sub-Group"):
        pages = printed[body]
        assert len(pages) <= 2, body
        words = pages[-1][2]
        key = next(w for w in words if w[4] == "Unlikely")  # the key's first meaning
        last_ref = max((w for w in words if REF.match(w[4]) and w[0] < 60), key=lambda w: w[1])
        assert key[1] > last_ref[1], body  # under the actions
        text = " ".join(w[4] for w in pages[0][2])
        assert "Source cell" not in text and "Priority" not in text and "Action key" not in text  # not for chairs
        assert "Progress update" in text and "RAG" in text


def test_the_board_reads_the_columns_it_needs_and_the_objective_once(printed):
    plan_pages = sheets_of(printed["copy"], COPY_TITLES)["Plan"]
    first = " ".join(w[4] for w in plan_pages[0][2])
    words = {w[4] for w in plan_pages[0][2]}
    for heading in ("Ref", "Objectives", "Action", "Who (owner)", "Governance oversight", "When?", "RAG",
                    "Progress update"):
        assert set(heading.split()) <= words, heading
    text = " ".join(w[4] for page in plan_pages for w in page[2])
    for helper in ("Source cell", "Priority", "Action key", "Performance measures", "Due date"):
        assert helper not in text
    assert text.count("The MSCB is assured") == 1  # objective 2.2, once over its three actions
    assert "Made " in first and "&D" not in first and not re.search(r"\d+/\d+/\d{4}", first)  # the date as text


def test_rows_are_as_tall_as_their_text(printed):
    """Within a third of a line a line (the model sizes rows for the wider wrapping of Excel's
    Calibri and LibreOffice's DejaVu Sans, so a row may hold a line or so to spare)."""
    measured = []
    for name in ("copy", "BIG", "QA Sub-Group"):
        titles = COPY_TITLES if name == "copy" else {"Plan": f"– {name} – December 2018"}
        for page in sheets_of(printed[name], titles)["Plan"]:
            for ref, height, lines in rows_and_lines(page):
                line = min(w[3] - w[1] for w in page[2] if REF.match(w[4]))  # a line of body text
                measured.append((name, ref, height, lines))
                assert height <= 1.4 * lines * line + 2, (name, ref, height, lines)
    assert len(measured) >= 10


def test_a3_prints_the_plan_on_fewer_larger_pages(printed):
    a4 = sheets_of(printed["copy"], COPY_TITLES)["Plan"]
    a3 = sheets_of(printed["a3"], COPY_TITLES)["Plan"]
    assert all((round(page[0], 1), round(page[1], 1)) == A3_LANDSCAPE for page in a3)
    assert len(a3) < len(a4)


def test_every_printed_page_carries_the_plans_title_at_its_top(printed):
    for name, pages in printed.items():
        for number, (_, _, words) in enumerate(pages, start=1):
            top = " ".join(w[4] for w in sorted(words, key=lambda w: (round(w[1]), w[0])) if w[1] < 40)
            assert "Merton Safeguarding Children Board Business Plan 2018" in top, (name, number, top)


def test_a_title_longer_than_the_page_is_wide_wraps_inside_it(printed):
    for name in ("BIG", "QA Sub-Group", "copy"):
        for width, _, words in printed[name]:
            assert all(w[2] <= width - 20 for w in words), name  # nothing runs into the right margin
    words = printed["QA Sub-Group"][0][2]
    assert any(w[4] == "2018" and w[1] > 40 for w in words)  # "... – QA Sub-Group – December 2018", all there


def test_each_chart_prints_whole_on_one_page(printed):
    summary = sheets_of(printed["copy"], COPY_TITLES)["Summary"]
    charts = [page for page in summary if any(w[4] == "priority" for w in page[2])]
    assert len(charts) == 1
    words = charts[0][2]
    titles = [w for w in words if w[4] == "priority"] + [w for w in words if w[4] == "trend"]
    legends = [w for w in words if w[4] == "rated"]  # "Not rated", the last entry of each legend
    assert len(titles) == 2 and len(legends) == 2  # both charts, each with its legend, on the page
    assert all(legend[1] > title[1] for title, legend in zip(sorted(titles, key=lambda w: w[1]),
                                                              sorted(legends, key=lambda w: w[1])))
