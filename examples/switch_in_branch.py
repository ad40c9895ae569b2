"""A switch inside one branch of a static split, with another switch in one of its cases: every case ends
at the split's join, which gets one input per branch (the case that ran, and the other branch)."""
from metaflow import FlowSpec, step


class SwitchInBranchFlow(FlowSpec):
    @step
    def start(self):
        self.size = 7
        self.next(self.route, self.count)

    @step
    def route(self):
        self.kind = "big" if self.size > 5 else "small"
        self.next({"big": self.grade, "small": self.small}, condition="kind")

    @step
    def grade(self):
        self.level = "huge" if self.size > 6 else "large"
        self.next({"huge": self.huge, "large": self.large}, condition="level")

    @step
    def huge(self):
        self.label = f"huge:{self.size}"
        self.next(self.huger)

    @step
    def huger(self):
        self.label += "+"
        self.next(self.join)

    @step
    def large(self):
        self.label = f"large:{self.size}"
        self.next(self.join)

    @step
    def small(self):
        self.label = f"small:{self.size}"
        self.next(self.join)

    @step
    def count(self):
        self.label = f"count:{self.size * 2}"
        self.next(self.join)

    @step
    def join(self, inputs):
        self.labels = sorted(i.label for i in inputs)
        self.size = inputs[0].size
        self.next(self.end)

    @step
    def end(self):
        print(self.labels)


if __name__ == "__main__":
    SwitchInBranchFlow()
