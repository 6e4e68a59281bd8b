"""plantools: keep a safeguarding partnership's business plan honest.

Each command of the `plantools` CLI is one call here, with the same defaults:

    import plantools

    plan = plantools.load_plan("Business Plan.xlsx")          # plantools check
    shown = plantools.layout("Business Plan.xlsx")            # plantools layout
    for finding in plantools.check(plan):
        print(finding.severity, finding.sheet, finding.cell, finding.message)
    copy = plantools.consolidate(plan, "2018-11")             # plantools consolidate
    run = plantools.make_packs(plan, "2018-11")               # plantools packs
    status = plantools.round_status("packs/2018-11")          # plantools status
    plantools.chase("packs/2018-11", plantools.Server("smtp.council.gov.uk"))  # plantools chase --yes

Bad input raises PlanError, whose text is the one line the CLI prints. docs/api.md documents
every function with an example.
"""

from plantools.copy.result import Consolidation
from plantools.errors import PlanError
from plantools.format import format_workbook
from plantools.history import history
from plantools.jobs import consolidate, make_packs, run_month
from plantools.packs.making import PackRun
from plantools.plan.checks import check
from plantools.plan.deadlines import Deadline, parse_deadline
from plantools.plan.model import Action, Finding, Plan
from plantools.read.confirm import WorkbookLayout, layout
from plantools.read.workbook import load_plan
from plantools.returns.match import Collection, collect
from plantools.round.chase import ChaseRun, chase
from plantools.round.status import RoundStatus, round_status
from plantools.send.oauth import SignIn, access_token
from plantools.send.smtp import Server, send_drafts
from plantools.template import new_plan, write_governance_workbook

__version__ = "0.1.0"
__all__ = [
    "Action", "ChaseRun", "Collection", "Consolidation", "Deadline", "Finding", "PackRun", "Plan", "PlanError",
    "RoundStatus", "Server", "SignIn", "WorkbookLayout", "access_token", "chase", "check", "collect", "consolidate",
    "format_workbook", "history", "layout", "load_plan", "make_packs", "new_plan", "parse_deadline", "round_status",
    "run_month", "send_drafts", "write_governance_workbook",
]
