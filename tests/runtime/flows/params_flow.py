"""Parameters of every type, JSON, run-time defaults and an IncludeFile."""
import os

from metaflow import FlowSpec, IncludeFile, JSONType, Parameter, current, step


def default_label(ctx):
    return f"{ctx.flow_name}:{ctx.parameter_name}"


class ParamsFlow(FlowSpec):
    text = Parameter("text", default="plain")
    count = Parameter("count", default=3)
    ratio = Parameter("ratio", default=0.25, type=float)
    flag = Parameter("flag", default=False, type=bool)
    config = Parameter("config", type=JSONType, default='{"depth": 2}')
    from_env = Parameter("from-env", default=os.environ.get("FLOWC_TEST_DEFAULT", "unset"))
    label = Parameter("label", default=default_label)
    stamp = Parameter("stamp", default=lambda: "called")
    needed = Parameter("needed", required=True, type=int)
    notes = IncludeFile("notes", default="notes.txt")

    @step
    def start(self):
        self.seen = {
            "text": self.text, "count": self.count, "ratio": self.ratio, "flag": self.flag,
            "config": self.config, "from_env": self.from_env, "label": self.label, "stamp": self.stamp,
            "needed": self.needed, "notes": self.notes,
        }
        self.names = current.parameter_names
        self.next(self.end)

    @step
    def end(self):
        self.again = (self.count, self.notes)
