# expect: FLC020@7:9, FLC020@11:9, FLC020@15:9
from metaflow import FlowSpec, step


class SignatureFlow(FlowSpec):
    @step
    def start():
        self.next(self.a)

    @step
    def a(self, inputs, extra):
        self.next(self.b)

    @step
    def b(self, *, flag=True):
        self.next(self.end)

    @step
    def end(self):
        pass
