"""Generated plans of any size, and the benchmark of the monthly job against pandas.

    python -m plantools.bench                      # 60, 1,000, 20,000 and 100,000 actions
    python -m plantools.bench --sizes 60 1000 --repeat 3

A generated plan is laid out like the published ones (title rows, the two-row header,
priority headings, objectives merged down their actions, text deadlines, a dozen governance
bodies with aliases and emails, progress notes), from a seeded random generator, so the same
size always gives the same workbook.
"""

from __future__ import annotations

import random
from pathlib import Path

BODIES = [
    ("MSCB", ["Board", "MSCB partnership"]), ("Policy Sub-Group", ["Policy Sub- Group", "Policy"]),
    ("QA Sub-Group", ["Quality Assurance Sub-Group", "QA"]), ("PPYPS Sub-Group", ["PPYPS", "PPYP"]),
    ("Learning and Development Sub-Group", ["L&D Sub-Group", "Learning and Development"]),
    ("BIG", ["The BIG"]), ("Health Sub-Group", ["Health"]), ("Education Sub-Group", ["Schools Forum"]),
    ("Communications Sub-Group", ["C&P Subgroup"]), ("CSE Sub-Group", ["MASE"]),
    ("Early Help Task and Finish Group", ["Early Help T&F"]), ("Think Family Board", ["Think Family"]),
]
DEADLINES = ["January 2019", "March '19", "May – June 2019", "Q3 2019-20", "2019/20", "Sept 2019",
             "31st March 2020", "Ongoing", "Dec 2019", "April 2020"]
WORDS = ("review audit agree deliver embed train assure report refresh develop partners schools health "
         "police families children neglect practice protocol strategy board workforce voice data").split()
STATUSES = ["Green", "Green", "Green", "Amber", "Red", "Complete", ""]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def generated_plan(actions: int, seed: int = 1) -> dict:
    """A plan of `actions` actions, in the shape template.write_plan_workbook takes."""
    rng = random.Random(seed)
    plan = {
        "title": f"Generated partnership business plan ({actions:,} actions)",
        "subtitle": ["Made by plantools.bench for testing and measuring"],
        "bodies": [{"name": name, "aliases": aliases, "email": [f"{name.split()[0].lower()}@example.org"]}
                   for name, aliases in BODIES],
        "priorities": [],
    }
    made = 0
    while made < actions:
        number = len(plan["priorities"]) + 1
        priority = {"title": f"{number}. {_sentence(rng, 6)}", "objectives": []}
        plan["priorities"].append(priority)
        for objective_number in range(1, rng.randint(3, 12) + 1):
            if made >= actions:
                break
            count = min(rng.randint(1, 6), actions - made)
            objective = {"ref": f"{number}.{objective_number}", "objective": _sentence(rng, 10), "actions": []}
            for _ in range(count):
                bodies = rng.sample(BODIES, rng.choice([1, 1, 1, 2]))
                objective["actions"].append({
                    "outcome": _sentence(rng, 12), "owner": _sentence(rng, 3), "action": _sentence(rng, 14),
                    "governance": " and ".join(rng.choice([name, *aliases]) for name, aliases in bodies),
                    "deadline": rng.choice(DEADLINES), "measure": _sentence(rng, 5),
                    "rag": rng.choice(STATUSES), "progress": _sentence(rng, 9) if rng.random() < 0.8 else "",
                })
            made += count
            priority["objectives"].append(objective)
    return plan


def next_month(plan: dict, seed: int = 2) -> dict:
    """The same plan a month on: some RAGs moved, deadlines slipped, notes updated,
    actions added and removed, as staff edit it."""
    import copy

    rng = random.Random(seed)
    month = copy.deepcopy(plan)
    for priority in month["priorities"]:
        for objective in priority["objectives"]:
            for action in objective["actions"]:
                roll = rng.random()
                if roll < 0.05:
                    action["rag"] = rng.choice(STATUSES)
                elif roll < 0.08:
                    action["deadline"] = rng.choice(DEADLINES)
                elif roll < 0.3:
                    action["progress"] = _sentence(rng, 9)
            if rng.random() < 0.03:
                objective["actions"].insert(0, dict(objective["actions"][0], action=_sentence(rng, 14)))
            if rng.random() < 0.03 and len(objective["actions"]) > 1:
                objective["actions"].pop()
    return month


def write_generated(path: Path, actions: int, seed: int = 1) -> Path:
    from .template import write_plan_workbook

    write_plan_workbook(Path(path), generated_plan(actions, seed), force=True)
    return Path(path)
