# expect: FLC201@6:21, FLC302@12:12, FLC031@14:9, FLC014@15:19, FLC010@18:9
from metaflow import FlowSpec, Parameter, retry, step


class ManyProblemsFlow(FlowSpec):
    tag = Parameter("tag", default="x")

    @step
    def start(self):
        self.next(self.Fit)

    @retry(tims=2)
    @step
    def Fit(self):
        self.next(self.evaluate)

    @step
    def score(self):
        self.model = 1

    @step
    def end(self):
        pass
