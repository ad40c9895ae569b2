"""A branch inside a branch: each split is closed by its own join."""
from metaflow import FlowSpec, step


class NestedBranchFlow(FlowSpec):
    @step
    def start(self):
        self.base = 10
        self.next(self.left, self.right)

    @step
    def left(self):
        self.next(self.left_a, self.left_b)

    @step
    def left_a(self):
        self.value = self.base + 1
        self.next(self.left_join)

    @step
    def left_b(self):
        self.value = self.base + 2
        self.next(self.left_join)

    @step
    def left_join(self, inputs):
        self.value = sum(i.value for i in inputs)
        self.next(self.join)

    @step
    def right(self):
        self.value = self.base * 3
        self.next(self.join)

    @step
    def join(self, inputs):
        self.total = sum(i.value for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        print(self.total)


if __name__ == "__main__":
    NestedBranchFlow()
