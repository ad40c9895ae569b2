# expect: FLC104@8:9, FLC109@19:9
from metaflow import FlowSpec, step


class TwoMistakesFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b, self.c)

    @step
    def a(self):
        self.next(self.join)

    @step
    def b(self):
        self.next(self.c)

    @step
    def c(self):
        self.next(self.end)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
