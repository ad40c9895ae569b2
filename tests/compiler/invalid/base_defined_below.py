# expect: FLC071@5:17
from metaflow import FlowSpec, step


class ChildFlow(BaseFlow):
    @step
    def end(self):
        pass


class BaseFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)
