"""merge_artifacts in every mode, chosen by a parameter."""
from metaflow import FlowSpec, Parameter, step


class MergeFlow(FlowSpec):
    mode = Parameter("mode", default="set_first")

    @step
    def start(self):
        self.same = "shared"
        self.x = 0
        self.next(self.a, self.b)

    @step
    def a(self):
        self.x = 1
        self.only_a = "from a"
        self.next(self.join)

    @step
    def b(self):
        self.x = 2
        self.next(self.join)

    @step
    def join(self, inputs):
        self.saw_before = sorted(n for n in ("same", "x", "only_a", "mode") if hasattr(self, n))
        self.from_b = inputs.b.x
        self.order = [i.x for i in inputs]
        if self.mode == "set_first":
            self.x = max(i.x for i in inputs)
            self.merge_artifacts(inputs)
        elif self.mode == "conflict":
            self.merge_artifacts(inputs)
        elif self.mode == "exclude":
            self.merge_artifacts(inputs, exclude=["x"])
        elif self.mode == "include":
            self.merge_artifacts(inputs, include=["only_a"])
        elif self.mode == "include_missing":
            self.merge_artifacts(inputs, include=["only_a", "nope"])
        elif self.mode == "both":
            self.merge_artifacts(inputs, include=["same"], exclude=["x"])
        self.next(self.end)

    @step
    def end(self):
        self.seen = sorted(n for n in ("same", "x", "only_a") if hasattr(self, n))
