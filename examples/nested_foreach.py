"""Foreach nested three deep: every (x, y, z) combination, reduced level by level."""
from metaflow import FlowSpec, step


class NestedForeachFlow(FlowSpec):
    @step
    def start(self):
        self.xs = [1, 2]
        self.next(self.outer, foreach="xs")

    @step
    def outer(self):
        self.x = self.input
        self.ys = [10, 20]
        self.next(self.middle, foreach="ys")

    @step
    def middle(self):
        self.y = self.input
        self.zs = [100, 200, 300]
        self.next(self.inner, foreach="zs")

    @step
    def inner(self):
        self.z = self.input
        self.cell = self.x + self.y + self.z
        self.stack = [index for index, _, _ in self.foreach_stack()]
        self.next(self.join_inner)

    @step
    def join_inner(self, inputs):
        self.cells = [i.cell for i in inputs]
        self.stacks = [i.stack for i in inputs]
        self.next(self.join_middle)

    @step
    def join_middle(self, inputs):
        self.cells = [c for i in inputs for c in i.cells]
        self.stacks = [s for i in inputs for s in i.stacks]
        self.next(self.join_outer)

    @step
    def join_outer(self, inputs):
        self.cells = [c for i in inputs for c in i.cells]
        self.stacks = [s for i in inputs for s in i.stacks]
        self.next(self.end)

    @step
    def end(self):
        print(len(self.cells), sum(self.cells))


if __name__ == "__main__":
    NestedForeachFlow()
