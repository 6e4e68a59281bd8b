"""The plantools command: each command a few lines over the Python API."""

from __future__ import annotations

import atexit
import functools
import gc
import json
import os
import re
import sys
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import click

from plantools import bundled
from plantools.errors import PlanError
from plantools.options import GRAPH_URL, Mail, RunOptions
from plantools.terminal import cleaned_output, one_line

if TYPE_CHECKING:
    from plantools.plan.model import Plan
    from plantools.send.oauth import SignIn
    from plantools.send.smtp import Draft, Outcome, Server


class UsageLine(click.ClickException):
    """Bad input on the command line, as one line in the officer's words with an example, and
    exit status 2 (click's own usage errors print the usage block first, and its jargon)."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))  # a value typed with a line break in it stays on the line


class _Command(click.Command):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            error.ctx = error.ctx or ctx  # an option without its value comes without: the command is named
            raise


class _Group(click.Group):
    """Turns every PlanError and usage error into one line on stderr and exit status 2, never
    a traceback."""

    command_class = _Command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:  # plantools' own options (--bogus)
            raise _one_line(error) from None

    def main(self, *args, **kwargs):
        # The command is the process's last work: what it made goes with the process at exit,
        # not walked by the collector's last pass and freed object by object (a quarter of
        # the bundled plan's `monthly` above the bare imports). Registered once however often
        # main runs (the tests run it many times in one process).
        atexit.unregister(gc.freeze)
        atexit.register(gc.freeze)
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        with cleaned_output():  # no escape sequence from a workbook reaches the terminal
            return self._invoke(ctx)

    def _invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PlanError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(2)
        except click.UsageError as error:  # a subcommand's options or arguments
            raise _one_line(error) from None
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


# What a right value looks like, by parameter name ("command name" where commands differ):
# every usage error ends with one (tests/test_usage_errors.py checks that each parameter has one).
EXAMPLES = {
    "workbook": '"S:\\Safeguarding\\Business Plan 2018-19.xlsx"', "sheets": '"Business Plan"',
    "month": "2018-11", "today": "2018-11-30", "reply_by": "2018-12-14", "out": "Monthly",
    "sender": "bsu@council.example", "reply_to": "bsu@council.example", "paper": "A3", "stale_months": "3",
    "output": "json", "path": '"Business Plan 2019-20.xlsx"', "title": '"MSCP Business Plan 2019-20"',
    "backup_dir": "Backups", "returns": "Returns\\*.xlsx", "send folder": "packs\\2018-11",
    "history folder": "monthly", "history out": '"History 2018-19.xlsx"', "governance out": "Governance.xlsx",
    "plan": '"MSCB Business Plan 2018-19"', "smtp_host": "smtp.council.gov.uk", "smtp_port": "587",
    "user": "bsu", "ca_file": "council-ca.pem", "time_limit": "300", "packs_dir": "packs\\2018-11",
    "status folder": "packs\\2018-11", "chase folder": "packs\\2018-11", "due_weeks": "4",
    "via": "graph", "tenant": "council.onmicrosoft.com", "client_id": "1b730954-1685-4b74-9bfd-dac224a7b894",
    "token_command": '"get-token --mailbox bsu"', "graph_url": "https://graph.microsoft.com/v1.0",
}


def example(command: str, param: click.Parameter) -> str:
    """The parameter given rightly, as typed: '--month 2018-11', or 'plantools send packs\\2018-11'."""
    value = EXAMPLES.get(f"{command} {param.name}") or EXAMPLES.get(param.name or "", "")
    if isinstance(param, click.Option):
        return f"{max(param.opts, key=len)} {value}"
    return f"plantools {command} {value}"


def _one_line(error: click.UsageError) -> click.ClickException:
    """A usage error of click's in the officer's words, on one line, with an example."""
    if type(error).__name__ == "NoArgsIsHelpError":  # plain `plantools`: the help, not an error
        return error
    ctx = error.ctx
    command = ctx.command.name or "" if ctx and ctx.parent else ""
    params = ctx.command.params if ctx else []
    where = f"plantools {command}".strip()
    if isinstance(error, click.BadParameter) and error.param is not None:
        param = error.param
        name = max(param.opts, key=len) if isinstance(param, click.Option) else param.human_readable_name
        if isinstance(error, click.MissingParameter):
            words = f"{where} needs {name}"
        elif isinstance(param, click.Option):
            words = f"{name}: {error.message.rstrip('.')}"
        else:
            words = f"{where}: {error.message.rstrip('.')}"
        return UsageLine(words if "e.g." in words else f"{words}, e.g. {example(command, param)}")
    if isinstance(error, click.NoSuchOption):
        # an option that turns something off is offered last: --tls is --starttls, not --no-tls
        close = sorted(error.possibilities or (), key=lambda option: option.startswith("--no-"))
        maybe = f" (did you mean {' or '.join(close)}?)" if close else ""
        return UsageLine(f"{where} has no option {error.option_name}{maybe}: see {where} --help")
    if isinstance(error, click.BadOptionUsage):  # an option at the end without its value
        option = next((p for p in params if error.option_name in p.opts), None)
        words = f"{error.option_name} needs a value"
        return UsageLine(f"{words}, e.g. {example(command, option)}" if option else words)
    unknown = re.match(r"No such command '(.*)'", error.message)
    if unknown and ctx and isinstance(ctx.command, click.Group):
        import difflib  # only for a mistyped command

        close = difflib.get_close_matches(unknown[1], list(ctx.command.commands), n=1)
        maybe = f" (did you mean {close[0]}?)" if close else ""
        return UsageLine(f"plantools has no command '{unknown[1]}'{maybe}: see plantools --help")
    extra = re.match(r"Got unexpected extra arguments? \((.*)\)", error.message)
    if extra:
        first = next((p for p in params if isinstance(p, click.Argument)), None)
        what = f"one {first.human_readable_name}" if first else "no argument"
        hint = f", e.g. {example(command, first)}" if first else ""
        return UsageLine(f"{where} takes {what}, and also got '{extra[1]}': put a name with spaces "
                         f"in quotes{hint}")
    return UsageLine(error.message)


class Day(click.ParamType):
    """A date written YYYY-MM-DD. Anything else is told how to write it, with the date it
    plainly meant where it can mean only one (30/11/2018 is 2018-11-30; 01/02/2019 could be
    either, so it is not guessed)."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx) -> date:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                self.fail(f"'{text}' is not a day of the calendar", param, ctx)
        meant = _day_first(text)
        option = max(param.opts, key=len) if param else ""
        self.fail(f"'{text}' is not a date written YYYY-MM-DD"
                  + (f": write it as {meant}, e.g. {option} {meant}" if meant else ""), param, ctx)


