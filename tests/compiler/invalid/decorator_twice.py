# expect: FLC306@8:6
from metaflow import FlowSpec, retry, step


class TwiceDecoFlow(FlowSpec):
    @step
    @retry(times=1)
    @retry(times=5)
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
