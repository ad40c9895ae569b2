"""A switch inside a foreach body whose cases end at the foreach join: each child takes one case, and the
join gets one input per child, from the case it took."""
from metaflow import FlowSpec, step


class SwitchMeetsAtForeachJoinFlow(FlowSpec):
    @step
    def start(self):
        self.numbers = [3, 8, 5, 12]
        self.next(self.classify, foreach="numbers")

    @step
    def classify(self):
        self.n = self.input
        self.parity = "even" if self.n % 2 == 0 else "odd"
        self.next({"even": self.halve, "odd": self.triple}, condition="parity")

    @step
    def halve(self):
        self.result = (self.n, self.n // 2)
        self.next(self.join)

    @step
    def triple(self):
        self.result = (self.n, 3 * self.n + 1)
        self.next(self.join)

    @step
    def join(self, inputs):
        self.results = sorted(i.result for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        print(self.results)


if __name__ == "__main__":
    SwitchMeetsAtForeachJoinFlow()
