"""Sending as Microsoft 365 expects: SMTP with AUTH XOAUTH2 against a real aiosmtpd that takes
nothing else, Microsoft Graph's sendMail against a local HTTP server that behaves as Graph is
documented, and MSAL's sign-in (its real classes; only Microsoft's servers are stood in for,
through MSAL's own http_client hook)."""

import base64
import json
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from test_mail import Recorder, certificates, free_port, ledger_rows, packs_folder, smtp_server  # noqa: F401

from plantools.cli import main
from plantools.errors import PlanError
from plantools.send.oauth import SignIn, access_token, cache_path

TOKEN = "eyJ0eXAi.good-token"
TOKEN_COMMAND = f"echo {TOKEN}"


@pytest.fixture(autouse=True)
def time_limit():
    """Everything here talks over sockets: none may hang the suite."""
    def expired(signum, frame):
        raise TimeoutError("took longer than 60 s")
    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


# ------------------------------------------------------------------------- SMTP with XOAUTH2

class Exchange(Recorder):
    """An SMTP handler that signs in only by AUTH XOAUTH2 with TOKEN, answering a wrong token as
    Exchange Online does (a JSON challenge, then 535), or with `refusal` for every sign-in."""

    def __init__(self, refusal=None, send_as=None):
        super().__init__()
        self.refusal, self.send_as, self.users = refusal, send_as, []

    async def auth_XOAUTH2(self, server, args):
        blob = base64.b64decode(args[1]).decode() if len(args) > 1 else ""
        fields = dict(part.split("=", 1) for part in blob.split("\x01") if "=" in part)
        self.users.append(fields.get("user"))
        if self.refusal:
            return AuthResult(success=False, handled=False, message=self.refusal)
        if fields.get("auth") == f"Bearer {TOKEN}" and blob.endswith("\x01\x01"):
            return AuthResult(success=True, auth_data=fields["user"])
        error = json.dumps({"status": "401", "schemes": "bearer", "scope": "https://outlook.office.com/SMTP.Send"})
        await server.challenge_auth(error)  # the client answers with an empty line
        return AuthResult(success=False, handled=False, message="535 5.7.3 Authentication unsuccessful")

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.send_as and address != self.send_as:
            return "550 5.7.60 SMTP; Client does not have permissions to send as this sender"
        envelope.mail_from = address
        return "250 OK"


def exchange(smtp_server, certificates, handler):
    context, _ = certificates
    return smtp_server(handler, tls_context=context, require_starttls=True, auth_required=True,
                       auth_exclude_mechanism=["LOGIN", "PLAIN"])


def send(folder, *extra, env=None):
    return CliRunner(env={"PLANTOOLS_SENDER": "", **(env or {})}).invoke(main, ["send", str(folder), *extra])


def test_smtp_with_a_token_delivers_every_draft_once(packs_folder, smtp_server, certificates):
    handler = Exchange()
    server = exchange(smtp_server, certificates, handler)
    args = ["--smtp-host", "127.0.0.1", "--smtp-port", str(server.port), "--ca-file", str(certificates[1]),
            "--token-command", TOKEN_COMMAND, "--yes"]
    line = one_error(send(packs_folder, *args))
    assert line == ("Error: with a token, SMTP signs in as a mailbox: give --user or --sender, "
                    "e.g. --sender bsu@council.example")
    args += ["--sender", "bsu@example.org"]
    result = send(packs_folder, *args)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "3 sent, 0 failed, 0 sent before"
    assert len(handler.received) == 3 and {m["tls"] for m in handler.received} == {True}
    assert set(handler.users) == {"bsu@example.org"}  # the --sender, no --user given
    assert {r["result"] for r in ledger_rows(packs_folder)} == {"sent"}
    again = send(packs_folder, *args)
    assert again.exit_code == 0 and again.output.splitlines()[-1] == "0 sent, 0 failed, 3 sent before"
    assert len(handler.received) == 3


