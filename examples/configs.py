"""Configs: settings read when the flow is compiled, from a file or an inline default.

`config` comes from configs.json beside this file (`flowc run configs.py --config config other.json` reads
another file, `--config-value config '{...}'` takes the text itself); `defaults` is written inline.
Decorator arguments and Parameter defaults may come from either (`config.resources.cpu`,
`config_expr("defaults.alpha")`): flowc resolves them when it compiles. In a step, `self.config` is a
read-only mapping with attribute access, the same in every task.
"""

from metaflow import Config, FlowSpec, Parameter, config_expr, environment, resources, retry, step


class ConfigFlow(FlowSpec):
    config = Config("config", default="configs.json", help="model and resource settings")
    defaults = Config("defaults", default_value={"alpha": 0.5, "greeting": "hello"})
    alpha = Parameter("alpha", default=config_expr("defaults.alpha"), help="a weight (default: the inline config's)")

    @resources(cpu=config.resources.cpu, memory=config.resources.memory)
    @retry(times=config.retries)
    @step
    def start(self):
        """Reads the model's settings from the config."""
        self.model_name = self.config.model.name
        self.layers = list(self.config.model["layers"])
        self.next(self.train)

    @environment(vars={"GREETING": config_expr("defaults.greeting")})
    @step
    def train(self):
        """Gets its environment from the inline config."""
        import os

        self.greeting = os.environ["GREETING"]
        self.score = self.alpha * sum(self.layers)
        self.next(self.end)

    @step
    def end(self):
        self.note = self.config.note
        self.summary = f"{self.model_name}: {self.score} ({self.greeting})"
        print(self.summary)


if __name__ == "__main__":
    ConfigFlow()
