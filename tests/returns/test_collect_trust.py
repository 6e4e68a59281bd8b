"""collect trusts nothing that comes back (issue 18): a return changes only its own body's
actions, as plantools recorded them when it made the pack; every write is in the ledger first;
one writer at a time; the workbook stays the same file; a return is scanned before it is read."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
import zipfile
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest
from conftest import digest
from test_collect import MONTH, cell_values, edit_pack, ledger_rows, make_packs, pack_of, run, shared_plan, wrote_lines

from plantools import collect
from plantools.errors import PlanError
from plantools.returns.ledger import APPLIED, INTENT, MAX_FIELD, NOT_WRITTEN, read_returns_ledger


def record_sheet(path: Path, edit) -> Path:
    """Edit a return's very hidden record sheet, as a sub-group could with openpyxl."""
    book = openpyxl.load_workbook(path)
    edit(book["plantools"], book["Plan"])
    book.save(path)
    return path


def key_header(sheet) -> dict[str, int]:
    header = next(row for row in sheet.iter_rows() if any(c.value == "Return key" for c in row))
    return {c.value: c.column for c in header}


# ---------------------------------------------------------------- authority

def test_rows_and_keys_added_for_other_bodies_actions_are_conflicts_never_written(tmp_path):
    shared = shared_plan(tmp_path)
    before = cell_values(shared)
    packs = make_packs(shared)
    returned = edit_pack(pack_of(packs, "QA Sub-Group"), {"1.2": {"RAG": "Green"}}, tmp_path / "QA return.xlsx")

    added = []

    def add_policys_action(record, plan) -> None:
        columns = key_header(plan)
        row = plan.max_row + 1
        added.append(f"{openpyxl.utils.get_column_letter(columns['Return key'])}{row}")
        for header, value in {"Ref": "1.1", "Action": "Draft the agreement", "RAG": "Green",
                              "Progress update": "All done", "Return key": "Plan!4"}.items():
            plan.cell(row, columns[header]).value = value
        record.append(["Plan!4", "1.1", "Draft the agreement", "Red", "Chair has left"])  # and to its record

    record_sheet(returned, add_policys_action)
    dry = collect([returned], shared)  # the API says the same as the command
    assert [(e.cell, e.bodies) for e in dry.edits] == [("G5", ["QA Sub-Group"])]
    assert [(i.kind, i.field, i.new) for i in dry.items] == [("conflict", "Return key", "Plan!4")]
    result = run("collect", returned, "--into", shared, "--yes", code=1)
    assert wrote_lines(result.output) == ["wrote: Plan!G5  1.2  RAG  'Amber' -> 'Green'  (from QA Sub-Group)"]
    assert (f"conflict: 1.1 Return key 'Plan!4' from QA Sub-Group (QA return.xlsx, sheet Plan, cell {added[0]}): this row's "
            "return key is none of the actions the pack was sent with") in result.output
    after = cell_values(shared)
    assert after["G4"] == before["G4"] == "Red" and after["H4"] == "Chair has left"
    assert {row["body"] for row in ledger_rows(shared)} == {"QA Sub-Group"}


def test_the_body_credited_is_the_one_the_pack_was_made_for(tmp_path):
    shared = shared_plan(tmp_path)
    returned = edit_pack(pack_of(make_packs(shared), "QA Sub-Group"), {"1.2": {"Progress update": "Re-audited"}},
                         tmp_path / "QA return.xlsx")
    record_sheet(returned, lambda record, plan: record.cell(4, 2, "MSCB"))
    assert [e.bodies for e in collect([returned], shared).edits] == [["QA Sub-Group"]]
    result = run("collect", returned, "--into", shared, "--yes", code=0)
    assert wrote_lines(result.output) == ["wrote: Plan!H5  1.2  Progress update  'Late' -> 'Re-audited'  "
                                          "(from QA Sub-Group)"]
    assert "MSCB" not in result.output
    assert [(row["body"], row["new"]) for row in ledger_rows(shared)] == [("QA Sub-Group", "Re-audited")]


