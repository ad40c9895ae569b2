# expect: FLC030@11:9
from metaflow import FlowSpec, step


class ReservedFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.input)

    @step
    def input(self):
        self.next(self.end)

    @step
    def end(self):
        pass
