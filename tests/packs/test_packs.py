"""Sub-group packs: each body gets its actions and nothing else."""

import csv
import zipfile
from datetime import date
from email import policy
from email.parser import BytesParser

import openpyxl
from click.testing import CliRunner
from conftest import BUNDLED_2018, digest, simple_plan
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName

from plantools import load_plan
from plantools.cli import main
from plantools.jobs import make_packs
from plantools.plan import rag

BODIES = [("Policy Sub-Group", "Policy", "policy.chair@example.org; policy.lead@example.org"),
          ("QA Sub-Group", "QA", "qa@example.org"),
          ("Learning and Development Sub-Group", "L&D", "")]
ACTIONS = [
    ["1.1", "Agreement", "Draft the agreement", "Jo Bloggs", "Policy", "January 2019", "Red", "Chair has left"],
    ["1.2", "Neglect", "OTHER-BODY-ACTION re-audit neglect", "Sam Smith", "QA", "March 2019", "Amber", "Late"],
    ["1.3", "Training", "Review the training offer", "Kim Lee", "Policy and L&D", "Ongoing", "Green", ""],
    ["1.4", "Finance", "Agree the budget", "Al Jones", "Finance Committee", "May 2019", "", ""],
    ["2.1", "Schools", "Work with schools", "Pat Day", "Policy", "October 2018", "", ""],
]
SECRETS = ["RISK-SECRET-1", "HIDDEN-SECRET-2", "COMMENT-SECRET-3", "SECRET_NAME_4", "SECRET-AUTHOR-5"]


def packs_run(tmp_path, **kwargs):
    shared = simple_plan(tmp_path / "Shared Plan.xlsx", ACTIONS, BODIES)
    return shared, make_packs(load_plan(shared), "2018-11", tmp_path / "packs 2018-11", today=date(2018, 11, 30),
                              sender="bsu@example.org", **kwargs)


def pack_refs(path):
    """The refs of a pack's actions: column A of the table, the RAG key under it left out."""
    sheet = openpyxl.load_workbook(path)["Plan"]
    return [row[0] for row in sheet.iter_rows(min_row=5, values_only=True)
            if row[0] and not rag.is_key_row([str(v or "") for v in row])]


def test_bundled_plan_every_body_gets_its_actions_and_no_others(tmp_path):
    plan = load_plan(BUNDLED_2018)
    run = make_packs(plan, "2018-11", tmp_path / "packs")
    assert [p.body for p in run.packs] == [b.name for b in plan.bodies]
    in_packs = {}
    for pack in run.packs:
        for ref in pack_refs(pack.workbook):
            in_packs.setdefault(ref, set()).add(pack.body)
    assert in_packs == {a.ref: set(a.bodies) for a in plan.actions if a.bodies}
    with (tmp_path / "packs" / "manifest.csv").open(encoding="utf-8-sig") as handle:
        manifest = list(csv.DictReader(handle))
    assert sum(int(row["actions"]) for row in manifest[:-1]) == sum(len(a.bodies) for a in plan.actions)
    assert manifest[-1]["body"] == "Unassigned (names no known body)" and manifest[-1]["refs"] == "2.1c"
    assert {row["status"] for row in manifest[:-1]} == {"no email address: add one on the Governance sheet"}


def test_manifest_drafts_and_bodies_without_email(tmp_path):
    _, run = packs_run(tmp_path)
    packs = {p.body: p for p in run.packs}
    assert [a.ref for a in packs["Policy Sub-Group"].actions] == ["1.1", "1.3", "2.1"]
    assert [a.ref for a in packs["Learning and Development Sub-Group"].actions] == ["1.3"]  # shared with Policy
    assert packs["Learning and Development Sub-Group"].draft is None
    with run.manifest.open(encoding="utf-8-sig") as handle:
        rows = {row["body"]: row for row in csv.DictReader(handle)}
    assert rows["Policy Sub-Group"] == {
        "body": "Policy Sub-Group", "email": "policy.chair@example.org; policy.lead@example.org",
        "pack": "Policy Sub-Group 2018-11.xlsx", "draft": "Policy Sub-Group 2018-11.eml", "actions": "3",
        "red": "1", "amber": "0", "overdue": "1", "refs": "1.1 1.3 2.1", "status": "ready to send", "pack_id": packs["Policy Sub-Group"].id,
        "pack_sha256": digest(packs["Policy Sub-Group"].workbook), "draft_sha256": digest(packs["Policy Sub-Group"].draft)}
    assert rows["Learning and Development Sub-Group"]["status"].startswith("no email address")
    assert rows["Unassigned (names no known body)"]["refs"] == "1.4"


