"""What `packs` and `monthly` write: a safe, distinct file per body, never over a file that
plantools did not write (without --force) nor ever over the shared workbook, and all or
nothing: a run that fails leaves no pack ready to send."""

import csv
import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from bench import write_generated
from click.testing import CliRunner, Result
from conftest import BUNDLED_2018, PLAN_HEADER, digest

from plantools import jobs
from plantools.cli import main
from plantools.plan import rag
from plantools.xlsx.files import TEMP_PREFIX

# (name, alias the plan uses, email): names that are one file name once made safe, or where
# case does not count, and names that no disk takes as they are
AWKWARD_BODIES = [
    ("A/B Group", "AB1", "ab1@example.org"), ("A:B Group", "AB2", "ab2@example.org"),
    ("QA Sub-Group", "QA1", "qa1@example.org"), ("a-b group", "AB3", "ab3@example.org"),
    ("Line\nbreak Group", "LB", ""), ("CON", "Console", "con@example.org"),
    ("Trailing dots...", "TD", "td@example.org"), ("Bell\x07 Group\x1b[31m", "BG", "bg@example.org"),
]
WINDOWS_REFUSES = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]|[ .]$|^(con|prn|aux|nul|com\d|lpt\d)(\.|$)', re.IGNORECASE)


def xlsx_plan(path: Path, actions: list[list], bodies: list[tuple]) -> Path:
    """conftest.simple_plan's layout, written with xlsxwriter, which keeps control characters
    (saved as _x0007_, as Excel does; openpyxl refuses them)."""
    book = xlsxwriter.Workbook(str(path))
    for name, rows in {"Plan": [["Partnership business plan"], [], PLAN_HEADER, *actions],
                       "Governance": [["Governance body", "Also written as", "Email"], *bodies]}.items():
        sheet = book.add_worksheet(name)
        for row, values in enumerate(rows):
            for col, value in enumerate(values):
                sheet.write_string(row, col, value)
    book.close()
    return path


def awkward_plan(folder: Path) -> Path:
    actions = [[f"{n}.1", "Objective", f"Action for {alias}", "Jo", alias, "May 2019", "Green", ""]
               for n, (_, alias, _) in enumerate(AWKWARD_BODIES, start=1)]
    return xlsx_plan(folder / "Shared Plan.xlsx", actions, AWKWARD_BODIES)


