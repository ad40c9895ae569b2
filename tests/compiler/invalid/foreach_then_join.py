# expect: FLC107@8:9
from metaflow import FlowSpec, step


class EmptyForeachFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.join, foreach="items")

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
