# expect: FLC303@7:23, FLC303@12:23
from metaflow import FlowSpec, environment, step


class ReservedEnvironmentFlow(FlowSpec):
    @step
    @environment(vars={"FLOWC_INDEX": "0", "OK": "1"})
    def start(self):
        self.next(self.end)

    @step
    @environment(vars={"A=B": "x"})
    def end(self):
        pass
