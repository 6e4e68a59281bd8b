"""Sending the drafts through a real SMTP server on this machine (aiosmtpd)."""

import asyncio
import csv
import os
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

from plantools import load_plan
from plantools.cli import main
from plantools.packs import make_packs

from conftest import ROOT, simple_plan

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
                              "subject": message["Subject"], "unsent": message["X-Unsent"],
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
