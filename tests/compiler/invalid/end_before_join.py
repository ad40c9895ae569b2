# expect: FLC103@8:9
from metaflow import FlowSpec, step


class UnjoinedFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.work, foreach="items")

    @step
    def work(self):
        self.next(self.end)

    @step
    def end(self):
        pass
