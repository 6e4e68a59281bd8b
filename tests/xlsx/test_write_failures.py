"""A write that fails, made for real, says why in one line and leaves nothing half-written:
a read-only disk, a full disk, a folder without permission, a file open in Excel."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import BUNDLED_2018, digest

from plantools.cli import main

COPY = "MSCB Business Plan 2018-19 2018-11.xlsx"
COMMANDS = {
    "consolidate": lambda out: ["consolidate", BUNDLED_2018, "--month", "2018-11", "--out", out],
    "packs": lambda out: ["packs", BUNDLED_2018, "--month", "2018-11", "--out", out],
    "monthly": lambda out: ["monthly", BUNDLED_2018, "--month", "2018-11", "--out", out],
}


def run(args: list) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def everything_under(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


@pytest.fixture
def mounted(tmp_path):
    """mount(options) -> a folder with a fresh tmpfs mounted on it, unmounted afterwards."""
    if os.name == "nt" or os.geteuid() != 0:
        pytest.skip("mounting a file system needs root on Linux")
    mounts = []

    def mount(options: str) -> Path:
        folder = tmp_path / f"disk {len(mounts)}"
        folder.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "none", str(folder)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounts.append(folder)
        return folder

    yield mount
    for folder in mounts:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_read_only_disk(mounted, command):
    disk = mounted("ro,size=1m")
    result = run(COMMANDS[command](disk))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {disk}: is on a read-only disk: nothing can be written there\n"
    assert everything_under(disk) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_a_full_disk(mounted, command):
    disk = mounted("size=256k")
    (disk / "other files").write_bytes(b"\0" * (shutil.disk_usage(disk).free - 8192))  # full, but for 8 KB
    result = run(COMMANDS[command](disk))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "cannot be written: the disk is full (No space left on device)" in result.stderr
    assert "unexpected" not in result.stderr
    assert [name for name in everything_under(disk) if not name.endswith(("packs", "2018-11", "monthly"))] \
        == ["other files"]  # at most the empty folders made for the outputs


@pytest.mark.skipif(os.name == "nt" or not hasattr(os, "seteuid"), reason="POSIX permissions")
@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_without_permission(command):
    top = Path(tempfile.mkdtemp(dir="/tmp"))  # a folder others may enter, unlike pytest's own
    try:
        os.chmod(top, 0o755)
        out = top / "not yours"
        out.mkdir(mode=0o555)
        os.chmod(out, 0o555)
        euid = os.geteuid()
        if euid == 0:
            os.seteuid(65534)  # root writes anywhere: be "nobody" for the call
        try:
            result = run(COMMANDS[command](out))
        finally:
            if euid == 0:
                os.seteuid(0)
        assert result.exit_code == 2
        assert result.stderr == f"Error: {out}: no permission to write in this folder\n"
        assert everything_under(out) == []
    finally:
        shutil.rmtree(top)


def test_a_copy_open_in_excel_is_said_so_and_kept(tmp_path):
    out = tmp_path / "out"
    assert run(COMMANDS["monthly"](out)).exit_code == 0
    copy = out / "monthly" / COPY
    (copy.parent / f"~${COPY}").write_bytes(b"\x0bJo Bloggs")  # Excel's owner file while it has the copy open
    before = {path: digest(path) for path in out.rglob("*") if path.is_file()}
    for args in (COMMANDS["consolidate"](out / "monthly"), COMMANDS["monthly"](out)):
        result = run(args + ["--force"])
        assert result.exit_code == 2, args
        assert result.stderr == f"Error: {copy}: is open in Excel (~${COPY} is beside it): close it and run again\n"
    assert {path: digest(path) for path in out.rglob("*") if path.is_file()} == before