def test_values_as_sent_edited_in_the_record_sheet_hide_no_conflict(tmp_path):
    shared = shared_plan(tmp_path)
    returned = edit_pack(pack_of(make_packs(shared), "QA Sub-Group"), {"1.2": {"Progress update": "Ours"}},
                         tmp_path / "QA return.xlsx")
    book = openpyxl.load_workbook(shared)
    book["Plan"]["H5"] = "Staff's note"  # typed in the shared workbook after the pack went out
    book.save(shared)

    def as_if_sent(record, plan) -> None:  # the record sheet made to say the pack was sent with it
        record.append(["Return key", "Ref", "Action", "RAG", "Progress"])
        record.append(["Plan!5", "1.2", "Audit", "Amber", "Staff's note"])

    record_sheet(returned, as_if_sent)
    result = run("collect", returned, "--into", shared, "--yes", code=1)
    assert not wrote_lines(result.output)
    assert ("Plan!H5 has changed in the shared workbook since the pack was made (now 'Staff's note', sent as "
            "'Late')") in result.output
    assert cell_values(shared)["H5"] == "Staff's note"


def test_an_action_moved_to_another_body_since_the_packs_went_out_is_a_conflict(tmp_path):
    shared = shared_plan(tmp_path)
    returned = edit_pack(pack_of(make_packs(shared), "QA Sub-Group"),
                         {"1.2": {"RAG": "Green", "Proposed new deadline": "June 2019"}, "1.3": {"RAG": "Amber"}},
                         tmp_path / "QA return.xlsx")
    book = openpyxl.load_workbook(shared)
    book["Plan"]["E5"] = "Policy"  # 1.2 is the Policy Sub-Group's now
    book["Plan"]["F6"] = "April 2019"  # and 1.3's deadline has moved since the pack was made
    book.save(shared)
    result = run("collect", returned, "--into", shared, code=1)
    assert wrote_lines(result.output) == ["would write: Plan!G6  1.3  RAG  'Green' -> 'Amber'  (from QA Sub-Group)"]
    assert ("conflict: 1.2 RAG 'Green' from QA Sub-Group (QA return.xlsx, sheet Plan, cell H5): Plan!E5 now gives "
            "this action to Policy Sub-Group, not QA Sub-Group") in result.output
    assert "conflict: 1.2 Proposed new deadline 'June 2019'" in result.output

    proposal = edit_pack(pack_of(tmp_path / "packs" / MONTH, "QA Sub-Group"),
                         {"1.3": {"Proposed new deadline": "June 2019"}}, tmp_path / "QA proposal.xlsx")
    result = run("collect", proposal, "--into", shared, code=0)  # "(was ...)": the workbook's, and what was sent
    assert "proposed new deadline for 1.3: June 2019 (was April 2019, sent as Ongoing)" in result.output


def test_a_pack_with_no_record_is_refused_in_one_line(tmp_path):
    shared = shared_plan(tmp_path)
    packs = make_packs(shared)
    old = edit_pack(pack_of(packs, "QA Sub-Group"), {"1.2": {"RAG": "Green"}}, tmp_path / "old.xlsx")
    record_sheet(old, lambda record, plan: record.delete_rows(5))  # as packs were made before the record
    output = run("collect", old, "--into", shared, code=2).output
    assert output.startswith("Error: ") and len(output.splitlines()) == 1
    assert "old.xlsx: is a pack made before plantools kept its own record of what it sent" in output
    forged = edit_pack(pack_of(packs, "QA Sub-Group"), {"1.2": {"RAG": "Green"}}, tmp_path / "forged.xlsx")
    record_sheet(forged, lambda record, plan: record.cell(5, 2, "0123456789abcdef"))
    output = run("collect", forged, "--into", shared, code=2).output
    assert len(output.splitlines()) == 1 and "forged.xlsx: is a pack that" in output and "has no record of" in output
    sent = json.loads((packs / "sent.json").read_text(encoding="utf-8"))
    sent["packs"] = "edited"
    (packs / "sent.json").write_text(json.dumps(sent), encoding="utf-8")
    try:
        collect([forged], shared)
        raise AssertionError("an edited record was trusted")
    except PlanError as error:
        assert "sent.json: is not plantools' record of the packs it sent" in str(error)
    assert not (tmp_path / "returns.csv").exists()
    before = {path.name: digest(path) for path in packs.iterdir()}
    output = run("packs", shared, "--month", MONTH, "--out", packs, "--force", code=2).output
    assert len(output.splitlines()) == 1 and "sent.json: is not plantools' record" in output
    assert {path.name: digest(path) for path in packs.iterdir()} == before  # refused before anything was written


