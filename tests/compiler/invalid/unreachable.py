# expect: FLC102@11:9
from metaflow import FlowSpec, step


class OrphanFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def forgotten(self):
        self.next(self.end)

    @step
    def end(self):
        pass
