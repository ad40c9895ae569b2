# expect: FLC014@8:19
from metaflow import FlowSpec, step


class TypoFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.tain)

    @step
    def train(self):
        self.next(self.end)

    @step
    def end(self):
        pass
