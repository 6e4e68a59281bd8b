"""Time spent in each stage of a run, for the benchmark; off (and free) unless started."""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator

_seconds: dict[str, float] | None = None


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