def _day_first(text: str) -> str:
    """'30/11/2018' -> '2018-11-30', as a UK officer writes a date; '' where the day and month
    could be swapped (01/02/2019) or it is no date."""
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if not match:
        return ""
    day, month, year = int(match[1]), int(match[2]), int(match[3])
    if day <= 12 and day != month:
        return ""
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""


class Number(click.ParamType):
    """A number (a whole one unless `whole` is False) from `least` up to `most`, said in words when not."""

    name = "number"

    def __init__(self, least: float, most: float | None = None, whole: bool = True) -> None:
        self.least, self.most, self.whole = least, most, whole

    def convert(self, value, param, ctx) -> float:
        try:
            number = int(value) if self.whole else float(value)
        except (TypeError, ValueError):
            self.fail(f"'{value}' is not a {'whole ' if self.whole else ''}number", param, ctx)
        if number < self.least or (self.most is not None and number > self.most):
            span = f"from {self.least:g} to {self.most:g}" if self.most is not None else f"{self.least:g} or more"
            self.fail(f"{value} is not {span}", param, ctx)
        return number


class File(click.Path):
    """A file's name: given a folder, or a missing file where one must exist, says what is wanted."""

    def __init__(self, wanted: str, exists: bool = False) -> None:
        super().__init__(dir_okay=False, exists=exists, path_type=Path)
        self.wanted = wanted

    def convert(self, value, param, ctx):
        if Path(value).is_dir():
            self.fail(f"'{value}' is a folder: give {self.wanted}", param, ctx)
        if self.exists and not Path(value).exists():
            self.fail(f"no such file '{value}': give {self.wanted}", param, ctx)
        return super().convert(value, param, ctx)


def expand_wildcards(_ctx: click.Context, _param: click.Parameter, values: tuple[Path, ...]) -> tuple[Path, ...]:
    """`Returns\\*.xlsx` as Windows passes it, typed: expanded here, as a Unix shell would have
    (in name order); a name that exists is taken as it is, whatever its characters."""
    found: list[Path] = []
    for value in values:
        if value.exists() or not any(c in value.name for c in "*?["):
            found.append(value)
            continue
        matches = sorted((p for p in value.parent.glob(value.name) if p.is_file()), key=lambda p: p.name.lower())
        found.extend(matches or [value])  # none: the command says the file is not there, in its turn
    return tuple(found)