def test_smtp_signs_in_as_the_user_given(packs_folder, smtp_server, certificates):
    handler = Exchange()
    server = exchange(smtp_server, certificates, handler)
    result = send(packs_folder, "--smtp-host", "127.0.0.1", "--smtp-port", str(server.port), "--ca-file",
                  str(certificates[1]), "--token-command", TOKEN_COMMAND, "--user", "officer@example.org", "--yes")
    assert result.exit_code == 0, result.output
    assert set(handler.users) == {"officer@example.org"}


def one_error(result):
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def test_a_wrong_token_fails_in_one_line_with_nothing_sent(packs_folder, smtp_server, certificates):
    handler = Exchange()
    server = exchange(smtp_server, certificates, handler)
    line = one_error(send(packs_folder, "--smtp-host", "127.0.0.1", "--smtp-port", str(server.port), "--ca-file",
                          str(certificates[1]), "--token-command", "echo not-the-token", "--sender", "bsu@example.org", "--yes"))
    assert f"127.0.0.1:{server.port} refused the sign-in token for bsu@example.org (535 5.7.3" in line
    assert "sign in again" in line
    assert handler.received == [] and ledger_rows(packs_folder) == []


def test_smtp_auth_switched_off_for_the_tenant_says_what_to_ask_it(packs_folder, smtp_server, certificates):
    handler = Exchange(refusal="535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled "
                               "for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.")
    server = exchange(smtp_server, certificates, handler)
    line = one_error(send(packs_folder, "--smtp-host", "127.0.0.1", "--smtp-port", str(server.port), "--ca-file",
                          str(certificates[1]), "--token-command", TOKEN_COMMAND, "--sender", "bsu@example.org", "--yes"))
    assert line.endswith("ask IT to enable SMTP AUTH for this mailbox, or use --via graph")
    assert handler.received == [] and ledger_rows(packs_folder) == []


def test_a_mailbox_that_may_not_send_as_the_sender_marks_nothing_sent(packs_folder, smtp_server, certificates):
    handler = Exchange(send_as="officer@example.org")
    server = exchange(smtp_server, certificates, handler)
    line = one_error(send(packs_folder, "--smtp-host", "127.0.0.1", "--smtp-port", str(server.port), "--ca-file",
                          str(certificates[1]), "--token-command", TOKEN_COMMAND, "--user", "officer@example.org",
                          "--yes"))
    assert "may not send as bsu@example.org (550 5.7.60" in line and "Send As permission" in line
    assert handler.received == [] and ledger_rows(packs_folder) == []


def test_a_token_is_never_sent_unencrypted_and_a_failing_command_says_so(packs_folder, tmp_path):
    line = one_error(send(packs_folder, "--smtp-host", "127.0.0.1", "--no-tls", "--token-command", TOKEN_COMMAND,
                          "--yes"))
    assert line == "Error: a sign-in token is never sent unencrypted: use --starttls or --ssl"
    line = one_error(send(packs_folder, "--smtp-host", "127.0.0.1", "--smtp-port", str(free_port()),
                          "--token-command", f'"{sys.executable}" -c "import sys; sys.exit(\'no token today\')"',
                          "--sender", "bsu@example.org", "--yes"))
    assert line == "Error: nothing sent: the token command failed (exit status 1: no token today)"
    assert not (packs_folder / "sent.csv").exists()


# ----------------------------------------------------------------------------------- Graph

