"""The docs cannot drift: the command examples in the README and docs/ are what the commands
print today, every command and option is documented, docs/api.md documents and runs, and the
README stays short, with its two commands first."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import plantools
from plantools.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
API = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
DOCS = {path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
        for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]}
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def test_doc_examples_are_what_the_commands_print_today():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "docs.py"), "--check"],
                          capture_output=True, text=True, env=ENV, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_docs_check_names_a_block_that_differs(tmp_path):
    """--check fails, naming the block, when the README holds something else."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import docs

    stale = COMMANDS.replace("$ plantools new ", "$ plantools new --old ", 1)
    _, changed = docs.rewritten(stale, {"new"}, "docs/commands.md")
    assert changed == ["new"]


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_and_its_options_are_in_the_command_docs(name):
    heading = re.search(rf"^## `plantools {name}\b(.*)`$", COMMANDS, re.M)
    assert heading, f"docs/commands.md has no '## `plantools {name} ...`' section"
    section = COMMANDS[heading.start():].split("\n## ", 1)[0]
    for param in main.commands[name].params:
        for option in param.opts:
            if option.startswith("--"):
                assert option in section, f"plantools {name}: {option} is not in its docs/commands.md section"
    assert f"| `plantools {name}" in README, f"the README's table of commands has no plantools {name}"


@pytest.mark.parametrize("name", plantools.__all__)
def test_every_exported_name_is_in_the_api_docs(name):
    assert re.search(rf"^#+ .*`{name}\b|^#+ {name}\b|\*\*`{name}`\*\*", API, re.M), \
        f"docs/api.md has no heading or entry for plantools.{name}"


def api_examples() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", API, re.M | re.S)


def test_api_docs_hold_an_example_per_function():
    functions = [n for n in plantools.__all__ if n[0].islower()]
    examples = "\n".join(api_examples())
    assert [n for n in functions if f"plantools.{n}(" not in examples] == []


@pytest.mark.parametrize("number", range(len(api_examples())))
def test_api_example_runs(number, tmp_path):
    """Each example of docs/api.md as a script, in an empty folder, as a user would run it."""
    script = tmp_path / "example.py"
    script.write_text(api_examples()[number], encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                          env=ENV, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("where", sorted(DOCS))
def test_every_plantools_command_line_in_the_docs_is_made_by_the_script(where):
    """A `$ plantools ...` typed by hand outside the marked blocks would drift."""
    outside = re.sub(r"<!-- example: [\w-]+ -->.*?<!-- /example -->", "", DOCS[where], flags=re.S)
    assert re.findall(r"^\s*\$ (?:python -m )?plantools .*", outside, re.M) == []


def test_the_install_docs_state_the_minimum_versions_ci_installs():
    pins = re.findall(r"^([\w-]+)==([\w.]+)", (ROOT / ".ci" / "minimum.txt").read_text(), re.M)
    install = DOCS["docs/install.md"]
    assert pins and [f"{name} {version}" for name, version in pins
                     if f"{name} {version}" not in install] == []


def test_the_readme_is_short_and_starts_with_the_two_commands():
    assert len(README.splitlines()) <= 160  # read in five minutes; the rest is in docs/
    first_block = re.search(r"^```\n(.*?)^```$", README, re.M | re.S)
    assert first_block and first_block[1].splitlines() == [
        "python -m pip install -q -e . && python -m plantools monthly --month 2018-11",
        'python -m pip install -q -e ".[test]" && python -m pytest']
    # and the README shows what the first of them prints (made by scripts/docs.py, example "first")
    assert "$ python -m plantools monthly --month 2018-11\n" in README


@pytest.mark.parametrize("where", sorted(DOCS))
def test_every_link_between_the_docs_leads_somewhere(where):
    folder = (ROOT / where).parent
    targets = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", DOCS[where])
    missing = [t for t in targets if not (folder / t).exists()]
    assert missing == [], f"{where} links to files that are not there: {missing}"
