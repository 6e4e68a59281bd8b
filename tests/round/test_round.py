"""The returns round through the CLI, on the bundled plan with a real SMTP server on this
machine (aiosmtpd): monthly, send, two returns collected, then status and chase."""

from __future__ import annotations

import json
import re
import shutil
import signal
from email import policy
from email.parser import BytesParser
from pathlib import Path

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from conftest import BUNDLED_2018, simple_plan, soffice_convert
from test_collect import BODIES as BODIES_OF_TWO
from test_collect import edit_pack, make_packs, pack_of, shared_plan
from test_mail import free_port
from test_print import COPY_TITLES, EIGHT_POINT_BOX, pages_of, sheets_of

from plantools.cli import main
from plantools.report import status_lines
from plantools.round.status import RoundStatus
from plantools.send.ledger import folder_lock

MONTH = "2018-11"
LATE = "2018-12-20"  # six days past the reply-by date, 14 Dec 2018
BODIES = ["MSCB", "Policy Sub-Group", "Learning and Development Sub-Group", "QA Sub-Group", "PPYPS Sub-Group",
          "BIG", "MSCB BSU"]


def address(body: str) -> str:
    return body.lower().replace(" ", "-") + "@example.org"


class Inbox:
    """Keeps each message whole; answers `refuse` (address -> reply) at RCPT."""

    def __init__(self) -> None:
        self.refuse: dict[str, str] = {}
        self.received: list = []

    async def handle_RCPT(self, server, session, envelope, rcpt, rcpt_options):
        if rcpt in self.refuse:
            return self.refuse[rcpt]
        envelope.rcpt_tos.append(rcpt)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def take(self) -> list:
        taken, self.received = self.received, []
        return taken


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port  # type: ignore[attr-defined]
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the round took over 240 s: something hangs"))
    signal.alarm(240)
    yield handler
    signal.alarm(0)
    controller.stop()


def run(*args, code: int | None = 0):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if code is not None:
        assert result.exit_code == code, result.output
    return result


def mail(command: str, folder: Path, inbox: Inbox, *extra: str, code: int | None = 0):
    return run(command, folder, "--smtp-host", "127.0.0.1", "--smtp-port", inbox.port, "--no-tls",
               "--time-limit", "20", *extra, code=code)


def bundled_with_emails(folder: Path) -> Path:
    plan = Path(shutil.copy(BUNDLED_2018, folder / "Business Plan.xlsx"))
    book = openpyxl.load_workbook(plan)
    for row in book["Governance"].iter_rows(min_row=2):
        if row[0].value in BODIES:
            row[2].value = address(row[0].value)
    book.save(plan)
    return plan


@pytest.fixture
def round_sent(tmp_path, inbox):
    """The month made (its packs into a folder away from the workbook) and sent."""
    (tmp_path / "shared").mkdir()
    plan = bundled_with_emails(tmp_path / "shared")
    packs = tmp_path / "elsewhere"
    run("monthly", plan, "--month", MONTH, "--today", "2018-11-30", "--sender", "BSU <bsu@example.org>",
        "--out", packs)
    folder = packs / "packs" / MONTH
    mail("send", folder, inbox, "--yes")
    assert sorted(to[0] for to, _ in inbox.take()) == sorted(map(address, BODIES))
    return plan, folder


def collect(plan: Path, folder: Path, body: str, changes: dict, tmp_path: Path) -> None:
    returned = edit_pack(folder / f"{body} {MONTH}.xlsx", changes, tmp_path / f"{body} return.xlsx")
    run("collect", returned, "--into", plan, "--packs", folder, "--yes")


def status(folder: Path, code: int = 1) -> list[str]:
    return run("status", folder, "--today", LATE, code=code).output.splitlines()


