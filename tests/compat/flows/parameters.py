"""Parameters of every kind, given on the command line and left at their defaults."""
# compat: param count=5
# compat: param label=two words
# compat: param weights={"a": 1, "b": [2, 3]}
from metaflow import FlowSpec, IncludeFile, JSONType, Parameter, step


class ParametersFlow(FlowSpec):
    alpha = Parameter("alpha", default=0.5, help="a float left at its default")
    count = Parameter("count", default=3, type=int, help="an int given on the command line")
    label = Parameter("label", default="plain")
    flag = Parameter("flag", default=False, type=bool)
    weights = Parameter("weights", default='{"a": 0}', type=JSONType)
    threshold = Parameter("threshold", type=int, default=lambda ctx: 7)
    notes = IncludeFile("notes", default="notes.txt")

    @step
    def start(self):
        self.seen = {"alpha": self.alpha, "count": self.count, "label": self.label, "flag": self.flag,
                     "weights": self.weights, "threshold": self.threshold, "notes": self.notes}
        self.types = sorted((name, type(value).__name__) for name, value in self.seen.items())
        self.next(self.end)

    @step
    def end(self):
        self.total = self.count * self.alpha + self.weights["b"][1]


if __name__ == "__main__":
    ParametersFlow()
