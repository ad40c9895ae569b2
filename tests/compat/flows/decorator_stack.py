"""Step decorators stacked as production flows stack them: @retry with @catch (retries first, then the
exception is kept), @timeout that never fires, @environment variables read through os.environ, and
@resources, which asks a scheduler for capacity and changes nothing in a local run."""
# compat: differs failure
import os

from metaflow import FlowSpec, catch, current, environment, resources, retry, step, timeout


class DecoratorStackFlow(FlowSpec):
    @environment(vars={"MODEL_NAME": "tiny-ünï", "THRESHOLD": "0.75"})
    @resources(cpu=2, memory=2048)
    @step
    def start(self):
        self.model_name = os.environ["MODEL_NAME"]
        self.threshold = float(os.environ.get("THRESHOLD", "0"))
        self.unset = os.environ.get("NOT_SET_ANYWHERE")
        self.next(self.flaky_then_ok)

    @timeout(seconds=120)
    @retry(times=3, minutes_between_retries=0)
    @step
    def flaky_then_ok(self):
        self.attempts_seen = current.retry_count + 1
        if current.retry_count < 2:
            raise ConnectionError(f"attempt {current.retry_count} fails")
        self.next(self.always_fails)

    @catch(var="failure", print_exception=False)
    @retry(times=1, minutes_between_retries=0)
    @timeout(minutes=1)
    @step
    def always_fails(self):
        self.tried = current.retry_count
        raise KeyError("missing-key")
        self.next(self.end)

    @environment(vars={"MODEL_NAME": "override"})
    @step
    def end(self):
        self.env_model = os.environ["MODEL_NAME"]
        self.failed_with = type(self.failure.exception).__name__ if self.failure else None
        self.failure_type = self.failure.type if self.failure else None
        self.tried_seen = getattr(self, "tried", "unset")


if __name__ == "__main__":
    DecoratorStackFlow()
