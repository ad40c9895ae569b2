"""Foreach over the containers users hand it: a range, a tuple, a dict's items, a list of dicts, and a
foreach of one item; the joins rebuild what was split."""
from metaflow import FlowSpec, Parameter, step


class ForeachShapesFlow(FlowSpec):
    width = Parameter("width", default=3, type=int)

    @step
    def start(self):
        self.numbers = range(self.width)
        self.next(self.square, foreach="numbers")

    @step
    def square(self):
        self.squared = self.input ** 2
        self.next(self.squares)

    @step
    def squares(self, inputs):
        self.squared_all = [i.squared for i in inputs]
        self.next(self.split_prices)

    @step
    def split_prices(self):
        self.prices = {"apple": 3, "pear": 5}
        self.items = list(self.prices.items())
        self.next(self.price, foreach="items")

    @step
    def price(self):
        fruit, cents = self.input
        self.line = f"{fruit}: {cents * 10}"
        self.next(self.priced)

    @step
    def priced(self, inputs):
        self.lines = [i.line for i in inputs]
        self.merge_artifacts(inputs, include=["squared_all", "prices"])
        self.next(self.split_colours)

    @step
    def split_colours(self):
        self.colours = ("red", "green")
        self.next(self.paint, foreach="colours")

    @step
    def paint(self):
        self.colour = self.input
        self.jobs = [{"colour": self.colour, "size": size} for size in (1, 2)]
        self.next(self.job, foreach="jobs")

    @step
    def job(self):
        self.done = f"{self.input['colour']}-{self.input['size']}"
        self.next(self.jobs_done)

    @step
    def jobs_done(self, inputs):
        self.done_all = [i.done for i in inputs]
        self.merge_artifacts(inputs, include=["colour", "lines", "squared_all", "prices"])
        self.next(self.painted)

    @step
    def painted(self, inputs):
        self.grid = {i.colour: i.done_all for i in inputs}
        self.merge_artifacts(inputs, include=["lines", "squared_all", "prices"])
        self.next(self.split_single)

    @step
    def split_single(self):
        self.single = ["only"]
        self.next(self.one, foreach="single")

    @step
    def one(self):
        self.alone = (self.input, self.index)
        self.next(self.ones)

    @step
    def ones(self, inputs):
        self.alone = inputs[0].alone
        self.merge_artifacts(inputs, include=["grid", "lines", "squared_all", "prices"])
        self.next(self.end)

    @step
    def end(self):
        self.summary = {"squares": self.squared_all, "lines": self.lines, "grid": self.grid, "alone": self.alone}


if __name__ == "__main__":
    ForeachShapesFlow()
