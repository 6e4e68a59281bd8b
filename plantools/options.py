"""The options that travel together, each group one frozen object with the API's defaults:
how a month's run is made (RunOptions) and how its drafts ask for a reply (Mail). The CLI
gives each group one decorator; the jobs hand the objects down instead of their parts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

GRAPH_URL = "https://graph.microsoft.com/v1.0"  # Microsoft Graph, where `send --via graph` posts by default


@dataclass(frozen=True)
class RunOptions:
    """today: the date deadlines are judged by (None: the month's last day for a past month,
    else today); force: replace a copy or packs already made; paper: "A4" or "A3"."""

    today: date | None = None
    force: bool = False
    paper: str = "A4"


@dataclass(frozen=True)
class Mail:
    """The drafts' From address ("": Outlook fills in the officer's own), the date they ask
    for a reply by (None: packs.drafts.default_reply_by) and where replies go ("": the sender)."""

    sender: str = ""
    reply_by: date | None = None
    reply_to: str = ""
