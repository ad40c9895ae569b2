# expect: FLC016@9:37, FLC016@13:38
from metaflow import FlowSpec, step


class ForeachNameFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.fan, foreach=self.items)

    @step
    def fan(self):
        self.next(self.work, foreach="the items")

    @step
    def work(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.join2)

    @step
    def join2(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
