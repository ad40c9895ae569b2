# expect: FLC014@8:27
from metaflow import FlowSpec, step


class TypoSplitFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.bb)

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
