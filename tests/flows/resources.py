"""Every decorator that shapes the schedule: resources, image, env, retries, timeout, schedule, project."""
from metaflow import (FlowSpec, environment, kubernetes, project, resources, retry, schedule, secrets, step,
                      timeout)


@project(name="demo")
@schedule(cron="30 2 * * *", timezone="Europe/Paris")
class ResourcesFlow(FlowSpec):
    @step
    def start(self):
        self.parts = ["a", "b"]
        self.next(self.train, foreach="parts")

    @resources(cpu=2, memory=4096, gpu=1)
    @kubernetes(image="registry.example/train:2", node_selector={"pool": "gpu"}, labels={"team": "ml"},
                annotations={"owner": "data {{ var.value.x }}"},
                tolerations=[{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}])
    @environment(vars={"MODE": "fast"})
    @secrets(sources=["db-credentials"])
    @retry(times=3, minutes_between_retries=1)
    @timeout(minutes=5)
    @step
    def train(self):
        import os

        self.model = f"{self.input}-{os.environ['MODE']}"
        self.next(self.join)

    @step
    def join(self, inputs):
        self.models = sorted(i.model for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ResourcesFlow()
