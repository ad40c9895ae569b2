"""Every parameter type, given and defaulted: each step sees the value typed as the flow declares it."""
from metaflow import FlowSpec, JSONType, Parameter, step


class ParameterTypesFlow(FlowSpec):
    text = Parameter("text", default="hello", help="a string")
    count = Parameter("count", default=3, help="an int, inferred from the default")
    ratio = Parameter("ratio", type=float, default=0.5, help="a float")
    flag = Parameter("flag", default=False, help="a bool, inferred")
    config = Parameter("config", type=JSONType, default='{"a": 1}', help="JSON, declared")
    xs = Parameter("xs", default=[1, 2], help="JSON, inferred from a list default")

    @step
    def start(self):
        values = {"text": self.text, "count": self.count, "ratio": self.ratio, "flag": self.flag,
                  "config": self.config, "xs": self.xs}
        self.seen = {name: [type(value).__name__, value] for name, value in values.items()}
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ParameterTypesFlow()
