# expect: FLC010@8:9
from metaflow import FlowSpec, step


class MisspelledNextFlow(FlowSpec):
    @step
    def start(self):
        self.nxt(self.end)

    @step
    def end(self):
        pass
