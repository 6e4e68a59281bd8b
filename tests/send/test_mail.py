"""Sending the drafts through a real SMTP server on this machine (aiosmtpd)."""

import asyncio
import csv
import os
import re
import socket
import subprocess
import sys
import threading
import time
from datetime import date
from email import policy
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from conftest import PLAN_HEADER, ROOT, make_workbook, simple_plan

from plantools import load_plan
from plantools.cli import main
from plantools.jobs import make_packs

BODIES = [("Policy Sub-Group", "Policy", "policy@example.org"),
          ("QA Sub-Group", "QA", "qa@example.org; refused@example.org"),
          ("Learning and Development Sub-Group", "L&D", "ld@example.org")]
ACTIONS = [["1.1", "Agreement", "Draft it", "Jo", "Policy", "May 2019", "Red", "Chair left"],
           ["1.2", "Neglect", "Audit", "Sam", "QA", "June 2019", "", ""],
           ["1.3", "Training", "Review", "Kim", "L&D", "July 2019", "", ""]]
DRAFTS = ["Learning and Development Sub-Group 2018-11.eml", "Policy Sub-Group 2018-11.eml", "QA Sub-Group 2018-11.eml"]


class Recorder:
    """An SMTP handler that keeps what it receives, refuses some addresses (550, or the reply
    given), can drop the connection when the n-th message's data arrives, and can hold each
    message until `release` is set."""

    def __init__(self, refuse=(), drop_on=None, release=None):
        self.refuse = refuse if isinstance(refuse, dict) else {a: "550 5.1.1 No such user here" for a in refuse}
        self.drop_on, self.release, self.data_seen, self.received = drop_on, release, 0, []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_seen += 1
        while self.release is not None and not self.release.is_set():
            await asyncio.sleep(0.05)
        if self.data_seen == self.drop_on:
            server.transport.close()
            return "421 Closing"
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        self.received.append({"to": list(envelope.rcpt_tos), "from": envelope.mail_from, "bcc": message["Bcc"],
                              "subject": message["Subject"], "unsent": message["X-Unsent"], "raw": envelope.content,
                              "tls": session.ssl is not None})
        return "250 Message accepted"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    started = []

    def start(handler, **kwargs):
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
        controller.start()
        started.append(controller)
        return controller

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def packs_folder(tmp_path):
    shared = simple_plan(tmp_path / "plan.xlsx", ACTIONS, BODIES)
    run = make_packs(load_plan(shared), "2018-11", tmp_path / "packs 2018-11", today=date(2018, 11, 30),
                     sender="bsu@example.org")
    return run.folder


def send(folder, port, *extra, env=None):
    args = ["send", str(folder), "--smtp-host", "127.0.0.1", "--smtp-port", str(port), *extra]
    return CliRunner(env=env).invoke(main, args)


def send_command(folder, port, *extra):
    """The same command as a separate process, as a second officer would run it."""
    return [sys.executable, "-m", "plantools", "send", str(folder), "--smtp-host", "127.0.0.1",
            "--smtp-port", str(port), "--no-tls", *extra]


SUBPROCESS_ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def ledger_rows(folder):
    with (folder / "sent.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def edit_draft(path, **headers):
    """A draft as an officer might edit it in a mail program: headers changed or added."""
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    for name, value in headers.items():
        del message[name]
        message[name] = value
    path.write_bytes(message.as_bytes(policy=policy.SMTP))


def test_without_yes_it_only_shows_what_would_go(packs_folder, smtp_server):
    recorder = Recorder()
    server = smtp_server(recorder)
    result = send(packs_folder, server.port, "--no-tls")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "would send: Learning and Development Sub-Group 2018-11.eml to ld@example.org",
        "would send: Policy Sub-Group 2018-11.eml to policy@example.org",
        "would send: QA Sub-Group 2018-11.eml to qa@example.org, refused@example.org",
        "nothing sent: add --yes to send",
    ]
    assert recorder.received == []


