# expect: FLC011@8:27
from metaflow import FlowSpec, step


class TwiceFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.a)

    @step
    def a(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
