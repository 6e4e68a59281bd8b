"""Governance bodies and the many ways cells name them.

"Policy Sub- Group", "Policy Sub-Group", "Policy & QA Sub-Groups" and
"Policy Sub-Group / QA Sub-Group" must all find the Policy Sub-Group (the last two the QA
Sub-Group as well). A cell is split into the bodies it names:
- at "/", ";", ",", "+" and line breaks always ("Policy/QA Sub-Groups" sharing its plural as "&" does);
- at "and" or "&" only between two names ("Learning and Development Sub-Group" is one body),
  where a name is a known body, ends in a body word (Sub-Group, Board, Panel ...) or is an
  acronym ("MSCB and BIG");
- "Policy & QA Sub-Groups" gives the plural's word to each name: Policy Sub-Group, QA Sub-Group.

With a Governance sheet its bodies and aliases are the names; parts of a cell that name none
are reported. Without one, the bodies are inferred from the plan's cells, one per distinct
name, spelt as most cells spell it.

Matching is a dictionary lookup per part, so its time grows with the plan, not with the number
of bodies (2,000 bodies and 50,000 actions read as fast as 10 and 50,000).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

BODY_WORDS = ("subgroup", "group", "board", "panel", "committee", "partnership", "forum", "team",
              "network", "unit", "bsu", "executive", "steering")
_PLURALS = {word + "s": word for word in BODY_WORDS} | {"committees": "committee"}
_LIST_SEPARATORS = re.compile(r"\s*[;,+\n]\s*|\s+[-–—]\s+")  # the strong ones but "/", which may share a plural
_WEAK_SEPARATOR = re.compile(r"\s+(?:and|&)\s+|\s*&\s*", re.IGNORECASE)
_MAX_SPAN = 12  # words in the longest body name plantools looks for inside a longer text


@dataclass(frozen=True)
class Body:
    name: str
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    sheet: str = ""
    row: int = 0
    inferred: bool = False  # read from the plan's cells, there being no Governance sheet


def normalise(text: str) -> str:
    """Lower case, '&' as 'and', every spelling of sub-group as 'subgroup', no punctuation."""
    text = text.lower().replace("&", " and ")
    text = re.sub(r"\bsub\s*-?\s*groups?\b", lambda m: "subgroups" if m.group(0).endswith("s") else "subgroup", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def names_in(text: str, known: dict[str, str] | None = None) -> list[str]:
    """The names a governance cell gives, as written (tidied), in order: not what it says in
    brackets ("(Chair: Jo Bloggs)"), nor the words that lead to a name ("via", "reporting to"),
    nor a placeholder ("N/A", "TBC")."""
    if _PLACEHOLDER.fullmatch(text or ""):
        return []
    names: list[str] = []
    for part in _parts(re.sub(r"\([^)]*\)?", " ", text or "")):
        part = _LEADING_WORDS.sub("", part)
        if part and not _PLACEHOLDER.fullmatch(part):
            names.extend(_split_weak(part, known or {}))
    return names


_PLACEHOLDER = re.compile(r"\s*(n\s*/\s*a|tbc|tba|tbd|to be (confirmed|agreed|decided)|none|nil|various|-+|\?+)\s*\.?\s*",
                          re.IGNORECASE)
_LEADING_WORDS = re.compile(r"^(via|through|reporting to|reports to|report to|then|and|to)\s+", re.IGNORECASE)


def _parts(text: str) -> list[str]:
    """The cell split at its strong separators, tidied. A plural after a slash is shared as
    "&" shares it: "Policy/QA Sub-Groups" names the Policy Sub-Group and the QA Sub-Group."""
    parts: list[str] = []
    for chunk in _LIST_SEPARATORS.split(text or ""):
        pieces = [" ".join(piece.split()).strip(" .") for piece in chunk.split("/")]
        pieces = [piece for piece in pieces if piece]
        suffix = _plural_suffix(pieces[-1]) if len(pieces) > 1 else ""
        if suffix:
            pieces = [p if _ends_in_body_word(p) else f"{p} {suffix}" for p in pieces[:-1]] + pieces[-1:]
        parts.extend(pieces)
    return parts


def _plural_suffix(name: str) -> str:
    """'QA Sub-Groups' -> 'Sub-Group', the word each name before it takes; '' for no plural."""
    words = normalise(name).split()
    if not words or words[-1] not in _PLURALS:
        return ""
    singular = _PLURALS[words[-1]]
    return "Sub-Group" if singular == "subgroup" else singular.title()


def _ends_in_body_word(name: str) -> bool:
    words = normalise(name).split()
    return bool(words) and (words[-1] in BODY_WORDS or words[-1] in _PLURALS)


def _singular_name(name: str) -> str:
    """'QA Sub-Groups' -> 'QA Sub-Group': one body, however many the cell names."""
    return re.sub(r"(?<=\w)[sS]$", "", name) if _plural_suffix(name) else name


def _split_weak(part: str, known: dict[str, str]) -> list[str]:
    if normalise(part) in known:
        return [part]  # "Learning and Development Sub-Group" on the Governance sheet
    pieces = [p.strip() for p in _WEAK_SEPARATOR.split(part) if p.strip()]
    if len(pieces) < 2:
        return [part]
    last_words = normalise(pieces[-1]).split()
    plural = last_words[-1] if last_words and last_words[-1] in _PLURALS else ""
    if plural:  # "Policy & QA Sub-Groups": each name takes the singular word
        singular = _PLURALS[plural]
        suffix = "Sub-Group" if singular == "subgroup" else singular.title()
        heads = pieces[:-1]
        tail = re.sub(r"\s*\S+$", "", pieces[-1])  # the last name without its plural word
        return [f"{head} {suffix}" for head in heads] + [f"{tail} {suffix}".strip()]
    if all(_is_name(piece, known) for piece in pieces):
        return pieces
    return [part]


def _is_name(piece: str, known: dict[str, str]) -> bool:
    words = normalise(piece).split()
    return bool(words) and (" ".join(words) in known or words[-1] in BODY_WORDS
                            or (len(words) == 1 and piece.isupper() and len(piece) >= 2))


@dataclass
class Matcher:
    """Finds the bodies a governance cell names: each name the cell gives is looked up among
    the bodies' names and aliases; a name not found whole is searched for known names inside
    it, longest first, so "MSCB BSU" counts as the BSU and not also as the MSCB."""

    bodies: list[Body]
    _known: dict[str, str] = field(init=False, default_factory=dict)  # normalised alias -> body
    _seen: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._order = {body.name: index for index, body in enumerate(self.bodies)}
        self._exact: dict[str, str] = {}  # "A/B Group" and "A:B Group" are two names
        for body in self.bodies:
            for alias in (body.name, *body.aliases):
                self._known.setdefault(normalise(alias), body.name)
                self._exact.setdefault(_same_name(alias), body.name)

    def match(self, text: str) -> tuple[str, ...]:
        """The names of the bodies that text names, in the order of the bodies' list."""
        return self.read(text)[0]

    def read(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(bodies found, the names in the text that are no known body)."""
        found = self._seen.get(text)
        if found is None:  # plans name the same bodies the same way over and over
            found = self._seen[text] = self._read(text)
        return found

    def _read(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        whole = self._exact.get(_same_name(text or "")) or self._known.get(normalise(text or ""))
        if whole:
            return (whole,), ()  # a name of the Governance sheet, separators and all
        bodies: list[str] = []
        unknown: list[str] = []
        for part in _parts(text):
            # known names inside the part as written ("Policy and Learning and Development
            # Sub-Groups"); failing that, its names one by one ("Policy & QA Sub-Groups")
            words = normalise(part)
            hits, rest = self._search(words if words in self._known else _singular(words))
            if rest:
                split_hits: list[str] = []
                split_rest: list[str] = []
                for name in _split_weak(part, self._known):
                    more, left = self._search(_singular(normalise(name)))
                    split_hits += more
                    split_rest += [name if not more else left] if left else []
                if len(" ".join(split_rest)) < len(rest):
                    hits, rest = split_hits, "; ".join(split_rest)
                elif not hits:
                    rest = part  # nothing known in it: named as typed
            bodies.extend(hit for hit in hits if hit not in bodies)
            if rest and not _PEOPLE.search(rest):
                unknown.append(_as_typed(rest, part))
        return tuple(sorted(bodies, key=self._order.__getitem__)), tuple(unknown)

    def _search(self, words_text: str) -> tuple[list[str], str]:
        """Known names inside the words, longest first; and the words left over that say
        more than 'and' or 'the'."""
        if words_text in self._known:
            return [self._known[words_text]], ""
        words = words_text.split()
        taken = [False] * len(words)
        hits: list[tuple[int, str]] = []
        for size in range(min(len(words), _MAX_SPAN), 0, -1):
            for start in range(0, len(words) - size + 1):
                if any(taken[start:start + size]):
                    continue
                body = self._known.get(" ".join(words[start:start + size]))
                if body:
                    hits.append((start, body))
                    taken[start:start + size] = [True] * size
        left = [w for w, used in zip(words, taken) if not used and w not in _FILLER]
        return [body for _, body in sorted(hits)], " ".join(left)


# "CCG Rep", "QA Chair Paul Angeli", "Head CSC & YI": people named beside the bodies, not bodies
_PEOPLE = re.compile(r"\b(chairs?|reps?|representatives?|heads?|leads?|members?|officers?|managers?|"
                     r"directors?|advisers?|advisors?|coordinators?|co ordinators?)\b", re.IGNORECASE)
_FILLER = {"and", "the", "of", "via", "to", "for", "through", "then", "reporting", "reports", "subgroup", "group", "board"}


def _as_typed(words: str, part: str) -> str:
    """The words left unrecognised ('finance'), spelt as the cell spells them ('Finance')."""
    typed = [re.search(rf"\b{re.escape(word)}\b", part, re.IGNORECASE) for word in words.split()]
    return " ".join(match.group(0) for match in typed if match) if all(typed) else words


def _singular(words_text: str) -> str:
    """'policy and qa subgroups' -> 'policy and qa subgroup'."""
    return " ".join(_PLURALS.get(word, word) for word in words_text.split())


def infer_bodies(texts: list[str]) -> list[Body]:
    """Bodies named by the plan's governance cells, when there is no Governance sheet: one per
    distinct name (spellings of sub-group and case alike), named as most cells write it."""
    spellings: dict[str, Counter] = {}
    for text in texts:
        for name in names_in(text):
            spellings.setdefault(_singular(normalise(name)), Counter())[_singular_name(name)] += 1
    bodies = []
    for key, counter in spellings.items():
        if not key:
            continue
        best = max(counter.items(), key=lambda item: (item[1], -len(item[0])))[0]
        aliases = tuple(sorted(spelling for spelling in counter if spelling != best))
        bodies.append(Body(best, aliases, inferred=True))
    return bodies


def _same_name(text: str) -> str:
    """Names that differ only in case and spacing are one name."""
    return " ".join(text.casefold().split())


def merge_duplicates(bodies: list[Body]) -> tuple[list[Body], list[tuple[Body, Body]]]:
    """One body per name (case and spacing aside): a body listed twice on the Governance
    sheet keeps every alias and email of both rows. Returns the bodies and the (first,
    repeat) pairs that were merged."""
    merged: dict[str, Body] = {}
    repeats: list[tuple[Body, Body]] = []
    for body in bodies:
        key = _same_name(body.name)
        first = merged.get(key)
        if first is None:
            merged[key] = body
            continue
        repeats.append((first, body))
        merged[key] = Body(first.name, tuple(dict.fromkeys((*first.aliases, *body.aliases))),
                           tuple(dict.fromkeys((*first.emails, *body.emails))), first.sheet, first.row)
    return list(merged.values()), repeats
