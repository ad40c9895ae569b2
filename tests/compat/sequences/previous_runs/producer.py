"""Produces a model that a later flow reads through the client (run twice: the consumer reads the latest)."""
from metaflow import FlowSpec, Parameter, current, step


class ProducerFlow(FlowSpec):
    version = Parameter("version", default=1)

    @step
    def start(self):
        self.model = {"weights": [0.5, 0.25], "version": self.version}
        self.next(self.end)

    @step
    def end(self):
        self.produced_by = current.flow_name


if __name__ == "__main__":
    ProducerFlow()
