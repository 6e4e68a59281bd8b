"""The shared workbook open in Excel (its ~$ owner file beside it): monthly, packs and
consolidate say first, before they write anything, that they read its last saved version, and
the packs' drafts say so to the officer who opens them (issue 18)."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

import pytest
from test_collect import make_packs, run, shared_plan

SAID = "Shared Plan.xlsx is open in Excel: reading its last saved version"


@pytest.fixture
def open_in_excel(tmp_path):
    shared = shared_plan(tmp_path)
    (tmp_path / "~$Shared Plan.xlsx").write_bytes(b"\x08Jo Officer" + b" " * 100)
    return shared


def first_words(draft) -> str:
    message = BytesParser(policy=policy.default).parsebytes(draft.read_bytes())
    return message.get_body(("plain",)).get_content()


@pytest.mark.parametrize("command", ["monthly", "packs", "consolidate"])
def test_each_says_so_before_it_writes(open_in_excel, command):
    output = run(command, open_in_excel, "--month", "2018-11", "--today", "2018-11-30", code=0).output.splitlines()
    said = [number for number, line in enumerate(output) if line.startswith(SAID)]
    wrote = [number for number, line in enumerate(output) if line.startswith("wrote ")]
    assert len(said) == 1 and wrote and said[0] < wrote[0], output
    assert sum("last saved" in line for line in output) == 1


def test_the_drafts_say_so_and_not_when_the_workbook_is_closed(open_in_excel, tmp_path):
    packs = make_packs(open_in_excel, "2018-11", "--sender", "bsu@example.org")
    assert first_words(packs / "QA Sub-Group 2018-11.eml").startswith(
        "[For the Business Support Unit: this pack was made from the last saved version of the shared workbook")
    (tmp_path / "~$Shared Plan.xlsx").unlink()
    output = run("packs", open_in_excel, "--month", "2018-11", "--out", packs, "--force", code=0).output
    assert "last saved" not in output
    assert first_words(packs / "QA Sub-Group 2018-11.eml").startswith("Dear colleagues")
