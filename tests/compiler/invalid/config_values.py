# expect: FLC058@6:7, FLC051@7:41, FLC052@8:45, FLC052@9:45, FLC053@12:20, FLC054@17:33
# config-value: nosuch {"a": 1}
from metaflow import Config, FlowSpec, config_expr, environment, resources, step


class ConfigValueFlow(FlowSpec):
    missing = Config("missing", default="no_such_config.json")
    broken = Config("broken", default_value='{"cpu": 2,}')
    listed = Config("listed", default_value="[1, 2]")
    config = Config("config", default_value={"cpu": 2, "model": {"name": "m"}})

    @resources(cpu=config.cpus)
    @step
    def start(self):
        self.next(self.a)

    @environment(vars={"MODEL": config_expr("config.model.name.upper()")})
    @step
    def a(self):
        self.next(self.end)

    @resources(memory=missing.memory)
    @step
    def end(self):
        pass
