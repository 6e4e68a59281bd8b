"""The benchmark: python scripts/bench.py [--sizes 60 1000 20000 100000] [--repeat 3].
The same as `python -m plantools.bench`; see plantools/bench.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from plantools.bench import main  # noqa: E402

main()
