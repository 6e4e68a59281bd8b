"""What changed between two months of the plan: (previous actions, actions) -> Changes.

Actions are matched month to month by what they say, not by where they stand, so that an
action inserted in the middle of an objective is one added action, and an action whose
reference changed is still the same action:
1. identical actions (same ref, same content) pair at once;
2. identical content under a new reference pairs next (a renumbering);
3. in the same objective, the one action with the same wording (its action, outcome, owner,
   governance and measures) pairs, whatever its RAG, deadline or progress now say;
4. within each objective, the most alike remaining actions pair, best first (alike: the
   words of their texts overlap, their owner, governance and deadline agree);
5. across objectives, the same with a stricter threshold (an objective renumbered).
Whatever is left was removed (previous month) or added (this month).

A letter that shifts because a sibling was inserted or removed above it (2.1b becoming 2.1c)
is where the action stands, not a change to it, and is not logged; a new objective number
or a new explicit action ref is. Each action carries a key from the month it first appeared
(e.g. "2.1b@2018-10") that the consolidated copies pass on, so its history follows it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Set
from dataclasses import dataclass

from plantools.plan import rag
from plantools.plan.columns import LABELS
from plantools.plan.model import Action, letters

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
# the fields compared month to month, in the order the change log lists them
COMPARED = ("ref", "objective", "outcome", "owner", "action", "governance", "deadline", "measure", "rag", "progress")
SAME_OBJECTIVE_THRESHOLD = 0.6
ACROSS_OBJECTIVES_THRESHOLD = 0.75
MAX_PAIRS_COMPARED = 250_000  # beyond this, unmatched actions stay added/removed: bounded time


@dataclass(frozen=True)
class Change:
    month: str
    ref: str
    field: str  # a label from columns.LABELS, or "" for a whole action added or removed
    old: str
    new: str
    change: str  # ADDED, REMOVED or CHANGED
    action: str = ""  # what the action says, to read the log without the plan beside it
    key: str = ""  # the action's lasting key (see the module's note)
    returned_by: str = ""  # the body whose returned pack made this change (see plantools.returns.match)


def diff(previous: list[Action], current: list[Action], month: str,
         pairs: dict[int, tuple[Action, Action]] | None = None) -> list[Change]:
    """The changes from previous to current, in the order of the current plan (the pairs
    from settle_refs() when the caller has settled them already). Gives each current action its key."""
    pairs = settle_refs(previous, current) if pairs is None else pairs
    matched_previous = {id(old) for old, _ in pairs.values()}
    changes: list[Change] = []
    keys: set[str] = set()
    for action in current:
        pair = pairs.get(id(action))
        if pair is None:
            action.key = action.key or new_key(action, month, keys)
            keys.add(action.key)
            changes.append(Change(month, action.ref, "", "", summary(action), ADDED, summary(action), action.key))
            continue
        old = pair[0]
        action.key = old.key or new_key(old, month, keys)
        keys.add(action.key)
        for field in COMPARED:
            before, after = old.text(field), action.text(field)
            if before != after and (field != "ref" or renumbered(old, action)):
                changes.append(Change(month, action.ref, LABELS[field], before, after, CHANGED,
                                      summary(action), action.key))
    for old in previous:
        if id(old) not in matched_previous:
            changes.append(Change(month, old.ref, "", summary(old), "", REMOVED, summary(old), old.key))
    return changes


def new_key(action: Action, month: str, taken: Set[str] = frozenset()) -> str:
    """The lasting key of an action first seen this month: its ref (or, with none, where it
    stood) and the month; unique within the month."""
    key = f"{action.ref or f'{action.sheet}!{action.row}'}@{month}"
    number = 1
    while key in taken:
        number += 1
        key = f"{action.ref or f'{action.sheet}!{action.row}'}#{number}@{month}"
    return key


def renumbered(old: Action, new: Action) -> bool:
    """A new ref; not a letter that plantools added or kept (2.1 -> 2.1a)."""
    return old.ref != new.ref and not (new.ref_base and _base(old.ref) == new.ref_base)


def _base(ref: str) -> str:
    """'2.1b' -> '2.1' (a letter plantools may have added), else the ref."""
    stripped = ref.rstrip("abcdefghijklmnopqrstuvwxyz")
    return stripped if stripped and stripped != ref and not stripped[-1].isalpha() else ref


def settle_refs(previous: list[Action], current: list[Action]) -> dict[int, tuple[Action, Action]]:
    """Each current action matched to last month's (match) and its ref settled (keep_letters):
    the pairs."""
    pairs = match(previous, current)
    keep_letters(current, pairs, previous)
    return pairs


def keep_letters(current: list[Action], pairs: dict[int, tuple[Action, Action]], previous: list[Action]) -> None:
    """An action whose ref is its objective's (shared, so lettered by plantools) keeps last
    month's letter whatever rows were sorted, inserted or deleted; a new one takes the next
    letter not used last month, so no letter changes its meaning."""
    groups: dict[str, list[Action]] = {}
    for action in current:
        if action.ref_base:
            groups.setdefault(action.ref_base, []).append(action)
    if not groups:
        return
    last_letter: dict[str, int] = {}
    for old in previous:
        suffix = old.ref[len(_base(old.ref)):]
        if suffix:
            last_letter[_base(old.ref)] = max(last_letter.get(_base(old.ref), 0), _number(suffix))
    used = {a.ref for a in current if not a.ref_base}
    for base, actions in groups.items():
        waiting = []
        for action in actions:
            pair = pairs.get(id(action))
            old_ref = pair[0].ref if pair else ""
            if old_ref and _base(old_ref) == base and old_ref not in used and (old_ref != base or len(actions) == 1):
                action.ref = old_ref
                used.add(old_ref)
            elif len(actions) > 1:
                waiting.append(action)
        for action in waiting:
            number = last_letter.get(base, 0)
            while base + letters(number + 1) in used:
                number += 1
            number += 1
            last_letter[base] = number
            action.ref = base + letters(number)
            used.add(action.ref)


def _number(letters: str) -> int:
    """a -> 1, z -> 26, aa -> 27."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 96
    return number