def test_draft_is_an_unsent_message_with_the_pack_attached(tmp_path):
    _, run = packs_run(tmp_path)
    pack = next(p for p in run.packs if p.body == "Policy Sub-Group")
    message = BytesParser(policy=policy.default).parsebytes(pack.draft.read_bytes())
    assert message["X-Unsent"] == "1"
    assert message["To"] == "policy.chair@example.org, policy.lead@example.org"
    assert message["From"] == "bsu@example.org"
    assert message["Subject"] == "Partnership business plan: Policy Sub-Group actions for November 2018, " \
                                 "please reply by Friday 14 December 2018"
    body = message.get_body(("plain",)).get_content()
    assert "• 1.1 (Red): Draft the agreement" in body
    assert "• 2.1 (overdue since 31 Oct 2018): Work with schools" in body
    assert "1.3" not in body  # Green and on time: not for attention
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert attachment.get_filename() == "Policy Sub-Group 2018-11.xlsx"
    assert attachment.get_content() == pack.workbook.read_bytes()


def test_nothing_confidential_leaves_in_any_pack_or_draft(tmp_path):
    shared = simple_plan(tmp_path / "Shared Plan.xlsx", ACTIONS, BODIES)
    book = openpyxl.load_workbook(shared)
    risk = book.create_sheet("Risk log")
    risk.append(["Risk", "Owner"])
    risk.append(["RISK-SECRET-1 a child protection case", "Board Manager"])
    hidden = book.create_sheet("Old notes")
    hidden.append(["HIDDEN-SECRET-2"])
    hidden.sheet_state = "hidden"
    book["Plan"]["C4"].comment = Comment("COMMENT-SECRET-3", "Board Manager")
    book.defined_names["SECRET_NAME_4"] = DefinedName("SECRET_NAME_4", attr_text="Plan!$A$1")
    book.properties.creator = "SECRET-AUTHOR-5"
    book.save(shared)
    before = digest(shared)
    run = make_packs(load_plan(shared), "2018-11", tmp_path / "packs", sender="bsu@example.org")
    assert digest(shared) == before
    for pack in run.packs:
        if pack.workbook is None:
            continue
        with zipfile.ZipFile(pack.workbook) as package:
            xml = b"".join(package.read(name) for name in package.namelist()).decode("utf-8")
        others = [a.action for a in load_plan(shared).actions if pack.body not in a.bodies]
        for secret in SECRETS + others:
            assert secret not in xml, (pack.body, secret)
        assert "Risk log" not in xml and "Old notes" not in xml
        if pack.draft:
            mail = BytesParser(policy=policy.default).parsebytes(pack.draft.read_bytes())
            text = mail.get_body(("plain",)).get_content()
            assert not [s for s in SECRETS + others if s in text]


def test_cli_lists_bodies_without_email_on_screen_and_refuses_to_redo(tmp_path):
    shared = simple_plan(tmp_path / "plan.xlsx", ACTIONS, BODIES)
    args = ["packs", str(shared), "--month", "2018-11", "--sender", "bsu@example.org"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Learning and Development Sub-Group: 1 action, Learning and Development Sub-Group 2018-11.xlsx " \
           "(no email address: add one on the Governance sheet)" in lines
    assert "Unassigned (names no known body): 1 action in no pack (1.4): see plantools check" in lines
    assert (tmp_path / "packs" / "2018-11" / "manifest.csv").exists()
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 2 and "--force" in again.output
