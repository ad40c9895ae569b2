"""Joins as Metaflow documents them: inputs by name, iterated, merge_artifacts, foreach_stack."""
from metaflow import FlowSpec, step


class JoinsFlow(FlowSpec):
    @step
    def start(self):
        self.shared = "same everywhere"
        self.letters = ["a", "b", "c"]
        self.next(self.left, self.right)

    @step
    def left(self):
        self.side = "left"
        self.score = 1
        self.next(self.meet)

    @step
    def right(self):
        self.side = "right"
        self.score = 2
        self.next(self.meet)

    @step
    def meet(self, inputs):
        self.by_name = (inputs.left.score, inputs.right.score)
        # Metaflow orders a static join's inputs by a set of step names (the hash seed decides); flowc
        # uses the order of self.next(...). Only the set is comparable.
        self.sides = sorted(i.side for i in inputs)
        self.merge_artifacts(inputs, exclude=["side", "score"])
        self.next(self.fan_out)

    @step
    def fan_out(self):
        self.next(self.outer, foreach="letters")

    @step
    def outer(self):
        self.letter = self.input
        self.digits = [1, 2]
        self.next(self.inner, foreach="digits")

    @step
    def inner(self):
        self.cell = f"{self.letter}{self.input}"
        self.stack = self.foreach_stack()  # [(index, num_splits, value)], outermost first
        self.position = self.index
        self.next(self.inner_join)

    @step
    def inner_join(self, inputs):
        self.cells = [i.cell for i in inputs]
        self.merge_artifacts(inputs, exclude=["cell", "stack", "position"])
        self.next(self.outer_join)

    @step
    def outer_join(self, inputs):
        self.grid = [i.cells for i in inputs]
        self.letters_seen = [i.letter for i in inputs]
        self.merge_artifacts(inputs, include=["shared", "by_name", "sides"])
        self.next(self.end)

    @step
    def end(self):
        self.summary = (self.shared, self.by_name, self.sides, self.grid)


if __name__ == "__main__":
    JoinsFlow()