class Folder(click.Path):
    """A folder's name: given a file (most often the workbook), says which folder is wanted."""

    def __init__(self, wanted: str) -> None:
        super().__init__(file_okay=False, path_type=Path)
        self.wanted = wanted

    def convert(self, value, param, ctx):
        if Path(value).is_file():
            self.fail(f"'{value}' is a file: give {self.wanted}", param, ctx)
        return super().convert(value, param, ctx)


def _bundled_plan() -> Path:
    """The bundled plan, named from the current folder where it is under it (as in a clone):
    what is printed then reads as the README shows it, wherever the clone is."""
    plan = bundled.default_workbook()
    try:
        return plan.relative_to(Path.cwd())
    except ValueError:
        return plan


workbook_argument = click.argument(
    "workbook", type=click.Path(dir_okay=True, path_type=Path), default=_bundled_plan,
)


def _say_where(workbook: Path) -> None:
    """The outputs of a plan go beside it, except the installed bundled plan's: say so."""
    if bundled.is_installed_copy(workbook):
        click.echo(f"The bundled plan is installed read-only: writing into the current folder, "
                   f"{bundled.output_base(workbook)}")


def _say_last_saved(plan: Plan) -> None:
    """Before anything is written: a workbook open in Excel is read as it was last saved, and
    one that is no .xlsx cannot take the returns of the packs made from it."""
    if plan.open_in_excel:
        click.echo(f"{plan.path.name} is open in Excel: reading its last saved version (changes not saved are "
                   "not in what is written now)")
    if plan.path.suffix.lower() in (".xls", ".ods"):
        click.echo(f"warning: {plan.path.name} is no Excel Workbook (.xlsx): collect cannot fold the returns back "
                   "into it; save it as .xlsx and make the packs from that before they go out")


def _say_month(plan: Plan, month: str) -> None:
    """A month outside the plan's year is most likely not meant (the default is this month): say so first."""
    from plantools.plan.months import outside_plan_year

    warning = outside_plan_year(month, plan.title, (a.deadline.due for a in plan.actions if a.deadline.due))
    if warning:
        click.echo(warning)


