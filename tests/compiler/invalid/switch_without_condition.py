# expect: FLC017@8:9
from metaflow import FlowSpec, step


class NoConditionFlow(FlowSpec):
    @step
    def start(self):
        self.next({"a": self.a, "b": self.b})

    @step
    def a(self):
        self.next(self.end)

    @step
    def b(self):
        self.next(self.end)

    @step
    def end(self):
        pass
