"""Every usage error is one line in the officer's words, with an example: generated from the
click commands' own parameters, so a new option is covered the day it is added."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from plantools.cli import EXAMPLES, Day, File, Folder, Number, example, main

JARGON = ("Usage:", "Invalid value", "Traceback", "%Y", "x>=", "valid integer", "Directory '", "File '")


def params(kind):
    return [(name, param) for name, command in sorted(main.commands.items()) for param in command.params
            if isinstance(param, kind) and not getattr(param, "is_flag", False) and param.name != "help"]


def one_line(args: list[str], with_example: bool = True) -> str:
    result = CliRunner(env={"PLANTOOLS_SENDER": ""}).invoke(main, args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert not [word for word in JARGON if word in lines[0]], lines[0]
    assert "e.g. " in lines[0] or not with_example, lines[0]  # an example of what is right
    return lines[0]


@pytest.mark.parametrize("command, param", params(click.Parameter), ids=lambda v: getattr(v, "name", v))
def test_every_parameter_has_an_example(command, param):
    value = EXAMPLES.get(f"{command} {param.name}") or EXAMPLES.get(param.name)
    assert value, f"plantools {command}: no example for {param.name} in cli.EXAMPLES"


@pytest.mark.parametrize("command, param", params(click.Option), ids=lambda v: getattr(v, "name", v))
def test_an_option_without_its_value(command, param):
    option = max(param.opts, key=len)
    assert one_line([command, option]) == f"Error: {option} needs a value, e.g. {example(command, param)}"


FREE_TEXT = {"workbook", "sheets", "plan", "title", "smtp_host", "user",  # checked where they are used
             "tenant", "client_id", "token_command"}  # checked by Microsoft, or by running it


def bad_value(param: click.Parameter, folder: Path) -> str | None:
    """A value the parameter refuses, made from its type (or its check); None for free text."""
    a_file = folder / "Business Plan.xlsx"
    a_file.write_bytes(b"")
    kind = param.type
    if isinstance(kind, Day):
        return "30/11/2018"
    if isinstance(kind, Number):
        return "0"
    if isinstance(kind, click.Choice):
        return "A5"
    if isinstance(kind, Folder):
        return str(a_file)
    if isinstance(kind, File):
        return str(folder / "missing.pem") if kind.exists else str(folder)
    if param.name == "month":
        return "Nov 2018"
    if param.name in ("sender", "reply_to"):
        return "bsu"
    if param.name == "graph_url":
        return "http://graph.microsoft.com/v1.0"  # plain http beyond this machine
    return None


def test_only_free_text_parameters_take_any_value(tmp_path):
    assert {p.name for _, p in params(click.Parameter) if bad_value(p, tmp_path) is None} == FREE_TEXT


@pytest.mark.parametrize("command, param", [(c, p) for c, p in params(click.Parameter) if p.name not in FREE_TEXT],
                         ids=lambda v: getattr(v, "name", v))
def test_a_value_the_parameter_refuses(command, param, tmp_path):
    value = bad_value(param, tmp_path)
    assert value is not None
    args = [command, max(param.opts, key=len), value] if isinstance(param, click.Option) else [command, value]
    line = one_line(args)
    named = max(param.opts, key=len) if isinstance(param, click.Option) else f"plantools {command}"
    assert line.startswith(f"Error: {named}: "), line
    assert [p.name for p in tmp_path.iterdir()] == ["Business Plan.xlsx"]  # nothing written


@pytest.mark.parametrize("command, param", [(c, p) for c, p in params(click.Parameter) if p.required],
                         ids=lambda v: getattr(v, "name", v))
def test_a_missing_parameter(command, param):
    needed = {p.name: p for p in main.commands[command].params if p.required and p is not param}
    args = [command]
    for other in needed.values():  # everything else it needs, rightly, so only this one is missing
        value = EXAMPLES.get(f"{command} {other.name}") or EXAMPLES[other.name]
        args += [max(other.opts, key=len), value.strip('"')] if isinstance(other, click.Option) else [value.strip('"')]
    named = max(param.opts, key=len) if isinstance(param, click.Option) else param.human_readable_name
    assert one_line(args) == f"Error: plantools {command} needs {named}, e.g. {example(command, param)}"


@pytest.mark.parametrize("command", sorted(n for n, c in main.commands.items()
                                           if any(isinstance(p, click.Argument) for p in c.params)
                                           and not any(p.required and isinstance(p, click.Option) for p in c.params)
                                           and not any(isinstance(p, click.Argument) and p.nargs == -1 for p in c.params)))
def test_a_name_with_spaces_not_in_quotes(command, tmp_path):
    line = one_line([command, str(tmp_path / "Business"), "Plan 2018-19.xlsx"])
    assert "'Plan 2018-19.xlsx'" in line and "put a name with spaces in quotes" in line


def test_unknown_commands_and_options_say_what_was_meant():
    assert one_line(["mothly"], with_example=False) == \
        "Error: plantools has no command 'mothly' (did you mean monthly?): see plantools --help"
    line = one_line(["monthly", "--mnth", "2018-11"], with_example=False)
    assert line.startswith("Error: plantools monthly has no option --mnth (did you mean --month")
    line = one_line(["send", "packs", "--tls"], with_example=False)  # what turns encryption on comes first
    assert "(did you mean --starttls" in line and line.index("--starttls") < line.index("--no-tls")


# the three the issue names, word for word

def test_a_month_in_words():
    assert one_line(["monthly", "--month", "Nov 2018"]) == \
        "Error: --month: 'Nov 2018' is not a month: write it as YYYY-MM, e.g. 2018-11"
    assert "\x1b" not in one_line(["monthly", "--paper", "A\n5\x1b[2J"])  # one line (checked there), no escapes


def test_a_uk_date_is_answered_with_the_date_it_meant():
    assert one_line(["check", "--today", "30/11/2018"]) == (
        "Error: --today: '30/11/2018' is not a date written YYYY-MM-DD: write it as 2018-11-30, "
        "e.g. --today 2018-11-30")
    # 01/02/2019 is 1 February here and 2 January elsewhere: not guessed
    assert one_line(["check", "--today", "01/02/2019"]) == \
        "Error: --today: '01/02/2019' is not a date written YYYY-MM-DD, e.g. --today 2018-11-30"


def test_send_given_the_workbook_asks_for_the_packs_folder(tmp_path):
    workbook = tmp_path / "Business Plan.xlsx"
    workbook.write_bytes(b"")
    assert one_line(["send", str(workbook), "--smtp-host", "127.0.0.1"]) == (
        f"Error: plantools send: '{workbook}' is a file: give the packs folder that plantools packs wrote, "
        "e.g. plantools send packs\\2018-11")


def test_plain_plantools_still_shows_its_help():
    result = CliRunner().invoke(main, [])
    assert "Commands:" in result.output and "Error" not in result.output
