"""Reading input data as Metaflow's docs show it: IncludeFile for a CSV (text, parsed with the csv module) and
a binary file, a JSON parameter, parameters read in a foreach body and in a join before it merges, and
`current.parameter_names`."""
# compat: param thresholds={"warm": 10, "hot": 18}
import csv
import io
import json

from metaflow import FlowSpec, IncludeFile, JSONType, Parameter, current, step


class DataInputsFlow(FlowSpec):
    table = IncludeFile("table", default="cities.csv", help="a CSV of cities")
    blob = IncludeFile("blob", is_text=False, default="blob.bin")
    thresholds = Parameter("thresholds", type=JSONType, default=json.dumps({"warm": 15}))
    unit = Parameter("unit", default="°C")

    @step
    def start(self):
        self.rows = list(csv.DictReader(io.StringIO(self.table)))
        self.blob_info = (type(self.blob).__name__, len(self.blob), self.blob[:2])
        self.parameters_seen = sorted(current.parameter_names)
        self.next(self.classify, foreach="rows")

    @step
    def classify(self):
        temp = int(self.input["temp"])
        labels = [name for name, limit in sorted(self.thresholds.items()) if temp >= limit]
        self.label = (self.input["city"], labels, f"{temp}{self.unit}")
        self.next(self.join)

    @step
    def join(self, inputs):
        self.unit_in_join = self.unit  # parameters are readable in a join before any merge
        self.labels = [i.label for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        self.table_lines = len(self.table.splitlines())


if __name__ == "__main__":
    DataInputsFlow()
