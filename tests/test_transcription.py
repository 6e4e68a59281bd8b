"""The bundled workbooks are exactly what their transcriptions in workbooks/source build."""

import subprocess
import sys

from conftest import ROOT


def test_bundled_workbooks_match_their_sources():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_workbooks.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "match" in result.stdout
