"""Several flow classes in one file: Metaflow runs the one the `__main__` block instantiates, here the base
flow, although another flow of the file extends it."""
from metaflow import FlowSpec, Parameter, step


class CountFlow(FlowSpec):
    start_at = Parameter("start_at", default=10)

    @step
    def start(self):
        self.count = self.start_at
        self.next(self.end)

    @step
    def end(self):
        self.result = f"{type(self).__name__} counted {self.count}"


class CountTwiceFlow(CountFlow):
    @step
    def end(self):
        self.result = f"{type(self).__name__} counted {self.count * 2}"


if __name__ == "__main__":
    CountFlow()