def test_packs_remade_into_the_folder_keep_the_earlier_packs_records(tmp_path):
    shared = shared_plan(tmp_path)
    packs = make_packs(shared)
    first = edit_pack(pack_of(packs, "QA Sub-Group"), {"1.2": {"RAG": "Green"}}, tmp_path / "first.xlsx")
    run("packs", shared, "--month", MONTH, "--out", packs, "--force", code=0)
    second = edit_pack(pack_of(packs, "Policy Sub-Group"), {"2.1": {"RAG": "Green"}}, tmp_path / "second.xlsx")
    result = run("collect", first, second, "--into", shared, code=0)
    assert len(wrote_lines(result.output)) == 2
    assert len(json.loads((packs / "sent.json").read_text(encoding="utf-8"))["packs"]) == 4
    moved = tmp_path / "elsewhere"
    packs.rename(moved)
    assert "Give that folder with --packs" in run("collect", first, "--into", shared, code=2).output
    assert len(wrote_lines(run("collect", first, "--into", shared, "--packs", moved, code=0).output)) == 1
    assert len(collect([first], shared, packs_dir=moved).edits) == 1


# ---------------------------------------------------------------- the ledger, written ahead

ROOT = Path(__file__).resolve().parents[2]


def paused(args: list, point: str, folder: Path) -> subprocess.Popen:
    """`plantools args` in its own process, stopped at `point` (see collect.pause_for_tests):
    returns once it is there."""
    folder.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PLANTOOLS_TEST_PAUSE": point, "PLANTOOLS_TEST_PAUSE_DIR": str(folder)}
    process = subprocess.Popen([sys.executable, "-m", "plantools", *map(str, args)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    while not (folder / f"{point}.reached").exists():
        assert process.poll() is None, process.communicate()[0]
        assert time.monotonic() < deadline, f"never reached {point}"
        time.sleep(0.05)
    return process


def killed(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def qa_return(tmp_path: Path) -> tuple[Path, Path]:
    shared = shared_plan(tmp_path)
    returned = edit_pack(pack_of(make_packs(shared), "QA Sub-Group"), {"1.2": {"RAG": "Green"}},
                         tmp_path / "QA return.xlsx")
    return shared, returned


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_kill_between_intent_and_replace_then_the_next_run_says_not_written(tmp_path):
    shared, returned = qa_return(tmp_path)
    old = digest(shared)
    killed(paused(["collect", returned, "--into", shared, "--yes"], "intent", tmp_path / "hook"))
    assert digest(shared) == old
    assert [(r["cell"], r["result"]) for r in read_returns_ledger(shared)] == [("G5", INTENT)]  # recorded before the write
    result = run("collect", returned, "--into", shared, "--yes", code=0)
    assert wrote_lines(result.output) == ["wrote: Plan!G5  1.2  RAG  'Amber' -> 'Green'  (from QA Sub-Group)"]
    rows = read_returns_ledger(shared)
    assert [(r["cell"], r["result"]) for r in rows] == [("G5", NOT_WRITTEN), ("G5", APPLIED)]
    assert rows[0]["run"] != rows[1]["run"] and cell_values(shared)["G5"] == "Green"


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_kill_between_replace_and_confirm_then_the_next_run_confirms_it(tmp_path):
    shared, returned = qa_return(tmp_path)
    killed(paused(["collect", returned, "--into", shared, "--yes"], "replaced", tmp_path / "hook"))
    assert cell_values(shared)["G5"] == "Green"
    assert [r["result"] for r in read_returns_ledger(shared)] == [INTENT]
    assert "note: returns.csv: a collect was stopped before it said what became of 1 cell(s)" in run(
        "collect", returned, "--into", shared, code=0).output  # the dry run writes nothing, but says so
    assert [r["result"] for r in read_returns_ledger(shared)] == [INTENT]
    # the next run (here: the same return again) settles it from the workbook before anything else
    result = run("collect", returned, "--into", shared, "--yes", code=0)
    assert result.output.startswith("QA return.xlsx: already collected on ") and not wrote_lines(result.output)
    assert [(r["cell"], r["new"], r["body"], r["result"]) for r in read_returns_ledger(shared)] == [
        ("G5", "Green", "QA Sub-Group", APPLIED)]  # and it is not counted twice


def test_a_poisoned_ledger_is_an_error_before_anything_is_written(tmp_path):
    shared, returned = qa_return(tmp_path)
    old = digest(shared)
    ledger = tmp_path / "returns.csv"
    ledger.write_text("when,return,body\r\n2018-11-30,x," + "A" * 140_000 + "\r\n", encoding="utf-8")
    result = run("collect", returned, "--into", shared, "--yes", code=2)
    assert len(result.output.splitlines()) == 1 and "returns.csv: cannot be read" in result.output
    assert digest(shared) == old and "A" * 1000 in ledger.read_text(encoding="utf-8")


def swollen(path: Path, marker: str, text: str) -> Path:
    """A return whose cell holds more than Excel or openpyxl would write: the XML edited."""
    data = {}
    with zipfile.ZipFile(path) as package:
        for info in package.infolist():
            data[info.filename] = package.read(info).replace(marker.encode(), text.encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in data.items():
            package.writestr(name, content)
    return path


def test_a_huge_value_in_a_return_is_bounded_in_the_ledger_and_stops_no_later_run(tmp_path):
    shared = shared_plan(tmp_path)
    packs = make_packs(shared)
    huge = swollen(edit_pack(pack_of(packs, "QA Sub-Group"), {"1.2": {"Progress update": "HUGE"}},
                             tmp_path / "huge.xlsx"), "HUGE", "x" * 140_000)
    result = run("collect", huge, "--into", shared, "--yes", code=1)
    assert "bad value: 1.2 Progress update" in result.output and "more than a cell holds" in result.output
    row = read_returns_ledger(shared)[0]
    assert len(row["new"]) <= MAX_FIELD and row["new"].endswith("(cut: 140,000 characters)")
    fine = edit_pack(pack_of(packs, "Policy Sub-Group"), {"2.1": {"RAG": "Green"}}, tmp_path / "fine.xlsx")
    run("collect", fine, "--into", shared, "--yes", code=0)
    assert [r["result"] for r in read_returns_ledger(shared)][-1] == APPLIED


def test_a_ledger_from_before_the_run_column_is_kept_whole(tmp_path):
    shared, returned = qa_return(tmp_path)
    ledger = tmp_path / "returns.csv"
    old_header = "when,return,body,month,sheet,cell,ref,field,old,new,result"
    ledger.write_text(f"\ufeff{old_header}\r\n2018-10-30T10:00:00,old.xlsx,QA Sub-Group,2018-10,Plan,H5,1.2,"
                      "Progress update,,Started,applied\r\n", encoding="utf-8")
    run("collect", returned, "--into", shared, "--yes", code=0)
    rows = read_returns_ledger(shared)
    assert [(r["return"], r["new"], r["result"]) for r in rows] == [("old.xlsx", "Started", APPLIED),
                                                                    ("QA return.xlsx, sheet Plan, cell H5", "Green",
                                                                     APPLIED)]


# ---------------------------------------------------------------- one writer at a time

def release(process: subprocess.Popen, point: str, folder: Path) -> str:
    (folder / f"{point}.go").write_text("", encoding="utf-8")
    return process.communicate(timeout=120)[0]


@pytest.mark.skipif(os.name == "nt", reason="the test hook's files and signals are POSIX-tested")
def test_two_collects_at_once_the_second_refuses_in_one_line_and_no_write_is_lost(tmp_path):
    shared = shared_plan(tmp_path)
    packs = make_packs(shared)
    qa = edit_pack(pack_of(packs, "QA Sub-Group"), {"1.2": {"RAG": "Green"}}, tmp_path / "QA return.xlsx")
    policy = edit_pack(pack_of(packs, "Policy Sub-Group"), {"2.1": {"RAG": "Amber"}}, tmp_path / "Policy return.xlsx")
    hook = tmp_path / "hook"
    first = paused(["collect", qa, "--into", shared, "--yes"], "intent", hook)  # past its checks, before the replace
    lock = tmp_path / "~$plantools-Shared Plan.xlsx.lock"
    assert json.loads(lock.read_text(encoding="utf-8"))["pid"] == first.pid
    second = run("collect", policy, "--into", shared, "--yes", code=2).output
    assert len(second.splitlines()) == 1
    assert f"Shared Plan.xlsx: is being written by plantools collect (process {first.pid} on " in second
    assert "wait for it to finish and run again; nothing was written" in second
    formatted = run("format", shared, code=2).output
    assert len(formatted.splitlines()) == 1 and "is being written by plantools collect" in formatted
    assert "1 cell written" in release(first, "intent", hook) and first.returncode == 0
    assert not lock.exists()
    run("collect", policy, "--into", shared, "--yes", code=0)
    assert (cell_values(shared)["G5"], cell_values(shared)["G7"]) == ("Green", "Amber")  # both bodies' cells
    assert [(r["body"], r["result"]) for r in read_returns_ledger(shared)] == [("QA Sub-Group", APPLIED),
                                                                      ("Policy Sub-Group", APPLIED)]


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_a_lock_left_by_a_killed_run_is_taken_over(tmp_path):
    shared, returned = qa_return(tmp_path)
    killed(paused(["collect", returned, "--into", shared, "--yes"], "locked", tmp_path / "hook"))
    assert (tmp_path / "~$plantools-Shared Plan.xlsx.lock").exists()
    run("collect", returned, "--into", shared, "--yes", code=0)
    assert cell_values(shared)["G5"] == "Green" and not (tmp_path / "~$plantools-Shared Plan.xlsx.lock").exists()
    other = tmp_path / "~$plantools-Shared Plan.xlsx.lock"  # another machine's, an hour old: still respected
    other.write_text(json.dumps({"pid": 1, "host": "another-pc", "since": "2018-11-30T10:00:00",
                                 "command": "format"}), encoding="utf-8")
    os.utime(other, (time.time() - 3600, time.time() - 3600))
    output = run("collect", returned, "--into", shared, "--yes", code=2).output
    assert "is being written by plantools format (process 1 on another-pc, since 2018-11-30 10:00)" in output


# ---------------------------------------------------------------- the same file to everyone

@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
@pytest.mark.parametrize("mode", [0o640, 0o660, 0o600])
def test_the_workbook_keeps_its_mode_and_group_and_the_backup_is_no_wider(tmp_path, mode):
    shared, returned = qa_return(tmp_path)
    os.chmod(shared, mode)
    before = os.stat(shared)
    run("collect", returned, "--into", shared, "--yes", code=0)
    after = os.stat(shared)
    assert after.st_ino != before.st_ino and cell_values(shared)["G5"] == "Green"  # replaced whole, as ever
    assert (stat.S_IMODE(after.st_mode), after.st_uid, after.st_gid) == (mode, before.st_uid, before.st_gid)
    [backup] = (tmp_path / "backups").iterdir()
    assert stat.S_IMODE(backup.stat().st_mode) & ~mode == 0
    assert stat.S_IMODE((tmp_path / "returns.csv").stat().st_mode) & ~mode == 0  # it holds what was written


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_a_read_only_workbook_is_refused_in_one_line(tmp_path):
    shared, returned = qa_return(tmp_path)
    os.chmod(shared, 0o444)
    old = digest(shared)
    output = run("collect", returned, "--into", shared, "--yes", code=2).output
    assert len(output.splitlines()) == 1 and "Shared Plan.xlsx: is read-only" in output
    assert digest(shared) == old and stat.S_IMODE(os.stat(shared).st_mode) == 0o444
    assert not (tmp_path / "backups").exists()
    assert [r["result"] for r in read_returns_ledger(shared)] == [  # the intent said what became of it, at once
        "not written: is read-only: make it writable (or ask whoever made it read-only) and run again; "
        "nothing was written"]


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_a_workbook_reached_through_a_link_is_written_where_it_is(tmp_path):
    shared, returned = qa_return(tmp_path)
    real = tmp_path / "drive" / "Shared Plan.xlsx"
    real.parent.mkdir()
    shared.rename(real)
    shared.symlink_to(real)
    run("collect", returned, "--into", shared, "--yes", code=0)
    assert shared.is_symlink() and shared.resolve() == real
    assert cell_values(real)["G5"] == "Green"
    assert [p.name for p in real.parent.iterdir()] == ["Shared Plan.xlsx"]  # no temp, no lock left


# ---------------------------------------------------------------- every return scanned before it is read

def plantools_process(*args) -> subprocess.CompletedProcess:
    """plantools in its own process, so a crash (a signal) is a failed test, not a lost run."""
    return subprocess.run([sys.executable, "-m", "plantools", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)


def test_a_value_in_the_far_corner_of_a_return_is_refused_in_one_line(tmp_path):
    shared, returned = qa_return(tmp_path)
    book = openpyxl.load_workbook(returned)
    book["Plan"]["XFD1048576"] = "x"
    book.save(returned)
    done = plantools_process("collect", returned, "--into", shared, "--yes")
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.splitlines()) == 1 and not done.stdout
    assert ("QA return.xlsx, sheet 'Plan', cell XFD1048576: has a value as far as XFD1048576 (1,048,576 rows by "
            "16,384 columns), far outside the form") in done.stderr
    assert not (tmp_path / "returns.csv").exists()


# ---------------------------------------------------------------- what the officer approves cannot be forged

FORGED = "\nwould write: Plan!G4  1.1  RAG  'Red' -> 'Green'  (from MSCB)\u202e"


@pytest.mark.skipif(os.name == "nt", reason="a line break in a file name is POSIX's")
def test_a_line_in_a_file_or_attachment_name_prints_no_line_of_its_own(tmp_path):
    shared, returned = qa_return(tmp_path)
    named = returned.rename(tmp_path / f"QA{FORGED}.xlsx")
    reply = EmailMessage()
    reply["From"], reply["To"], reply["Subject"] = "qa@example.org", "bsu@example.org", "RE: pack"
    reply.set_content("Attached.\n")
    for name, data in ((f"QA{FORGED}.xlsx", named.read_bytes()), (f"figures{FORGED}.xlsx", shared.read_bytes())):
        reply.add_attachment(data, maintype="application", filename=name,
                             subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    mail = tmp_path / f"RE{FORGED}.eml"
    mail.write_bytes(bytes(reply))
    for given in (named, mail):
        output = run("collect", given, "--into", shared, code=0).output
        assert wrote_lines(output) == ["would write: Plan!G5  1.2  RAG  'Amber' -> 'Green'  (from QA Sub-Group)"]
        assert "\u202e" not in output and "MSCB" not in "".join(wrote_lines(output))
    assert "its attachment 'figures would write: Plan!G4" in output
    assert all(line.startswith(("would write:", "note:", "nothing written:")) for line in output.splitlines())


# ---------------------------------------------------------------- a return with nothing new: one line

def test_an_unchanged_pack_and_a_return_collected_again_are_one_line_each(tmp_path):
    shared = shared_plan(tmp_path)
    packs = make_packs(shared)
    unchanged = edit_pack(pack_of(packs, "Policy Sub-Group"), {}, tmp_path / "Policy return.xlsx")
    output = run("collect", unchanged, "--into", shared, "--yes", code=0).output
    assert output.splitlines() == ["Policy return.xlsx: came back unchanged from Policy Sub-Group: nothing to write"]
    assert [(r["return"], r["body"], r["result"]) for r in read_returns_ledger(shared)] == [
        ("Policy return.xlsx", "Policy Sub-Group", "came back unchanged")]  # counted as returned

    returned = edit_pack(pack_of(packs, "QA Sub-Group"),
                         {"1.2": {"RAG": "Green", "Progress update": "Re-audited",
                                  "Proposed new deadline": "June 2019"}}, tmp_path / "QA return.xlsx")
    run("collect", returned, "--into", shared, "--yes", code=0)
    rows = len(read_returns_ledger(shared))
    today = date.today()
    for again in (returned, unchanged):
        output = run("collect", again, "--into", shared, "--yes", code=0).output
        assert output.splitlines() == [f"{again.name}: already collected on {today.day} {today:%b %Y} "
                                       f"(from {'QA' if again == returned else 'Policy'} Sub-Group): nothing new in it"]
    assert len(read_returns_ledger(shared)) == rows
    both = run("collect", returned, unchanged, "--into", shared, code=0).output
    assert len(both.splitlines()) == 2


# ---------------------------------------------------------------- late returns count

def test_a_late_return_names_its_body_and_its_proposal_stays_until_decided(tmp_path):
    from plantools import consolidate, load_plan
    from plantools.copy.earlier import read_copy

    shared = shared_plan(tmp_path)
    out = tmp_path / "monthly"
    run("consolidate", shared, "--month", "2018-11", "--out", out, "--today", "2018-11-30", code=0)
    packs = make_packs(shared)  # November's packs
    late = edit_pack(pack_of(packs, "QA Sub-Group"), {"1.2": {"RAG": "Green", "Proposed new deadline": "June 2019"}},
                     tmp_path / "QA return.xlsx")
    run("consolidate", shared, "--month", "2018-12", "--out", out, "--today", "2018-12-31", code=0)
    os.utime(out / "Shared Plan 2018-12.xlsx", (time.time() - 60, time.time() - 60))  # made before the return came
    run("collect", late, "--into", shared, "--yes", code=0)  # November's pack, collected in January
    january = consolidate(load_plan(shared), "2019-01", out, today=date(2019, 1, 31))
    changed = [(c.ref, c.field, c.new, c.returned_by) for c in read_copy(january.path).log if c.month == "2019-01"]
    assert changed == [("1.2", "RAG", "Green", "QA Sub-Group")]
    reasons = {e.action.ref: e.reasons for e in january.exceptions}
    assert "Proposed new deadline: June 2019 (QA Sub-Group)" in reasons["1.2"]

    book = openpyxl.load_workbook(shared)
    book["Plan"]["F5"] = "June 2019"  # the board decides: the proposal is no exception any more
    book.save(shared)
    february = consolidate(load_plan(shared), "2019-02", out, today=date(2019, 2, 28))
    assert not any("Proposed new deadline" in r for e in february.exceptions for r in e.reasons)