def _check_month(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from plantools.plan.months import check_month

    try:
        return check_month(value)
    except PlanError as error:
        raise click.BadParameter(str(error)) from None


def given_month() -> str | None:
    """--month when the officer gave it: the reader then reads that month's column where RAG
    is by period; by default, the latest period with any entry."""
    context = click.get_current_context()
    given = context.get_parameter_source("month") != click.core.ParameterSource.DEFAULT
    return context.params["month"] if given else None


def month_option(what: str):
    return click.option("--month", default=lambda: date.today().strftime("%Y-%m"), show_default="this month",
                        callback=_check_month, help=f"The month of {what}, YYYY-MM.")


def _check_address(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not value:  # none given: nothing to check, nor to import for it
        return value
    from email.utils import parseaddr

    from plantools.packs.drafts import valid_address

    if not valid_address(parseaddr(value)[1]):
        raise click.BadParameter(f"{value!r} is not an email address")
    return value


sender_option = click.option(
    "--sender", default=lambda: os.environ.get("PLANTOOLS_SENDER", ""), callback=_check_address,
    help="The From address of the drafts. Default: $PLANTOOLS_SENDER, else none (Outlook fills in your own).",
)


reply_by_option = click.option(
    "--reply-by", type=Day(), default=None,
    help="The date (YYYY-MM-DD) by which the drafts ask for a reply. Default: 14 days after the "
         "month's end (or after today, if that has passed), a weekend moved to the Monday.",
)
reply_to_option = click.option(
    "--reply-to", default="", callback=_check_address,
    help="The address replies go to, if not the sender's (e.g. the BSU's shared mailbox).",
)
paper_option = click.option(
    "--paper", type=click.Choice(["A4", "A3"], case_sensitive=False), default="A4", show_default=True,
    callback=lambda ctx, param, value: value.upper(),
    help="The paper the Plan sheet is printed on (landscape): A3 for plans with long texts.",
)
stale_option = click.option(
    "--stale-months", type=Number(1), default=3, show_default=True,
    help="An action whose progress note has not changed for this many months is an exception.",
)
sheet_option = click.option(
    "--sheet", "sheets", multiple=True,
    help="A plan sheet, by name (repeat for several): only these are read as plan. By default every "
         "visible sheet with a plan's header, except those whose name or title speaks of risk, a "
         "register, RAID, issues or confidential matters.",
)
today_option = click.option(
    "--today", type=Day(), default=None,
    help="The date to judge deadlines by (YYYY-MM-DD). Default: today.",
)


def run_options(force_help: str, stale: bool = False) -> Callable[[Callable], Callable]:
    """--today, --paper (and --stale-months, when `stale`) and --force, written once for
    consolidate, packs and monthly: the command gets today, paper and force as one RunOptions
    (`options`), and stale_months as it is (the copy's alone)."""
    def decorate(command: Callable) -> Callable:
        @functools.wraps(command)
        def grouped(*args, today: date | None, paper: str, force: bool, **kwargs):
            return command(*args, options=RunOptions(today, force, paper), **kwargs)
        force_option = click.option("--force", is_flag=True, help=force_help)
        for option in reversed([today_option, paper_option, *([stale_option] if stale else []), force_option]):
            grouped = option(grouped)
        return grouped
    return decorate


due_weeks_option = click.option(
    "--due-weeks", type=Number(1), default=None,
    help="List the actions falling due within this many weeks. Default: by the (next) reply-by date.")


def mail_options(command: Callable) -> Callable:
    """--sender, --reply-by, --reply-to and --due-weeks, written once for packs and monthly: the
    command gets them as one Mail (`mail`)."""
    @functools.wraps(command)
    def grouped(*args, sender: str, reply_by: date | None, reply_to: str, due_weeks: int | None, **kwargs):
        return command(*args, mail=Mail(sender, reply_by, reply_to, due_weeks), **kwargs)
    for option in (due_weeks_option, reply_to_option, reply_by_option, sender_option):
        grouped = option(grouped)
    return grouped


def _check_graph_url(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from plantools.send.smtp import check_graph_url

    try:
        return check_graph_url(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


SERVER_OPTIONS = [
    click.option("--via", type=click.Choice(["smtp", "graph"], case_sensitive=False), default="smtp",
                 show_default=True, callback=lambda ctx, param, value: value.lower(),
                 help="Send by SMTP (the mail server), or through Microsoft Graph (Microsoft 365; "
                      "needs --oauth or --token-command, not --smtp-host)."),
    click.option("--smtp-host", default="", help="The mail server, e.g. smtp.council.gov.uk "
                 "(smtp.office365.com for Microsoft 365). Needed with --via smtp."),
    click.option("--smtp-port", type=Number(1, 65535), default=587, show_default=True),
    click.option("--starttls", "security", flag_value="starttls", default=True,
                 help="Upgrade to TLS after connecting (the default), verifying the certificate."),
    click.option("--ssl", "security", flag_value="ssl", help="TLS from the start (usually port 465)."),
    click.option("--no-tls", "security", flag_value="none", help="No encryption: only for a relay on this machine."),
    click.option("--user", default="", help="Log in as this user. The password comes from "
                 "$PLANTOOLS_SMTP_PASSWORD or a prompt, never the command line. With --oauth or "
                 "--token-command: the mailbox signed in as (default: the --sender)."),
    click.option("--ca-file", type=File("the certificate authority's file (.pem)", exists=True), default=None,
                 help="The certificate authority that signed the server's certificate, if not a public one."),
    click.option("--oauth", is_flag=True, help="Sign in to Microsoft 365 (OAuth, no password): once with a code "
                 "at microsoft.com/devicelogin, then silently from the token cache in your profile."),
    click.option("--tenant", default=lambda: os.environ.get("PLANTOOLS_TENANT", ""),
                 help="With --oauth: the council's Microsoft 365 tenant (its id or domain), from IT. "
                      "Default: $PLANTOOLS_TENANT."),
    click.option("--client-id", default=lambda: os.environ.get("PLANTOOLS_CLIENT_ID", ""),
                 help="With --oauth: the application (client) id IT registered for plantools. "
                      "Default: $PLANTOOLS_CLIENT_ID."),
    click.option("--token-command", default="", help="A command whose output is the access token "
                 "(for sites whose IT issues tokens another way): no sign-in then."),
    click.option("--graph-url", default=GRAPH_URL, show_default=True,
                 callback=_check_graph_url, help="Microsoft Graph's address, with --via graph."),
]


def server_options(command: Callable) -> Callable:
    """Where mail goes and how plantools signs in there (--via, --smtp-host ... --graph-url),
    written once for every command that sends: the command gets a Server without its secret
    (`server`) and how to get the token (`sign_in`, None for a password or no login); it calls
    ready_server(server, sign_in, sender) before sending."""
    @functools.wraps(command)
    def grouped(*args, via: str, smtp_host: str, smtp_port: int, security: str, user: str, ca_file: Path | None,
                oauth: bool, tenant: str, client_id: str, token_command: str, graph_url: str, **kwargs):
        from plantools.send.oauth import SignIn
        from plantools.send.smtp import Server

        ctx = click.get_current_context()
        if via == "smtp" and not smtp_host:
            raise click.MissingParameter(ctx=ctx, param=next(p for p in ctx.command.params if p.name == "smtp_host"))
        with_token = oauth or bool(token_command)
        if via == "graph" and not with_token:
            raise click.UsageError("--via graph signs in with a token: add --oauth (with --tenant and "
                                   "--client-id), or --token-command")
        try:
            sign_in = SignIn(tenant, client_id, token_command) if with_token else None
            # the token comes only when sending: a stand-in has Server check the rest now
            server = Server(smtp_host, smtp_port, security, user, "", ca_file, "stand-in" if with_token else "",
                            via, graph_url)
        except ValueError as error:
            raise click.UsageError(str(error)) from None
        return command(*args, server=replace(server, token=""), sign_in=sign_in, **kwargs)
    for option in reversed(SERVER_OPTIONS):
        grouped = option(grouped)
    return grouped


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
@sheet_option
@today_option
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A table to read, or JSON for other programs.")
def check(workbook: Path, sheets: tuple[str, ...], today, output: str) -> None:
    """Check that every action has an owner, a readable deadline, a known governance body
    and a recognised RAG; warn on overdue and unexplained Red or Amber actions.

    Exit status: 0 no errors, 1 errors found, 2 the workbook cannot be read.
    """
    from plantools.plan.checks import check as run_checks
    from plantools.read.workbook import load_plan
    from plantools.report import check_line, findings_table

    plan = load_plan(workbook, sheets)
    findings = run_checks(plan, _day(today))
    if output == "json":
        click.echo(json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False))
    else:
        click.echo(f"{workbook}")
        if findings:
            click.echo(findings_table(findings))
        click.echo(check_line(plan, findings))
    sys.exit(1 if any(f.severity == "error" for f in findings) else 0)


@main.command()
@workbook_argument
@sheet_option
@click.option("--save", is_flag=True, help="Save the layout shown as '<workbook name>.layout.toml' beside the "
                                          "workbook: every command then reads the workbook this way, and `check` "
                                          "says where the workbook no longer matches it.")
def layout(workbook: Path, sheets: tuple[str, ...], save: bool) -> None:
    """Show how the workbook is read: the plan sheets, the header rows, for each field the column
    read with three of its values, and the columns and sheets left out and why."""
    from plantools.read.confirm import layout as read_layout
    from plantools.report import layout_lines

    for line in layout_lines(read_layout(workbook, sheets, save)):
        click.echo(line)


@main.command()
@click.argument("path", type=File("the name of the new workbook"))
@click.option("--title", default="Business Plan", show_default=True, help="The plan's title row.")
def new(path: Path, title: str) -> None:
    """Write an empty plan workbook in plantools' layout, e.g. for next year's plan."""
    from plantools.template import new_plan

    click.echo(f"wrote {new_plan(path, title)}")


def _day(value) -> date:
    return value or date.today()


@main.command()
@workbook_argument
@sheet_option
@month_option("this copy")
@click.option("--out", type=Folder("a folder for the copies"), default=None,
              help="Folder of the monthly copies. Default: 'monthly' beside the workbook.")
@run_options("Replace an existing copy for the same month.", stale=True)
def consolidate(workbook: Path, sheets: tuple[str, ...], month: str, out: Path | None, options: RunOptions,
                stale_months: int) -> None:
    """Write the month's consolidated copy of the plan, a board paper: Highlights, Plan,
    Summary, Exceptions, Change log (against the newest earlier copy in --out),
    Completeness and Key. The shared workbook is only read."""
    from plantools.jobs import consolidate as run
    from plantools.read.workbook import load_plan
    from plantools.report import copy_lines

    plan = load_plan(workbook, sheets, given_month())
    _say_where(workbook)
    _say_month(plan, month)
    _say_last_saved(plan)
    result = run(plan, month, out, **asdict(options), stale_months=stale_months)
    for line in copy_lines(result):
        click.echo(line)


@main.command(name="format")
@click.argument("workbook", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--backup-dir", type=Folder("a folder for the backup"), default=None,
              help="Where the dated backup goes. Default: 'backups' beside the workbook.")
def format_command(workbook: Path, backup_dir: Path | None) -> None:
    """Add RAG colours and a RAG dropdown to the shared workbook itself, so staff see the
    colours as they edit. The only command that writes into the shared workbook: it backs it
    up first, and refuses while it is open in Excel or when saving would lose anything."""
    from plantools.format import format_workbook

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
@sheet_option
@month_option("these packs")
@click.option("--out", type=Folder("a folder for the packs"), default=None,
              help="Folder for the packs. Default: 'packs/<month>' beside the workbook.")
@mail_options
@run_options("Remake packs already in the folder.")
def packs(workbook: Path, sheets: tuple[str, ...], month: str, out: Path | None, mail: Mail,
          options: RunOptions) -> None:
    """Write one workbook per governance body with the actions it oversees, an email draft
    (.eml) beside each, and manifest.csv saying who gets what. Nothing confidential travels."""
    from plantools.jobs import make_packs
    from plantools.read.workbook import load_plan
    from plantools.report import packs_lines

    plan = load_plan(workbook, sheets, given_month())
    _say_where(workbook)
    _say_month(plan, month)
    _say_last_saved(plan)
    run = make_packs(plan, month, out, **asdict(options), **asdict(mail))
    for line in packs_lines(run):
        click.echo(line)


@main.command()
@workbook_argument
@sheet_option
@month_option("the copy and the packs")
@click.option("--out", type=Folder("a folder for the copies and packs"), default=None,
              help="Where 'monthly' (the copies) and 'packs/<month>' go. Default: beside the workbook.")
@mail_options
@run_options("Replace this month's copy and packs.", stale=True)
def monthly(workbook: Path, sheets: tuple[str, ...], month: str, out: Path | None, mail: Mail,
            options: RunOptions, stale_months: int) -> None:
    """The monthly job: `consolidate`, then `packs`, from one reading of the workbook
    (on a machine with two cores, large plans' packs are written meanwhile)."""
    from plantools.jobs import head_start, run_month
    from plantools.read.workbook import load_plan
    from plantools.report import copy_lines, packs_lines

    copies, packs_dir = bundled.copies_folder(workbook, out), bundled.packs_folder(workbook, month, out)
    with head_start(workbook, month, copies) as ahead:  # last month's copy read meanwhile
        plan = load_plan(workbook, sheets, given_month())
        _say_where(workbook)
        _say_month(plan, month)
        _say_last_saved(plan)
        result, run = run_month(plan, month, copies, packs_dir, **asdict(options), **asdict(mail),
                                stale_months=stale_months, parallel=True, ahead=ahead)
    for line in [*copy_lines(result), *packs_lines(run)]:
        click.echo(line)


@main.command()
@click.argument("returns", nargs=-1, required=True, type=File("the returned workbooks in it"),
                callback=expand_wildcards)
@click.option("--into", "workbook", type=File("the shared workbook"), required=True,
              help="The shared workbook the packs were made from.")
@click.option("--backup-dir", type=Folder("a folder for the backup"), default=None,
              help="Where the backup goes before anything is written. Default: 'backups' beside the workbook.")
@click.option("--packs", "packs_dir", type=Folder("the folder the packs were made in"), default=None,
              help="The folder the packs were made in (its sent.json says what was sent to whom). "
                   "Default: 'packs/<month>' beside the workbook.")
@click.option("--yes", is_flag=True, help="Really write. Without it, only show what would be written where.")
def collect(returns: tuple[Path, ...], workbook: Path, backup_dir: Path | None, packs_dir: Path | None,
            yes: bool) -> None:
    """Fold returned packs (.xlsx, or mail files carrying one: .eml, or .msg dragged out of
    Outlook) back into the shared workbook: the RAG and progress each sub-group changed, cell
    by cell. Conflicts and bad values are listed, never written; proposed deadlines are listed
    for the board.

    Without --yes nothing is written. With it, only the changed cells change (every other
    part of the workbook is kept byte for byte), after a backup, and returns.csv beside the
    workbook records every decision. Exit status: 0 all written, 1 conflicts or bad values
    to look at, 2 nothing could be done.
    """
    from plantools.report import collect_lines
    from plantools.returns.match import collect as run

    result = run(list(returns), workbook, write=yes, backup_dir=backup_dir, packs_dir=packs_dir)
    for line in collect_lines(result):
        click.echo(line)
    sys.exit(1 if result.of("conflict") or result.of("bad value") else 0)


@main.command()
@workbook_argument
@sheet_option
@click.option("--out", type=File("the name of the workbook to write"), default=None,
              help="The workbook to write. Default: '<workbook name> Governance.xlsx' beside the workbook.")
def governance(workbook: Path, sheets: tuple[str, ...], out: Path | None) -> None:
    """Write a starting Governance sheet for a plan that has none: each body its governance
    cells name, the other spellings found and an empty email column, to correct and copy
    into the shared workbook."""
    from plantools.read.workbook import load_plan
    from plantools.template import write_governance_workbook

    plan = load_plan(workbook, sheets)
    if plan.bodies and not plan.bodies[0].inferred:
        click.echo(f"{workbook} already has a Governance sheet ({len(plan.bodies)} bodies): nothing written")
        return
    target = write_governance_workbook(plan, out or workbook.with_name(f"{workbook.stem} Governance.xlsx"))
    click.echo(f"wrote {target}: {len(plan.bodies)} bodies; add their email addresses, then copy the sheet "
               "into the shared workbook and name it Governance")


@main.command()
@click.argument("folder", type=Folder("the folder of monthly copies"))
@click.option("--out", type=File("the name of the table, .xlsx or .csv"), default=None,
              help="The table to write, .xlsx or .csv. Default: '<plan> history.xlsx' in FOLDER.")
@click.option("--plan", default=None, help="Whose copies, if FOLDER holds copies of more than one plan.")
def history(folder: Path, out: Path | None, plan: str | None) -> None:
    """A year of the monthly copies in FOLDER as one table for the annual report: each
    action each month, with its RAG, deadline, owner, progress and that month's changes.
    Needs pandas (pip install plantools[pandas])."""
    from plantools.history import default_path, write_history
    from plantools.history import history as table
    from plantools.report import history_line

    try:
        frame = table(folder, plan)
    except ModuleNotFoundError as error:
        if error.name != "pandas":
            raise
        raise click.ClickException(str(error)) from None
    out = out or default_path(folder, plan)
    write_history(frame, out)
    click.echo(history_line(frame, out))


send_sender_option = click.option(
    "--sender", default=lambda: os.environ.get("PLANTOOLS_SENDER", ""), callback=_check_address,
    help="The From address, if the drafts have none. Default: $PLANTOOLS_SENDER. With --via graph "
         "the drafts go as they are, from the mailbox signed in.")
time_limit_option = click.option(
    "--time-limit", type=Number(1, whole=False), default=300, show_default=True,
    help="Seconds that connecting, or sending one message, may take in all.")


@main.command()
@click.argument("folder", type=Folder("the packs folder that plantools packs wrote"))
@server_options
@send_sender_option
@click.option("--resend", is_flag=True,
              help="Send again drafts that sent.csv says were sent (e.g. after packs --force remade them).")
@time_limit_option
@click.option("--yes", is_flag=True, help="Really send. Without it, only show what would go to whom.")
def send(folder: Path, server: Server, sign_in: SignIn | None, sender: str, resend: bool, time_limit: float,
         yes: bool) -> None:
    """Send the email drafts that plantools packs wrote into FOLDER, one send at a time per
    folder. FOLDER/sent.csv records what became of each recipient: nobody gets a draft twice,
    an address refused for now (4xx) is tried again on the next run, one refused for good
    (5xx) is reported. A draft remade by packs --force after it went is skipped unless --resend.
    For Microsoft 365, sign in with --oauth (see docs/m365.md).

    Exit status: 0 all delivered, 1 something to retry or fix, 2 nothing could be sent."""
    from plantools.report import preview_line, send_lines
    from plantools.send.smtp import preview, send_drafts

    drafts = preview(folder, sender, resend)
    if server.via == "smtp":  # Graph sends from the mailbox signed in
        _refuse_without_sender(folder, drafts, sender)
    # a draft that no run can send as it is: a bad address, or every recipient refused it for good
    stuck = {d.path for d in drafts if d.problem or not (d.waiting or d.sent_on)}
    if not yes:
        for draft in drafts:
            click.echo(preview_line(draft))
        click.echo("nothing sent: add --yes to send")
        if stuck:
            sys.exit(2 if all(d.path in stuck for d in drafts) else 1)
        return
    run = send_drafts(folder, ready_server(server, sign_in, sender), sender, resend, time_limit, report=_say_outcome)
    for line in send_lines(run):
        click.echo(line)
    if not run.complete:
        if any(o.draft not in stuck for o in run.failed):
            click.echo("run the same command again to retry what was refused for now or not sent; "
                       "an address refused for good needs correcting first", err=True)
        else:
            click.echo("correct the drafts or addresses listed above, then run the same command again", err=True)
        sys.exit(1 if run.sent or run.already_sent else 2)


def _say_outcome(outcome: Outcome) -> None:
    """As each message goes (or fails): for send and chase alike."""
    from plantools.report import outcome_line

    click.echo(outcome_line(outcome))


def ready_server(server: Server, sign_in: SignIn | None, sender: str) -> Server:
    """The server of server_options with its secret: the access token (a sign-in, or the token
    command), or the password for --user ($PLANTOOLS_SMTP_PASSWORD, else a prompt)."""
    from email.utils import parseaddr

    from plantools.send.oauth import access_token

    if sign_in is not None:
        account = server.user or (parseaddr(sender)[1] if server.via == "smtp" else "")
        if server.via == "smtp" and not account:
            raise click.UsageError("with a token, SMTP signs in as a mailbox: give --user or --sender, "
                                   "e.g. --sender bsu@council.example")
        token = access_token(sign_in, server.via, account, say=lambda text: click.echo(text, err=True),
                             interactive=sys.stdin.isatty())
        return replace(server, token=token)
    if server.user:
        return replace(server, password=os.environ.get("PLANTOOLS_SMTP_PASSWORD") or click.prompt(
            f"Password for {server.user} on {server.host}", hide_input=True))
    return server


def _refuse_without_sender(folder: Path, drafts: list[Draft], sender: str) -> None:
    """Said once, before anything is tried, rather than as each draft's failure."""
    unsigned = [d for d in drafts if d.waiting and not (sender or d.message["From"])]
    if unsigned:
        which = "the drafts have" if len(unsigned) == len(drafts) else f"{len(unsigned)} of the drafts have"
        raise PlanError(folder, f"{which} no sender (From): give --sender, e.g. --sender bsu@council.example, "
                                "or set PLANTOOLS_SENDER")


packs_folder_argument = click.argument("folder", type=Folder("the packs folder that plantools monthly or packs wrote"),
                                       required=False)


def _packs_folder(folder: Path | None) -> Path:
    """The packs folder given, else this month's beside the bundled plan (as monthly makes it)."""
    from plantools.plan.months import this_month

    return folder or bundled.packs_folder(_bundled_plan(), this_month())


@main.command()
@packs_folder_argument
@today_option
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A table to read, or JSON for other programs (a scheduled task).")
def status(folder: Path | None, today: date | None, output: str) -> None:
    """Where the month's returns round stands: for each body whose pack is in FOLDER, sent (when,
    to whom), returned (when, cells applied, conflicts waiting) or outstanding (reply-by date,
    days left or late). FOLDER defaults to this month's packs beside the bundled plan.

    Exit status: 0 nothing outstanding past its reply-by date, 1 something is (a scheduled task
    can act on it, e.g. run chase), 2 the folder cannot be read."""
    from plantools.report import status_lines
    from plantools.round.status import round_status

    result = round_status(_packs_folder(folder), today)
    if output == "json":
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        for line in status_lines(result):
            click.echo(line)
    sys.exit(1 if result.late else 0)


@main.command()
@packs_folder_argument
@server_options
@send_sender_option
@today_option
@click.option("--again", is_flag=True, help="Send another reminder to bodies already reminded today.")
@due_weeks_option
@time_limit_option
@click.option("--yes", is_flag=True, help="Really send. Without it, only show who would be chased and why.")
def chase(folder: Path | None, server: Server, sign_in: SignIn | None, sender: str, today: date | None, again: bool,
          due_weeks: int | None, time_limit: float, yes: bool) -> None:
    """Remind each body whose pack in FOLDER has not come back (or came back with conflicts to
    resolve), its pack attached again, with what falls due and what is overdue. The reminders
    are written into FOLDER/reminders (never sent by send) and sent as send sends: chased.csv
    records each recipient, one chase or send at a time per folder, an address refused for now
    (4xx) is tried again on the next run. One reminder per body a day, unless --again. The mail
    server's options are send's (Microsoft 365 too).

    Exit status: 0 all delivered (or nothing to chase), 1 something to retry or fix."""
    from plantools.report import chase_lines
    from plantools.round.chase import chase as run_chase

    folder = _packs_folder(folder)
    ready = ready_server(server, sign_in, sender) if yes else None
    run = run_chase(folder, ready, sender, today, again, due_weeks, time_limit, report=_say_outcome)
    for line in chase_lines(run):
        click.echo(line)
    sys.exit(0 if run.sent is None or run.sent.complete else 1)
