# expect: FLC050@10:50, FLC056@12:14, FLC057@13:59, FLC055@14:14, FLC056@15:13
from metaflow import Config, FlowSpec, Parameter, step


def my_parser(text):
    return {}


class ConfigDeclFlow(FlowSpec):
    both = Config("both", default="config.json", default_value={"cpu": 1})
    first = Config("settings", default_value={"cpu": 1})
    second = Config("settings", default_value={"cpu": 2})
    custom = Config("custom", default_value="x=1", parser=my_parser)
    needed = Config("needed", required=True)
    clash = Parameter("settings", default=1)

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
