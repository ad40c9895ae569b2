# expect: FLC303@5:2, FLC303@8:18, FLC303@9:23
from metaflow import FlowSpec, resources, retry, schedule, step


@schedule(daily=True, hourly=True)
class BadValueFlow(FlowSpec):
    @step
    @retry(times=-1)
    @resources(memory="lots")
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
