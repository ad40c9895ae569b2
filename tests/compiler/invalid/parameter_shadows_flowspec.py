# expect: FLC206@6:12
from metaflow import FlowSpec, Parameter, step


class HelloFlow(FlowSpec):
    name = Parameter("name", default="world")

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
