# expect: FLC304@10:18, FLC304@11:18
from metaflow import FlowSpec, environment, retry, step

TIMES = 3
ENV = {"MODE": "fast"}


class DynamicDecoFlow(FlowSpec):
    @step
    @retry(times=TIMES)
    @environment(**ENV)
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
