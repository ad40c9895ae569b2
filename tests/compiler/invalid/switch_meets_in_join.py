# expect: FLC111@27:9
from metaflow import FlowSpec, step


class SwitchMeetJoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.p, self.q)

    @step
    def p(self):
        self.next({"x": self.a, "y": self.b}, condition="c")

    @step
    def a(self):
        self.next(self.join)

    @step
    def b(self):
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