def test_status_chase_and_a_return_after_the_reminder(round_sent, inbox, tmp_path):
    plan, folder = round_sent
    collect(plan, folder, "Policy Sub-Group", {"2.1a": {"RAG": "Green", "Progress update": "Done in December"}},
            tmp_path)
    collect(plan, folder, "QA Sub-Group", {}, tmp_path)  # came back unchanged: returned all the same

    lines = status(folder)
    assert lines[0] == f"November 2018 packs in {folder}: reply by 14 Dec 2018 (6 days late)"
    assert lines[1] == f"returns from returns.csv beside {plan.resolve()}"
    by_body = {line.split(": ", 1)[0]: line.split(": ", 1)[1] for line in lines[2:-1]}
    assert set(by_body) == set(BODIES)
    assert by_body["Policy Sub-Group"].startswith("returned ") and "2 cells applied" in by_body["Policy Sub-Group"]
    assert by_body["QA Sub-Group"].startswith("returned ") and "0 cells applied" in by_body["QA Sub-Group"]
    for body in set(BODIES) - {"Policy Sub-Group", "QA Sub-Group"}:
        assert by_body[body].startswith(f"outstanding: sent ") and f"to {address(body)}" in by_body[body]
        assert by_body[body].endswith("; reply by 14 Dec 2018, 6 days late")
    assert lines[-1] == "2 of 7 returned, 5 outstanding (5 past the reply-by date)"
    on_time = run("status", folder, "--today", "2018-12-10", code=0).output
    assert "reply by 14 Dec 2018 (4 days left)" in on_time

    # the JSON says what the table says
    data = json.loads(run("status", folder, "--today", LATE, "--format", "json", code=1).output)
    assert status_lines(RoundStatus.from_dict(data)) == lines

    dry = mail("chase", folder, inbox, "--today", LATE).output.splitlines()
    assert sorted(line.split(": ")[1] for line in dry if line.startswith("would chase: ")) == sorted(
        set(BODIES) - {"Policy Sub-Group", "QA Sub-Group"})
    assert sum(line.startswith("not chased: ") and "returned on" in line for line in dry) == 2
    assert dry[-1] == "nothing sent: add --yes to send 5 reminders" and inbox.take() == []

    inbox.refuse = {address("BIG"): "450 4.2.1 Mailbox busy, try later"}
    first = mail("chase", folder, inbox, "--today", LATE, "--yes", code=1)
    got = inbox.take()
    assert sorted(to[0] for to, _ in got) == sorted(address(b) for b in BODIES
                                                    if b not in ("Policy Sub-Group", "QA Sub-Group", "BIG"))
    assert "refused for now, tried again on the next run" in first.output
    to_ppyps = next(message for to, message in got if to == [address("PPYPS Sub-Group")])
    assert to_ppyps["Subject"].startswith("Reminder: ") and to_ppyps["From"] == "BSU <bsu@example.org>"
    text = to_ppyps.get_body(("plain",)).get_content()
    assert "Dear colleagues of the PPYPS Sub-Group," in text and "14 December 2018" in text
    assert text.rstrip().endswith("BSU")
    [attached] = list(to_ppyps.iter_attachments())
    assert attached.get_filename() == f"PPYPS Sub-Group {MONTH}.xlsx"
    assert attached.get_content() == (folder / f"PPYPS Sub-Group {MONTH}.xlsx").read_bytes()

    inbox.refuse = {}
    retry = mail("chase", folder, inbox, "--today", LATE, "--yes")
    assert [to for to, _ in inbox.take()] == [[address("BIG")]]
    assert retry.output.splitlines()[-1] == "1 sent, 0 failed, 0 sent before"
    again = mail("chase", folder, inbox, "--today", LATE, "--yes")
    assert inbox.take() == [] and again.output.splitlines()[-1] == "0 sent, 0 failed, 0 sent before"
    assert sum("reminded today already" in line for line in again.output.splitlines()) == 5
    with folder_lock(folder):  # a send running from the folder: chase waits its turn, nothing sent
        busy = mail("chase", folder, inbox, "--today", LATE, "--yes", "--again", code=2)
    assert "another plantools send is sending from this folder" in busy.output and inbox.take() == []
    asked = mail("chase", folder, inbox, "--today", LATE, "--yes", "--again")  # unless asked
    assert len(inbox.take()) == 5 and asked.output.splitlines()[-1] == "5 sent, 0 failed, 0 sent before"
    assert len(list((folder / "reminders").glob(f"* reminder {LATE} (2).eml"))) == 5
    # the reminders are never sent as packs, nor the packs again
    assert mail("send", folder, inbox, "--yes").output.splitlines()[-1] == "0 sent, 0 failed, 7 sent before"
    assert inbox.take() == []

    collect(plan, folder, "BIG", {"4.1a": {"RAG": "Amber"}}, tmp_path)  # after its reminder
    lines = status(folder)
    assert any(line.startswith("BIG: returned ") for line in lines)
    assert lines[-1] == "3 of 7 returned, 4 outstanding (4 past the reply-by date)"
    mscb = next(line for line in lines if line.startswith("MSCB: "))
    assert re.search(r"; reply by 14 Dec 2018, 6 days late; reminded \d+ \w{3} \d{4}, \d+ \w{3} \d{4}$", mscb)
    later = mail("chase", folder, inbox, "--today", "2018-12-21", "--yes").output.splitlines()
    assert sorted(to[0] for to, _ in inbox.take()) == sorted(
        address(b) for b in BODIES if b not in ("Policy Sub-Group", "QA Sub-Group", "BIG"))
    assert later[-1] == "4 sent, 0 failed, 0 sent before"


