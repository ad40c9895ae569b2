# expect: FLC003@11:7
from metaflow import FlowSpec, step


class FirstFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)


class SecondFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)
