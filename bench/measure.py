"""Comparing two (or more) things fairly on a shared machine: CPU time, interleaved, both numbers printed.

Wall time on a loaded machine measures the other jobs; CPU time (user + sys) of the process doing the work
mostly does not. Running A, B, A, B, ... makes whatever load there is fall on every command alike.
Stdlib only, so a benchmark can also import it inside another virtualenv's interpreter (put bench/ on
PYTHONPATH).
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from typing import Callable, Mapping, Optional


def child_cpu(argv: list[str], cwd=None, env: Optional[dict] = None, expect: Optional[int] = 0) -> float:
    """CPU seconds (user + sys) that the child process `argv` (and children it waited for) used.
    Exits the benchmark with the child's stderr if it returned other than `expect` (None: any code)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if expect is not None and done.returncode != expect:
        sys.exit(f"{' '.join(map(str, argv[:6]))}... exited {done.returncode}:\n{done.stderr[-2000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cpu(function: Callable[[], object]) -> float:
    """CPU seconds this process spent in `function()`."""
    started = time.process_time()
    function()
    return time.process_time() - started


def interleaved(measures: Mapping[str, Callable[[], float]], rounds: int, warm: int = 1) -> dict[str, list[float]]:
    """Call each measure in turn (A, B, A, B, ...) for `rounds` rounds after `warm` unrecorded ones;
    each measure returns the seconds of one run (e.g. `lambda: child_cpu(argv)`)."""
    times: dict[str, list[float]] = {name: [] for name in measures}
    for round_ in range(warm + rounds):
        for name, measure in measures.items():
            elapsed = measure()
            if round_ >= warm:
                times[name].append(elapsed)
    return times


def median(times: list[float]) -> float:
    return statistics.median(times)


def line(name: str, times: list[float], width: int = 36) -> str:
    """`name  median X ms  best Y ms`."""
    return f"{name:<{width}} median {median(times) * 1e3:8.1f} ms   best {min(times) * 1e3:8.1f} ms"


def ratio(a: list[float], b: list[float]) -> str:
    """a/b from the medians and from the best runs: both, since neither alone is the truth on a busy machine."""
    return f"{median(a) / median(b):.2f}x (median), {min(a) / min(b):.2f}x (best)"


def load() -> str:
    import os

    return f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
