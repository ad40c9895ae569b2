# expect: FLC011@8:19
from metaflow import FlowSpec, step


class ComputedFlow(FlowSpec):
    @step
    def start(self):
        self.next(getattr(self, "end"))

    @step
    def end(self):
        pass
