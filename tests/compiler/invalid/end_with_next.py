# expect: FLC015@13:9, FLC014@13:19
from metaflow import FlowSpec, step


class EndNextFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        print("bye")
        self.next(self.done)
