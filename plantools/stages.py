"""Time spent in each stage of a run, and peak memory, for the benchmark; off (and free)
unless started."""

from __future__ import annotations

import re
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

_seconds: dict[str, float] | None = None
WORKER_PEAK_MB = "worker peak MB"  # recorded beside the stages: the packs worker's peak memory


def start() -> dict[str, float]:
    """Record from now on; returns the dict that fills up, stage -> seconds."""
    global _seconds
    _seconds = {}
    return _seconds


@contextmanager
def stage(name: str) -> Iterator[None]:
    if _seconds is None:
        yield
        return
    began = time.perf_counter()
    try:
        yield
    finally:
        record(name, time.perf_counter() - began)


def record(name: str, seconds: float) -> None:
    """Add time measured elsewhere (in a worker process) to a stage."""
    if _seconds is not None:
        _seconds[name] = _seconds.get(name, 0.0) + seconds


def peak_mb() -> float | None:
    """This process's peak memory in MB (its high-water mark), or None where not measured."""
    status = Path("/proc/self/status")
    if status.exists():  # Linux: this process alone
        found = re.search(r"VmHWM:\s+(\d+)", status.read_text())
        return int(found.group(1)) / 1024 if found else None
    try:
        import resource
    except ImportError:
        return None  # Windows: not measured
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / (1024 if sys.platform == "darwin" else 1)
