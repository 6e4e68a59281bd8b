"""Governance bodies and the many ways cells name them.

"Policy Sub- Group", "Policy Sub-Group" and "PPYP and Policy Sub-Groups" must all find
the Policy Sub-Group; the workbook's Governance sheet lists each body with its aliases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Body:
    name: str
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    sheet: str = ""
    row: int = 0


def normalise(text: str) -> str:
    """Lower case, '&' as 'and', every spelling of sub-group as 'subgroup', no punctuation."""
    text = text.lower().replace("&", " and ")
    text = re.sub(r"\bsub\s*-?\s*groups?\b", "subgroup", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


@dataclass
class Matcher:
    """Finds the bodies a governance cell names, longest alias first, so that
    "MSCB BSU" counts as the BSU and not also as the MSCB."""

    bodies: list[Body]
    _patterns: list[tuple[re.Pattern, tuple[str, ...]]] = field(init=False, default_factory=list)
    _seen: dict[str, tuple[str, ...]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        names: dict[str, list[str]] = {}
        for body in self.bodies:
            for alias in (body.name, *body.aliases):
                key = normalise(alias)
                if key and body.name not in names.setdefault(key, []):
                    names[key].append(body.name)
        for key in sorted(names, key=len, reverse=True):
            pattern = re.compile(rf"(?<![a-z0-9]){re.escape(key)}(?![a-z0-9])")
            self._patterns.append((pattern, tuple(names[key])))

    def match(self, text: str) -> tuple[str, ...]:
        """The names of the bodies that text names, in the order of the Governance sheet."""
        found = self._seen.get(text)
        if found is None:  # plans name the same bodies the same way over and over
            found = self._seen[text] = self._match(text)
        return found

    def _match(self, text: str) -> tuple[str, ...]:
        remaining = normalise(text)
        found: set[str] = set()
        for pattern, names in self._patterns:
            remaining, count = pattern.subn("|", remaining)
            if count:
                found.update(names)
        return tuple(body.name for body in self.bodies if body.name in found)
