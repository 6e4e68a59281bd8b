"""What plantools sent: for each pack it made, the body, the file, its sha256 and each action
as it was sent.

Kept as sent.json beside the packs' manifest, where the sub-groups cannot edit it (they get
their pack, not the folder). `collect` trusts a returned pack only as far as this record and
the shared workbook go: the pack id in the return's hidden record sheet finds its record
here; the body credited, the actions it may change and their values as sent are the record's,
never what the returned file says of itself. Packs remade into the same folder are added to
the record, so a return of the earlier packs still finds its own.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from plantools.errors import PlanError
from plantools.plan.deadlines import parse_deadline
from plantools.plan.model import Action
from plantools.xlsx.files import atomic_file
from plantools.xlsx.gcpause import gc_paused

SENT = "sent.json"
VERSION = 1
NOT_A_RECORD = ("is not plantools' record of the packs it sent (damaged or edited): move it aside and make the "
                "packs again (returns of the packs it recorded cannot be collected then); nothing was written")
# an action's words and values as sent: field of Action -> its name in the record
WORDS = ("ref", "objective_ref", "priority", "objective", "outcome", "owner", "action", "governance", "measure",
         "progress")


@dataclass
class SentPack:
    id: str
    body: str
    plan: str  # the shared workbook's file name
    month: str
    file: str  # the pack's file name as written
    sha256: str
    actions: dict[str, Action]  # return key -> the action as sent
    made: str = ""  # when the pack was made (ISO date and time)


def new_pack_id() -> str:
    """An id no sub-group can guess for another body's pack."""
    return os.urandom(8).hex()  # as secrets.token_hex(8), without importing hmac


def action_record(key: str, action: Action) -> dict[str, str]:
    record = {name: getattr(action, name) for name in WORDS}
    record.update(key=key, rag=action.rag_text, deadline=action.deadline.text)
    return record


@dataclass
class Round:
    """The returns round the folder's packs began, as recorded when they were made: its month,
    the date the drafts ask for a reply by, and the shared workbook (whose returns.csv says
    who has returned), wherever the folder is."""

    month: str
    reply_by: date | None
    workbook: Path | None


def round_record(month: str, reply_by: date | None, workbook: Path | None) -> dict:
    return {"month": month, "reply_by": reply_by.isoformat() if reply_by else "",
            "workbook": str(workbook) if workbook else ""}


def write_sent(folder: Path, packs: dict[str, str], round: dict | None = None) -> Path:
    """Add `packs` (pack id -> its record as pack_text made it) to the folder's record, keeping
    the records of packs made there before; `round` (round_record) is the round the newest
    packs began."""
    path = Path(folder) / SENT
    known: dict = _read_json(path) if path.exists() else {"version": VERSION, "packs": {}}
    if round:
        known["round"] = round
    with atomic_file(path) as temp:
        temp.write_text(record_text(known, packs), encoding="utf-8")
    return path


def pack_text(pack: dict) -> str:
    """One pack's record (a dict with id, body, plan, month, file, sha256, made, actions) as it
    stands in the record: its details, then each action it sent on a line of its own. Made by
    the process that wrote the pack, as soon as it is written."""
    details = json.dumps({name: value for name, value in pack.items() if name != "actions"})
    actions = ",\n".join(map(json.dumps, pack["actions"]))
    return f'{json.dumps(pack["id"])}: {details[:-1]}, "actions": [\n{actions}\n]}}'


def record_text(known: dict, packs: dict[str, str] | None = None) -> str:
    """The record as JSON: `known`'s packs, then `packs` (pack id -> pack_text), so it reads and
    compares line by line. (Written by json's C encoder: its `indent` option takes the encoder
    written in Python, three times as slow on 20,000 actions.)"""
    packs = packs or {}
    head = json.dumps({name: value for name, value in known.items() if name != "packs"})[:-1] + ', "packs": {'
    texts = [pack_text(pack) for pack_id, pack in known["packs"].items() if pack_id not in packs]
    texts += packs.values()
    return head + "\n" + "".join(text + "\n," for text in texts)[:-1] + "}}\n"


def read_sent(folder: Path) -> dict[str, SentPack]:
    """Pack id -> what was sent, as recorded in `folder` (none when there is no record)."""
    path = Path(folder) / SENT
    if not path.is_file():
        return {}
    found = {}
    try:
        with gc_paused():  # every action of every pack made in the folder: no cycles among them
            for pack_id, pack in _read_json(path)["packs"].items():
                actions = {}
                for item in pack["actions"]:
                    action = Action("", rag_text=str(item.get("rag", "")),
                                    deadline=parse_deadline(item.get("deadline") or None))
                    for name in WORDS:
                        setattr(action, name, str(item.get(name, "")))
                    actions[str(item["key"])] = action
                found[pack_id] = SentPack(pack_id, str(pack["body"]), str(pack["plan"]), str(pack["month"]),
                                          str(pack["file"]), str(pack.get("sha256", "")), actions,
                                          str(pack.get("made", "")))
    except (KeyError, TypeError, AttributeError):
        raise PlanError(path, NOT_A_RECORD) from None
    return found


def _read_json(path: Path) -> dict:
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlanError(path, f"cannot be read ({exc.strerror or exc}); nothing was written") from None
    except ValueError:
        raise PlanError(path, NOT_A_RECORD) from None
    if not isinstance(known, dict) or known.get("version") != VERSION or not isinstance(known.get("packs"), dict):
        raise PlanError(path, NOT_A_RECORD)
    return known


def read_round(folder: Path) -> Round | None:
    """The round recorded in the folder's sent.json; None for a folder made before plantools
    recorded it (or with no record at all)."""
    path = Path(folder) / SENT
    if not path.is_file():
        return None
    known = _read_json(path).get("round")
    if not isinstance(known, dict):
        return None
    try:
        reply_by = date.fromisoformat(known["reply_by"]) if known.get("reply_by") else None
        return Round(str(known["month"]), reply_by, Path(known["workbook"]) if known.get("workbook") else None)
    except (KeyError, TypeError, ValueError):
        raise PlanError(path, NOT_A_RECORD) from None