def test_sends_each_draft_once_and_reports_a_refused_recipient(packs_folder, smtp_server):
    recorder = Recorder(refuse={"refused@example.org"})
    server = smtp_server(recorder)
    result = send(packs_folder, server.port, "--no-tls", "--yes")
    assert result.exit_code == 1, result.output  # an address to correct
    assert "sent: QA Sub-Group 2018-11.eml to qa@example.org, refused@example.org: sent, but refused for good: " \
           "refused@example.org (550 5.1.1 No such user here)" in result.output.splitlines()
    assert sorted(m["to"][0] for m in recorder.received) == ["ld@example.org", "policy@example.org", "qa@example.org"]
    assert {m["unsent"] for m in recorder.received} == {None}  # X-Unsent is for drafts only
    assert {m["from"] for m in recorder.received} == {"bsu@example.org"}
    again = send(packs_folder, server.port, "--no-tls", "--yes")
    assert again.exit_code == 0 and again.output.splitlines()[-1] == "0 sent, 0 failed, 3 sent before"
    assert len(recorder.received) == 3  # refused for good: not tried again
    assert {(r["recipient"], r["result"]) for r in ledger_rows(packs_folder)} == {
        ("ld@example.org", "sent"), ("policy@example.org", "sent"), ("qa@example.org", "sent"),
        ("refused@example.org", "refused")}


def test_lost_connection_then_a_rerun_sends_only_the_rest(packs_folder, smtp_server):
    dropping = Recorder(drop_on=2)
    server = smtp_server(dropping)
    result = send(packs_folder, server.port, "--no-tls", "--yes")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"sent: {DRAFTS[0]} to ld@example.org"
    assert lines[1].startswith(f"FAILED: {DRAFTS[1]} to policy@example.org: connection lost")
    assert lines[1].endswith("not recorded as sent")
    assert lines[2] == f"FAILED: {DRAFTS[2]} to qa@example.org, refused@example.org: not sent: the connection was lost"
    healthy = Recorder()
    second = smtp_server(healthy)
    rerun = send(packs_folder, second.port, "--no-tls", "--yes")
    assert rerun.exit_code == 0, rerun.output
    assert sorted(m["subject"].split(": ")[1].split(",")[0] for m in healthy.received) == [
        "Policy Sub-Group actions for November 2018", "QA Sub-Group actions for November 2018"]
    assert "already sent on " in rerun.output and "skipped " + DRAFTS[0] in rerun.output


def test_a_long_subject_with_a_dash_is_sent_unbroken(packs_folder, smtp_server):
    """Python folds a long subject with an en dash into an empty encoded word ('=?utf-8?q??='),
    which some mail programs show: what is sent keeps the draft's subject whole."""
    from plantools.packs.drafts import message_bytes
    from plantools.send.smtp import read_draft

    subject = ("Merton Safeguarding Children Board Business Plan 2018 – 19: QA Sub-Group actions for "
               "November 2018, please reply by Monday 21 December 2026")
    for draft in packs_folder.glob("*.eml"):
        message = read_draft(draft)
        del message["Subject"]
        message["Subject"] = subject
        draft.write_bytes(message_bytes(message, ()))
    recorder = Recorder()
    server = smtp_server(recorder)
    assert send(packs_folder, server.port, "--no-tls", "--yes").exit_code == 0
    assert len(recorder.received) == 3 and {m["subject"] for m in recorder.received} == {subject}
    assert not any(b"?q??=" in m["raw"] for m in recorder.received)


def test_a_server_that_refuses_every_recipient_fails_that_draft_only(packs_folder, smtp_server):
    recorder = Recorder(refuse={"policy@example.org"})
    server = smtp_server(recorder)
    result = send(packs_folder, server.port, "--no-tls", "--yes")
    assert result.exit_code == 1
    assert f"FAILED: {DRAFTS[1]} to policy@example.org: refused for good: policy@example.org " \
           "(550 5.1.1 No such user here)" in result.output
    assert len(recorder.received) == 2


@pytest.fixture
def certificates(tmp_path):
    """A certificate authority and a server certificate for 127.0.0.1, made with openssl."""
    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=tmp_path, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=Test Council CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=127.0.0.1")
    (tmp_path / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")
    import ssl
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "server.pem", tmp_path / "server.key")
    return context, tmp_path / "ca.pem"


def authenticate(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=(auth_data.login, auth_data.password) == (b"bsu", b"s3cret"), handled=False)


def test_starttls_verifies_the_certificate(packs_folder, smtp_server, certificates):
    context, ca = certificates
    recorder = Recorder()
    server = smtp_server(recorder, tls_context=context, require_starttls=True)
    untrusted = send(packs_folder, server.port, "--starttls", "--yes")
    assert untrusted.exit_code == 2
    assert "nothing sent: the certificate of 127.0.0.1" in untrusted.output and "--ca-file" in untrusted.output
    assert recorder.received == []
    trusted = send(packs_folder, server.port, "--starttls", "--ca-file", str(ca), "--yes")
    assert trusted.exit_code == 0, trusted.output
    assert len(recorder.received) == 3 and {m["tls"] for m in recorder.received} == {True}


