# expect: FLC302@6:12, FLC302@7:16
from metaflow import FlowSpec, resources, retry, step


class DecoArgFlow(FlowSpec):
    @retry(3)
    @resources(mem=4096)
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
