# expect: FLC032@5:7, FLC032@5:7, FLC010@11:9
from metaflow import FlowSpec, step


class HeadlessFlow(FlowSpec):
    @step
    def begin(self):
        self.next(self.finish)

    @step
    def finish(self):
        pass
