"""An action handed to the second process (pickled) or copied keeps every field."""

import copy
import pickle
import random

from plantools.plan.deadlines import parse_deadline
from plantools.plan.model import Action


def generated_action(rng: random.Random) -> Action:
    action = Action(rng.choice(["1.2a", "", "B-2"]), deadline=parse_deadline(rng.choice(["March 2027", "Ongoing", ""])))
    for name in Action.__slots__:
        if name in ("ref", "deadline", "rag", "row", "rag_from_fill", "bodies", "unknown_bodies", "extra", "columns",
                    "merged"):
            continue
        setattr(action, name, rng.choice(["", "text", "line one\nline two", "é –"]))
    action.rag = rng.choice([None, "Red", "Green"])
    action.row, action.rag_from_fill = rng.randint(1, 10 ** 5), rng.random() < 0.5
    action.bodies, action.extra = ("QA Sub-Group",), {"Notes": "x"}
    action.columns, action.merged = {"ref": 1, "rag": 7}, {"objective": "B4"}
    return action


def test_an_action_pickled_or_copied_keeps_every_field():
    rng = random.Random(3)
    for _ in range(200):
        action = generated_action(rng)
        for twin in (pickle.loads(pickle.dumps(action, pickle.HIGHEST_PROTOCOL)), copy.copy(action)):
            assert twin is not action
            assert [getattr(twin, n) for n in Action.__slots__] == [getattr(action, n) for n in Action.__slots__]
