"""The monthly run a BSU officer does: consolidate the shared plan workbook, then make
the sub-group packs and their email drafts.

    python scripts/monthly.py                                   # the bundled plan, this month
    python scripts/monthly.py "S:\\Safeguarding\\Business Plan.xlsx" --month 2018-11 [--force]

The consolidated copy goes into 'monthly' beside the workbook, the packs into
'packs/<month>'. Sending them is a separate, deliberate step: `plantools send`.
On Windows, double-click monthly.bat beside this file instead.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runs from a checkout without installing, too

from plantools.cli import main


def step(args: list[str]) -> int:
    """One plantools command; its exit status (0 when it went well)."""
    try:
        return main.main(args, prog_name="plantools", standalone_mode=False) or 0
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Exit as done:
        return done.exit_code


def monthly(args: list[str]) -> int:
    return step(["monthly", *args])


if __name__ == "__main__":
    sys.exit(monthly(sys.argv[1:]))
