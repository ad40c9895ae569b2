"""Metaflow's `profile`: `with profile("load"): ...` prints how long the block took; with `stats_dict=` it adds
the milliseconds to stats_dict[label] instead of printing."""

from __future__ import annotations

import time
from contextlib import contextmanager


@contextmanager
def profile(label: str, stats_dict: dict | None = None):
    if stats_dict is None:
        print(f"PROFILE: {label} starting")
    start = time.time()
    yield
    took = int((time.time() - start) * 1000)
    if stats_dict is None:
        print(f"PROFILE: {label} completed in {took}ms")
    else:
        stats_dict[label] = stats_dict.get(label, 0) + took
