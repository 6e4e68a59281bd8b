"""Fail unless every package pinned (name==version) in the given file is installed at exactly
that version: proves the minimum-versions environment really has the minimums."""

import sys
from importlib.metadata import PackageNotFoundError, version

found_all, wrong = [], []
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#")[0].strip()
    if not line:
        continue
    name, pinned = line.split("==")
    try:
        found = version(name)
    except PackageNotFoundError:
        found = "not installed"
    if found != pinned:
        wrong.append(f"{name}: {found}, not {pinned}")
    found_all.append(f"{name}=={found}")
if wrong:
    sys.exit("not the minimum versions: " + "; ".join(wrong))
print("installed, exactly:", " ".join(found_all))
