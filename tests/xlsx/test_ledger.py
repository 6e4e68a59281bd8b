"""The one CSV ledger type (plantools.xlsx.ledger) and the one lock (plantools.xlsx.lock), on
real files and, where a process has to die, real processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from plantools.errors import PlanError
from plantools.xlsx.ledger import IsALink, Ledger
from plantools.xlsx.lock import Held, file_lock

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
COLUMNS = ["when", "what", "result"]
BOM_HEADER = "\ufeffwhen,what,result\r\n".encode("utf-8")


def refused(why: Held | OSError) -> PlanError:
    return PlanError("lock", f"held by {why.holder}" if isinstance(why, Held) else f"cannot be made: {why}")


def child(code: str) -> subprocess.Popen:
    """Python `code` in its own process, returned once it has printed its first line."""
    process = subprocess.Popen([sys.executable, "-c", code], env=ENV, stdout=subprocess.PIPE, stdin=subprocess.PIPE,
                               text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready", process.communicate(timeout=60)
    return process


def test_a_semicolon_excel_resave_is_read_and_rewritten_whole_before_the_next_append(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_bytes("When;What;Result\r\n1 Dec;Café;sent\r\n".encode("cp1252"))  # Excel, a French desktop
    ledger = Ledger(path, COLUMNS)
    assert ledger.rows() == [{"when": "1 Dec", "what": "Café", "result": "sent"}]
    ledger.append([["2 Dec", "Thé", "sent"]])
    assert path.read_bytes() == BOM_HEADER + "1 Dec,Café,sent\r\n2 Dec,Thé,sent\r\n".encode("utf-8")


def test_an_older_column_set_is_read_through_upgrade_and_kept_whole(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_bytes(b"when,what\r\n1 Dec,a\r\n")  # before the result column
    ledger = Ledger(path, COLUMNS, lambda row: [{**row, "result": row.get("result", "")}])
    assert ledger.rows() == [{"when": "1 Dec", "what": "a", "result": ""}]
    ledger.append([["2 Dec", "b", "ok"]])
    assert path.read_bytes() == BOM_HEADER + b"1 Dec,a,\r\n2 Dec,b,ok\r\n"


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_a_row_appended_ahead_survives_the_process_dying_right_after(tmp_path):
    path = tmp_path / "with space" / "ledger.csv"
    path.parent.mkdir()
    code = (f"import os, signal; from plantools.xlsx.ledger import Ledger; "
            f"Ledger({str(path)!r}, {COLUMNS!r}).append([['1 Dec', 'writing', 'intent']]); "
            f"os.kill(os.getpid(), signal.SIGKILL); print('the action it records')")
    done = subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL and done.stdout == ""  # died before the action
    assert Ledger(path, COLUMNS).rows() == [{"when": "1 Dec", "what": "writing", "result": "intent"}]
    assert path.read_bytes() == BOM_HEADER + b"1 Dec,writing,intent\r\n"


def test_an_empty_append_makes_the_header_and_a_new_ledger_gets_its_mode_first(tmp_path):
    path = tmp_path / "ledger.csv"
    Ledger(path, COLUMNS, mode=0o600).append([])
    assert path.read_bytes() == BOM_HEADER
    if os.name != "nt":
        assert oct(path.stat().st_mode & 0o777) == oct(0o600)


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="POSIX permissions; root writes anything")
def test_check_writable_refuses_a_read_only_ledger_or_folder_and_makes_nothing(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_bytes(BOM_HEADER)
    path.chmod(0o444)
    with pytest.raises(PermissionError):
        Ledger(path, COLUMNS).check_writable()
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o555)
    with pytest.raises(PermissionError):
        Ledger(folder / "ledger.csv", COLUMNS).check_writable()
    assert not (folder / "ledger.csv").exists()


@pytest.mark.skipif(os.name == "nt", reason="making links needs rights on Windows")
def test_a_ledger_is_never_read_or_written_through_a_link(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_bytes(BOM_HEADER)
    (tmp_path / "link.csv").symlink_to(path)
    with pytest.raises(IsALink):
        Ledger(tmp_path / "link.csv", COLUMNS).check_writable()
    with pytest.raises(IsALink):
        Ledger(tmp_path / "link.csv", COLUMNS).rows()
    with pytest.raises(IsALink):
        Ledger(tmp_path / "link.csv", COLUMNS).append([["1 Dec", "a", "b"]])
    assert path.read_bytes() == BOM_HEADER


@pytest.mark.skipif(os.name == "nt", reason="the child is stopped with POSIX signals")
def test_a_lock_is_refused_while_another_process_holds_it_and_taken_once_it_gives_it_back(tmp_path):
    path = tmp_path / "the.lock"
    holder = child(f"import sys; from plantools.xlsx.lock import file_lock\n"
                   f"with file_lock(__import__('pathlib').Path({str(path)!r}), 'send', None):\n"
                   f"    print('ready', flush=True); sys.stdin.readline()")
    try:
        with pytest.raises(PlanError) as error:
            with file_lock(path, "collect", refused):
                pass
        assert f"'pid': {holder.pid}" in error.value.message and "'command': 'send'" in error.value.message
    finally:
        holder.communicate("\n", timeout=60)
    assert holder.returncode == 0 and not path.exists()  # given back: the file is gone
    with file_lock(path, "collect", refused):
        assert json.loads(path.read_text(encoding="utf-8"))["pid"] == os.getpid()
    assert not path.exists()


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_a_lock_left_by_a_killed_process_is_taken_over(tmp_path):
    path = tmp_path / "the.lock"
    holder = child(f"import time; from plantools.xlsx.lock import file_lock\n"
                   f"with file_lock(__import__('pathlib').Path({str(path)!r}), 'send', None):\n"
                   f"    print('ready', flush=True); time.sleep(120)")
    holder.kill()
    holder.communicate(timeout=60)
    assert json.loads(path.read_text(encoding="utf-8"))["pid"] == holder.pid  # left behind
    with file_lock(path, "collect", refused):
        assert json.loads(path.read_text(encoding="utf-8"))["command"] == "collect"
    assert not path.exists()


def test_another_machines_lock_is_respected_for_a_day_then_taken_over(tmp_path):
    path = tmp_path / "the.lock"
    path.write_text(json.dumps({"pid": 1, "host": "another-" + socket.gethostname(), "since": "2026-12-06T09:00:00",
                                "command": "format"}), encoding="utf-8")
    hour_ago = time.time() - 3600
    os.utime(path, (hour_ago, hour_ago))
    with pytest.raises(PlanError, match="'command': 'format'"):
        with file_lock(path, "collect", refused):
            pass
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(path, (two_days_ago, two_days_ago))
    with file_lock(path, "collect", refused):
        assert json.loads(path.read_text(encoding="utf-8"))["pid"] == os.getpid()


TAKER = """
import os, sys, time, pathlib
from plantools.errors import PlanError
from plantools.xlsx.lock import file_lock
path = pathlib.Path(sys.argv[1])
try:
    with file_lock(path, "test", lambda why: PlanError(path, "refused")):
        fd = os.open(path.with_suffix(".inside"), os.O_CREAT | os.O_EXCL | os.O_WRONLY)  # fails if two hold it
        time.sleep(0.3)
        os.close(fd)
        os.unlink(path.with_suffix(".inside"))
    print("held")
except PlanError:
    print("refused")
"""


@pytest.mark.skipif(os.name == "nt", reason="the system lock that settles the race is POSIX")
def test_runs_taking_over_the_same_stale_lock_at_once_never_both_hold_it(tmp_path):
    path = tmp_path / "the.lock"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    for _ in range(3):
        path.write_text(f"process {dead.stdout.strip()} on {socket.gethostname()} since 10:00:00\n")  # left by a dead run
        takers = [subprocess.Popen([sys.executable, "-c", TAKER, str(path)], env=ENV, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True) for _ in range(4)]
        said = [taker.communicate(timeout=120) for taker in takers]
        assert [taker.returncode for taker in takers] == [0] * 4, said
        assert "held" in [out.strip() for out, _ in said]
        assert not path.exists()
