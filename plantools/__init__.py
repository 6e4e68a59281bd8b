"""plantools: keep a safeguarding partnership's business plan honest.

    import plantools
    plan = plantools.load_plan("workbooks/MSCB Business Plan 2018-19.xlsx")
    for finding in plantools.check(plan):
        print(finding.sheet, finding.cell, finding.message)
"""

from .checks import check
from .deadlines import Deadline, parse_deadline
from .errors import PlanError
from .history import history
from .model import Action, Finding, Plan
from .reader import load_plan

__version__ = "0.1.0"
__all__ = [
    "Action", "Deadline", "Finding", "Plan", "PlanError",
    "check", "history", "load_plan", "parse_deadline",
]
