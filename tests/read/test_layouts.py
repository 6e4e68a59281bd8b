"""Issue 17: workbooks composed from independent features (tests/layouts.py) are read as their
truth says, through check, the board's copy and the packs, and none hangs.

PLANTOOLS_LAYOUT_EXAMPLES sets the number of generated examples (default 100);
PLANTOOLS_LAYOUT_ALL=1 draws the features the reader does not yet read right as well."""

from __future__ import annotations

import os
import signal
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

import layouts
import pytest
from hypothesis import HealthCheck, event, given, settings
from layouts import FEATURES, SOFFICE_FEATURES, Spec, build, enabled, problems, soffice, specs

EXAMPLES = int(os.environ.get("PLANTOOLS_LAYOUT_EXAMPLES", "100"))
TIME_LIMIT = 60  # seconds for one workbook's reading, check, copy and packs


class Hang(Exception):
    pass


def _stop(signum, frame):
    raise Hang(f"reading, copying or packing took over {TIME_LIMIT} s: a loop that does not end?")


def within_time_limit(truth: layouts.Truth, out: Path, outputs: bool = True) -> list[str]:
    """problems(truth), failing with Hang past TIME_LIMIT seconds."""
    previous = signal.signal(signal.SIGALRM, _stop)
    signal.alarm(TIME_LIMIT)
    try:
        return problems(truth, out, outputs)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def drawable() -> frozenset[str]:
    return enabled() - (set() if soffice() else set(SOFFICE_FEATURES))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=bool(os.environ.get("CI")),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(spec=specs(drawable()))
def test_a_generated_workbook_is_read_checked_copied_and_packed_as_its_truth_says(spec):
    with tempfile.TemporaryDirectory() as tmp:
        truth = build(spec, Path(tmp) / "Business Plan 2018-19.xlsx")
        for feature in sorted(truth.features):
            event(f"feature {feature}")  # --hypothesis-show-statistics counts the examples with each
        assert within_time_limit(truth, Path(tmp) / "out") == []


# Named cases: each a combination the corpus does not hold, written by the generator.
NAMED = {
    "plain": set(),
    "title, preamble and a key above": {"title", "preamble", "key_above"},
    "a sheet per priority, banners and spacers": {"many_sheets", "banners", "spacers", "title"},
    "tall merged header, merged objectives": {"merged_header", "merged_objective", "title"},
    "ten extra columns": {"extra_columns", "title", "fills"},
    "synonyms, no ref column, two bodies": {"synonyms", "no_ref_column", "two_bodies"},
    "Excel table with a totals row": {"excel_table", "totals_row", "fills"},
    "hidden columns, rows and sheet": {"hidden_columns", "hidden_rows", "hidden_sheet"},
    "written deadlines, theme colours, RAG by fill": {"deadline_text", "deadline_quarter", "theme_colours",
                                                      "rag_fill_only"},
    "contents and lists sheets": {"contents_sheet", "lists_sheet"},
    "Lead over Officer/Agency, Timescale over Start/End": {"two_row_header", "title"},
    "RAG by month": {"rag_months", "preamble"},
    "RAG and update by quarter": {"rag_quarters", "many_sheets"},
    "bodies as abbreviations": {"abbreviations", "two_bodies"},
    "not for circulation columns": {"confidential_columns", "hidden_columns"},
    "revised and open-ended deadlines": {"deadline_revised", "deadline_open", "deadline_text"},
    "RAG by conditional format": {"conditional_rag"},
    "a key in one cell, its words in the RAG column": {"rag_key_words", "inline_key"},
    "a key in the RAG column, above and below": {"key_in_rag_column", "key_above", "key_below"},
    "Complete shown by a blue fill alone": {"rag_fill_blue"},
    "unseen header words": {"unseen_synonyms"},
    "a key between two tables and one below": {"key_between", "key_below", "title"},
    "a key below, in the owner's column": {"key_below", "merged_header", "no_ref_column"},
    "re-saved by LibreOffice": {"libreoffice", "merged_objective", "banners"},
    "as .xls": {"xls", "title"},
    "as .ods": {"ods", "key_above"},
}


@pytest.mark.parametrize("name", list(NAMED))
def test_a_named_layout_is_read_as_its_truth_says(name, tmp_path):
    features = NAMED[name]
    if not features <= enabled():
        pytest.skip(f"not yet read right (FAILURES.md): {sorted(features - enabled())}")
    if features & set(SOFFICE_FEATURES) and not soffice():
        pytest.skip("LibreOffice is not installed")
    truth = build(Spec.of(features), tmp_path / "Business Plan.xlsx")
    assert truth.features == features  # each named feature really in the workbook
    assert within_time_limit(truth, tmp_path / "out") == []


def test_every_feature_is_named_in_a_case_and_every_supported_one_exists():
    assert set().union(*NAMED.values()) == set(FEATURES)
    assert layouts.SUPPORTED <= set(FEATURES)


def test_the_secrets_are_in_the_workbook_so_their_absence_from_the_outputs_means_something(tmp_path):
    truth = build(Spec.of({"hidden_columns", "confidential_columns", "hidden_sheet"}), tmp_path / "Plan.xlsx")
    with zipfile.ZipFile(truth.path) as archive:
        text = "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    assert len(truth.secrets) == 2 * len(truth.actions) + 1  # each action's two notes, the hidden sheet
    assert all(secret in text for secret in truth.secrets)


def test_the_oracle_says_when_a_reading_is_wrong(tmp_path):
    truth = build(Spec.of({"title"}), tmp_path / "Plan.xlsx")
    first = truth.actions[0]
    wrong = replace(truth, actions=[replace(first, owner="Somebody Else", rag="Red" if first.rag != "Red" else "Amber"),
                                    *truth.actions[1:]],
                    plan_sheets=[*truth.plan_sheets, "Governance"])
    said = problems(wrong, tmp_path / "out", outputs=False)
    assert len(said) == 3 and "plan sheets" in said[0] and "owner" in said[1] and "RAG" in said[2]


def test_the_oracle_finds_a_secret_in_an_output(tmp_path):
    truth = build(Spec.of(set()), tmp_path / "Plan.xlsx")
    planted = replace(truth, secrets=["ld@example.org"])  # a body's address: in its draft, in no action
    said = problems(planted, tmp_path / "out")
    assert said and all("ld@example.org" in line for line in said)
    assert any(line.endswith(".eml") for line in said)
