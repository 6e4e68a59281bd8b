"""The wheel: what it carries, and the bundled plan found and used from it, away from the source
tree. (.ci/run also installs it into a fresh virtual environment and runs the monthly job.)"""

import configparser
import email
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel pip builds from this tree, as `pip install .` does (setuptools fetched as
    pyproject.toml says, like the install that ran these tests)."""
    out = tmp_path_factory.mktemp("dist")
    source = tmp_path_factory.mktemp("src") / "plantools"  # a copy, so the build leaves the tree as it was
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", "build", "*.egg-info", "__pycache__"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    [path] = out.glob("plantools-*.whl")
    return path


def test_wheel_carries_the_bundled_plans_and_the_licence_and_needs_no_pandas(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = email.message_from_bytes(archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))))
    bundled = {n for n in names if n.startswith("plantools/workbooks/")}
    assert bundled == {f"plantools/workbooks/{p.name}" for p in (ROOT / "workbooks").glob("*.xlsx")}
    assert len(bundled) == 2
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not any(n.startswith(("tests/", "workbooks/", "scripts/")) for n in names)
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "plantools").rglob("*.py")}
    assert modules <= set(names), f"left out of the wheel: {sorted(modules - set(names))}"  # every room
    assert metadata["License"] == "MIT" and metadata["Requires-Python"] == ">=3.11"
    core = [r for r in metadata.get_all("Requires-Dist") if "extra ==" not in r]
    assert core and not any(r.startswith(("pandas", "numpy")) for r in core)
    assert any(r.startswith("pandas") and 'extra == "pandas"' in r for r in metadata.get_all("Requires-Dist"))


def test_unpacked_wheel_finds_its_bundled_plan_and_writes_into_the_current_folder(wheel, tmp_path):
    installed = tmp_path / "site-packages"
    zipfile.ZipFile(wheel).extractall(installed)
    elsewhere = tmp_path / "a folder with spaces"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(installed)}
    check = subprocess.run([sys.executable, "-m", "plantools", "check"], capture_output=True, text=True,
                           cwd=elsewhere, env=env)
    bundled = installed / "plantools" / "workbooks" / "MSCB Business Plan 2018-19.xlsx"
    assert check.returncode == 1, check.stderr  # the published plan has errors
    assert check.stdout.splitlines()[0] == str(bundled)
    run = subprocess.run([sys.executable, "-m", "plantools", "consolidate", "--month", "2018-11"],
                         capture_output=True, text=True, cwd=elsewhere, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0] == (
        f"The bundled plan is installed read-only: writing into the current folder, {elsewhere}")
    assert (elsewhere / "monthly" / "MSCB Business Plan 2018-19 2018-11.xlsx").is_file()
    assert sorted(p.name for p in bundled.parent.iterdir()) == ["MSCB Business Plan 2012-13.xlsx",
                                                               "MSCB Business Plan 2018-19.xlsx"]


@pytest.mark.parametrize("batch", ["scripts/monthly.bat", "scripts/chase.bat"])
def test_batch_file_is_crlf_in_the_repository_itself(batch):
    """Not only in this checkout: git keeps the bytes (.gitattributes), whatever core.autocrlf says."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(["git", "ls-files", "--eol", batch], capture_output=True, text=True, cwd=ROOT)
    assert listed.stdout.split()[:2] == ["i/crlf", "w/crlf"], listed.stdout


def test_the_minimums_ci_installs_are_the_ones_setup_cfg_declares():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    requirements = config["options"]["install_requires"].split()
    requirements += [r for extra in config["options.extras_require"].values() for r in extra.split()]
    declared = dict(re.fullmatch(r"([\w.-]+)>=([\w.]+)(?:,<[\w.]+)?", r).groups() for r in requirements)
    pinned = dict(line.split("#")[0].strip().split("==")
                  for line in (ROOT / ".ci" / "minimum.txt").read_text(encoding="utf-8").splitlines()
                  if line.split("#")[0].strip())
    assert {name: pinned.get(name) for name in declared} == declared
