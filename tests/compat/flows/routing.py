"""A switch inside a foreach inside one arm of a static branch, as a data-routing flow does it: each record
is routed by its kind, the other arm counts in parallel, and the join reads both arms by name."""
from metaflow import FlowSpec, Parameter, step

ROUTES = {"csv": "parse_table", "json": "parse_document"}


def kind_of(name):
    return name.rsplit(".", 1)[-1]


class RoutingFlow(FlowSpec):
    files = Parameter("files", default="a.csv,b.json,c.csv", help="comma-separated file names")

    @step
    def start(self):
        self.names = tuple(self.files.split(","))
        self.next(self.route_all, self.count)

    @step
    def route_all(self):
        self.next(self.route, foreach="names")

    @step
    def route(self):
        self.file_name = self.input
        self.kind = kind_of(self.file_name)
        self.next({"csv": self.parse_table, "json": self.parse_document}, condition="kind")

    @step
    def parse_table(self):
        self.parsed = {"rows": len(self.file_name), "from": self.file_name}
        self.next(self.routed)

    @step
    def parse_document(self):
        self.parsed = {"keys": [self.file_name.upper()], "from": self.file_name}
        self.next(self.routed)

    @step
    def routed(self):
        self.route_taken = ROUTES[self.kind]
        self.next(self.collect)

    @step
    def collect(self, inputs):
        self.parsed_all = [inp.parsed for inp in inputs]
        self.routes = [inp.route_taken for inp in inputs]
        self.next(self.join_arms)

    @step
    def count(self):
        self.counts = {kind: sum(1 for n in self.names if kind_of(n) == kind) for kind in ROUTES}
        self.next(self.join_arms)

    @step
    def join_arms(self, inputs):
        self.counts = inputs.count.counts
        self.routes = inputs.collect.routes
        self.parsed_count = len(inputs.collect.parsed_all)
        self.arms = len(list(inputs))  # Metaflow's inputs have no len()
        self.merge_artifacts(inputs, include=["names"])
        self.next(self.end)

    @step
    def end(self):
        self.report = {"names": list(self.names), "counts": self.counts, "routes": self.routes}


if __name__ == "__main__":
    RoutingFlow()
