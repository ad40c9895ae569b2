"""Fails on its first two attempts, then succeeds: @retry must re-run it with the next attempt number."""
from flowc.runtime import FlowSpec, current, retry, step


class RetryingFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.flaky)

    @retry(times=2)  # the default 2 minutes between retries: `flowc run` retries at once, as Metaflow does locally
    @step
    def flaky(self):
        if current.retry_count < 2:
            raise RuntimeError(f"flaky failure on attempt {current.retry_count}")
        self.succeeded_on = current.retry_count
        self.next(self.end)

    @step
    def end(self):
        pass
