"""Building a large tree of objects (the `ast` of a flow file, a backend's documents for a plan) with
the cyclic garbage collector running makes every full collection walk all the objects built so far, so the
work grows faster than the tree. Neither holds garbage cycles worth collecting while it is being built."""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    """Pause the cyclic garbage collector for the block (reference counting still frees objects)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
