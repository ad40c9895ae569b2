# expect: FLC012@9:13
from metaflow import FlowSpec, step


class EarlyNextFlow(FlowSpec):
    @step
    def start(self):
        if self.ready:
            self.next(self.end)
        print("done")

    @step
    def end(self):
        pass
