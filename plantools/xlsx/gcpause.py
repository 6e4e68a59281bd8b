"""Python's cyclic garbage collector, paused while plantools makes or reads hundreds of
thousands of small objects (cells, actions, changes), none of them garbage in a cycle.

The collector runs after every so many new objects and, now and then, walks every object
still alive; in the monthly job of 20,000 actions that came to 15 full walks and 13% of the
run (measured with gc.callbacks). Reference counting frees almost everything as usual
meanwhile. When the block ends the collector resumes, as it was, with one pass over what the
block made and is still alive (what reference counting freed it never sees): that frees the
few cycles. An xlsxwriter workbook refers to itself through its sheets, so write_workbook
drops its sheets' references once it is written (paper/formats.py), or that pass would walk
every cell.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect(0)  # the youngest generation: just what was made while paused
