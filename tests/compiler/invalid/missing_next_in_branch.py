# expect: FLC010@15:9
from metaflow import FlowSpec, step


class ForgotNextFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.next(self.join)

    @step
    def b(self):
        self.total = 2

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
