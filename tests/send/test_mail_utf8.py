"""A non-ASCII address (jörg@...) goes to jörg or nowhere (issue 18): the draft carries it as
it is (UTF-8, RFC 6532), `send` gives it to a server that offers SMTPUTF8 as it is, and to one
that does not, nothing, in one line; never an RFC 2047 encoded word in RCPT TO."""

from __future__ import annotations

from datetime import date
from email import policy
from email.parser import BytesParser

import pytest
from conftest import simple_plan
from test_mail import ledger_rows, send, smtp_server  # noqa: F401  (the fixture)

from plantools import load_plan
from plantools.jobs import make_packs

ACTIONS = [["1.1", "Agreement", "Draft it", "Jo", "Policy", "May 2019", "Red", "Chair left"],
           ["1.2", "Neglect", "Audit", "Sam", "QA", "June 2019", "", ""]]
BODIES = [("Policy Sub-Group", "Policy", "policy@example.org"), ("QA Sub-Group", "QA", "jörg@example.org")]


class Envelopes:
    """Keeps each envelope's recipients as the server read them, and the To header."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        self.received.append((list(envelope.rcpt_tos), str(message["To"]), list(envelope.mail_options)))
        return "250 Message accepted"


@pytest.fixture
def folder(tmp_path):
    shared = simple_plan(tmp_path / "plan.xlsx", ACTIONS, BODIES)
    return make_packs(load_plan(shared), "2018-11", tmp_path / "packs", today=date(2018, 11, 30),
                      sender="bsu@example.org").folder


def test_the_draft_carries_the_address_as_it_is(folder):
    data = (folder / "QA Sub-Group 2018-11.eml").read_bytes()
    assert "To: jörg@example.org\r\n".encode("utf-8") in data and b"=?utf-8?" not in data.split(b"\r\n\r\n")[0]
    assert BytesParser(policy=policy.default).parsebytes(data)["To"] == "jörg@example.org"
    assert b"To: policy@example.org\r\n" in (folder / "Policy Sub-Group 2018-11.eml").read_bytes()


@pytest.mark.parametrize("utf8", [True, False])
def test_send_gives_it_as_it_is_to_a_server_that_offers_smtputf8_else_nothing(folder, smtp_server, utf8):
    handler = Envelopes()
    server = smtp_server(handler, enable_SMTPUTF8=utf8)
    result = send(folder, server.port, "--no-tls", "--yes")
    recipients = sorted(address for to, _, _ in handler.received for address in to)
    rows = {row["recipient"]: row["result"] for row in ledger_rows(folder)}
    if utf8:
        assert result.exit_code == 0, result.output
        assert recipients == ["jörg@example.org", "policy@example.org"]
        assert ["jörg@example.org"] in [to for to, _, _ in handler.received]
        assert any(header == "jörg@example.org" and "SMTPUTF8" in options for _, header, options in handler.received)
        assert rows["jörg@example.org"] == "sent"
    else:
        assert recipients == ["policy@example.org"]  # nothing for jörg, and nothing to anyone else by mistake
        line = next(line for line in result.output.splitlines() if "QA Sub-Group" in line)
        assert line.startswith("FAILED: QA Sub-Group 2018-11.eml") and "no SMTPUTF8" in line
        assert "jörg@example.org" not in rows
    assert not any("=?" in address for address in recipients)
