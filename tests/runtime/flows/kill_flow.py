"""A step whose artifact blocks while it is being pickled, so a test can kill the task mid-write."""
import os
import time

from metaflow import FlowSpec, step


class Blocker:
    """Pickles as a plain string, but first says it is being written and waits (first attempt only)."""

    def __reduce__(self):
        ready = os.environ.get("FLOWC_TEST_READY")
        if ready and not os.path.exists(ready):
            open(ready, "w").close()
            time.sleep(120)
        return (str, ("written",))


class KillFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.write)

    @step
    def write(self):
        self.big = os.urandom(1 << 20) * 24  # spills to a temporary file
        self.payload = [self.big, Blocker()]
        self.next(self.end)

    @step
    def end(self):
        self.size = len(self.big)
