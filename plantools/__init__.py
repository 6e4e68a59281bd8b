"""plantools: keep a safeguarding partnership's business plan honest.

Each command of the `plantools` CLI is one call here, with the same defaults:

    import plantools

    plan = plantools.load_plan("Business Plan.xlsx")          # plantools check
    print("\n".join(plantools.layout("Business Plan.xlsx").lines()))  # plantools layout
    for finding in plantools.check(plan):
        print(finding.severity, finding.sheet, finding.cell, finding.message)
    copy = plantools.consolidate(plan, "2018-11")             # plantools consolidate
    run = plantools.make_packs(plan, "2018-11")               # plantools packs

Bad input raises PlanError, whose text is the one line the CLI prints. docs/api.md documents
every function with an example.
"""

from .checks import check
from .collect import Collection, collect
from .confirmed import WorkbookLayout, layout
from .consolidate import Consolidation, consolidate
from .deadlines import Deadline, parse_deadline
from .errors import PlanError
from .formatting import format_workbook
from .history import history
from .mail import Server, send_drafts
from .model import Action, Finding, Plan
from .monthly import run_month
from .packs import PackRun, make_packs
from .reader import load_plan
from .template import new_plan, write_governance_workbook

__version__ = "0.1.0"
__all__ = [
    "Action", "Collection", "Consolidation", "Deadline", "Finding", "PackRun", "Plan", "PlanError", "Server",
    "WorkbookLayout", "check", "collect", "consolidate", "format_workbook", "history", "layout", "load_plan",
    "make_packs", "new_plan", "parse_deadline", "run_month", "send_drafts", "write_governance_workbook",
]
