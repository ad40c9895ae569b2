"""A switch inside a foreach: each item takes its own branch."""
from metaflow import FlowSpec, step


class SwitchInForeachFlow(FlowSpec):
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
        self.result = self.n // 2
        self.next(self.collect)

    @step
    def triple(self):
        self.result = 3 * self.n + 1
        self.next(self.collect)

    @step
    def collect(self):
        self.pair = (self.n, self.result)
        self.next(self.join)

    @step
    def join(self, inputs):
        self.pairs = [i.pair for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        print(self.pairs)


if __name__ == "__main__":
    SwitchInForeachFlow()
