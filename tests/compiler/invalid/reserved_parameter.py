# expect: FLC201@6:22
from metaflow import FlowSpec, Parameter, step


class ParamFlow(FlowSpec):
    tags = Parameter("tags", default="a,b")

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
