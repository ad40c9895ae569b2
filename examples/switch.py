"""A switch: the value of an artifact picks which branch runs; the branches meet again."""
from metaflow import FlowSpec, Parameter, step


class SwitchFlow(FlowSpec):
    """Route small and large orders differently."""

    amount = Parameter("amount", default=250, help="order amount")

    @step
    def start(self):
        self.size = "large" if self.amount >= 100 else "small"
        self.next({"small": self.small, "large": self.large}, condition="size")

    @step
    def small(self):
        self.fee = 1
        self.next(self.settle)

    @step
    def large(self):
        self.fee = round(self.amount * 0.02, 2)
        self.next(self.review)

    @step
    def review(self):
        self.reviewed = True
        self.next(self.settle)

    @step
    def settle(self):
        self.total = self.amount + self.fee
        self.next(self.end)

    @step
    def end(self):
        print(self.size, self.total)


if __name__ == "__main__":
    SwitchFlow()
