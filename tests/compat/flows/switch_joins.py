"""Switches whose cases end at a join, as Metaflow allows: a switch nested in a switch inside one branch
of a static split, and a switch inside a foreach body (itself a branch) whose cases end at the foreach
join. Each join gets one input per branch (per foreach child): the case that ran."""
from metaflow import FlowSpec, step


class SwitchJoinsFlow(FlowSpec):
    @step
    def start(self):
        self.size = 9
        self.items = [1, 2, 3, 4, 5]
        self.next(self.route, self.loop)

    @step
    def route(self):
        self.kind = "big" if self.size > 5 else "small"
        self.next({"big": self.grade, "small": self.small}, condition="kind")

    @step
    def grade(self):
        self.level = "huge" if self.size > 8 else "large"
        self.next({"huge": self.huge, "large": self.large}, condition="level")

    @step
    def huge(self):
        self.path = "route>grade>huge"
        self.next(self.join)

    @step
    def large(self):
        self.path = "route>grade>large"
        self.next(self.join)

    @step
    def small(self):
        self.path = "route>small"
        self.next(self.join)

    @step
    def loop(self):
        self.next(self.classify, foreach="items")

    @step
    def classify(self):
        self.n = self.input
        self.parity = "even" if self.n % 2 == 0 else "odd"
        self.next({"even": self.even_case, "odd": self.odd_case}, condition="parity")

    @step
    def even_case(self):
        self.value = self.n * 10
        self.next(self.loop_join)

    @step
    def odd_case(self):
        self.value = -self.n
        self.next(self.loop_join)

    @step
    def loop_join(self, inputs):
        self.values = sorted(i.value for i in inputs)
        self.children = len(list(inputs))
        self.path = "loop"
        self.next(self.join)

    @step
    def join(self, inputs):
        self.paths = sorted(i.path for i in inputs)
        self.inputs_count = len(list(inputs))
        self.by_name = [name for name in ("huge", "large", "small", "loop_join") if hasattr(inputs, name)]
        self.values = inputs.loop_join.values
        self.merge_artifacts(inputs, include=["size", "items"])
        self.next(self.end)

    @step
    def end(self):
        self.summary = f"{self.paths} {self.values} {self.by_name}"


if __name__ == "__main__":
    SwitchJoinsFlow()
