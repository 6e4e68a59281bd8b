"""What a command loads: only what it uses. `check` and `monthly` send no mail, start no second
process for a small plan and never use pandas, so none of those is imported (each costs start-up
time on every run); and `import plantools` loads its exports only as they are used."""

import json
import os
import subprocess
import sys

import pytest
from conftest import BUNDLED_2018, ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
NOT_AT_START = ["smtplib", "ssl", "hmac", "multiprocessing", "concurrent.futures", "logging", "pandas", "openpyxl",
                "plantools.send.smtp", "plantools.returns.match", "plantools.history", "plantools.template",
                "plantools.format",
                # the bundled plan's bodies have no email address, so no draft is made: the email
                # package and socket (which email.utils imports) are left alone; pickle is for the
                # second process, difflib for a mistyped command
                "email", "email.utils", "email.policy", "email.message", "socket", "pickle", "difflib",
                "plantools.xlsx.edit"]  # collect's editing of a workbook in place

RUN_COMMAND = """
import json
import sys

from plantools.cli import main

try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def loaded(tmp_path, *args: str) -> set[str]:
    """The modules loaded once the CLI has run `args` in a fresh interpreter."""
    script = tmp_path / "run.py"
    script.write_text(RUN_COMMAND, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, env=ENV,
                          cwd=tmp_path, timeout=300)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("command", [["check"], ["monthly", "--month", "2019-03"]])
def test_check_and_monthly_import_no_mail_pool_or_pandas(tmp_path, command):
    out = ["--out", str(tmp_path / "out")] if command[0] == "monthly" else []
    modules = loaded(tmp_path, *command, str(BUNDLED_2018), *out)
    assert "plantools.read.workbook" in modules  # the command did run
    assert sorted(set(NOT_AT_START) & modules) == []
    if command[0] == "check":  # it writes no workbook
        assert "xlsxwriter" not in modules
    if command[0] == "monthly":
        assert list((tmp_path / "out" / "monthly").glob("*.xlsx"))  # and wrote the copy


def test_import_plantools_loads_each_export_when_first_used():
    done = subprocess.run([sys.executable, "-c", """
import sys
import plantools
before = sorted(m for m in sys.modules if m.startswith("plantools."))
consolidate = plantools.consolidate
print(before, "plantools.jobs" in sys.modules, consolidate.__module__, set(plantools.__all__) <= set(dir(plantools)))
"""], capture_output=True, text=True, env=ENV, timeout=120)
    assert done.stdout.split() == ["[]", "True", "plantools.jobs", "True"], done.stderr
    with pytest.raises(AttributeError):
        import plantools

        plantools.no_such_thing  # noqa: B018


def test_history_the_function_is_not_shadowed_by_history_the_module():
    """plantools.history is the exported function even when its module, plantools/history.py,
    was imported first (importing a submodule makes it an attribute of its package)."""
    done = subprocess.run([sys.executable, "-c", """
import plantools.history
from plantools.history import history
import plantools
print(plantools.history is history, callable(plantools.history), plantools.history.__module__)
"""], capture_output=True, text=True, env=ENV, timeout=120)
    assert done.stdout.split() == ["True", "True", "plantools.history"], done.stderr


def test_a_command_leaves_its_objects_to_the_end_of_the_process(tmp_path):
    """At exit, what the command made is frozen (gc.freeze): Python's last collection then does
    not walk and free it object by object, which was a quarter of the bundled plan's `monthly`
    above the bare imports. Seen from an exit hook registered before the command, so run after it."""
    script = tmp_path / "run.py"
    script.write_text("""
import atexit
import gc
import sys

atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0, file=sys.stderr))
from plantools.cli import main

print("frozen while it runs:", gc.get_freeze_count() > 0, file=sys.stderr)
main(sys.argv[1:])
""", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), "check", str(BUNDLED_2018)], capture_output=True, text=True,
                          env=ENV, cwd=tmp_path, timeout=300)
    assert done.returncode == 1  # the bundled plan's findings: the command ran to its end
    assert done.stderr.splitlines()[0] == "frozen while it runs: False"
    assert done.stderr.splitlines()[-1] == "frozen at exit: True"
