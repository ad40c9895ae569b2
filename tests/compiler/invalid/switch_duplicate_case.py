# expect: FLC017@8:38
from metaflow import FlowSpec, step


class DuplicateCaseFlow(FlowSpec):
    @step
    def start(self):
        self.next({"x": self.a, "x": self.b}, condition="level")

    @step
    def a(self):
        self.next(self.end)

    @step
    def b(self):
        self.next(self.end)

    @step
    def end(self):
        pass
