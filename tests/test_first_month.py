"""A new officer's first month through the CLI, as the README tells it: the month the run is
for, what to fix, whether the drafts can be sent, and bad input in the officer's words."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import BUNDLED_2018, simple_plan

from plantools.cli import main
from plantools.plan.months import plan_year


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def bundled_copy(folder: Path) -> Path:
    return Path(shutil.copy(BUNDLED_2018, folder / "Business Plan.xlsx"))


WARNING = "warning: December 2026 is outside the plan's year"


@pytest.mark.parametrize("command", ["monthly", "consolidate", "packs"])
def test_a_month_outside_the_plans_year_is_said_once_before_anything_else(tmp_path, command):
    plan = bundled_copy(tmp_path)
    result = run(command, plan, "--month", "2026-12")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (f"{WARNING} (April 2018 to March 2019, from '2018 – 19' in its title): "
                        "give the month, e.g. --month 2019-03")
    assert sum("outside the plan's year" in line for line in lines) == 1


def test_a_month_inside_the_plans_year_gets_no_warning(tmp_path):
    result = run("monthly", bundled_copy(tmp_path), "--month", "2018-11")
    assert result.exit_code == 0 and "outside the plan's year" not in result.output
    assert (tmp_path / "monthly" / "Business Plan 2018-11.xlsx").exists()


def test_without_a_year_in_the_title_the_deadlines_span_the_plan(tmp_path):
    plan = simple_plan(tmp_path / "plan.xlsx", [
        ["1.1", "Agreement", "Draft it", "Jo", "Board", "May 2019", "Green", ""],
        ["1.2", "Training", "Review it", "Kim", "Board", "January 2020", "", ""]])
    inside = run("consolidate", plan, "--month", "2019-08")
    assert inside.exit_code == 0 and "outside" not in inside.output
    outside = run("consolidate", plan, "--month", "2021-02")
    assert outside.output.splitlines()[0] == (
        "warning: February 2021 is outside the plan's year (May 2019 to January 2020, from its deadlines): "
        "give the month, e.g. --month 2020-01")


@pytest.mark.parametrize("title, year", [
    ("Merton Safeguarding Children Board Business Plan 2018 – 19", ("2018-04", "2019-03")),
    ("MSCB Business Plan 2012-13", ("2012-04", "2013-03")),
    ("Business Plan 2019/2020", ("2019-04", "2020-03")),
    ("Plan 1999-00", ("1999-04", "2000-03")),
    ("Plan 2018-2020", None),  # two years: not a financial year, so the deadlines decide
    ("Plan 2018-191", None),
])
def test_the_plans_year_is_read_from_a_financial_year_in_its_title(title, year):
    found = plan_year(title, [])
    assert (found and found[:2]) == year


# -- what to fix, and whether the drafts can go ------------------------------------------------

EMAILS = {"Policy Sub-Group": "policy@merton.example", "QA Sub-Group": "qa@merton.example"}


def with_emails(plan: Path) -> Path:
    import openpyxl

    book = openpyxl.load_workbook(plan)
    for row in book["Governance"].iter_rows(min_row=2):
        if row[0].value in EMAILS:
            row[2].value = EMAILS[row[0].value]
    book.save(plan)
    return plan


def test_monthly_lists_the_errors_at_their_cells_before_its_summary(tmp_path):
    result = run("monthly", bundled_copy(tmp_path), "--month", "2018-11")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    wrote = next(i for i, line in enumerate(lines) if line.startswith("wrote ") and line.endswith("Business Plan 2018-11.xlsx"))
    errors = [line for line in lines[:wrote] if line.startswith("error ")]
    assert [line.split()[1:3] for line in errors] == [
        ["Business", "Plan!F12"], ["Business", "Plan!G20"], ["Business", "Plan!G21"]]
    assert "3 errors (listed above: fix them in the workbook), 4 warnings (see the Completeness sheet)" in lines


def test_monthly_says_at_once_that_no_pack_can_be_emailed_and_what_to_add(tmp_path):
    result = run("monthly", bundled_copy(tmp_path), "--month", "2018-11")  # the published plan has no addresses
    assert result.output.splitlines()[-2] == (
        "no pack can be emailed: add the sub-groups' email addresses on the Governance sheet (column Email), "
        "then run again with --force")
    assert "ready to" not in result.output


def test_without_a_sender_the_drafts_are_ready_to_open_in_outlook_not_to_send(tmp_path):
    plan = with_emails(bundled_copy(tmp_path))
    result = run("monthly", plan, "--month", "2018-11")
    lines = result.output.splitlines()
    assert "Policy Sub-Group: 5 actions, Policy Sub-Group 2018-11.eml (ready to open in Outlook)" in lines
    assert "ready to send" not in result.output
    assert lines[-2] == ("no sender (--sender): open the drafts in Outlook, which fills in your address, "
                         "or give plantools send --sender ADDRESS to send them")
    manifest = (tmp_path / "packs" / "2018-11" / "manifest.csv").read_text(encoding="utf-8-sig")
    assert "ready to open in Outlook" in manifest and "ready to send" not in manifest
    sent = run("monthly", plan, "--month", "2018-12", "--sender", "bsu@merton.example")
    assert "Policy Sub-Group: 5 actions, Policy Sub-Group 2018-12.eml (ready to send)" in sent.output.splitlines()
    assert "no sender" not in sent.output


class Sink:
    """A local relay (aiosmtpd) that keeps what it receives; it offers no STARTTLS."""

    def __init__(self) -> None:
        self.received: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.received.append(list(envelope.rcpt_tos))
        return "250 OK"


@pytest.fixture
def relay():
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.port = port  # type: ignore[attr-defined]
    yield sink
    controller.stop()


def packs_without_sender(tmp_path: Path) -> Path:
    plan = with_emails(bundled_copy(tmp_path))
    assert run("packs", plan, "--month", "2018-11").exit_code == 0
    return tmp_path / "packs" / "2018-11"


def send(folder: Path, port: int, *extra: str):
    return CliRunner(env={"PLANTOOLS_SENDER": ""}).invoke(
        main, ["send", str(folder), "--smtp-host", "127.0.0.1", "--smtp-port", str(port), *extra])


@pytest.mark.parametrize("really", [[], ["--yes"]])
def test_send_without_a_sender_says_so_once_before_anything(tmp_path, relay, really):
    folder = packs_without_sender(tmp_path)
    result = send(folder, relay.port, "--no-tls", *really)
    assert result.exit_code == 2
    assert result.output == (f"Error: {folder}: the drafts have no sender (From): give --sender, "
                             "e.g. --sender bsu@council.example, or set PLANTOOLS_SENDER\n")
    assert relay.received == [] and not (folder / "sent.csv").exists()
    given = send(folder, relay.port, "--no-tls", "--yes", "--sender", "bsu@merton.example")
    assert given.exit_code == 0, given.output
    assert sorted(relay.received) == [["policy@merton.example"], ["qa@merton.example"]]


def test_send_exits_non_zero_when_nothing_could_be_sent(tmp_path, relay):
    folder = packs_without_sender(tmp_path)
    for draft in folder.glob("*.eml"):
        draft.write_bytes(draft.read_bytes().replace(b"@merton.example", b"@"))
    preview = send(folder, relay.port, "--no-tls", "--sender", "bsu@merton.example")
    assert preview.exit_code == 2
    result = send(folder, relay.port, "--no-tls", "--yes", "--sender", "bsu@merton.example")
    assert result.exit_code == 2
    assert result.output.splitlines()[-2:] == [
        "0 sent, 2 failed, 0 sent before",
        "correct the drafts or addresses listed above, then run the same command again"]
    assert relay.received == []


def test_a_relay_without_starttls_is_told_to_use_no_tls(tmp_path, relay):
    folder = packs_without_sender(tmp_path)
    result = send(folder, relay.port, "--yes", "--sender", "bsu@merton.example")  # STARTTLS is the default
    assert result.exit_code == 2
    assert result.output == (f"Error: {folder}: nothing sent: 127.0.0.1:{relay.port} does not offer STARTTLS: "
                             "a relay on this machine needs no encryption: add --no-tls\n")
    assert relay.received == []
    assert send(folder, relay.port, "--yes", "--no-tls", "--sender", "bsu@merton.example").exit_code == 0
    assert len(relay.received) == 2


def test_ssl_on_a_port_without_it_and_a_port_where_nothing_answers_name_the_options(tmp_path, relay):
    folder = packs_without_sender(tmp_path)
    ssl = send(folder, relay.port, "--ssl", "--yes", "--sender", "bsu@merton.example")
    assert ssl.exit_code == 2
    line = ssl.output.splitlines()
    assert len(line) == 1 and line[0].startswith(f"Error: {folder}: nothing sent: 127.0.0.1:{relay.port} does not start with TLS")
    assert line[0].endswith("leave out --ssl to use STARTTLS (usually port 587), "
                            "or a relay on this machine needs no encryption: add --no-tls")
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    refused = send(folder, closed, "--no-tls", "--yes", "--sender", "bsu@merton.example")
    assert refused.exit_code == 2
    assert refused.output == (f"Error: {folder}: nothing sent: nothing answers at 127.0.0.1:{closed} "
                              "(connection refused): check --smtp-host and --smtp-port\n")
    assert relay.received == []
