# expect: FLC017@8:35
from metaflow import FlowSpec, step


class ConditionFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b, condition="level")

    @step
    def a(self):
        self.next(self.join)

    @step
    def b(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
