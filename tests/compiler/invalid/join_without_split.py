# expect: FLC105@11:9
from metaflow import FlowSpec, step


class LoneJoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.gather)

    @step
    def gather(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
