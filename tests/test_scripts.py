"""The scripts a BSU officer runs."""

import subprocess
import sys

from conftest import ROOT, digest, simple_plan

ACTIONS = [["1.1", "Agreement", "Draft it", "Jo", "Board", "May 2019", "Green", ""]]


def test_monthly_script_consolidates_a_workbook_in_a_folder_with_spaces(tmp_path):
    (tmp_path / "Shared Drive").mkdir()
    shared = simple_plan(tmp_path / "Shared Drive" / "Business Plan 2018-19.xlsx", ACTIONS)
    before = digest(shared)
    script = ROOT / "scripts" / "monthly.py"
    result = subprocess.run([sys.executable, str(script), str(shared), "--month", "2018-11"],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    copy = tmp_path / "Shared Drive" / "monthly" / "Business Plan 2018-19 2018-11.xlsx"
    assert copy.exists() and f"wrote {copy}" in result.stdout
    manifest = tmp_path / "Shared Drive" / "packs" / "2018-11" / "manifest.csv"
    assert manifest.exists() and f"wrote {manifest}" in result.stdout  # then the sub-group packs
    assert digest(shared) == before
    again = subprocess.run([sys.executable, str(script), str(shared), "--month", "2018-11"],
                           capture_output=True, text=True)
    assert again.returncode == 2 and "already exists" in again.stderr and "Traceback" not in again.stderr


def test_windows_batch_file_runs_the_monthly_script():
    batch = (ROOT / "scripts" / "monthly.bat").read_bytes()
    assert b"\r\n" in batch and batch.count(b"\n") == batch.count(b"\r\n")  # cmd.exe wants CRLF
    text = batch.decode("ascii")
    assert '"%~dp0monthly.py" "%PLAN%"' in text  # quoted: the shared drive path has spaces
    assert text.rstrip().endswith("pause")  # the window stays open to be read
