"""Configs: one from --config (over its default file), one inline in YAML, one plain; values in
decorators, a Parameter default and a switch; steps read them as read-only mappings."""
# compat: config settings=configs_settings.json
from metaflow import Config, FlowSpec, Parameter, config_expr, retry, step, timeout


class CompatConfigsFlow(FlowSpec):
    settings = Config("settings", default="configs_default.json")
    listing = Config("listing", default_value="items: [a, b]\nowner: {name: Ada}\n",
                     parser="metaflow.yaml_parser")
    raw = Config("raw", default_value="plain text", plain=True)
    count = Parameter("count", default=config_expr("settings.count"))

    @timeout(seconds=settings.limits.seconds)
    @retry(times=settings.limits.retries)
    @step
    def start(self):
        self.kind = type(self.settings).__name__
        self.model = self.settings.model
        self.layers = list(self.settings["layers"])
        self.owner = self.listing.owner.name
        self.items = list(self.listing["items"])
        self.text = self.raw
        self.keys = sorted(self.settings)
        try:
            self.settings.extra = 1
            self.refused = None
        except TypeError as error:
            self.refused = type(error).__name__
        self.choice = self.settings.mode
        self.next({"train": self.train, "skip": self.skip}, condition="choice")

    @step
    def train(self):
        self.result = self.count * sum(self.layers)
        self.next(self.end)

    @step
    def skip(self):
        self.result = 0
        self.next(self.end)

    @step
    def end(self):
        self.summary = f"{self.model}/{self.owner}: {self.result}"


if __name__ == "__main__":
    CompatConfigsFlow()
