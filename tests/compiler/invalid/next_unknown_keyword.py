# expect: FLC013@8:30
from metaflow import FlowSpec, step


class KeywordFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.work, forach="items")

    @step
    def work(self):
        self.next(self.end)

    @step
    def end(self):
        pass
