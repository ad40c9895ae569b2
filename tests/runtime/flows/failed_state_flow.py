"""`middle` fails after setting artifacts (one of them unpicklable when FLOWC_TEST_LOCK is set); the failed
attempt's artifacts are for the client to inspect."""
import os
import threading

from flowc.runtime import FlowSpec, Parameter, step


class FailedStateFlow(FlowSpec):
    scale = Parameter("scale", default=10)
    LIMIT = 3

    @step
    def start(self):
        self.inherited = "from start"
        self.replaced = "start's value"
        self.next(self.middle)

    @step
    def middle(self):
        self.set_before = [1, 2, self.scale]
        self.replaced = "middle's value"
        if os.environ.get("FLOWC_TEST_LOCK"):
            self.replaced = threading.Lock()  # cannot be pickled: skipped, not start's value either
            self.lock = threading.Lock()
        if not os.environ.get("FLOWC_TEST_FIXED"):
            raise ValueError("middle failed on purpose")
        self.next(self.end)

    @step
    def end(self):
        self.result = self.set_before
