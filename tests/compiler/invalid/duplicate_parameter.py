# expect: FLC203@7:12
from metaflow import FlowSpec, Parameter, step


class DupParamFlow(FlowSpec):
    alpha = Parameter("alpha", default=0.5)
    beta = Parameter("alpha", default=0.1)

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
