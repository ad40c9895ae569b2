# expect: FLC205@6:42, FLC205@7:51
from metaflow import FlowSpec, JSONType, Parameter, step


class DefaultFlow(FlowSpec):
    n = Parameter("n", type=int, default="ten")
    cfg = Parameter("cfg", type=JSONType, default="{not json")

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
