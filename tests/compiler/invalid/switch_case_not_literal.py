# expect: FLC017@10:20, FLC017@10:49
from metaflow import FlowSpec, step

LOW = "low"


class CaseFlow(FlowSpec):
    @step
    def start(self):
        self.next({LOW: self.a, "high": self.b, **self.more}, condition="level")

    @step
    def a(self):
        self.next(self.end)

    @step
    def b(self):
        self.next(self.end)

    @step
    def end(self):
        pass