class Graph(BaseHTTPRequestHandler):
    """POST /v1.0/me/sendMail as Microsoft documents it: a bearer token, the MIME message
    base64-encoded as text/plain, 202 Accepted; the test scripts throttling (429 with
    Retry-After) and errors through `replies`."""

    posts: list  # (decoded MIME, when)
    replies: list  # (status, headers, error code) to give before the 202s

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path != "/v1.0/me/sendMail" or self.headers["Content-Type"] != "text/plain":
            return self.answer(400, {}, "ErrorInvalidRequest")
        if self.headers["Authorization"] != f"Bearer {TOKEN}":
            return self.answer(401, {}, "InvalidAuthenticationToken")
        if self.replies:
            return self.answer(*self.replies.pop(0))
        self.posts.append((base64.b64decode(body, validate=True), time.monotonic()))
        self.answer(202, {}, "")

    def answer(self, status, headers, code):
        payload = json.dumps({"error": {"code": code, "message": f"{code} happened."}}).encode() if code else b""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def graph():
    handler = type("Graph", (Graph,), {"posts": [], "replies": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    handler.url = f"http://127.0.0.1:{server.server_address[1]}/v1.0"
    yield handler
    server.shutdown()
    server.server_close()


def by_graph(folder, graph, *extra, token=TOKEN_COMMAND):
    return send(folder, "--via", "graph", "--graph-url", graph.url, "--token-command", token, *extra)


def test_graph_posts_each_draft_once_byte_for_byte(packs_folder, graph):
    preview = by_graph(packs_folder, graph)
    assert preview.exit_code == 0 and graph.posts == []
    result = by_graph(packs_folder, graph, "--yes")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "3 sent, 0 failed, 0 sent before"
    drafts = sorted(packs_folder.glob("*.eml"))
    assert sorted(mime for mime, _ in graph.posts) == sorted(d.read_bytes() for d in drafts)
    rows = ledger_rows(packs_folder)
    assert {r["result"] for r in rows} == {"sent"} and len(rows) == 4  # QA's two recipients each recorded
    again = by_graph(packs_folder, graph, "--yes")
    assert again.exit_code == 0 and len(graph.posts) == 3


def test_graph_throttling_is_waited_for_and_retried(packs_folder, graph):
    graph.replies.append((429, {"Retry-After": "1"}, "ApplicationThrottled"))
    asked = time.monotonic()
    result = by_graph(packs_folder, graph, "--yes")
    assert result.exit_code == 0, result.output
    assert len(graph.posts) == 3
    assert min(when for _, when in graph.posts) - asked >= 1  # not before Graph said


def test_graph_throttling_beyond_the_bound_is_left_for_the_next_run(packs_folder, graph):
    graph.replies.append((429, {"Retry-After": "3600"}, "ApplicationThrottled"))
    result = by_graph(packs_folder, graph, "--yes")
    assert result.exit_code == 1, result.output
    assert "refused for now, tried again on the next run" in result.output and "429 ApplicationThrottled" in result.output
    assert len(graph.posts) == 2
    rerun = by_graph(packs_folder, graph, "--yes")
    assert rerun.exit_code == 0 and rerun.output.splitlines()[-1] == "1 sent, 0 failed, 2 sent before"
    assert len(graph.posts) == 3


def test_a_draft_some_recipients_have_is_not_sent_through_graph_again(packs_folder, smtp_server, graph):
    busy = Recorder(refuse={"refused@example.org": "450 4.2.1 Mailbox busy, try later"})
    first = send(packs_folder, "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp_server(busy).port), "--no-tls",
                 "--yes")
    assert first.exit_code == 1 and len(busy.received) == 3
    result = by_graph(packs_folder, graph, "--yes")
    assert result.exit_code == 1, result.output
    assert ("FAILED: QA Sub-Group 2018-11.eml to refused@example.org: not sent: qa@example.org had it already and "
            "Graph sends to every recipient at once: send it to the rest --via smtp") in result.output
    assert graph.posts == []  # nobody gets it twice
    assert [r["result"] for r in ledger_rows(packs_folder)].count("refused for now") == 1


def test_graph_refuses_a_bad_token_cleanly(packs_folder, graph):
    line = one_error(by_graph(packs_folder, graph, "--yes", token="echo expired-token"))
    assert "Microsoft 365 refused the sign-in (401 InvalidAuthenticationToken" in line and "sign in again" in line
    assert graph.posts == [] and ledger_rows(packs_folder) == []


def test_graph_send_as_denied_says_what_to_ask_it(packs_folder, graph):
    graph.replies.append((403, {}, "ErrorSendAsDenied"))
    line = one_error(by_graph(packs_folder, graph, "--yes"))
    assert "(403 ErrorSendAsDenied" in line and "Send As permission" in line
    assert graph.posts == [] and ledger_rows(packs_folder) == []


def test_graph_needs_a_token_and_https_beyond_this_machine(packs_folder):
    line = one_error(send(packs_folder, "--via", "graph", "--yes"))
    assert "--via graph signs in with a token: add --oauth" in line
    line = one_error(send(packs_folder, "--via", "graph", "--token-command", TOKEN_COMMAND, "--graph-url",
                          "http://graph.example.org/v1.0"))
    assert line.startswith("Error: --graph-url: http://graph.example.org/v1.0 is plain http")
    line = one_error(send(packs_folder, "--oauth", "--smtp-host", "smtp.office365.com"))
    assert "needs --tenant and --client-id" in line


# ----------------------------------------------------------------------- MSAL's sign-in

TENANT, CLIENT = "council.onmicrosoft.com", "1b730954-1685-4b74-9bfd-dac224a7b894"


def jwt(claims):
    part = lambda data: base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")  # noqa: E731
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


class Reply:
    def __init__(self, status, data):
        self.status_code, self.text, self.headers = status, json.dumps(data), {}

    def raise_for_status(self):
        if self.status_code >= 400:
            raise RuntimeError(self.status_code)


class Microsoft:
    """Microsoft's sign-in service, as MSAL's http_client sees it: OpenID discovery, the
    device-code endpoint, and the token endpoint (a device code signs in; a refresh token
    refreshes, unless `revoked`)."""

    def __init__(self, expires_in=3600):
        self.expires_in, self.revoked, self.grants, self.issued = expires_in, False, [], 0

    def get(self, url, params=None, headers=None, **kwargs):
        if "/common/discovery/instance" in url:  # the other names of login.microsoftonline.com
            return Reply(200, {"tenant_discovery_endpoint": "", "metadata": [{
                "preferred_network": "login.microsoftonline.com", "preferred_cache": "login.windows.net",
                "aliases": ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com"]}]})
        assert url.endswith("/v2.0/.well-known/openid-configuration"), url
        base = f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0"
        return Reply(200, {"authorization_endpoint": f"{base}/authorize", "token_endpoint": f"{base}/token",
                           "device_authorization_endpoint": f"{base}/devicecode",
                           "issuer": f"https://login.microsoftonline.com/{TENANT}/v2.0"})

    def post(self, url, params=None, data=None, headers=None, **kwargs):
        if url.endswith("/devicecode"):
            return Reply(200, {"device_code": "DC", "user_code": "ABCD1234", "interval": 1, "expires_in": 900,
                               "verification_uri": "https://microsoft.com/devicelogin",
                               "message": "To sign in, use a web browser to open the page "
                                          "https://microsoft.com/devicelogin and enter the code ABCD1234 "
                                          "to authenticate."})
        grant = data["grant_type"] if isinstance(data, dict) else parse_qs(data)["grant_type"][0]
        self.grants.append(grant.rsplit(":", 1)[-1])  # urn:ietf:params:oauth:grant-type:device_code
        if grant == "refresh_token" and self.revoked:
            return Reply(400, {"error": "invalid_grant", "error_description": "AADSTS700082: The refresh token has "
                               "expired due to inactivity.\nTrace ID: 1"})
        self.issued += 1
        now = int(time.time())
        return Reply(200, {
            "token_type": "Bearer", "scope": "https://outlook.office.com/SMTP.Send", "expires_in": self.expires_in,
            "access_token": f"access-{self.issued}", "refresh_token": f"refresh-{self.issued}",
            "client_info": base64.urlsafe_b64encode(b'{"uid": "u1", "utid": "t1"}').decode().rstrip("="),
            "id_token": jwt({"iss": f"https://login.microsoftonline.com/{TENANT}/v2.0", "aud": CLIENT, "oid": "u1",
                             "tid": "t1", "sub": "s1", "iat": now, "exp": now + 3600,
                             "preferred_username": "BSU@council.example"})})


@pytest.fixture
def profile(tmp_path, monkeypatch):
    """The officer's profile, where MSAL's cache goes."""
    home = tmp_path / "Local Settings"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.setenv("LOCALAPPDATA", str(home))
    return home


def test_the_token_cache_is_in_the_users_profile(profile, monkeypatch):
    assert cache_path() == profile / "plantools" / "msal-token-cache.bin"
    monkeypatch.setattr(sys, "platform", "win32")
    assert cache_path() == profile / "plantools" / "msal-token-cache.bin"


def test_sign_in_once_by_device_code_then_silently(profile):
    microsoft, said = Microsoft(), []
    sign_in = SignIn(TENANT, CLIENT)
    token = access_token(sign_in, "smtp", "bsu@council.example", say=said.append, http_client=microsoft)
    assert token == "access-1" and microsoft.grants == ["device_code"]
    assert said == ["To sign in, use a web browser to open the page https://microsoft.com/devicelogin and "
                    "enter the code ABCD1234 to authenticate."]
    cache = profile / "plantools" / "msal-token-cache.bin"
    assert cache.exists()
    if sys.platform != "win32" and cache.read_bytes().startswith(b"{"):  # MSAL's plain cache: no keyring here
        assert cache.stat().st_mode & 0o077 == 0
        assert [t["secret"] for t in json.loads(cache.read_text())["AccessToken"].values()] == ["access-1"]
    # a scheduled task next time: no prompt, the cached account's token (the name in any case)
    again = access_token(sign_in, "smtp", "bsu@COUNCIL.example", say=said.append, interactive=False,
                         http_client=microsoft)
    assert again == "access-1" and microsoft.grants == ["device_code"] and len(said) == 1


def test_an_expired_token_is_refreshed_silently_for_the_cached_account(profile):
    microsoft = Microsoft(expires_in=60)  # within MSAL's margin: refreshed on next use
    sign_in = SignIn(TENANT, CLIENT)
    assert access_token(sign_in, "smtp", "", say=lambda text: None, http_client=microsoft) == "access-1"
    refreshed = access_token(sign_in, "smtp", "", say=pytest.fail, interactive=False, http_client=microsoft)
    assert refreshed == "access-2" and microsoft.grants == ["device_code", "refresh_token"]


def test_a_revoked_sign_in_says_sign_in_again(profile):
    microsoft = Microsoft(expires_in=60)
    sign_in = SignIn(TENANT, CLIENT)
    access_token(sign_in, "smtp", "", say=lambda text: None, http_client=microsoft)
    microsoft.revoked = True
    with pytest.raises(PlanError) as error:
        access_token(sign_in, "smtp", "", say=pytest.fail, interactive=False, http_client=microsoft)
    assert str(error.value) == (
        "nothing sent: your Microsoft 365 sign-in has expired or was revoked (invalid_grant): sign in again: "
        f"plantools send --oauth --tenant {TENANT} --client-id {CLIENT} FOLDER")


def test_never_signed_in_a_scheduled_task_waits_for_no_one(profile):
    with pytest.raises(PlanError) as error:
        access_token(SignIn(TENANT, CLIENT), "graph", "bsu@council.example", say=pytest.fail, interactive=False,
                     http_client=Microsoft())
    assert str(error.value) == (
        "nothing sent: not signed in to Microsoft 365 as bsu@council.example: sign in again: plantools send "
        f"--oauth --tenant {TENANT} --client-id {CLIENT} --via graph FOLDER (once, at a prompt)")
    assert not (profile / "plantools" / "msal-token-cache.bin").exists()


def test_the_python_api_keeps_the_same_rules(packs_folder):
    from plantools import Server, send_drafts

    with pytest.raises(ValueError, match="a password is never sent unencrypted"):
        Server("127.0.0.1", security="none", user="bsu", password="s3cret")
    with pytest.raises(ValueError, match="plain http"):
        Server(via="graph", token=TOKEN, graph_url="http://graph.example.org/v1.0")
    with pytest.raises(ValueError, match="takes no password"):
        send_drafts(packs_folder, Server(via="graph"))
    assert not (packs_folder / "sent.csv").exists()