def test_password_from_the_environment_never_the_command_line(packs_folder, smtp_server, certificates):
    context, ca = certificates
    recorder = Recorder()
    server = smtp_server(recorder, tls_context=context, authenticator=authenticate, auth_required=True)
    assert send(packs_folder, server.port, "--password", "s3cret").exit_code == 2  # no such option
    wrong = send(packs_folder, server.port, "--ca-file", str(ca), "--user", "bsu", "--yes",
                 env={"PLANTOOLS_SMTP_PASSWORD": "guess"})
    assert wrong.exit_code == 2 and "refused the user name or password" in wrong.output
    right = send(packs_folder, server.port, "--ca-file", str(ca), "--user", "bsu", "--yes",
                 env={"PLANTOOLS_SMTP_PASSWORD": "s3cret"})
    assert right.exit_code == 0, right.output
    assert len(recorder.received) == 3
    plain = send(packs_folder, server.port, "--no-tls", "--user", "bsu", "--yes")
    assert plain.exit_code == 2 and "never sent unencrypted" in plain.output


def test_a_recipient_refused_for_now_is_tried_again_on_the_next_run(packs_folder, smtp_server):
    busy = Recorder(refuse={"refused@example.org": "450 4.2.1 Mailbox busy, try later"})
    result = send(packs_folder, smtp_server(busy).port, "--no-tls", "--yes")
    assert result.exit_code == 1, result.output
    assert f"sent: {DRAFTS[2]} to qa@example.org, refused@example.org: sent, but refused for now, tried again " \
           "on the next run: refused@example.org (450 4.2.1 Mailbox busy, try later)" in result.output.splitlines()
    assert [m["to"] for m in busy.received if "QA" in m["subject"]] == [["qa@example.org"]]
    preview = send(packs_folder, 1, "--no-tls")  # the preview never connects
    assert f"would retry: {DRAFTS[2]} to refused@example.org (refused for now before: " \
           "450 4.2.1 Mailbox busy, try later)" in preview.output.splitlines()
    healthy = Recorder()
    rerun = send(packs_folder, smtp_server(healthy).port, "--no-tls", "--yes")
    assert rerun.exit_code == 0, rerun.output
    assert [m["to"] for m in healthy.received] == [["refused@example.org"]]  # only the one still waiting
    assert rerun.output.splitlines()[-1] == "1 sent, 0 failed, 2 sent before"
    third = send(packs_folder, smtp_server(healthy).port, "--no-tls", "--yes")
    assert third.exit_code == 0 and len(healthy.received) == 1


