"""Every decorator the Step Functions target maps to AWS Batch, EventBridge Scheduler or the state machine."""
from metaflow import (FlowSpec, batch, environment, kubernetes, resources, retry, schedule, secrets, step,
                      timeout)


@schedule(weekly=True, timezone="America/New_York")
class BatchSettingsFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train)

    @resources(cpu=2, memory=8192, gpu=1, shared_memory=512)
    @batch(queue="gpu-queue", image="registry.example/train:2", iam_role="arn:aws:iam::123456789012:role/train",
           use_tmpfs=True, tmpfs_size=1024)
    @environment(vars={"MODE": "fast"})
    @secrets(sources=["arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::",
                      "API_TOKEN=arn:aws:ssm:us-east-1:123456789012:parameter/team/token"])
    @retry(times=3, minutes_between_retries=1)
    @timeout(minutes=5)
    @step
    def train(self):
        self.next(self.evaluate)

    @kubernetes(node_selector={"pool": "cpu"})
    @step
    def evaluate(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    BatchSettingsFlow()
