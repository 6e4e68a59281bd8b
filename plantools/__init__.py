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

import sys
from importlib import import_module
from types import ModuleType

# Every exported name and the module it comes from, imported only when first used (PEP 562),
# so that a command loads what it needs and no more: `check` neither mail nor pandas. An
# export is added here (and documented in docs/api.md).
EXPORTS = {
    "Action": "plantools.plan.model", "Collection": "plantools.returns.match",
    "Consolidation": "plantools.copy.result", "Deadline": "plantools.plan.deadlines",
    "Finding": "plantools.plan.model", "PackRun": "plantools.packs.making", "Plan": "plantools.plan.model",
    "PlanError": "plantools.errors", "Server": "plantools.send.smtp", "WorkbookLayout": "plantools.read.confirm",
    "check": "plantools.plan.checks", "collect": "plantools.returns.match", "consolidate": "plantools.jobs",
    "format_workbook": "plantools.format", "head_start": "plantools.jobs", "history": "plantools.history",
    "layout": "plantools.read.confirm",
    "load_plan": "plantools.read.workbook", "make_packs": "plantools.jobs", "new_plan": "plantools.template",
    "parse_deadline": "plantools.plan.deadlines", "run_month": "plantools.jobs",
    "send_drafts": "plantools.send.smtp", "write_governance_workbook": "plantools.template",
    "SignIn": "plantools.send.oauth", "access_token": "plantools.send.oauth",
    "ChaseRun": "plantools.round.chase", "chase": "plantools.round.chase",
    "RoundStatus": "plantools.round.status", "round_status": "plantools.round.status",
}

__version__ = "0.1.0"
__all__ = sorted(EXPORTS)


def __getattr__(name: str) -> object:
    """An exported name, imported on first use and kept."""
    if name not in EXPORTS:
        raise AttributeError(f"module 'plantools' has no attribute '{name}'")
    value = getattr(import_module(EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(ModuleType):
    """plantools itself. Importing a submodule makes it an attribute of its package; where an
    export has the submodule's name (`history`, the function, in plantools/history.py), the
    export keeps the name, as it did when it was imported here up front."""

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, ModuleType) and name in EXPORTS and EXPORTS[name] == value.__name__:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