def test_two_sends_at_once_deliver_each_message_once(packs_folder, smtp_server):
    release = threading.Event()
    recorder = Recorder(release=release)
    server = smtp_server(recorder)
    first = subprocess.Popen(send_command(packs_folder, server.port, "--yes"), env=SUBPROCESS_ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(400):  # until the first send is in the middle of its first message
            if recorder.data_seen:
                break
            time.sleep(0.05)
        assert recorder.data_seen, "the first send never reached the server"
        second = subprocess.run(send_command(packs_folder, server.port, "--yes"), env=SUBPROCESS_ENV,
                                capture_output=True, text=True, timeout=60)
    finally:
        release.set()
        out, err = first.communicate(timeout=60)
    assert second.returncode == 2 and second.stdout == ""
    [line] = second.stderr.splitlines()
    assert line.startswith(f"Error: {packs_folder}: another plantools send is sending from this folder (process ")
    assert line.endswith("nothing sent; run again when it has finished")
    assert first.returncode == 0, err
    assert sorted(m["to"][0] for m in recorder.received) == ["ld@example.org", "policy@example.org", "qa@example.org"]
    assert not (packs_folder / ".plantools-send.lock").exists()


def test_a_lock_left_by_a_process_that_died_is_taken_over(packs_folder, smtp_server):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (packs_folder / ".plantools-send.lock").write_text(f"process {dead.stdout.strip()} on {socket.gethostname()}\n")
    recorder = Recorder()
    result = send(packs_folder, smtp_server(recorder).port, "--no-tls", "--yes")
    assert result.exit_code == 0, result.output
    assert len(recorder.received) == 3


class Trickler(Recorder):
    """A server that, after the message's data, answers one continuation line at a time for
    as long as the client listens: each line within any per-read timeout."""

    async def handle_DATA(self, server, session, envelope):
        self.data_seen += 1
        while not server.transport.is_closing():
            await server.push("250-still thinking")
            await asyncio.sleep(0.1)
        return "250 OK"


def test_a_server_that_trickles_its_answer_is_cut_off_at_the_time_limit(packs_folder, smtp_server):
    trickler = Trickler()  # without the limit, this send would never return
    result = send(packs_folder, smtp_server(trickler).port, "--no-tls", "--yes", "--time-limit", "1")
    assert result.exit_code == 2  # nothing could be sent
    lines = result.output.splitlines()
    assert lines[0] == f"FAILED: {DRAFTS[0]} to ld@example.org: connection lost (no answer within 1 s); " \
                       "not recorded as sent"
    assert lines[1:3] == [f"FAILED: {DRAFTS[1]} to policy@example.org: not sent: the connection was lost",
                          f"FAILED: {DRAFTS[2]} to qa@example.org, refused@example.org: not sent: "
                          "the connection was lost"]
    assert trickler.data_seen == 1
    assert not (packs_folder / "sent.csv").exists() or ledger_rows(packs_folder) == []


@pytest.fixture
def read_only_ledger(packs_folder):
    """sent.csv that cannot be written: read-only for a user, a read-only bind mount for root."""
    ledger = packs_folder / "sent.csv"
    ledger.write_bytes("\ufeffdraft,message_id,recipient,header,result,reply,at\r\n".encode("utf-8"))
    before = ledger.read_bytes()
    if os.geteuid() != 0:
        ledger.chmod(0o444)
        yield ledger, before
        return
    mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(ledger), str(ledger)], capture_output=True)
    if mounted.returncode:
        pytest.skip(f"cannot bind-mount here: {mounted.stderr.decode().strip()}")
    subprocess.run(["mount", "-o", "remount,ro,bind", str(ledger)], check=True)
    try:
        yield ledger, before
    finally:
        subprocess.run(["umount", str(ledger)], check=True)


def test_a_ledger_that_cannot_be_written_stops_the_run_before_anything_is_sent(read_only_ledger, smtp_server):
    ledger, before = read_only_ledger
    recorder = Recorder()
    result = send(ledger.parent, smtp_server(recorder).port, "--no-tls", "--yes")
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"Error: {ledger}: nothing sent: the ledger cannot be written (Read-only file system)"
        if os.geteuid() == 0 else
        f"Error: {ledger}: nothing sent: the ledger cannot be written: is it open in Excel, or read-only? "
        "Close it and run again"]
    assert recorder.received == [] and recorder.data_seen == 0
    assert ledger.read_bytes() == before


def test_a_ledger_resaved_by_excel_in_windows_1252_is_read_and_kept(packs_folder, smtp_server):
    policy_draft = BytesParser(policy=policy.default).parsebytes((packs_folder / DRAFTS[1]).read_bytes())
    ledger = packs_folder / "sent.csv"
    # Excel's CSV: no BOM, Windows-1252, its own date format, a note typed into it
    ledger.write_bytes(("draft,message_id,recipient,header,result,reply,at\r\n"
                        f"{DRAFTS[1]},{policy_draft['Message-ID']},policy@example.org,To,sent,"
                        "reçu par Zoë,30/11/2018 10:04\r\n").encode("cp1252"))
    preview = send(packs_folder, 1, "--no-tls")
    assert f"already sent on 30 Nov 2018: skipped {DRAFTS[1]}" in preview.output.splitlines()
    recorder = Recorder()
    result = send(packs_folder, smtp_server(recorder).port, "--no-tls", "--yes")
    assert result.exit_code == 0, result.output
    assert sorted(m["to"][0] for m in recorder.received) == ["ld@example.org", "qa@example.org"]
    rows = ledger_rows(packs_folder)  # now UTF-8, every row kept
    assert rows[0]["reply"] == "reçu par Zoë" and rows[0]["at"] == "30/11/2018 10:04"
    assert [r["recipient"] for r in rows] == ["policy@example.org", "ld@example.org", "qa@example.org",
                                              "refused@example.org"]


def test_a_ledger_that_is_a_link_is_refused(packs_folder, smtp_server, tmp_path):
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_bytes(b"important,data\r\n")
    (packs_folder / "sent.csv").symlink_to(elsewhere)
    recorder = Recorder()
    for extra in ((), ("--yes",)):
        result = send(packs_folder, smtp_server(recorder).port, "--no-tls", *extra)
        assert result.exit_code == 2
        assert result.output.splitlines() == [
            f"Error: {packs_folder / 'sent.csv'}: is a link: plantools keeps its ledger only as a plain file "
            "in the packs folder; put the file itself there"]
    assert recorder.received == [] and elsewhere.read_bytes() == b"important,data\r\n"


