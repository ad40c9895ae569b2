# expect: FLC202@6:13
from metaflow import FlowSpec, Parameter, step


class ClashFlow(FlowSpec):
    train = Parameter("epochs", default=3)

    @step
    def start(self):
        self.next(self.train)

    @step
    def train(self):
        self.next(self.end)

    @step
    def end(self):
        pass
