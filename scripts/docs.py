"""Make the docs' command examples by running the commands, so they cannot drift.

Each example in README.md and docs/*.md sits between `<!-- example: NAME -->` and
`<!-- /example -->`; the prose around it is written by hand. This script runs each example's
commands for real, in a scratch folder holding a copy of the bundled plan named
"Business Plan.xlsx" (plus whatever the example sets up), and puts `$ plantools ...` and what
it printed between the markers.

    python scripts/docs.py            rewrite README.md and docs/*.md
    python scripts/docs.py --check    exit 1, naming each block that differs
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def doc_files() -> list[Path]:
    """Every file that holds examples: the README, then docs/ in name order."""
    return [README, *sorted((ROOT / "docs").glob("*.md"))]


PLAN = "Business Plan.xlsx"
SHOWN_PORT = 8025  # the send examples show this port whatever port the local server got
BLOCK = re.compile(r"(<!-- example: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /example -->)", re.S)

# The printed text that changes from run to run, and what the docs show instead.
VARYING = [
    (re.compile(r"backup \d{4}-\d\d-\d\d \d{6}"), "backup 2018-12-03 093240"),
    (re.compile(r"already sent on \d{1,2} \w{3} \d{4}"), "already sent on 3 Dec 2018"),
    (re.compile(r"\bsent (on )?\d{1,2} \w{3} \d{4}"), r"sent \g<1>3 Dec 2018"),  # status and chase, sent today
    (re.compile(r"\breturned (on )?\d{1,2} \w{3} \d{4}"), r"returned \g<1>5 Dec 2018"),
    (re.compile(r"\S*plantools-docs [^/\\\n]*[/\\]"), "S:/Safeguarding/"),  # the scratch folder, in full
]


# -- set-ups: each makes the scratch folder what its example needs ------------------------------

def type_emails(folder: Path) -> None:
    """Email addresses typed into the Governance sheet (the published plan has none)."""
    import openpyxl

    book = openpyxl.load_workbook(folder / PLAN)
    emails = {"Policy Sub-Group": "policy-sub-group@merton.example",
              "QA Sub-Group": "qa-sub-group@merton.example", "BIG": "big@merton.example"}
    for row in book["Governance"].iter_rows(min_row=2):
        if row[0].value in emails:
            row[2].value = emails[row[0].value]
    book.save(folder / PLAN)


def no_governance_sheet(folder: Path) -> None:
    """The plan as most partnerships keep it: no Governance sheet."""
    import openpyxl

    book = openpyxl.load_workbook(folder / PLAN)
    del book["Governance"]
    book.save(folder / PLAN)


def a_return(folder: Path) -> None:
    """November's packs made, and the QA Sub-Group's pack returned filled in, as a chair would."""
    import openpyxl

    type_emails(folder)
    run(folder, f'monthly "{PLAN}" --month 2018-11 --today 2018-11-30 --sender bsu@merton.example')
    pack = folder / "packs" / "2018-11" / "QA Sub-Group 2018-11.xlsx"
    book = openpyxl.load_workbook(pack)
    sheet = book["Plan"]
    header = next(row for row in sheet.iter_rows() if any(c.value == "Return key" for c in row))
    columns = {cell.value: cell.column for cell in header}
    changes = {0: {"RAG": "Green", "Progress": "Audit of 12 cases done; report to the December board"},
               1: {"RAG": "Amber", "Proposed new deadline": "June 2019"}}
    rows = [row for row in sheet.iter_rows(min_row=header[0].row + 1) if row[columns["Return key"] - 1].value]
    for index, values in changes.items():
        for name, value in values.items():
            column = next(c for h, c in columns.items() if h and str(h).startswith(name))
            sheet.cell(rows[index][0].row, column).value = value
    returned = folder / "Returns"
    returned.mkdir()
    book.save(returned / "QA Sub-Group 2018-11.xlsx")


def no_colours(folder: Path) -> None:
    """The plan as staff keep it before `format`: no RAG colours, no dropdown."""
    import openpyxl
    from openpyxl.formatting.formatting import ConditionalFormattingList
    from openpyxl.worksheet.datavalidation import DataValidationList

    book = openpyxl.load_workbook(folder / PLAN)
    sheet = book["Business Plan"]
    sheet.conditional_formatting = ConditionalFormattingList()
    sheet.data_validations = DataValidationList()
    book.save(folder / PLAN)


def hash_refs(folder: Path) -> None:
    """One of the layouts staff really keep, as the tests write it: refs under '#', A1 to A16."""
    sys.path.insert(0, str(ROOT / "tests" / "read"))  # the corpus of layouts, beside the reader's tests
    from corpus import write_hash_refs

    write_hash_refs(folder / "Hash refs.xlsx")


def packs_made(folder: Path) -> None:
    type_emails(folder)
    run(folder, f'packs "{PLAN}" --month 2018-11 --today 2018-11-30 --sender bsu@merton.example')


def pack_saved_over(folder: Path) -> None:
    """November's packs made, then the Policy Sub-Group's return saved over its pack."""
    import openpyxl

    packs_made(folder)
    pack = folder / "packs" / "2018-11" / "Policy Sub-Group 2018-11.xlsx"
    openpyxl.load_workbook(pack).save(pack)


def two_months(folder: Path) -> None:
    for month in ("2018-10", "2018-11", "2018-12"):
        run(folder, f'consolidate "{PLAN}" --month {month}')


def clone(folder: Path) -> None:
    """A fresh clone, as the README's first command meets it: the package and the bundled
    plans, nothing else (run with this folder first on PYTHONPATH)."""
    shutil.copytree(ROOT / "plantools", folder / "plantools", ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "workbooks").mkdir()
    for plan in (ROOT / "workbooks").glob("*.xlsx"):
        shutil.copyfile(plan, folder / "workbooks" / plan.name)


SETUPS: dict[str, Callable[[Path], None]] = {
    "emails": type_emails, "no-colours": no_colours, "no-governance": no_governance_sheet, "return": a_return, "copies": two_months,
    "hash-refs": hash_refs, "packs": packs_made, "saved-over": pack_saved_over, "clone": clone,
}


# -- the examples: a set-up, then commands run one after another in one folder ------------------

EXAMPLES: dict[str, tuple[str | None, list[str]]] = {
    "first": ("clone", ["monthly --month 2018-11"]),  # the README's first command, as it prints it
    "check": (None, [f'check "{PLAN}" --today 2018-11-30']),
    "check-json": (None, [f'check "{PLAN}" --today 2018-11-30 --format json']),
    "check-sheet": (None, [f'check "{PLAN}" --sheet "Business Plan" --today 2018-11-30']),
    "layout": (None, [f'layout "{PLAN}"', f'layout "{PLAN}" --save']),
    "monthly": ("emails", [f'monthly "{PLAN}" --month 2018-11 --today 2018-11-30 --sender bsu@merton.example']),
    "consolidate": (None, [f'consolidate "{PLAN}" --month 2018-11', f'consolidate "{PLAN}" --month 2019-02']),
    "outside-year": (None, [f'consolidate "{PLAN}" --month 2019-06']),
    "packs": ("emails", [f'packs "{PLAN}" --month 2018-11 --today 2018-11-30 --sender bsu@merton.example']),
    "packs-refused": ("saved-over", [f'packs "{PLAN}" --month 2018-11 --today 2018-11-30']),
    "check-hash-refs": ("hash-refs", ['check "Hash refs.xlsx" --today 2019-01-15']),
    "send": ("packs", [
        "send packs/2018-11 --smtp-host 127.0.0.1 --smtp-port {port} --no-tls",
        "send packs/2018-11 --smtp-host 127.0.0.1 --smtp-port {port} --no-tls --yes",
        f'quiet packs "{PLAN}" --month 2018-11 --today 2018-11-30 --sender bsu@merton.example --force',
        "send packs/2018-11 --smtp-host 127.0.0.1 --smtp-port {port} --no-tls --yes",
    ]),
    "collect": ("return", [f'collect Returns/*.xlsx --into "{PLAN}"', f'collect Returns/*.xlsx --into "{PLAN}" --yes',
                                   f'consolidate "{PLAN}" --month 2018-12']),
    "status": ("return", [
        "quiet send packs/2018-11 --smtp-host 127.0.0.1 --smtp-port {port} --no-tls --yes",
        f'quiet collect Returns/*.xlsx --into "{PLAN}" --yes',
        "status packs/2018-11 --today 2018-12-17",
    ]),
    "chase": ("return", [
        "quiet send packs/2018-11 --smtp-host 127.0.0.1 --smtp-port {port} --no-tls --yes",
        f'quiet collect Returns/*.xlsx --into "{PLAN}" --yes',
        "chase packs/2018-11 --smtp-host 127.0.0.1 --smtp-port {port} --no-tls --today 2018-12-17",
        "chase packs/2018-11 --smtp-host 127.0.0.1 --smtp-port {port} --no-tls --today 2018-12-17 --yes",
        "chase packs/2018-11 --smtp-host 127.0.0.1 --smtp-port {port} --no-tls --today 2018-12-17 --yes",
    ]),
    "reminder": ("return", [
        "quiet send packs/2018-11 --smtp-host 127.0.0.1 --smtp-port {port} --no-tls --yes",
        "quiet chase packs/2018-11 --smtp-host 127.0.0.1 --smtp-port {port} --no-tls --today 2018-12-17 --yes",
        "draft packs/2018-11/reminders/BIG 2018-11 reminder 2018-12-17.eml",
    ]),
    "governance": ("no-governance", [f'governance "{PLAN}"']),
    "format": ("no-colours", [f'format "{PLAN}"', f'format "{PLAN}"']),
    "history": ("copies", ["history monthly", "history monthly --out history.csv"]),
    "draft": ("emails", [
        f'packs "{PLAN}" --month 2018-11 --today 2018-11-30 --sender "Jane Smith <bsu@merton.example>" '
        '--reply-to bsu@merton.example --reply-by 2018-12-14',
        "draft packs/2018-11/Policy Sub-Group 2018-11.eml",
    ]),
    "new": (None, ['new "Business Plan 2019-20.xlsx" --title "MSCP Business Plan 2019-20"']),
}



SHOWN_LINES = {"check-json": 10}  # the rest of a long output is left as "..."
SHOWN_AS = {"first": "python -m plantools"}  # typed as the README types it (default: plantools)


def run(folder: Path, command: str, port: int = 0, package: Path = ROOT) -> str:
    """One plantools command, run as a user would, in `folder` with the plantools found in
    `package`: what it printed, both streams."""
    args = [a for part in shlex.split(command.format(port=port)) for a in expand(folder, part)]
    env = {**os.environ, "PYTHONPATH": str(package), "COLUMNS": "100", "PLANTOOLS_SENDER": ""}
    done = subprocess.run([sys.executable, "-m", "plantools", *args], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120)
    return done.stdout + done.stderr


def expand(folder: Path, arg: str) -> list[str]:
    """A shell would expand Returns/*.xlsx; so does this."""
    if "*" not in arg:
        return [arg]
    return sorted(str(p.relative_to(folder)) for p in folder.glob(arg))


def render(name: str) -> str:
    """The block a doc should hold for one example, made now."""
    setup, commands = EXAMPLES[name]
    with tempfile.TemporaryDirectory(prefix="plantools-docs ") as scratch:
        folder = Path(scratch)
        from plantools.bundled import default_workbook

        shutil.copyfile(default_workbook(), folder / PLAN)
        if setup:
            SETUPS[setup](folder)
        package = folder if setup == "clone" else ROOT
        server = smtp_server() if any("{port}" in c for c in commands) else None
        try:
            port = server.port if server else 0
            lines = []
            for command in commands:
                if command.startswith("draft "):  # not a command: the draft it names, as a mail program shows it
                    lines = draft_text(folder / command.removeprefix("draft ")).splitlines()
                    continue
                quiet = command.startswith("quiet ")  # run and shown, its output left as "..."
                command = command.removeprefix("quiet ")
                output = run(folder, command, port, package)
                lines.append(f"$ {SHOWN_AS.get(name, 'plantools')} {command.format(port=SHOWN_PORT)}")
                lines.extend(["..."] if quiet else output.rstrip("\n").splitlines())
        finally:
            if server:
                server.stop()
    if name in SHOWN_LINES:
        lines = [*lines[:SHOWN_LINES[name]], "  ..."]
    text = "\n".join(lines)
    for pattern, shown in VARYING:
        text = pattern.sub(shown, text)
    return f"```\n{text}\n```\n"


def draft_text(path: Path) -> str:
    """A draft's headers and text, as a mail program shows them."""
    from email import policy
    from email.parser import BytesParser

    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    headers = [f"{name}: {message[name]}" for name in ("From", "To", "Reply-To", "Subject") if message[name]]
    body = message.get_body(("plain",))
    return "\n".join(headers) + "\n\n" + body.get_content().rstrip()


def smtp_server():
    """A real SMTP server on 127.0.0.1 that accepts everything, as the tests use."""
    import socket

    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    controller.port = port
    return controller


def rewritten(text: str, only: set[str] | None = None, where: str = "README.md") -> tuple[str, list[str]]:
    """A doc's text with every example block made again, and the names of blocks that changed."""
    changed: list[str] = []

    def replace(match: re.Match) -> str:
        name = match["name"]
        if name not in EXAMPLES:
            raise SystemExit(f"{where}: no example named {name!r} in scripts/docs.py")
        if only and name not in only:
            return match[0]
        body = render(name)
        if body != match["body"]:
            changed.append(name)
        return match[1] + body + match[4]

    return BLOCK.sub(replace, text), changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="Change nothing; exit 1 if a block differs.")
    parser.add_argument("names", nargs="*", help="Only these examples (default: all).")
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    found: set[str] = set()
    failed = False
    for path in doc_files():
        where = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        found |= {m["name"] for m in BLOCK.finditer(text)}
        new, changed = rewritten(text, set(options.names) or None, where)
        if options.check:
            for name in changed:
                print(f"{where}: example {name!r} differs from what the commands print today: "
                      "run python scripts/docs.py")
            failed = failed or bool(changed)
            continue
        if new != text:
            path.write_text(new, encoding="utf-8")
        if changed:
            print(f"{where}: {len(changed)} example(s) rewritten: {', '.join(changed)}")
    for name in sorted(set(EXAMPLES) - found):
        print(f"no doc holds the example {name!r}")
        failed = True
    return 1 if options.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