def test_the_preview_lists_cc_and_bcc_and_the_send_uses_them(packs_folder, smtp_server):
    edit_draft(packs_folder / DRAFTS[1], Cc="Deputy <deputy@example.org>", Bcc="records@example.org")
    preview = send(packs_folder, 1, "--no-tls")
    assert f"would send: {DRAFTS[1]} to policy@example.org; Cc: deputy@example.org; Bcc: records@example.org" \
           in preview.output.splitlines()
    recorder = Recorder()
    result = send(packs_folder, smtp_server(recorder).port, "--no-tls", "--yes")
    assert result.exit_code == 0, result.output
    [policy_mail] = [m for m in recorder.received if "Policy" in m["subject"]]
    assert policy_mail["to"] == ["policy@example.org", "deputy@example.org", "records@example.org"]
    assert policy_mail["bcc"] is None  # Bcc is an envelope address, never in the message


def test_an_address_that_is_not_one_fails_that_draft_and_sends_the_rest(tmp_path, smtp_server):
    """packs makes no draft for '@' on the Governance sheet (tests/paper/test_outputs.py); a draft
    edited by hand to it is still caught."""
    shared = simple_plan(tmp_path / "plan.xlsx", ACTIONS, BODIES)
    folder = make_packs(load_plan(shared), "2018-11", tmp_path / "packs", today=date(2018, 11, 30),
                        sender="bsu@example.org").folder
    draft = folder / DRAFTS[2]
    draft.write_bytes(re.sub(rb"(?m)^To: .*$", b"To: @", draft.read_bytes(), count=1))
    preview = send(folder, 1, "--no-tls")
    assert f"cannot send: {DRAFTS[2]}: To holds '@', which is not an email address: correct it and run again" \
           in preview.output.splitlines()
    recorder = Recorder()
    result = send(folder, smtp_server(recorder).port, "--no-tls", "--yes")
    assert result.exit_code == 1
    assert f"FAILED: {DRAFTS[2]} to @: To holds '@', which is not an email address: correct it and run again" \
           in result.output.splitlines()
    assert "2 sent, 1 failed, 0 sent before" in result.output.splitlines()
    assert sorted(m["to"][0] for m in recorder.received) == ["ld@example.org", "policy@example.org"]


def test_drafts_remade_by_packs_force_are_not_sent_again_unless_asked(tmp_path, smtp_server):
    shared = simple_plan(tmp_path / "plan.xlsx", ACTIONS, BODIES)
    folder = tmp_path / "packs"
    make_packs(load_plan(shared), "2018-11", folder, today=date(2018, 11, 30), sender="bsu@example.org")
    recorder = Recorder()
    assert send(folder, smtp_server(recorder).port, "--no-tls", "--yes").exit_code == 0
    make_packs(load_plan(shared), "2018-11", folder, today=date(2018, 11, 30), sender="bsu@example.org", force=True)
    today = date.today()
    on = f"{today.day} {today:%b} {today.year}"
    preview = send(folder, 1, "--no-tls")
    assert preview.output.splitlines()[:3] == [f"already sent on {on}: skipped {name}" for name in DRAFTS]
    again = send(folder, smtp_server(recorder).port, "--no-tls", "--yes")
    assert again.exit_code == 0 and again.output.splitlines()[-1] == "0 sent, 0 failed, 3 sent before"
    assert len(recorder.received) == 3
    resent = send(folder, smtp_server(recorder).port, "--no-tls", "--yes", "--resend")
    assert resent.exit_code == 0 and len(recorder.received) == 6


def test_ssl_login_against_a_server_without_auth_says_so(packs_folder, smtp_server, certificates):
    context, ca = certificates
    recorder = Recorder()
    server = smtp_server(recorder, ssl_context=context)
    result = send(packs_folder, server.port, "--ssl", "--ca-file", str(ca), "--user", "bsu", "--yes",
                  env={"PLANTOOLS_SMTP_PASSWORD": "s3cret"})
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"Error: {packs_folder}: nothing sent: 127.0.0.1:{server.port} offers no login (no AUTH): "
        "leave out --user if it takes mail without one"]
    assert recorder.received == []


LONG = ("Review the multi-agency training offer with every partner agency, including the voluntary sector, "
        "and report the findings with recommendations to the Board at its spring meeting, together with "
        "a costed plan for the next financial year and a summary of attendance by agency")


