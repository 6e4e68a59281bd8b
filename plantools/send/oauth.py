"""An OAuth access token for Microsoft 365: from MSAL (a one-time device-code sign-in by the
officer, then silent refresh from a token cache in the user's profile), or from a command that
the site's IT provides. plantools never stores a password or token itself: the only file is
MSAL's own cache, encrypted by msal-extensions where the platform allows."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from plantools.errors import PlanError

# what each way of sending asks Microsoft for (delegated permissions of the app registration)
SCOPES = {"smtp": ["https://outlook.office.com/SMTP.Send"], "graph": ["https://graph.microsoft.com/Mail.Send"]}
AUTHORITY = "https://login.microsoftonline.com/"
CACHE_NAME = "msal-token-cache.bin"
TIMEOUT = 60  # seconds for Microsoft's sign-in service, or the token command, to answer


@dataclass(frozen=True)
class SignIn:
    """How `send` gets its access token: `token_command` (a command whose standard output is
    the token), else MSAL with the `tenant` and `client_id` that IT registered."""

    tenant: str = ""
    client_id: str = ""
    token_command: str = ""

    def __post_init__(self) -> None:
        if not self.token_command and not (self.tenant and self.client_id):
            raise ValueError("signing in to Microsoft 365 needs --tenant and --client-id (from IT), "
                             "or --token-command")

    def again(self, via: str) -> str:
        """The command that signs in afresh, for the messages."""
        if self.token_command:
            return "check the token command (--token-command)"
        return (f"sign in again: plantools send --oauth --tenant {self.tenant} --client-id {self.client_id}"
                + (" --via graph" if via == "graph" else "") + " FOLDER")


def cache_path() -> Path:
    """MSAL's token cache in the user's profile: %LOCALAPPDATA%\\plantools on Windows, else
    $XDG_CACHE_HOME/plantools (~/.cache/plantools)."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "plantools" / CACHE_NAME


def access_token(sign_in: SignIn, via: str, account: str = "", say: Callable[[str], None] = print,
                 interactive: bool = True, http_client: Any = None) -> str:
    """The access token for sending `via` "smtp" or "graph" as `account` (any cached account if
    ""). From the command if one is given; else MSAL's cache, refreshed silently, else a
    device-code sign-in (whose instructions go to `say`) when `interactive`. `http_client`:
    MSAL's own hook for its HTTP (tests)."""
    if sign_in.token_command:
        return token_from_command(sign_in.token_command)
    import msal

    path = cache_path()
    cache, save = _cache(path)
    try:
        app = msal.PublicClientApplication(sign_in.client_id, authority=AUTHORITY + sign_in.tenant,
                                           token_cache=cache, timeout=TIMEOUT, http_client=http_client)
    except ValueError as exc:  # MSAL: the tenant does not exist
        raise PlanError("", f"nothing sent: Microsoft does not know the tenant {sign_in.tenant!r} ({exc}): "
                              "check --tenant with IT") from None
    except Exception as exc:  # MSAL reaches Microsoft through requests; its errors are its own
        raise PlanError("", f"nothing sent: cannot reach Microsoft's sign-in service "
                              f"({type(exc).__name__}): check the network and run again") from None
    scopes = SCOPES[via]
    accounts = app.get_accounts(username=account or None)
    result = app.acquire_token_silent_with_error(scopes, account=accounts[0]) if accounts else None
    if result and "access_token" not in result:  # the refresh token expired or was revoked
        if not interactive:
            raise PlanError("", f"nothing sent: your Microsoft 365 sign-in has expired or was revoked "
                                  f"({result.get('error')}): {sign_in.again(via)}")
        result = None
    if result is None:
        if not interactive:
            raise PlanError("", f"nothing sent: not signed in to Microsoft 365{' as ' + account if account else ''}: "
                                  f"{sign_in.again(via)} (once, at a prompt)")
        flow = app.initiate_device_flow(scopes=scopes)
        if "user_code" not in flow:
            raise PlanError("", f"nothing sent: Microsoft refused to start the sign-in "
                                  f"({_why(flow)}): check --tenant and --client-id with IT")
        say(flow["message"])
        result = app.acquire_token_by_device_flow(flow)
    if "access_token" not in result:
        raise PlanError("", f"nothing sent: the Microsoft 365 sign-in failed ({_why(result)}): {sign_in.again(via)}")
    save()
    return str(result["access_token"])


def _why(result: dict) -> str:
    """MSAL's error, on one line, without its trace and correlation ids."""
    description = str(result.get("error_description") or "").splitlines()
    return f"{result.get('error')}: {description[0]}" if description else str(result.get("error"))


def _cache(path: Path) -> tuple[Any, Callable[[], None]]:
    """MSAL's token cache at `path`, and how to save it when it changed: msal-extensions'
    encrypted persistence where installed and the platform has one (DPAPI, Keychain, libsecret),
    else MSAL's SerializableTokenCache in a file only the user may read."""
    import msal

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import msal_extensions

        persistence = msal_extensions.build_encrypted_persistence(str(path))
        cache = msal_extensions.PersistedTokenCache(persistence)
        return cache, lambda: None  # it saves itself
    except Exception:  # not installed, or no encryption here: MSAL's plain cache, as its docs show
        pass
    cache = msal.SerializableTokenCache()
    if path.exists():
        cache.deserialize(path.read_text(encoding="utf-8"))

    def save() -> None:
        if cache.has_state_changed:
            path.touch(mode=0o600, exist_ok=True)
            path.write_text(cache.serialize(), encoding="utf-8")
    return cache, save


def token_from_command(command: str) -> str:
    """The standard output of `command` (run by the shell), stripped: the access token."""
    try:
        done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise PlanError("", f"nothing sent: the token command gave no token within {TIMEOUT} s") from None
    token = done.stdout.strip()
    if done.returncode != 0 or not token or len(token.split()) != 1:
        said = (done.stderr.strip().splitlines() or ["no message"])[-1]
        why = f"exit status {done.returncode}: {said}" if done.returncode else "its output is not one token"
        raise PlanError("", f"nothing sent: the token command failed ({why})")
    return token
