"""One wall-clock limit for a block of code in the task's main thread (@timeout, a card's timeout)."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def deadline(seconds: float, error: Callable[[], BaseException]) -> Iterator[None]:
    """Raise `error()` inside the block when `seconds` have passed (0: no limit); the previous SIGALRM
    handler is restored on the way out."""
    if not seconds:
        yield
        return

    def expire(signum, frame):
        raise error()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
