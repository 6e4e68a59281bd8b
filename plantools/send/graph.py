"""Sending a draft through Microsoft Graph: POST {graph_url}/me/sendMail with the draft's own
MIME bytes, base64-encoded as text/plain, so what goes is byte for byte what the officer
previewed. Graph sends to every recipient at once, so each is recorded alike: 202 sent; 429
(throttled, with Retry-After), 503 and 504 refused for now (waited for within a bound, else
tried on the next run); 401 and 403 stop the run in one line, the draft not marked sent."""

from __future__ import annotations

import base64
import json
import socket
import ssl
import time
import urllib.error
import urllib.request
from pathlib import Path

from plantools.errors import PlanError

FOR_NOW_CODES = (429, 503, 504)
TRIES = 3  # posts of one draft in one run, when Graph asks to wait
LONGEST_WAIT = 60  # seconds: a longer Retry-After leaves the draft for the next run
LOST = 0  # the status when no answer came
SEND_AS = ("ask IT to give the mailbox you sign in as Send As permission on that address, or send "
           "from your own (--sender)")


def post_mime(url: str, token: str, draft: Path, ca_file: Path | None, timeout: float,
              time_limit: float) -> tuple[int, str]:
    """Post the draft file's bytes to {url}/me/sendMail: Graph's status and its error ('' on
    202), or LOST and why. A throttled post is tried again after Graph's Retry-After while that
    stays within bounds; 401 and 403 are PlanErrors."""
    request = urllib.request.Request(url.rstrip("/") + "/me/sendMail", data=base64.b64encode(draft.read_bytes()),
                                     method="POST", headers={"Authorization": f"Bearer {token}",
                                                             "Content-Type": "text/plain"})
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    started, attempt = time.monotonic(), 1
    while True:
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=context) as answer:
                return answer.status, ""
        except urllib.error.HTTPError as error:
            status, reply = error.code, _reply(error)
            wait = _retry_after(error.headers.get("Retry-After"))
            if not (status in FOR_NOW_CODES and attempt < TRIES and wait <= LONGEST_WAIT
                    and time.monotonic() - started + wait < time_limit):
                _stop_on_sign_in(draft, status, reply)
                return status, reply
            time.sleep(wait)
            attempt += 1
        except urllib.error.URLError as error:
            if isinstance(error.reason, ssl.SSLCertVerificationError):
                raise PlanError(draft, f"not sent: the certificate of {request.host} could not be verified "
                                       f"({error.reason.verify_message}); give the CA with --ca-file") from None
            return LOST, str(error.reason)
        except (ConnectionError, socket.timeout) as error:
            return LOST, str(error) or type(error).__name__


def _stop_on_sign_in(draft: Path, status: int, reply: str) -> None:
    """401 and 403 are the sign-in's, not the draft's: said once, and nothing more is tried."""
    if status == 401:
        raise PlanError(draft, f"not sent: Microsoft 365 refused the sign-in ({status} {reply}): sign in "
                               "again: plantools send --oauth ..., or check the --token-command")
    if status == 403 and "SendAsDenied" in reply:
        raise PlanError(draft, f"not sent: the mailbox may not send as the drafts' From address "
                               f"({status} {reply}): {SEND_AS}")
    if status == 403:
        raise PlanError(draft, f"not sent: this sign-in may not send mail ({status} {reply}): ask IT to "
                               "grant the app registration the delegated permission Mail.Send")


def _reply(error: urllib.error.HTTPError) -> str:
    """Graph's error code and message ('ErrorSendAsDenied: ...'), else the HTTP reason."""
    try:
        detail = json.loads(error.read(20_000) or b"{}").get("error", {})
        text = f"{detail.get('code', '')}: {detail.get('message', '')}".strip(": ")
    except (ValueError, AttributeError, OSError):
        text = ""
    return " ".join((text or str(error.reason)).split())


def _retry_after(value: str | None) -> float:
    """Graph's Retry-After, in seconds (a date, or nothing, counts as longer than waited for)."""
    try:
        return max(0.0, float(value or ""))
    except ValueError:
        return LONGEST_WAIT + 1
