# expect: FLC204@8:9, FLC204@9:19, FLC204@10:35, FLC204@11:42, FLC204@12:42, FLC204@13:44
from metaflow import FlowSpec, Parameter, step

NAME = "gamma"


class ArgsFlow(FlowSpec):
    a = Parameter(default=1)
    b = Parameter(NAME, default=1)
    c = Parameter("c", default=1, typ=int)
    d = Parameter("d", default="x", type=list)
    e = Parameter("e", default="x", help=NAME)
    f = Parameter("f", default=1, required="yes")

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
