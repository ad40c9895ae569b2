# expect: FLC207@7:12
from metaflow import FlowSpec, Parameter, schedule, step


@schedule(daily=True)
class ScheduledFlow(FlowSpec):
    date = Parameter("date", required=True)
    size = Parameter("size", default=3)

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
