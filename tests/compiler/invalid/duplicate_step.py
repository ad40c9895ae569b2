# expect: FLC033@15:9
from metaflow import FlowSpec, step


class TwiceFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train)

    @step
    def train(self):
        self.next(self.end)

    @step
    def train(self):
        self.next(self.end)

    @step
    def end(self):
        pass
