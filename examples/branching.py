"""A flow that splits into two branches and joins them."""
from metaflow import FlowSpec, Parameter, step, retry


class BranchFlow(FlowSpec):
    """Train two models side by side and keep the better one."""

    alpha = Parameter("alpha", default=0.5, help="learning rate")

    @step
    def start(self):
        self.data = [1, 2, 3]
        self.next(self.a, self.b)

    @retry(times=2)
    @step
    def a(self):
        self.score = sum(self.data) * self.alpha
        self.next(self.join)

    @step
    def b(self):
        self.score = len(self.data)
        self.next(self.join)

    @step
    def join(self, inputs):
        self.best = max(i.score for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        print(self.best)
