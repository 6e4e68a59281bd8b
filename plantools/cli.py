"""The plantools command: each command a few lines over the Python API."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path

import click

from . import bundled
from .errors import PlanError


class _Group(click.Group):
    """Turns every PlanError into one line on stderr and exit status 2, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PlanError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(2)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:  # piped into a reader that stopped (| head): nothing to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so exit's flush is quiet too
            ctx.exit(1)
        except Exception as error:  # a bug or an input nobody foresaw: still one line
            if os.environ.get("PLANTOOLS_DEBUG"):
                raise
            click.echo(f"Error: unexpected {type(error).__name__}: {error} "
                       "(set PLANTOOLS_DEBUG=1 to see where)", err=True)
            ctx.exit(2)


workbook_argument = click.argument(
    "workbook", type=click.Path(dir_okay=True, path_type=Path), default=bundled.default_workbook,
)


def _output_base(workbook: Path) -> Path:
    """Where the outputs go when --out is not given; says so when it is not beside the workbook."""
    base = bundled.output_base(workbook)
    if bundled.is_installed_copy(workbook):
        click.echo(f"The bundled plan is installed read-only: writing into the current folder, {base}")
    return base


def _check_month(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from .copies import check_month

    try:
        return check_month(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def month_option(what: str):
    return click.option("--month", default=lambda: date.today().strftime("%Y-%m"), show_default="this month",
                        callback=_check_month, help=f"The month of {what}, YYYY-MM.")


sender_option = click.option(
    "--sender", default=lambda: os.environ.get("PLANTOOLS_SENDER", ""),
    help="The From address of the drafts. Default: $PLANTOOLS_SENDER, else none (Outlook fills in your own).",
)
today_option = click.option(
    "--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
    help="The date to judge deadlines by (YYYY-MM-DD). Default: today.",
)


@click.group(cls=_Group)
@click.version_option(package_name="plantools")
def main() -> None:
    """Keep the partnership's business plan honest: check it, consolidate it each month,
    and send each sub-group its part.

    WORKBOOK defaults to the bundled 2018-19 plan. Nothing here writes into the shared
    workbook unless the command says so. Outputs go beside the workbook, or into the
    current folder for the bundled plan of an installed (non-editable) plantools.
    """


@main.command()
@workbook_argument
@today_option
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A table to read, or JSON for other programs.")
def check(workbook: Path, today, output: str) -> None:
    """Check that every action has an owner, a readable deadline, a known governance body
    and a recognised RAG; warn on overdue and unexplained Red or Amber actions.

    Exit status: 0 no errors, 1 errors found, 2 the workbook cannot be read.
    """
    from .checks import check as run_checks, format_table, summary_line
    from .reader import load_plan

    plan = load_plan(workbook)
    findings = run_checks(plan, _day(today))
    if output == "json":
        click.echo(json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False))
    else:
        click.echo(f"{workbook}")
        if findings:
            click.echo(format_table(findings))
        click.echo(summary_line(plan, findings))
    sys.exit(1 if any(f.severity == "error" for f in findings) else 0)


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--title", default="Business Plan", show_default=True, help="The plan's title row.")
def new(path: Path, title: str) -> None:
    """Write an empty plan workbook in plantools' layout, e.g. for next year's plan."""
    from .template import write_plan_workbook

    write_plan_workbook(path, {"title": title}, force=False)
    click.echo(f"wrote {path}")


def _day(value) -> date:
    return value.date() if value else date.today()


@main.command()
@workbook_argument
@month_option("this copy")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of the monthly copies. Default: 'monthly' beside the workbook.")
@today_option
@click.option("--force", is_flag=True, help="Replace an existing copy for the same month.")
def consolidate(workbook: Path, month: str, out: Path | None, today, force: bool) -> None:
    """Write the month's consolidated copy of the plan: Plan, Summary, Exceptions,
    Change log (against the newest earlier copy in --out), Completeness and Key.
    The shared workbook is only read."""
    from .consolidate import consolidate as run, summary_lines
    from .reader import load_plan

    plan = load_plan(workbook)
    result = run(plan, month, out or _output_base(workbook) / "monthly", today=today and today.date(), force=force)
    for line in summary_lines(result):
        click.echo(line)


@main.command(name="format")
@click.argument("workbook", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--backup-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the dated backup goes. Default: 'backups' beside the workbook.")
def format_command(workbook: Path, backup_dir: Path | None) -> None:
    """Add RAG colours and a RAG dropdown to the shared workbook itself, so staff see the
    colours as they edit. The only command that writes into the shared workbook: it backs it
    up first, and refuses while it is open in Excel or when saving would lose anything."""
    from .formatting import format_workbook

    result = format_workbook(workbook, backup_dir)
    if not result.changed:
        click.echo(f"{workbook}: the RAG colours and dropdown are already there; nothing changed")
        return
    click.echo(f"backed up to {result.backup}")
    for cell_range in result.ranges:
        click.echo(f"added RAG colours and dropdown to {cell_range}")
    if result.formulas:
        click.echo(f"{result.formulas} formulas kept; Excel recalculates them when it next opens the workbook")


@main.command()
@workbook_argument
@month_option("these packs")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the packs. Default: 'packs/<month>' beside the workbook.")
@sender_option
@today_option
@click.option("--force", is_flag=True, help="Remake packs already in the folder.")
def packs(workbook: Path, month: str, out: Path | None, sender: str, today, force: bool) -> None:
    """Write one workbook per governance body with the actions it oversees, an email draft
    (.eml) beside each, and manifest.csv saying who gets what. Nothing confidential travels."""
    from .packs import make_packs, summary_lines
    from .reader import load_plan

    plan = load_plan(workbook)
    run = make_packs(plan, month, out or _output_base(workbook) / "packs" / month, today=today and today.date(),
                     force=force, sender=sender)
    for line in summary_lines(run):
        click.echo(line)


@main.command()
@workbook_argument
@month_option("the copy and the packs")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where 'monthly' (the copies) and 'packs/<month>' go. Default: beside the workbook.")
@sender_option
@today_option
@click.option("--force", is_flag=True, help="Replace this month's copy and packs.")
def monthly(workbook: Path, month: str, out: Path | None, sender: str, today, force: bool) -> None:
    """The monthly job: `consolidate`, then `packs`, from one reading of the workbook
    (on a machine with two cores, large plans' packs are written meanwhile)."""
    from .consolidate import summary_lines as copy_lines
    from .monthly import run_month
    from .packs import summary_lines as pack_lines
    from .reader import load_plan

    plan = load_plan(workbook)
    base = out or _output_base(workbook)
    result, run = run_month(plan, month, base / "monthly", base / "packs" / month, today=today and today.date(),
                            force=force, sender=sender)
    for line in [*copy_lines(result), *pack_lines(run)]:
        click.echo(line)


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The table to write, .xlsx or .csv. Default: '<plan> history.xlsx' in FOLDER.")
@click.option("--plan", default=None, help="Whose copies, if FOLDER holds copies of more than one plan.")
def history(folder: Path, out: Path | None, plan: str | None) -> None:
    """A year of the monthly copies in FOLDER as one table for the annual report: each
    action each month, with its RAG, deadline, owner, progress and that month's changes.
    Needs pandas (pip install plantools[pandas])."""
    from .history import default_path, history as table, summary_line, write_history

    try:
        frame = table(folder, plan)
    except ModuleNotFoundError as error:
        if error.name != "pandas":
            raise
        raise click.ClickException(str(error)) from None
    out = out or default_path(folder, plan)
    write_history(frame, out)
    click.echo(summary_line(frame, out))


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--smtp-host", required=True, help="The mail server, e.g. smtp.council.gov.uk.")
@click.option("--smtp-port", type=int, default=587, show_default=True)
@click.option("--starttls", "security", flag_value="starttls", default=True,
              help="Upgrade to TLS after connecting (the default), verifying the certificate.")
@click.option("--ssl", "security", flag_value="ssl", help="TLS from the start (usually port 465).")
@click.option("--no-tls", "security", flag_value="none", help="No encryption: only for a relay on this machine.")
@click.option("--user", default="", help="Log in as this user. The password comes from "
              "$PLANTOOLS_SMTP_PASSWORD or a prompt, never the command line.")
@click.option("--ca-file", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="The certificate authority that signed the server's certificate, if not a public one.")
@click.option("--sender", default=lambda: os.environ.get("PLANTOOLS_SENDER", ""),
              help="The From address, if the drafts have none. Default: $PLANTOOLS_SENDER.")
@click.option("--yes", is_flag=True, help="Really send. Without it, only show what would go to whom.")
def send(folder: Path, smtp_host: str, smtp_port: int, security: str, user: str, ca_file: Path | None,
         sender: str, yes: bool) -> None:
    """Send the email drafts that plantools packs wrote into FOLDER. A draft already sent
    (see FOLDER/sent.csv) is never sent again, so after a failure just run it again."""
    from .mail import Server, drafts_in, read_draft, send_drafts, sent_ids

    if user and security == "none":
        raise click.UsageError("a password is never sent unencrypted: use --starttls or --ssl with --user")
    done = sent_ids(folder)
    if not yes:
        for path in drafts_in(folder):
            message = read_draft(path)
            state = "already sent" if message["Message-ID"] in done else "would send"
            click.echo(f"{state}: {path.name} to {message['To']}")
        click.echo("nothing sent: add --yes to send")
        return
    password = ""
    if user:
        password = os.environ.get("PLANTOOLS_SMTP_PASSWORD") or click.prompt(
            f"Password for {user} on {smtp_host}", hide_input=True)
    server = Server(smtp_host, smtp_port, security, user, password, ca_file)
    run = send_drafts(folder, server, sender,
                      report=lambda o: click.echo(f"{'sent' if o.sent else 'FAILED'}: {o.draft.name} to {o.to}"
                                                  + ("" if o.note == "sent" else f": {o.note}")))
    for path in run.already_sent:
        click.echo(f"already sent: {path.name}")
    sent = len(run.outcomes) - len(run.failed)
    click.echo(f"{sent} sent, {len(run.failed)} failed, {len(run.already_sent)} sent before")
    if run.failed:
        click.echo("run the same command again to send what failed", err=True)
        sys.exit(1)
