"""Metaflow's multicore helpers, `parallel_map` and `parallel_imap_unordered`: a function over items, each call
in a forked child process (so the function may be a closure or a lambda: nothing is pickled but the results),
at most `max_parallel` at a time. A call that fails fails the whole map with MulticoreException."""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from .errors import MetaflowException

_POLL_SECONDS = 0.01


class MulticoreException(MetaflowException):
    headline = "A parallel_map call failed"


def _fork(func: Callable, arg: object, folder: str | None) -> tuple[int, str]:
    """Start func(arg) in a child; (pid, the file its pickled result goes to)."""
    handle, path = tempfile.mkstemp(prefix="parallel_map_", dir=folder)
    os.close(handle)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid, path
    code = 1
    try:
        result = func(arg)
        with open(path, "wb") as out:
            pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
        code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)  # never the parent's clean-up (atexit, the task's own handlers)


def parallel_imap_unordered(func: Callable, iterable: Iterable, max_parallel: int | None = None,
                            dir: str | None = None) -> Iterator:
    """func(item) for every item, in parallel; results in the order they finish."""
    limit = max_parallel or os.cpu_count() or 1
    items = iter(iterable)
    running = [_fork(func, arg, dir) for arg in islice(items, limit)]
    try:
        while running:
            finished = None
            for position, (pid, path) in enumerate(running):
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    finished = running.pop(position)
                    break
            if finished is None:
                time.sleep(_POLL_SECONDS)
                continue
            path = finished[1]
            if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
                raise MulticoreException("a parallel_map call failed (its traceback is above)")
            with open(path, "rb") as source:
                result = pickle.load(source)
            os.remove(path)
            running.extend(_fork(func, arg, dir) for arg in islice(items, 1))
            yield result
    finally:
        for pid, path in running:  # stop what is left when the map fails or is abandoned
            try:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            except OSError:
                pass
            if os.path.exists(path):
                os.remove(path)


def parallel_map(func: Callable, iterable: Iterable, max_parallel: int | None = None,
                 dir: str | None = None) -> list:
    """[func(item) for item in iterable], computed in parallel; results in the items' order."""
    numbered = parallel_imap_unordered(lambda pair: (pair[0], func(pair[1])), enumerate(iterable), max_parallel, dir)
    return [result for _, result in sorted(numbered, key=lambda pair: pair[0])]