def match(previous: list[Action], current: list[Action]) -> dict[int, tuple[Action, Action]]:
    """id(current action) -> (previous action, current action) for each action in both months."""
    pairs: dict[int, tuple[Action, Action]] = {}
    left = list(previous)
    right = list(current)

    def pair_exact(key, only_if_unique: bool = False) -> None:
        nonlocal left, right
        index: dict[tuple, list[Action]] = {}
        for old in left:
            index.setdefault(key(old), []).append(old)
        if only_if_unique:
            twice = {k for k, n in Counter(key(new) for new in right).items() if n > 1}
            index = {k: olds for k, olds in index.items() if len(olds) == 1 and k not in twice}
        still_right = []
        for new in right:
            candidates = index.get(key(new))
            if candidates:
                pairs[id(new)] = (candidates.pop(0), new)
            else:
                still_right.append(new)
        taken = {id(old) for old, _ in pairs.values()}
        left = [old for old in left if id(old) not in taken]
        right = still_right

    pair_exact(lambda a: (a.ref, _content(a, with_objective=True)))
    pair_exact(lambda a: _content(a, with_objective=True))
    pair_exact(lambda a: (a.objective_ref, a.objective, *_wording(a)), only_if_unique=True)
    groups: dict[str, tuple[list[Action], list[Action]]] = {}
    for old in left:
        groups.setdefault(old.objective_ref, ([], []))[0].append(old)
    for new in right:
        groups.setdefault(new.objective_ref, ([], []))[1].append(new)
    for olds, news in groups.values():
        _pair_similar(olds, news, pairs, SAME_OBJECTIVE_THRESHOLD, with_objective=False)
    taken = {id(old) for old, _ in pairs.values()}
    left = [old for old in left if id(old) not in taken]
    right = [new for new in right if id(new) not in pairs]
    _pair_similar(left, right, pairs, ACROSS_OBJECTIVES_THRESHOLD, with_objective=True)
    return pairs


