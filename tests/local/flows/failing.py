"""Fails in `middle` for index 1 until the file named by the `marker` parameter exists (resume tests)."""
import os

from flowc.runtime import FlowSpec, Parameter, step


class FailingFlow(FlowSpec):
    marker = Parameter("marker", help="path of a file whose presence lets `middle` succeed")

    @step
    def start(self):
        self.items = [1, 2, 3]
        self.next(self.middle, foreach="items")

    @step
    def middle(self):
        if self.input == 2 and not os.path.exists(self.marker):
            raise ValueError(f"no marker file for item {self.input}")
        self.doubled = self.input * 2
        self.next(self.join)

    @step
    def join(self, inputs):
        self.total = sum(i.doubled for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        self.result = self.total + 1
