# expect: FLC108@23:9
from metaflow import FlowSpec, step


class SwitchJoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.p, self.q)

    @step
    def p(self):
        self.next({"x": self.a, "y": self.join}, condition="c")

    @step
    def a(self):
        self.next(self.join)

    @step
    def q(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
