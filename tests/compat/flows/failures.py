"""@catch keeps a failed step's exception as an artifact; @retry runs a step again."""
# compat: differs problem
from metaflow import FlowSpec, catch, current, retry, step


class FailuresFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.fragile)

    @catch(var="problem", print_exception=False)
    @step
    def fragile(self):
        self.before = "set before the error"
        raise ValueError("always fails")
        self.next(self.flaky)

    @retry(times=2, minutes_between_retries=0)
    @step
    def flaky(self):
        if current.retry_count < 1:
            raise RuntimeError("fails on the first attempt")
        self.attempt = current.retry_count
        self.next(self.end)

    @step
    def end(self):
        self.caught = self.problem is not None
        self.caught_type = self.problem.type if self.problem is not None else None
        self.attempt_seen = self.attempt


if __name__ == "__main__":
    FailuresFlow()
