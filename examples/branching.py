"""A static branch: two models trained side by side, joined by picking the better one."""
from metaflow import FlowSpec, Parameter, retry, step


class BranchFlow(FlowSpec):
    """Train two models side by side and keep the better one."""

    alpha = Parameter("alpha", default=0.5, help="weight of the linear model")

    @step
    def start(self):
        self.data = [1, 2, 3, 4]
        self.next(self.linear, self.constant)

    @retry(times=2)
    @step
    def linear(self):
        self.model = "linear"
        self.score = sum(self.data) * self.alpha
        self.next(self.join)

    @step
    def constant(self):
        self.model = "constant"
        self.score = float(len(self.data))
        self.next(self.join)

    @step
    def join(self, inputs):
        best = max(inputs, key=lambda i: i.score)
        self.best_model, self.best_score = best.model, best.score
        self.scores = {i.model: i.score for i in inputs}
        self.merge_artifacts(inputs, include=["data"])
        self.next(self.end)

    @step
    def end(self):
        print(self.best_model, self.best_score)


if __name__ == "__main__":
    BranchFlow()
