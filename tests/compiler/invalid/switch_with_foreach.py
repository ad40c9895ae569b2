# expect: FLC017@8:62
from metaflow import FlowSpec, step


class SwitchForeachFlow(FlowSpec):
    @step
    def start(self):
        self.next({"a": self.a, "b": self.b}, condition="c", foreach="items")

    @step
    def a(self):
        self.next(self.end)

    @step
    def b(self):
        self.next(self.end)

    @step
    def end(self):
        pass
