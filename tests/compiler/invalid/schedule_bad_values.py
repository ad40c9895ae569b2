# expect: FLC303@5:16, FLC303@5:39
from metaflow import FlowSpec, schedule, step


@schedule(cron="61 0 * * *", timezone="utc")
class BadScheduleFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