def manifest(folder: Path) -> dict[str, dict]:
    with (folder / "manifest.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {row["body"]: row for row in csv.DictReader(handle)}


def files(folder: Path) -> dict[str, str]:
    return {path.name: digest(path) for path in folder.iterdir() if path.is_file()} if folder.exists() else {}


def invoke(*args) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_body_named_twice_in_other_case_is_one_body_with_every_address(tmp_path):
    """"QA Sub-Group" and "qa sub-group" on two Governance rows name one body (a cell cannot
    tell them apart): one pack, sent to both addresses, each action once."""
    shared = xlsx_plan(tmp_path / "Shared Plan.xlsx", [["1.1", "Objective", "Audit", "Jo", "QA", "May 2019", "", ""]],
                       [("QA Sub-Group", "QA", "qa1@example.org"), ("qa sub-group", "", "qa2@example.org")])
    result = invoke("packs", shared, "--month", "2018-11", "--out", tmp_path / "p")
    assert result.exit_code == 0, result.output
    rows = manifest(tmp_path / "p")
    assert list(rows) == ["QA Sub-Group"]
    assert rows["QA Sub-Group"]["email"] == "qa1@example.org; qa2@example.org"
    assert rows["QA Sub-Group"]["actions"] == "1"


def test_file_names_are_safe_distinct_where_case_does_not_count_and_the_same_each_run(tmp_path):
    shared = awkward_plan(tmp_path)
    for out in ("first", "second"):
        result = invoke("packs", shared, "--month", "2018-11", "--out", tmp_path / out)
        assert result.exit_code == 0, result.output
    rows = manifest(tmp_path / "first")
    names = [rows[body]["pack"] for body, _, _ in AWKWARD_BODIES]
    assert len({name.casefold() for name in names}) == len(AWKWARD_BODIES)  # one file each, on any disk
    assert not [name for name in names if WINDOWS_REFUSES.search(Path(name).stem)]
    assert rows["A/B Group"]["pack"] != rows["A:B Group"]["pack"] and rows["A/B Group"]["pack"].startswith("A-B Group")
    assert rows["Line\nbreak Group"]["pack"] == "Line break Group 2018-11.xlsx"
    for body, alias, _ in AWKWARD_BODIES:  # each file holds its own body's action, and only that
        pack = openpyxl.load_workbook(tmp_path / "first" / rows[body]["pack"], read_only=True)["Plan"]
        header = next(pack.iter_rows(min_row=4, max_row=4, values_only=True))
        actions = [row[header.index("Action")] for row in pack.iter_rows(min_row=5, values_only=True)
                   if row[0] and not rag.is_key_row([str(v or "") for v in row])]
        assert actions == [f"Action for {alias}"], body
    assert [manifest(tmp_path / "second")[body]["pack"] for body, _, _ in AWKWARD_BODIES] == names


def test_a_workbook_staff_saved_under_a_packs_name_is_not_replaced_without_force(tmp_path):
    folder = tmp_path / "shared drive"
    folder.mkdir()
    shared = Path(shutil.copy(BUNDLED_2018, folder / "MSCB Business Plan 2018-19.xlsx"))
    staff = folder / "BIG 2018-11.xlsx"  # the BIG body's pack would have this name
    xlsx_plan(staff, [["9.9", "Staff's own", "Not a pack", "Kim", "BIG", "", "", ""]], [])
    before = files(folder)
    result = invoke("packs", shared, "--month", "2018-11", "--out", folder)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {staff}: is already here and plantools did not write it (a returned "
                             "pack?): move it, or use --force to replace it\n")
    assert files(folder) == before and sorted(p.name for p in folder.iterdir()) == sorted(before)


def test_the_shared_workbook_is_never_replaced_even_with_force(tmp_path):
    folder = tmp_path / "shared drive"
    folder.mkdir()
    shared = Path(shutil.copy(BUNDLED_2018, folder / "BIG 2018-11.xlsx"))  # named as the BIG body's pack
    before = files(folder)
    result = invoke("packs", shared, "--month", "2018-11", "--out", folder, "--force")
    assert result.exit_code == 2 and "is the shared workbook itself: packs are never written over it" in result.stderr
    assert files(folder) == before and sorted(p.name for p in folder.iterdir()) == sorted(before)


def test_a_returned_pack_saved_over_its_original_is_not_ours_any_more(tmp_path):
    shared = awkward_plan(tmp_path)
    out = tmp_path / "packs"
    assert invoke("packs", shared, "--month", "2018-11", "--out", out).exit_code == 0
    returned = out / manifest(out)["CON"]["pack"]
    book = openpyxl.load_workbook(returned)
    book["Plan"]["L5"] = "Done: the chair's update"
    book.save(returned)  # the chair's reply, saved over the pack sent
    before = files(out)
    again = invoke("packs", shared, "--month", "2018-11", "--out", out)
    assert again.exit_code == 2 and f"{returned}: is already here and plantools did not write it" in again.stderr
    assert files(out) == before
    returned.unlink()  # moved away: the rest is plantools' own, and --force remakes it
    assert invoke("packs", shared, "--month", "2018-11", "--out", out, "--force").exit_code == 0
    assert {row["pack"] for row in manifest(out).values() if row["pack"]} <= set(files(out))


def test_a_pack_open_in_excel_is_not_replaced(tmp_path):
    shared = awkward_plan(tmp_path)
    out = tmp_path / "packs"
    assert invoke("packs", shared, "--month", "2018-11", "--out", out).exit_code == 0
    pack = out / manifest(out)["A/B Group"]["pack"]
    (out / f"~${pack.name}").write_bytes(b"\x0bJo Bloggs")  # Excel's owner file while it has the pack open
    before = files(out)
    result = invoke("packs", shared, "--month", "2018-11", "--out", out, "--force")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {pack}: is open in Excel (~${pack.name} is beside it): close it and run again\n"
    assert files(out) == before


@pytest.mark.parametrize("command", ["packs", "monthly"])
def test_a_draft_that_cannot_be_made_leaves_nothing_written(tmp_path, monkeypatch, command):
    """Whatever fails while the packs are written (here the draft of the third body), the
    run leaves no pack, no draft, no manifest, no staging folder and (monthly) no copy, and
    runs again without --force."""
    from plantools.packs import drafts

    shared = awkward_plan(tmp_path)
    real, made = drafts.draft_message, []

    def failing_third(pack, *args, **kwargs):
        made.append(pack.body)
        if len(made) == 3:
            raise ValueError("Header values may not contain linefeed or carriage return characters")
        return real(pack, *args, **kwargs)

    monkeypatch.setattr(drafts, "draft_message", failing_third)
    out = tmp_path / "out"
    result = invoke(command, shared, "--month", "2018-11", "--out", out)
    assert result.exit_code == 2 and len(made) == 3
    assert [path for path in out.rglob("*") if path.is_file()] == []
    monkeypatch.setattr(drafts, "draft_message", real)
    assert invoke(command, shared, "--month", "2018-11", "--out", out).exit_code == 0


@pytest.fixture
def tiny_copies_disk(tmp_path):
    """<out>/monthly on a real file system with 8 KB free: the copy cannot be written, the packs can."""
    if os.name == "nt" or os.geteuid() != 0:
        pytest.skip("mounting a file system needs root on Linux")
    mount = tmp_path / "out" / "monthly"
    mount.mkdir(parents=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    (mount / "other files").write_bytes(b"\0" * (shutil.disk_usage(mount).free - 8192))
    yield tmp_path / "out"
    subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.parametrize("second_process", [False, True])
def test_when_monthly_cannot_write_the_copy_no_pack_is_left_ready_to_send(tiny_copies_disk, monkeypatch,
                                                                        second_process):
    plan = write_generated(tiny_copies_disk.parent / "Plan.xlsx", 100)
    monkeypatch.setattr(jobs, "PARALLEL_FROM", 0 if second_process else 10**9)
    result = invoke("monthly", plan, "--month", "2019-06", "--out", tiny_copies_disk)
    assert result.exit_code == 2 and "the disk is full (No space left on device)" in result.stderr
    assert result.stderr.count("\n") == 1
    packs = tiny_copies_disk / "packs" / "2019-06"
    assert list(packs.iterdir()) == []
    assert [path.name for path in (tiny_copies_disk / "monthly").iterdir()] == ["other files"]


@pytest.mark.parametrize("second_process", [False, True])
def test_monthly_writes_the_copy_and_every_pack(tmp_path, monkeypatch, second_process):
    plan = write_generated(tmp_path / "Plan.xlsx", 60)
    monkeypatch.setattr(jobs, "PARALLEL_FROM", 0 if second_process else 10**9)
    result = invoke("monthly", plan, "--month", "2019-06", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    packs = tmp_path / "out" / "packs" / "2019-06"
    rows = manifest(packs)
    written = {name: sha for name, sha in files(packs).items() if name not in ("manifest.csv", "sent.json")}
    recorded = {row[kind]: row[f"{kind}_sha256"] for row in rows.values() for kind in ("pack", "draft") if row[kind]}
    assert written == recorded and written
    assert not list(packs.glob(TEMP_PREFIX + "*")) and (tmp_path / "out" / "monthly" / "Plan 2019-06.xlsx").exists()


def test_an_address_that_is_none_gets_no_draft_and_the_manifest_says_why(tmp_path):
    shared = xlsx_plan(tmp_path / "Shared Plan.xlsx", [["1.1", "Objective", "Audit", "Jo", "QA", "May 2019", "", ""],
                                                       ["1.2", "Objective", "Train", "Jo", "Policy", "May 2019", "", ""]],
                       [("QA Sub-Group", "QA", "@"), ("Policy Sub-Group", "Policy", "policy@example.org")])
    result = invoke("packs", shared, "--month", "2018-11", "--out", tmp_path / "p")
    assert result.exit_code == 0, result.output
    rows = manifest(tmp_path / "p")
    assert rows["QA Sub-Group"]["draft"] == "" and rows["QA Sub-Group"]["pack"]
    assert rows["QA Sub-Group"]["status"] == "'@' is not an email address: correct it on the Governance sheet"
    assert rows["Policy Sub-Group"]["status"] == "ready to open in Outlook"  # no --sender given
    assert sorted(p.suffix for p in (tmp_path / "p").iterdir()) == [".csv", ".eml", ".json", ".xlsx", ".xlsx"]