def test_the_reminder_lists_what_is_overdue_and_the_packs_folder_of_every_month_is_read(round_sent, inbox):
    plan, folder = round_sent
    mail("chase", folder.parent, inbox, "--today", LATE, "--yes")  # 'packs': its newest month, November
    got = {to[0]: message for to, message in inbox.take()}
    assert len(got) == 7
    text = got[address("MSCB BSU")].get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "the November 2018 pack of the 1 action that the MSCB BSU oversees" in text
    assert "Overdue:\n• 2.2b (overdue since " in text
    assert "Reply-To" not in got[address("MSCB BSU")]  # none in the pack's own draft either
    assert (folder / "chased.csv").is_file() and len(list((folder / "reminders").glob("*.eml"))) == 7


def test_a_conflict_settled_by_hand_then_collected_again_is_returned(tmp_path):
    shared = shared_plan(tmp_path)
    packs = make_packs(shared, MONTH, "--today", "2018-11-30")
    returned = edit_pack(pack_of(packs, "Policy Sub-Group"), {"1.1": {"RAG": "Amber"}}, tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(shared)
    book["Plan"]["G4"] = "Green"  # the officer typed it in meanwhile: the return conflicts
    book.save(shared)
    run("collect", returned, "--into", shared, "--yes", code=1)
    lines = run("status", packs, "--today", "2018-12-10", code=0).output.splitlines()
    policy = next(line for line in lines if line.startswith("Policy Sub-Group: "))
    assert policy.startswith("Policy Sub-Group: returned ") and "with 1 conflict waiting (1.1 RAG; " in policy
    assert "QA Sub-Group: not sent: " in "\n".join(lines)  # no sender: the drafts went from Outlook, if at all
    dry = run("chase", packs, "--smtp-host", "127.0.0.1", "--today", "2018-12-10").output.splitlines()
    assert "would chase: Policy Sub-Group: returned with conflicts or bad values to resolve: 1.1 RAG" in dry
    book = openpyxl.load_workbook(shared)
    book["Plan"]["G4"] = "Amber"  # settled: the workbook now says what the return says
    book.save(shared)
    run("collect", returned, "--into", shared, "--yes", code=0)
    lines = run("status", packs, "--today", "2018-12-10", code=0).output.splitlines()
    assert next(line for line in lines if line.startswith("Policy Sub-Group: ")).endswith(
        ": 0 cells applied, no conflicts waiting")


def test_packs_made_before_the_round_was_recorded_say_what_is_missing(tmp_path):
    shared = shared_plan(tmp_path)
    packs = make_packs(shared, MONTH, "--today", "2018-11-30")
    record = json.loads((packs / "sent.json").read_text(encoding="utf-8"))
    del record["round"]
    (packs / "sent.json").write_text(json.dumps(record), encoding="utf-8")
    lines = run("status", packs, code=0).output.splitlines()
    assert lines[0] == f"November 2018 packs in {packs}: reply-by date not recorded"
    assert [line for line in lines if line.startswith("note: ")] == [
        f"note: {packs / 'sent.json'} was made before plantools recorded the reply-by date and the shared "
        f"workbook: no days left or late are shown, its workbook was found at {shared.resolve()}; make the packs "
        "again to record them"]


def test_a_draft_lists_what_falls_due_within_the_weeks_asked(tmp_path):
    actions = [["1.1", "Agreement", "Draft the agreement", "Jo", "Policy", "December 2018", "Green", ""],
               ["1.2", "Neglect", "Re-audit neglect", "Sam", "Policy", "March 2019", "Green", ""]]
    shared = simple_plan(tmp_path / "Shared Plan.xlsx", actions, BODIES_OF_TWO)
    texts = {}
    for weeks in ("", "6"):
        packs = make_packs(shared, MONTH, "--today", "2018-11-30", "--force", *(["--due-weeks", weeks] if weeks else []))
        draft = BytesParser(policy=policy.default).parsebytes((packs / f"Policy Sub-Group {MONTH}.eml").read_bytes())
        texts[weeks] = draft.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Falling due" not in texts[""]  # 31 Dec 2018 is after the reply-by date, 14 Dec 2018
    assert "Falling due by 11 Jan 2019:\n• 1.1 (due 31 Dec 2018): Draft the agreement\n" in texts["6"]
    assert "1.2" not in texts["6"]


def test_the_copys_highlights_tell_the_round_and_what_falls_due_on_one_page(round_sent, tmp_path):
    plan, folder = round_sent
    collect(plan, folder, "Policy Sub-Group", {"2.1a": {"RAG": "Green"}}, tmp_path)
    collect(plan, folder, "QA Sub-Group", {}, tmp_path)
    run("monthly", plan, "--month", "2018-12", "--today", LATE, "--out", folder.parent.parent)
    copy = folder.parent.parent / "monthly" / "Business Plan 2018-12.xlsx"
    texts = [str(c.value) for row in openpyxl.load_workbook(copy)["Highlights"].iter_rows() for c in row if c.value]
    assert "Returns round, November 2018: 2 of 7 sub-groups returned" in texts
    not_returned = [t for t in texts if t.startswith("Not returned: ")]
    assert len(not_returned) == 4 and "… and 1 more (see plantools status)" in texts  # 5 in all, 4 listed
    assert re.fullmatch(r"Not returned: MSCB \(sent \d+ \w{3}, reply by 14 Dec\)", not_returned[0])
    due = [t for t in texts if t.startswith("Due before the next board (by 31 Jan 2019): ")]
    assert due and due[0] != "Due before the next board (by 31 Jan 2019): none"

    pages = sheets_of(pages_of(soffice_convert(copy, "pdf", tmp_path)), COPY_TITLES)
    [highlights] = pages["Highlights"]  # still one page
    assert min(w[3] - w[1] for w in highlights[2]) >= EIGHT_POINT_BOX  # and no smaller than 8 pt
    words = " ".join(w[4] for w in highlights[2])
    assert "Returns round, November 2018: 2 of 7 sub-groups returned" in words


def test_a_body_that_returned_last_months_pack_but_not_this_months_has_not_returned(tmp_path):
    shared = shared_plan(tmp_path)
    october = make_packs(shared, "2018-10", "--today", "2018-10-31")
    returned = edit_pack(pack_of(october, "Policy Sub-Group"), {"1.1": {"RAG": "Amber"}}, tmp_path / "r.xlsx")
    run("collect", returned, "--into", shared, "--packs", october, "--yes")
    assert next(line for line in run("status", october, "--today", "2018-11-01").output.splitlines()
                if line.startswith("Policy Sub-Group: ")).startswith("Policy Sub-Group: returned ")
    november = make_packs(shared, MONTH, "--today", "2018-11-30")
    lines = run("status", november.parent, "--today", "2018-12-01").output.splitlines()  # the newest: November
    assert lines[0].startswith(f"November 2018 packs in {november}: ")
    assert not next(line for line in lines if line.startswith("Policy Sub-Group: ")).startswith(
        "Policy Sub-Group: returned")
    assert lines[-1].startswith("0 of 2 returned")