def test_the_email_a_chair_reads(tmp_path):
    actions = [["1.1", "Agreement", "Draft the agreement\nPresent it to the Board", "Jo", "QA", "May 2019", "Red", ""],
               ["1.2", "Training", LONG, "Kim", "QA", "", "Amber", ""],
               ["1.3", "Audit", "Audit neglect cases", "Sam", "QA", "October 2018", "Green", ""],
               ["1.4", "Schools", "Work with schools", "Pat", "QA", "June 2019", "Green", ""]]
    shared = simple_plan(tmp_path / "plan.xlsx", actions, [("QA\nSub-Group", "QA", "qa@example.org")])
    out = tmp_path / "packs"
    result = CliRunner().invoke(main, ["packs", str(shared), "--month", "2018-11", "--out", str(out),
                                       "--today", "2018-11-30", "--sender", "Jane Smith <bsu@example.org>",
                                       "--reply-by", "2018-12-14", "--reply-to", "bsu-team@example.org"])
    assert result.exit_code == 0, result.output
    [draft] = out.glob("*.eml")
    message = BytesParser(policy=policy.default).parsebytes(draft.read_bytes())
    assert message["Subject"] == "Partnership business plan: QA Sub-Group actions for November 2018, " \
                                 "please reply by Friday 14 December 2018"
    assert message["Reply-To"] == "bsu-team@example.org"
    assert message["From"] == "Jane Smith <bsu@example.org>"
    body = message.get_body(("plain",)).get_content()
    lines = body.splitlines()
    assert "as consolidated for November 2018: 1 Red, 1 Amber, 1 overdue, 1 with no clear deadline." in body
    bullets = [line for line in lines if line.startswith("• ")]
    assert bullets[0] == "• 1.1 (Red): Draft the agreement; Present it to the Board"
    assert bullets[2] == "• 1.3 (overdue since 31 Oct 2018): Audit neglect cases"
    assert len(bullets) == 3  # 1.4 is Green and on time
    cut = bullets[1].removeprefix("• 1.2 (Amber, no clear deadline): ")
    assert cut.endswith("…") and len(cut) <= 201
    kept = cut.removesuffix("…")
    assert LONG.startswith(kept) and LONG[len(kept)] == " "  # cut between words, never in one
    assert "by Friday 14 December 2018, as it is" in body
    assert lines[-1] == "Jane Smith"


def test_a_ledger_from_before_per_recipient_rows_is_still_honoured(packs_folder, smtp_server):
    (packs_folder / "sent.csv").write_text("draft,message_id,to,sent_at,refused\r\n"
                                           f"{DRAFTS[1]},<old@example.org>,policy@example.org,2018-12-01T09:00:00,\r\n",
                                           encoding="utf-8")
    recorder = Recorder()
    result = send(packs_folder, smtp_server(recorder).port, "--no-tls", "--yes")
    assert result.exit_code == 0, result.output
    assert f"already sent on 1 Dec 2018: skipped {DRAFTS[1]}" in result.output.splitlines()
    assert sorted(m["to"][0] for m in recorder.received) == ["ld@example.org", "qa@example.org"]
    assert ledger_rows(packs_folder)[0]["recipient"] == "policy@example.org"  # rewritten, row kept


def test_a_subject_with_an_en_dash_is_one_clean_encoded_word(tmp_path):
    """Python 3.11 folds such a subject into an empty encoded word ('=?utf-8?q??='), which
    some mail programs print as it is: the drafts' headers are not folded short of 998."""
    title = "Merton Safeguarding Children Board Business Plan 2018 – 19"
    shared = make_workbook(tmp_path / "plan.xlsx", {"Plan": [[title], [], PLAN_HEADER,
                                                             ["1.1", "Agreement", "Draft it", "Jo", "Policy", "May 2019"]]},
                           bodies=[("Policy Sub-Group", "Policy", "policy@example.org")])
    run = make_packs(load_plan(shared), "2018-11", tmp_path / "packs", today=date(2018, 11, 30),
                     sender="bsu@example.org")
    [draft] = [pack.draft for pack in run.packs if pack.draft]
    raw = draft.read_bytes()
    assert b"=?utf-8?q??=" not in raw.split(b"\r\n\r\n")[0]
    subject = BytesParser(policy=policy.default).parsebytes(raw)["Subject"]
    assert subject.startswith(f"{title}: Policy Sub-Group actions for November 2018")
