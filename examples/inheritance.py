"""A flow built from other classes of the file: a base flow's parameter and steps, a mixin's step, and an
override. The flow that runs is the one no other class extends (ReportFlow)."""
from metaflow import FlowSpec, Parameter, step


class ScoringSteps:
    """A mixin: steps that any flow of this file can take."""

    @step
    def score(self):
        self.score_value = len(self.text) * self.weight
        self.next(self.end)


class BaseReportFlow(FlowSpec):
    weight = Parameter("weight", default=2, help="multiplies the score")
    title = Parameter("title", default="base")

    @step
    def start(self):
        self.text = "base text"
        self.next(self.score)

    @step
    def end(self):
        self.report = f"{self.title}: {self.text} -> {self.score_value}"
        print(self.report)


class ReportFlow(BaseReportFlow, ScoringSteps):
    """Overrides start; `title` is a plain attribute here, so it is no longer a parameter."""

    title = "report"

    @step
    def start(self):
        self.text = "derived text"
        self.next(self.score)


if __name__ == "__main__":
    ReportFlow()