def _pair_similar(olds: list[Action], news: list[Action], pairs: dict, threshold: float,
                  with_objective: bool) -> None:
    if not olds or not news or len(olds) * len(news) > MAX_PAIRS_COMPARED:
        return
    old_words = [_words(old, with_objective) for old in olds]
    scored = []
    for new in news:
        new_words = _words(new, with_objective)
        for old, words in zip(olds, old_words):
            score = _similarity(words, new_words) + (0.01 if old.ref == new.ref else 0)  # ties: same ref
            if score >= threshold:
                scored.append((score, id(old), id(new), old, new))
    used_old: set[int] = set()
    for _, old_id, new_id, old, new in sorted(scored, key=lambda item: item[0], reverse=True):
        if old_id in used_old or new_id in pairs:
            continue
        used_old.add(old_id)
        pairs[new_id] = (old, new)


# How much each field says about which action this is. Long texts are compared by the words
# they share, so an edited sentence still counts; short fields must be equal.
TEXT_WEIGHTS = {"objective": 2.0, "action": 3.0, "outcome": 2.0, "measure": 1.0, "progress": 1.0}
FIELD_WEIGHTS = {"owner": 1.0, "governance": 1.0, "deadline": 1.0, "rag": 0.5}


def _words(action: Action, with_objective: bool) -> tuple[tuple[float, frozenset[str] | str], ...]:
    """What _similarity compares, field by field: each long text's words, each short field's text,
    with the field's weight."""
    texts = [(weight, frozenset(action.text(name).lower().split())) for name, weight in TEXT_WEIGHTS.items()
             if with_objective or name != "objective"]
    return (*texts, *((weight, action.text(name)) for name, weight in FIELD_WEIGHTS.items()))


def _similarity(old: tuple[tuple[float, frozenset[str] | str], ...],
                new: tuple[tuple[float, frozenset[str] | str], ...]) -> float:
    """0 (nothing alike) to 1 (the same), weighted by field. (It runs for every pair of a
    reworded objective's old and new actions: a loop kept plain.)"""
    total = score = 0.0
    for (weight, value), (_, before) in zip(new, old):
        total += weight
        if value.__class__ is frozenset:
            shared = len(value & before)  # type: ignore[operator]
            either = len(value) + len(before) - shared
            score += weight * (shared / either if either else 1.0)
        elif value == before:
            score += weight
    return score / total


def _content(action: Action, with_objective: bool) -> tuple[str, ...]:
    """The text that makes an action itself; the objective is shared by its siblings."""
    own = (action.action, action.outcome, action.owner, action.governance, action.deadline.text,
           action.measure, action.text("rag"), action.progress)
    return (action.objective, *own) if with_objective else own


def _wording(action: Action) -> tuple[str, ...]:
    """What an action says it is, apart from how it is going (RAG, deadline, progress)."""
    return action.action, action.outcome, action.owner, action.governance, action.measure


def summary(action: Action, limit: int = 120) -> str:
    text = " ".join(action.what.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


RAG_RANK = {rag.COMPLETE: 0, rag.GREEN: 0, rag.AMBER: 1, rag.RED: 2}


def got_worse(before: str | None, after: str | None) -> bool:
    """Green to Amber, Amber to Red, Green to Red; a first rating is not a worsening."""
    return before in RAG_RANK and after in RAG_RANK and RAG_RANK[after] > RAG_RANK[before]


def slips(log: list[Change]) -> Counter:
    """Action key -> how many times the log shows its deadline moved later."""
    from plantools.plan.deadlines import parse_deadline

    count: Counter = Counter()
    for change in log:
        if change.field == LABELS["deadline"]:
            before, after = parse_deadline(change.old).due, parse_deadline(change.new).due
            if before and after and after > before:
                count[change.key] += 1
    return count
